from __future__ import annotations

import re

from starlette.testclient import TestClient

from web.shell.site import site_of_app


def test_root_shows_the_english_home_page_with_its_canonical_address(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.template.name == "advice/home.html"
    assert response.context["page"].slug == "home"
    base = site_of_app(client.app).settings.public_base_url
    assert base.startswith("http") and f'<link rel="canonical" href="{base}/en/">' in response.text  # absolute


def test_canonical_and_alternate_links_are_absolute(client: TestClient) -> None:
    """Search engines accept only absolute canonical and hreflang addresses (issue 17)."""
    text = client.get("/cy/signs-to-spot").text
    base = site_of_app(client.app).settings.public_base_url
    assert f'<link rel="canonical" href="{base}/cy/signs-to-spot">' in text
    assert f'<link rel="alternate" hreflang="en" href="{base}/en/signs-to-spot">' in text
    assert f'<link rel="alternate" hreflang="ur" href="{base}/ur/signs-to-spot">' in text


def test_an_advice_page_renders_its_markdown_in_the_shell(client: TestClient) -> None:
    response = client.get("/en/signs-to-spot")
    assert response.status_code == 200
    context = response.context
    assert context["page"].title == "Signs to spot"
    assert context["lang"] == "en"
    assert '<html lang="en" dir="ltr"' in response.text
    assert len(re.findall(r"<h1[ >]", response.text)) == 1
    assert 'href="#main-content"' in response.text
    assert 'id="main-content"' in response.text


def test_the_signs_page_is_marked_current_in_the_main_navigation(client: TestClient) -> None:
    navigation = client.get("/en/signs-to-spot").context["navigation"]
    assert (navigation[0].href, navigation[0].current) == ("/en/signs-to-spot", True)
    assert not any(item.current for item in navigation[1:])


def test_every_page_shows_the_emergency_and_support_line_numbers(client: TestClient) -> None:
    for path in ("/", "/en/privacy-notice", "/en/no-such-page"):
        text = client.get(path).text
        assert 'href="tel:999"' in text, path
        assert 'href="tel:08000113764"' in text, path
        assert 'href="/exit"' in text, path


def test_the_footer_links_to_the_accessibility_statement_privacy_notice_and_help(client: TestClient) -> None:
    text = client.get("/").text
    for href in ("/en/accessibility-statement", "/en/privacy-notice", "/en/get-help"):
        assert f'href="{href}"' in text


def test_a_language_without_slash_redirects_to_its_home(client: TestClient) -> None:
    response = client.get("/en", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (301, "/en/")


def test_an_unknown_page_is_a_helpful_404(client: TestClient) -> None:
    response = client.get("/en/nothing-here")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'href="tel:08000113764"' in response.text


def test_an_unknown_language_is_a_404(client: TestClient) -> None:
    assert client.get("/xx/signs-to-spot").status_code == 404
    assert client.get("/xx", follow_redirects=False).status_code == 404


def test_a_post_to_a_page_is_a_clear_405_page(client: TestClient) -> None:
    response = client.post("/en/signs-to-spot")
    assert response.status_code == 405
    assert "This page cannot do that" in response.text


def test_sources_are_listed_on_every_page(client: TestClient) -> None:
    text = client.get("/en/get-help").text
    assert "Sources for this page" in text
    assert 'href="https://actearly.uk/contact/"' in text
