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


# For each phone number in the page: the left edge of each group of digits, as laid out on screen.
DIGIT_GROUPS = """() => [...document.querySelectorAll('a[href^="tel:"]')].map((link) => {
  const groups = [];
  const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/\\d+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      groups.push({ text: match[0], x: range.getBoundingClientRect().x });
    }
  }
  return { number: link.textContent.trim(), groups };
})"""
# Text outside phone links with two or more groups of digits: such a number would be laid out right to left.
LOOSE_NUMBERS = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest('a[href^="tel:"], script, style')) {
      found.push(...(node.textContent.match(/\\d+[ \\u00a0]+\\d+/g) || []));
    }
  }
  return found;
}"""


def test_phone_numbers_read_left_to_right_in_urdu(browser: Browser, base_url: str) -> None:
    """Digit groups in right-to-left text would otherwise be laid out right to left: "18001 101" would show
    as "101 18001" (issue 16). Every number, in the page and in the footer, reads as it is dialled."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        for path in ("/ur/get-help", "/ur/home", "/ur/signs-to-spot"):
            page.goto(base_url + path)
            assert page.evaluate(LOOSE_NUMBERS) == [], f"{path}: a number outside a phone link"
            numbers = page.evaluate(DIGIT_GROUPS)
            grouped = [number for number in numbers if len(number["groups"]) > 1]
            assert any(number["number"].startswith("18001 ") for number in grouped), f"{path}: the Relay UK route"
            for number in grouped:
                lefts = [group["x"] for group in number["groups"]]
                assert lefts == sorted(lefts), f"{path}: {number['number']} is laid out {number['groups']}"
    finally:
        context.close()


def test_urdu_links_to_english_pages_say_so_in_their_names(browser: Browser, base_url: str) -> None:
    """Issue 21 item 11: `hreflang` is said only to code; each link's own name says "(in English)" in Urdu."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        for path in ("/ur/signs-to-spot", "/ur/get-help", "/ur/"):
            page.goto(base_url + path)
            links = page.locator("a[hreflang='en']:not(.app-language-switcher a)")
            assert links.count() > 5, path
            for link in links.all():
                name = link.evaluate("(a) => a.textContent.replace(/\\s+/g, ' ').trim()")
                assert name.endswith("(انگریزی میں)"), f"{path}: {name!r} does not say it is in English"
    finally:
        context.close()
