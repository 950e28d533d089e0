"""The shell's shared parts (web/shell/templating.py, `shared`): rendered once for each language and each
loaded content, and the same, byte for byte, as rendering them on every page."""

from __future__ import annotations

import re
from dataclasses import replace

from starlette.testclient import TestClient

from testing.settings import change_site
from web.content import ContentLibrary
from web.shell.site import site_of_app

TOKEN = re.compile(r'value="[\w-]+\.\d+\.[\w-]+"')  # a form token: new for each request (web/http/form_tokens.py)
PATHS = ["/{lang}/search?q=family", "/{lang}/share-a-concern/questions", "/{lang}/no-such-page", "/{lang}/get-help"]


def test_a_page_with_the_shared_parts_kept_is_the_page_rendered_whole(client: TestClient) -> None:
    site = site_of_app(client.app)  # type: ignore[arg-type]
    paths = [path.format(lang=lang) for lang in sorted(site.library.languages) for path in PATHS]
    kept = {path: (client.get(path), client.get(path)) for path in paths}
    environment = site.templates.env
    environment.auto_reload = True  # what DEBUG does: every part rendered again, on every page
    environment.cache.clear()  # type: ignore[union-attr]
    for path in paths:
        whole = client.get(path)
        first, again = kept[path]
        assert first.status_code == again.status_code == whole.status_code, path
        assert TOKEN.sub("token", first.text) == TOKEN.sub("token", again.text) == TOKEN.sub("token", whole.text), path
        assert "app-exit" in whole.text and "app-footer" in whole.text


def test_a_content_change_renders_the_shared_parts_again(client: TestClient) -> None:
    before = client.get("/en/search?q=family").text
    library = site_of_app(client.app).library  # type: ignore[arg-type]
    page = library.pages[("en", "privacy-notice")]
    renamed = replace(page, nav_title="How we look after what you tell us")
    pages = {**library.pages, ("en", "privacy-notice"): renamed}
    change_site(client.app, library=ContentLibrary(pages, library.languages, library.facts))  # type: ignore[arg-type]
    after = client.get("/en/search?q=family").text
    assert "How we look after what you tell us" not in before
    assert "How we look after what you tell us" in after  # the footer's link, in the shared footer
