"""The communications toolkit: the form, the downloads and their cache (web/toolkit/routes.py)."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from web.content import forces as force_list
from web.content.facts import load_facts
from web.settings import ROOT, Settings
from web.toolkit import archive
from web.toolkit import routes as toolkit

SUPPORT_LINE = load_facts(ROOT / "content" / "facts.yaml").support_line.number


def test_the_forces_file_has_every_territorial_force_and_scotland_and_northern_ireland() -> None:
    forces = force_list.load_forces(ROOT / "content" / "forces.yaml")
    nations = Counter(force.nation for force in forces.values())
    assert nations == {"england": 39, "wales": 4, "scotland": 1, "northern-ireland": 1}
    welsh = {force.slug: force.name_in("cy") for force in forces.values() if force.nation == "wales"}
    assert welsh == {
        "dyfed-powys": "Heddlu Dyfed-Powys",
        "gwent": "Heddlu Gwent",
        "north-wales": "Heddlu Gogledd Cymru",
        "south-wales": "Heddlu De Cymru",
    }
    assert all(force.name_cy is None for force in forces.values() if force.nation != "wales")
    assert forces["greater-manchester"].name_in("cy") == "Greater Manchester Police"


@pytest.mark.parametrize(
    "body",
    [
        "- {slug: kent, name: Kent Police, nation: england}\n- {slug: kent, name: Kent, nation: england}\n",
        "- {slug: Kent Police, name: Kent Police, nation: england}\n",
        "- {slug: kent, name: Kent Police, nation: mercia}\n",
        "- {slug: kent, name: Kent Police}\n",
    ],
)
def test_a_badly_written_forces_file_is_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / "forces.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(force_list.ForcesFileError):
        force_list.load_forces(path)


def test_the_toolkit_page_is_a_get_form_for_force_and_language(client: TestClient) -> None:
    response = client.get("/toolkit")
    assert response.status_code == 200
    assert response.template.name == "toolkit/toolkit.html"
    context = response.context
    assert len(context["forces"]) == 45
    assert context["errors"] == [] and "downloads" not in context
    text = response.text
    assert '<form method="get" action="/toolkit#downloads" novalidate>' in text
    assert '<label class="govuk-label govuk-label--m" for="force">' in text
    assert '<select class="govuk-select" id="force" name="force"' in text
    assert text.count('name="lang" type="radio"') == 2
    assert '<span lang="cy">Cymraeg</span>' in text
    assert '<link rel="canonical" href="https://actearly.test/toolkit">' in text  # absolute (issue 17)


def test_choosing_a_force_and_welsh_lists_every_file_the_archive_and_welsh_posts(client: TestClient) -> None:
    response = client.get("/toolkit", params={"force": "north-wales", "lang": "cy"})
    assert response.status_code == 200
    context = response.context
    assert context["archive_href"] == "/toolkit/north-wales/cy/everything.zip"
    assert context["file_count"] == 33
    assert [file["href"] for file in context["poster_themes"][1]["files"]] == [
        "/toolkit/north-wales/cy/poster-signs-a4.pdf",
        "/toolkit/north-wales/cy/poster-signs-a3.pdf",
    ]
    assert context["poster_size"].endswith(" KB") and context["social_size"].endswith(" KB")
    square = context["image_themes"][0]["files"][0]
    assert (
        "https://actearly.test/cy/?<wbr>utm_source=<wbr>social&amp;<wbr>utm_campaign=<wbr>north-wales"
        in square["post_html"]
    )
    assert SUPPORT_LINE in square["post_html"] and "ffoniwch 999" in square["post_html"]
    assert "Heddlu Gogledd Cymru" in square["alt"] and square["label"].startswith("Act early: Square")
    assert context["translator_reviewed"] is False
    text = response.text
    assert '<p class="govuk-body" lang="cy">Ydych chi’n poeni' in text
    assert '<option value="north-wales" selected>' in text
    assert 'value="cy" checked' in text
    assert 'href="/toolkit/north-wales/cy/everything.zip"' in text and "Ask a Welsh speaker" in text


def test_the_archive_downloads_as_a_zip_named_for_the_force(client: TestClient) -> None:
    response = client.get("/toolkit/gwent/en/everything.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == 'attachment; filename="act-early-toolkit-gwent-en.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist()[0] == "act-early-toolkit-gwent-en/CONTENTS.txt"
        assert len(archive.namelist()) == 33


def test_a_missing_answer_shows_the_error_summary_linked_to_its_field(client: TestClient) -> None:
    response = client.get("/toolkit", params={"force": "", "lang": ""})
    assert response.status_code == 400
    assert response.context["errors"] == ["force", "lang"]
    assert "<title>Error: " in response.text
    assert '<a href="#force">Choose a police force</a>' in response.text
    assert '<a href="#lang">Choose the language of the poster and image</a>' in response.text
    only_force = client.get("/toolkit", params={"force": "kent"})
    assert only_force.context["errors"] == ["lang"]


@pytest.mark.parametrize(
    "query", [{"force": "atlantis", "lang": "en"}, {"force": "kent", "lang": "fr"}, {"force": "../etc", "lang": "cy"}]
)
def test_a_force_or_language_no_form_offers_is_a_404_page(client: TestClient, query: dict[str, str]) -> None:
    response = client.get("/toolkit", params=query)
    assert response.status_code == 404
    assert "Page not found" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/toolkit/atlantis/en/poster.pdf",
        "/toolkit/kent/fr/poster.pdf",
        "/toolkit/atlantis/cy/social.png",
        "/toolkit/kent/de/social.png",
        "/toolkit/kent/en/poster.png",
        "/toolkit/kent/en/poster-signs-a5.pdf",
        "/toolkit/kent/cy/..%2Ffacts.yaml",
    ],
)
def test_a_download_for_an_unknown_force_or_language_is_a_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.text


@pytest.mark.parametrize(
    ("path", "media_type", "filename"),
    [
        ("/toolkit/kent/en/poster.pdf", "application/pdf", "act-early-poster-kent-en.pdf"),
        ("/toolkit/gwent/cy/social.png", "image/png", "act-early-social-gwent-cy.png"),
        ("/toolkit/kent/en/poster-story-a3.pdf", "application/pdf", "act-early-poster-story-a3-kent-en.pdf"),
        ("/toolkit/kent/cy/social-next-link.png", "image/png", "act-early-social-next-link-kent-cy.png"),
        (
            "/toolkit/kent/en/press-release.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "act-early-press-release-kent-en.docx",
        ),
    ],
)
def test_a_download_has_its_type_filename_and_a_day_of_public_caching(
    client: TestClient, path: str, media_type: str, filename: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.content[:4] == {"application/pdf": b"%PDF", "image/png": b"\x89PNG"}.get(media_type, b"PK\x03\x04")
    again = client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_the_cache_returns_the_same_bytes_without_making_the_file_again(client: TestClient) -> None:
    archive.asset.cache_clear()
    first = client.get("/toolkit/essex/en/poster.pdf").content
    hits = archive.asset.cache_info().hits
    assert client.get("/toolkit/essex/en/poster-act-early-a4.pdf").content == first
    assert archive.asset.cache_info().hits == hits + 1
    assert archive.asset.cache_info().misses == 1


def test_the_qr_code_links_to_the_public_site_only_when_it_is_https() -> None:
    assert toolkit.site_url(Settings(public_base_url="https://staging.actearly.uk/")) == "https://staging.actearly.uk"
    assert toolkit.site_url(Settings(public_base_url="http://127.0.0.1:8000")) == "https://actearly.uk"


def test_long_web_addresses_may_wrap_but_copy_unchanged() -> None:
    html = toolkit.breakable("Call now? https://actearly.uk/?utm_source=social&utm_campaign=kent #ActEarly")
    assert html == (
        "Call now? https://actearly.uk/?<wbr>utm_source=<wbr>social&amp;<wbr>utm_campaign=<wbr>kent #ActEarly"
    )
