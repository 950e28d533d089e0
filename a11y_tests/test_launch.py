"""The launch's pages in real Chromium: the LTAI checker, "What did you think of this site?", partners'
feedback and "How this site is measured". Axe finds nothing in any state at phone and desktop widths,
nothing scrolls sideways, and each works by keyboard alone and without JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from a11y_tests.pages import DESKTOP, LAUNCH_STATES, PHONE, PageState
from audit.axe import axe_violations, describe
from web.clock import utc_today
from web.storage import create_database_engine
from web.storage.figures import LTAI_ADDRESS, add_counts

WIDTHS = {"phone-320": PHONE, "desktop-1280": DESKTOP}
# After a send: the checker's answer and each form's errors (a POST, so not in pages.py's PAGE_STATES).
SENT_STATES = [
    PageState(
        "partners-checked",
        "/en/partners",
        then=lambda page: (
            page.get_by_label("Your page’s links, or a list of addresses").fill(
                "www.ltai.info/what-is-prevent\n/gaming"
            ),
            page.get_by_role("button", name="Check links").click(),
        ),
    ),
    PageState(
        "partners-errors", "/en/partners", then=lambda page: page.get_by_role("button", name="Check links").click()
    ),
    PageState(
        "what-did-you-think-errors",
        "/en/what-did-you-think",
        then=lambda page: page.get_by_role("button", name="Send feedback").click(),
    ),
    PageState(
        "partner-feedback-errors",
        "/en/partners/feedback",
        then=lambda page: page.get_by_role("button", name="Send feedback").click(),
    ),
]
STATES = {state.id: state for state in [*LAUNCH_STATES, *SENT_STATES]}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("state_id", STATES)
def test_launch_page_has_no_axe_violations(browser: Browser, base_url: str, state_id: str, width: str) -> None:
    state: PageState = STATES[state_id]
    context = browser.new_context(viewport=WIDTHS[width])
    try:
        page = context.new_page()
        response = page.goto(base_url + state.path)
        assert response is not None and response.status == state.status
        if state.then:
            state.then(page)
            page.wait_for_load_state()
        violations = axe_violations(page)
        assert not violations, f"{state_id} at {width}:\n{describe(violations)}"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{state_id} scrolls sideways"
        )
    finally:
        context.close()


def test_the_checker_works_without_javascript(browser_without_js: Page, base_url: str) -> None:
    page = browser_without_js
    page.goto(base_url + "/en/partners")
    page.get_by_role("button", name="Check links").click()
    assert page.title().startswith("Error:")
    page.get_by_role("link", name="Enter the Let’s Talk About It links or addresses to check").click()
    assert page.evaluate("location.hash") == "#links"
    page.get_by_label("Your page’s links, or a list of addresses").fill(
        '<a href="https://www.ltai.info/what-is-prevent">'
    )
    page.get_by_role("button", name="Check links").click()
    assert page.get_by_role("heading", name="Your new addresses").is_visible()
    table = page.get_by_role("table", name="Your new addresses")
    assert "ltai.info/what-is-prevent" in table.inner_text()
    assert "/en/what-is-prevent" in table.inner_text()


def test_what_did_you_think_works_without_javascript(browser_without_js: Page, base_url: str) -> None:
    page = browser_without_js
    page.goto(base_url + "/en/")
    page.get_by_role("contentinfo").get_by_role("link", name="What did you think of this site?").click()
    page.get_by_label("How could we improve this website? (optional)").fill("Kept after the error")
    page.get_by_role("button", name="Send feedback").click()
    assert page.title().startswith("Error:")
    assert page.get_by_label("How could we improve this website? (optional)").input_value() == "Kept after the error"
    page.get_by_role("link", name="Select how you feel about this site").click()
    page.get_by_role("radio", name="Satisfied", exact=True).check()
    page.get_by_role("button", name="Send feedback").click()
    assert page.get_by_role("heading", name="Thank you for your feedback").is_visible()


def test_partner_feedback_works_without_javascript(browser_without_js: Page, base_url: str) -> None:
    page = browser_without_js
    page.goto(base_url + "/en/partners")
    page.get_by_role("link", name="Give feedback as a partner organisation").click()
    page.get_by_role("button", name="Send feedback").click()
    assert page.title().startswith("Error:")
    page.get_by_role("radio", name="Local council").check()
    page.get_by_label("What should we change?").fill("More languages")
    page.get_by_role("button", name="Send feedback").click()
    assert page.get_by_role("heading", name="Thank you for your feedback").is_visible()


def test_the_figures_page_works_without_javascript(browser_without_js: Page, base_url: str) -> None:
    page = browser_without_js
    page.goto(base_url + "/en/how-this-site-is-measured")
    page.get_by_label("From").fill("2026-02-30")
    page.get_by_role("button", name="Show figures").click()
    assert page.title().startswith("Error:")
    page.get_by_role("link", name="Enter the start date as a real date, for example 2026-11-01").click()
    assert page.evaluate("location.hash") == "#from"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures as a spreadsheet (CSV)").click()
    assert download.value.suggested_filename.startswith("act-early-figures-")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_what_did_you_think_by_keyboard_alone(browser: Browser, base_url: str, javascript: bool) -> None:
    context = browser.new_context(java_script_enabled=javascript, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(base_url + "/en/what-did-you-think")
        page.locator("main").focus()
        for _ in range(20):  # Tab from the top of main to the first answer
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.name") == "answer":
                break
        assert page.evaluate("document.activeElement.value") == "very-satisfied"
        page.keyboard.press("ArrowDown")  # radios: arrows move and choose
        assert page.evaluate("document.activeElement.value") == "satisfied"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "comment"
        page.keyboard.type("By keyboard")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Send feedback"
        page.keyboard.press("Enter")
        page.wait_for_url("**/en/what-did-you-think/thanks")
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_checker_by_keyboard_alone(browser: Browser, base_url: str, javascript: bool) -> None:
    context = browser.new_context(java_script_enabled=javascript, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(base_url + "/en/partners")
        page.locator("main").focus()
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "links":
                break
        assert page.evaluate("document.activeElement.id") == "links"
        page.keyboard.type("ltai.info/channel")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Check links"
        page.keyboard.press("Enter")
        page.wait_for_url("**/en/partners#results")
        page.get_by_role("heading", name="Your new addresses").wait_for()
    finally:
        context.close()


def test_the_figures_page_with_old_addresses_followed_has_no_axe_violations(
    browser: Browser, base_url: str, live_dir: Path
) -> None:
    """The table of old Let's Talk About It addresses, with rows (written to the figures as the site would)."""
    engine = create_database_engine(f"sqlite:///{live_dir / 'site.sqlite3'}")
    try:
        add_counts(engine, {(utc_today(), LTAI_ADDRESS, "/channel"): 3, (utc_today(), LTAI_ADDRESS, "other"): 1})
    finally:
        engine.dispose()
    for width, viewport in WIDTHS.items():
        context = browser.new_context(viewport=viewport)
        try:
            page = context.new_page()
            page.goto(base_url + "/en/how-this-site-is-measured")
            assert "/channel" in page.locator("#ltai").inner_text()
            violations = axe_violations(page)
            assert not violations, f"the figures page at {width}:\n{describe(violations)}"
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        finally:
            context.close()
