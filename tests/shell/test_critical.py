"""The first paint in one round trip (issue 17, ADR 22): a browser without the stylesheet gets its page's CSS
inline, allowed by its hash; the service worker's navigations link the stylesheet it keeps."""

from __future__ import annotations

import re

import brotli
import pytest
from starlette.testclient import TestClient

from testing.sitemap import paths_in_sitemap
from web.http.security_headers import CONTENT_SECURITY_POLICY
from web.shell.critical import STYLES_HEADER, Stylesheet, page_classes, style_hash
from web.shell.site import site_of_app

FIRST_ROUND_TRIP = 14 * 1024  # bytes on the wire: headers and the brotli body (10 packets of ~1.4 KB)
CHROMIUM_ACCEPTS = "gzip, deflate, br, zstd"
STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
# Pages that are not in the sitemap but that readers open all the same, one of each kind.
OTHER_PAGES = [
    "/",
    "/en/no-such-page",
    "/en/offline",
    "/en/offline/saved",
    "/toolkit",
    "/en/search?q=signs",
    "/en/share-a-concern",
    "/en/share-a-concern/questions",
    "/en/partners",
    "/en/how-this-site-is-measured",
    "/en/what-did-you-think",
]


def stylesheet_name(client: TestClient) -> str:
    return site_of_app(client.app).assets.manifest["app.css"]


def built_css(client: TestClient) -> str:
    return site_of_app(client.app).assets.path("app.css").read_text(encoding="utf-8")


def inline_css(html: str) -> str:
    found = STYLE.findall(html)
    assert len(found) == 1, f"{len(found)} <style> elements"
    return str(found[0])


def every_page(client: TestClient) -> list[str]:
    return [*paths_in_sitemap(client.get("/sitemap.xml").content), *OTHER_PAGES]


def test_a_first_visit_gets_the_pages_css_inline_allowed_by_its_hash(client: TestClient) -> None:
    response = client.get("/en/signs-to-spot")
    html = response.text
    css = inline_css(html)
    policy = response.headers["content-security-policy"]
    assert f"style-src 'self' {style_hash(css)};" in policy
    assert "unsafe-inline" not in policy and "unsafe-hashes" not in policy
    head, body = html.split("</head>")
    assert "<style>" in head and 'rel="stylesheet"' not in head
    link = f'<link rel="stylesheet" href="/assets/{stylesheet_name(client)}">'
    assert body.rstrip().endswith(f"{link}\n</body>\n</html>"), "the full stylesheet comes last, blocking nothing"
    assert STYLES_HEADER in response.headers["vary"]


def test_the_inline_css_is_the_built_css_for_every_class_on_the_page(client: TestClient) -> None:
    assets = site_of_app(client.app).assets
    scripts = tuple(assets.path(name).read_text() for name in ("app.js", "offline.js", "forms.js", "htmx.js"))
    built = Stylesheet(built_css(client), scripts)
    html = client.get("/en/myths-and-facts").text
    css = inline_css(html)
    assert css == built.for_classes(page_classes(html))
    # Every rule inline is the built stylesheet's own, in its order.
    rules = [rule + "}" for rule in css.split("}") if rule]
    position, whole = 0, built_css(client)
    for rule in rules:
        declarations = rule.rsplit("{", 1)[-1]
        position = whole.index(declarations, position)
    # And every class of the page that the stylesheet styles is styled inline.
    inline = Stylesheet(css)
    for name in page_classes(html) & built.classes:
        assert name in inline.classes, f".{name} is on the page and in app.css, not inline"


def test_a_navigation_from_the_worker_links_the_stylesheet_it_keeps(client: TestClient) -> None:
    response = client.get("/en/signs-to-spot", headers={STYLES_HEADER: stylesheet_name(client)})
    head = response.text.split("</head>")[0]
    assert "<style>" not in response.text
    assert f'<link rel="stylesheet" href="/assets/{stylesheet_name(client)}">' in head
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert STYLES_HEADER in response.headers["vary"]


@pytest.mark.parametrize("path", ["/en/share-a-concern/questions", "/en/search?q=signs", "/en/signs-to-spot"])
def test_a_reader_coming_from_a_page_of_this_site_has_the_stylesheet_and_gets_it_linked(
    client: TestClient, path: str
) -> None:
    """The page they came from linked the stylesheet at the end of its body: it is in the browser's cache."""
    response = client.get(path, headers={"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"})
    assert "<style>" not in response.text
    assert f'<link rel="stylesheet" href="/assets/{stylesheet_name(client)}">' in response.text.split("</head>")[0]
    assert "Sec-Fetch-Site" in response.headers["vary"]
    for elsewhere in ("cross-site", "none"):
        assert inline_css(client.get(path, headers={"Sec-Fetch-Site": elsewhere}).text)


def test_a_worker_keeping_an_older_stylesheet_gets_the_css_inline(client: TestClient) -> None:
    response = client.get("/en/signs-to-spot", headers={STYLES_HEADER: "app.0123456789.css"})
    assert inline_css(response.text)


def test_a_page_rendered_once_is_kept_with_and_without_its_inline_css(client: TestClient) -> None:
    worker = {STYLES_HEADER: stylesheet_name(client)}
    first, linked = client.get("/en/what-is-prevent"), client.get("/en/what-is-prevent", headers=worker)
    renders = site_of_app(client.app).rendered.renders
    again, linked_again = client.get("/en/what-is-prevent"), client.get("/en/what-is-prevent", headers=worker)
    assert site_of_app(client.app).rendered.renders == renders
    assert first.text == again.text and linked.text == linked_again.text and first.text != linked.text
    assert first.headers["etag"] != linked.headers["etag"]
    assert client.get("/en/what-is-prevent", headers={"If-None-Match": linked.headers["etag"]}).status_code == 200


def test_a_fragment_and_the_console_are_left_as_they_are(client: TestClient) -> None:
    fragment = client.get("/en/search?q=signs", headers={"HX-Request": "true", "HX-Target": "search-results"})
    assert "<style>" not in fragment.text
    assert "unsafe-inline" not in fragment.headers["content-security-policy"]


def test_every_kind_of_page_with_its_css_inline_fits_the_first_round_trip(client: TestClient) -> None:
    too_big = {}
    for path in every_page(client):
        response = client.get(path, headers={"Accept-Encoding": "identity"})
        assert "<style>" in response.text, path
        body = brotli.compress(response.content, quality=11)
        headers = sum(len(name) + len(value) + 4 for name, value in response.headers.items())
        if len(body) + headers > FIRST_ROUND_TRIP:
            too_big[path] = len(body) + headers
    assert not too_big, f"over {FIRST_ROUND_TRIP} bytes with the inline CSS: {too_big}"


def test_a_rule_that_may_match_is_kept_and_one_that_cannot_is_left_out() -> None:
    sheet = Stylesheet(
        ":root{--a: 1}html{margin:0}.a:not(.b){color:red}.c .d,.a{top:0}"
        '.e::after{content:"{"}@media (min-width:40em){.a{left:0}.z{left:1px}}@media print{.z{x:y}}'
        r".govuk-\!-margin-0{margin:0}[dir=rtl] .a{right:0}:is(.q,.r){x:1}"
    )
    assert sheet.for_classes(frozenset({"a", "govuk-!-margin-0"})) == (
        ":root{--a: 1}html{margin:0}.a:not(.b){color:red}.a{top:0}@media (min-width:40em){.a{left:0}}"
        r".govuk-\!-margin-0{margin:0}[dir=rtl] .a{right:0}:is(.q,.r){x:1}"
    )
    assert '.e::after{content:"{"}' in sheet.for_classes(frozenset({"e"}))
    hacks = "@media screen\ufffd{.a{top:0}}@media (min-width: 0\\0){.a{top:0}}.a{left:0}"
    assert Stylesheet(hacks).for_classes(frozenset({"a"})) == ".a{left:0}"  # no browser we serve matches them
    whole = '@charset "UTF-8";@font-face{font-family:x}@keyframes k{0%{top:0}}.a{top:0}'
    assert (
        Stylesheet(whole).for_classes(frozenset())
        == '@charset "UTF-8";@font-face{font-family:x}@keyframes k{0%{top:0}}'
    )


def test_the_classes_the_scripts_name_are_styled_inline_on_every_page() -> None:
    sheet = Stylesheet(".js-enabled .a{top:0}.b{left:0}", scripts=("document.body.classList.add('js-enabled')",))
    assert sheet.for_classes(frozenset({"a"})) == ".js-enabled .a{top:0}"
    assert sheet.for_classes(frozenset()) == ""
