"""Right to left: Urdu pages are laid out as a mirror image of the English ones."""

from __future__ import annotations

from playwright.sync_api import Browser

from a11y_tests.pages import DESKTOP


def _boxes(browser: Browser, url: str) -> dict[str, dict[str, float]]:
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(url)
        return {
            name: page.locator(selector).first.bounding_box() or {}
            for name, selector in {
                "h1": "main h1",
                "article": "main article",
                "aside": "main aside",
                "exit": ".govuk-exit-this-page",
                "bullet": "main .govuk-list--bullet li",
            }.items()
        }
    finally:
        context.close()


def test_urdu_page_mirrors_the_english_layout(browser: Browser, base_url: str) -> None:
    english = _boxes(browser, base_url + "/en/signs-to-spot")
    urdu = _boxes(browser, base_url + "/ur/signs-to-spot")
    # English: article on the left, "In this section" on the right, exit control on the right.
    assert english["article"]["x"] < english["aside"]["x"]
    # Urdu: the same, mirrored.
    assert urdu["article"]["x"] > urdu["aside"]["x"]
    assert urdu["exit"]["x"] < english["exit"]["x"]
    # Headings start at the right edge of the article.
    h1_right = urdu["h1"]["x"] + urdu["h1"]["width"]
    article_right = urdu["article"]["x"] + urdu["article"]["width"]
    assert abs(h1_right - article_right) < 20


def test_urdu_page_declares_its_direction_and_language(browser: Browser, base_url: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base_url + "/ur/signs-to-spot")
        assert page.get_attribute("html", "dir") == "rtl"
        assert page.get_attribute("html", "lang") == "ur"
        assert page.evaluate("getComputedStyle(document.querySelector('main p')).direction") == "rtl"
    finally:
        context.close()
