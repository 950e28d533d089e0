"""The communications toolkit: the form, the downloads and their cache (web/toolkit/routes.py)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from web.content import forces as force_list
from web.settings import ROOT, Settings
from web.toolkit import routes as toolkit
from web.toolkit.posters import SUPPORT_LINE


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
    assert '<link rel="canonical" href="/toolkit">' in text


def test_choosing_a_force_and_welsh_shows_the_downloads_and_welsh_social_copy(client: TestClient) -> None:
    response = client.get("/toolkit", params={"force": "north-wales", "lang": "cy"})
    assert response.status_code == 200
    context = response.context
    assert [file["href"] for file in context["downloads"]] == [
        "/toolkit/north-wales/cy/poster.pdf",
        "/toolkit/north-wales/cy/social.png",
    ]
    assert all(file["size"].endswith(" KB") for file in context["downloads"])
    assert "https://actearly.test/?utm_source=social&utm_campaign=north-wales" in context["social_post"]
    assert SUPPORT_LINE.number in context["social_post"] and "ffoniwch 999" in context["social_post"]
    assert "Heddlu Gogledd Cymru" in context["alt_text"] and SUPPORT_LINE.number in context["alt_text"]
    assert context["poster_url"] == "https://actearly.test/?utm_source=poster&utm_campaign=north-wales"
    text = response.text
    assert '<div class="govuk-inset-text" lang="cy">Ydych chi’n poeni' in text
    assert '<option value="north-wales" selected>' in text
    assert 'value="cy" checked' in text


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
    assert response.content.startswith(b"%PDF-" if media_type == "application/pdf" else b"\x89PNG")
    again = client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_the_cache_returns_the_same_bytes_without_making_the_file_again(client: TestClient) -> None:
    toolkit.download.cache_clear()
    first = client.get("/toolkit/essex/en/poster.pdf").content
    hits = toolkit.download.cache_info().hits
    assert client.get("/toolkit/essex/en/poster.pdf").content == first
    assert toolkit.download.cache_info().hits == hits + 1
    assert toolkit.download.cache_info().misses == 1


def test_the_qr_code_links_to_the_public_site_only_when_it_is_https() -> None:
    assert toolkit.site_url(Settings(public_base_url="https://staging.actearly.uk/")) == "https://staging.actearly.uk"
    assert toolkit.site_url(Settings(public_base_url="http://127.0.0.1:8000")) == "https://actearly.uk"


def test_long_web_addresses_may_wrap_but_copy_unchanged() -> None:
    html = toolkit.breakable("Call now? https://actearly.uk/?utm_source=social&utm_campaign=kent #ActEarly")
    assert html == (
        "Call now? https://actearly.uk/?<wbr>utm_source=<wbr>social&amp;<wbr>utm_campaign=<wbr>kent #ActEarly"
    )


def test_poster_generation_time_is_measured(capsys: pytest.CaptureFixture[str]) -> None:
    """A measurement, not a limit (bench/posters.py measures every force)."""
    force = force_list.load_forces(ROOT / "content" / "forces.yaml")["greater-manchester"]
    toolkit.download.cache_clear()
    timings = {}
    for kind in (toolkit.POSTER, toolkit.SOCIAL):
        started = time.perf_counter()
        toolkit.download(kind, force, "en", "https://actearly.uk")
        timings[kind.file] = time.perf_counter() - started
    with capsys.disabled():
        print("\nfirst generation:", ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in timings.items()))
