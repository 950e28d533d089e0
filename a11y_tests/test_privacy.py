"""Private by design: no page makes a request to another origin, sets a cookie, or logs a browser error."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from a11y_tests.pages import SITEMAP_PATHS


@pytest.mark.parametrize("path", SITEMAP_PATHS)
def test_page_stays_on_its_origin_and_sets_no_cookie(browser: Browser, base_url: str, path: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base_url + path, wait_until="networkidle")
        origin = urlsplit(base_url).netloc
        elsewhere = [url for url in requests if urlsplit(url).netloc != origin and not url.startswith("data:")]
        assert not elsewhere, f"{path} made requests to other origins: {elsewhere}"
        assert context.cookies() == [], f"{path} set cookies"
        assert not errors, f"{path} logged errors (a CSP violation shows here): {errors}"
    finally:
        context.close()
