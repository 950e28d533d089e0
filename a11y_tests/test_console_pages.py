"""Every page of the officers' console in real Chromium, as the public site is checked: axe finds nothing at
320 and 1280 px on each page and state (signing in and its errors, the code, the queue with filters and with
filters typed wrong, a concern and its errors, the accounts and both audit views, the dashboard, and the
error pages), and an officer does the day's main work by keyboard alone: signs in, filters the queue, opens a
concern, claims it, changes its status, and closes it with an outcome.

The servers and officers come from testing/console_live.py (the real `python -m web serve` and
`python -m web console` on one SQLite database).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, Page

from a11y_tests.pages import DESKTOP, PHONE
from audit.axe import axe_violations, describe
from testing.browser import tab_to
from testing.console import PASSWORD
from testing.console_live import LiveConsole, live_console, sign_in

WIDTHS = {"phone-320": PHONE, "desktop-1280": DESKTOP}
# One account a test: a code signs an officer in once (a second sign-in within 30 seconds is refused).
OFFICERS = {"olive": "officer", "kim": "officer", "cora": "comms", "ada": "admin"}
OFFICERS_FOR_REFLOW = {"rita": "officer", "rob": "comms", "ruth": "admin"}
# Chromium logs an error page's own status (400, 403, 404) as a console error; anything else fails a test.
STATUS_ERROR = "Failed to load resource: the server responded with a status of 4"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    with live_console(tmp_path_factory.mktemp("console-pages"), OFFICERS | OFFICERS_FOR_REFLOW) as running:
        yield running


def _each_width(page: Page, where: str, found: list[str], visit: Callable[[], None]) -> None:
    """`visit` the state at each width and run axe on it; violations are collected, not raised, so one run
    lists every page that fails."""
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        visit()
        violations = axe_violations(page)
        if violations:
            found.append(f"{where} ({width}) at {page.url}:\n{describe(violations)}")


def _visit(page: Page, url: str) -> Callable[[], None]:
    def visit() -> None:
        page.goto(url)

    return visit


def _errors_of(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_signing_in_and_its_errors_have_no_axe_violations(browser: Browser, console: LiveConsole) -> None:
    page = browser.new_context(viewport=DESKTOP).new_page()
    errors, found = _errors_of(page), list[str]()

    def password_wrong() -> None:
        page.goto(console.url + "/sign-in")
        page.get_by_label("Username").fill("nobody-here")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Continue").click()
        assert page.title().startswith("Error:")

    def code_asked() -> None:
        page.goto(console.url + "/sign-in")
        page.get_by_label("Username").fill("kim")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile(r"/sign-in/code$"))

    def code_wrong() -> None:
        code_asked()
        page.get_by_label("Enter your security code").fill("12345")  # too short: refused before it is checked
        page.get_by_role("button", name="Sign in").click()
        assert page.title().startswith("Error:")

    try:
        _each_width(page, "sign in", found, _visit(page, console.url + "/sign-in"))
        _each_width(page, "sign in, nothing typed", found, lambda: _submit_empty(page, console, "Continue"))
        _each_width(page, "sign in, password wrong", found, password_wrong)
        _each_width(page, "the security code", found, code_asked)
        _each_width(page, "the security code, typed wrong", found, code_wrong)
    finally:
        page.context.close()
    assert not found, "\n".join(found)
    assert [error for error in errors if not error.startswith(STATUS_ERROR)] == [], errors


def _submit_empty(page: Page, console: LiveConsole, button: str) -> None:
    page.goto(console.url + "/sign-in")
    page.get_by_role("button", name=button).click()
    assert page.title().startswith("Error:")


def test_the_officers_pages_have_no_axe_violations(browser: Browser, console: LiveConsole) -> None:
    page = browser.new_context(viewport=DESKTOP).new_page()
    errors, found = _errors_of(page), list[str]()
    sign_in(page, console, "olive")
    reference = console.references[0]

    def close_without_outcome() -> None:
        page.goto(f"{console.url}/concerns/{reference}")
        page.locator("#status-closed").check()
        page.get_by_role("button", name="Save").click()
        assert page.title().startswith("Error:")

    def handover_wrong() -> None:
        page.goto(f"{console.url}/concerns/{reference}")
        page.get_by_role("button", name="Record the handover").click()
        assert page.title().startswith("Error:")

    def visiting(path: str) -> Callable[[], None]:
        return _visit(page, console.url + path)

    try:
        _each_width(page, "the queue", found, visiting("/concerns"))
        _each_width(page, "the queue filtered", found, visiting("/concerns?status=new&route=callback&language=cy"))
        _each_width(page, "the overdue queue, page 2", found, visiting("/concerns?overdue=yes&page=2"))
        _each_width(page, "the queue, nothing matches", found, visiting("/concerns?status=closed&mine=yes"))
        _each_width(page, "the queue, filters typed wrong", found, visiting("/concerns?from=2026-02-30&reference=x"))
        _each_width(page, "a concern", found, visiting(f"/concerns/{reference}"))
        _each_width(page, "a concern closed without an outcome", found, close_without_outcome)
        _each_width(page, "a handover typed wrong", found, handover_wrong)
        _each_width(page, "not found (404)", found, visiting("/concerns/ZZZZ-ZZZZ"))
        _each_width(page, "a choice that is not on the list (400)", found, visiting("/concerns?status=lost"))
        _each_width(page, "not for this role (403)", found, visiting("/accounts"))
        _each_width(page, "no such page (404)", found, visiting("/no-such-page"))
    finally:
        page.context.close()
    assert not found, "\n".join(found)
    assert [error for error in errors if not error.startswith(STATUS_ERROR)] == [], errors


def test_the_dashboard_accounts_and_audit_views_have_no_axe_violations(browser: Browser, console: LiveConsole) -> None:
    found: list[str] = []
    comms = browser.new_context(viewport=DESKTOP).new_page()
    admin = browser.new_context(viewport=DESKTOP).new_page()
    comms_errors, admin_errors = _errors_of(comms), _errors_of(admin)
    try:
        sign_in(comms, console, "cora")
        for path, where in [
            ("/dashboard", "the dashboard"),
            ("/dashboard?from=2026-13-01", "the dashboard, dates typed wrong"),
            ("/concerns", "the queue, for comms (403)"),
        ]:
            _each_width(comms, where, found, _visit(comms, console.url + path))
        sign_in(admin, console, "ada")
        for path, where in [
            ("/accounts", "the accounts and the audit log"),
            ("/accounts?show=sign-ins", "the audit log of sign-ins"),
            ("/accounts?actor=olive", "the audit log of one officer"),
            ("/accounts?page=9999", "the audit log past its end"),
            ("/dashboard", "the dashboard, for an admin"),
        ]:
            _each_width(admin, where, found, _visit(admin, console.url + path))
    finally:
        comms.context.close()
        admin.context.close()
    assert not found, "\n".join(found)
    logged = comms_errors + admin_errors
    assert [error for error in logged if not error.startswith(STATUS_ERROR)] == [], logged


def _focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.name || ''"))


def test_an_officer_signs_in_filters_opens_claims_and_closes_a_concern_by_keyboard_alone(
    browser: Browser, console: LiveConsole
) -> None:
    page = browser.new_context(viewport=DESKTOP).new_page()
    try:
        page.goto(console.url + "/sign-in")
        tab_to(page, "#username")
        page.keyboard.type("kim")
        page.keyboard.press("Tab")
        assert _focused(page) == "password"
        page.keyboard.type(PASSWORD)
        with page.expect_navigation(url=re.compile(r"/sign-in/code$")):
            page.keyboard.press("Enter")
        tab_to(page, "#code")
        page.keyboard.type(pyotp.TOTP(console.totp_secrets["kim"]).now())
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.goto(console.url + "/concerns")  # where an officer lands; a fresh page for the Tab order

        tab_to(page, "#route")
        page.keyboard.press("ArrowDown")  # a closed select: the next choice, the online form
        page.keyboard.press("ArrowDown")  # call back
        tab_to(page, "button.govuk-button--secondary")
        with page.expect_navigation(url=re.compile(r"route=callback")):
            page.keyboard.press("Enter")
        assert "5 concerns match" in page.locator("main").inner_text()

        tab_to(page, "table a.govuk-link")
        with page.expect_navigation(url=re.compile(r"/concerns/[A-Z0-9]{4}-[A-Z0-9]{4}$")):
            page.keyboard.press("Enter")
        address = page.url

        tab_to(page, "button:text('Claim this concern')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Assigned to kim" in page.locator("main").inner_text()

        tab_to(page, "#status-new")  # Tab reaches a group of radios at its checked one
        page.keyboard.press("ArrowDown")  # contacted
        assert page.locator("#status-contacted").is_checked()
        tab_to(page, "button:text('Save')")
        with page.expect_navigation(url=address):
            page.keyboard.press("Enter")
        assert "Status: Contacted" in page.locator("main").inner_text()

        tab_to(page, "#status-contacted")
        page.keyboard.press("ArrowDown")  # referred
        page.keyboard.press("ArrowDown")  # closed
        assert page.locator("#status-closed").is_checked()
        tab_to(page, "input[name=outcome]")
        page.keyboard.press("Space")  # the first outcome: no further action
        tab_to(page, "button:text('Save')")
        with page.expect_navigation(url=address):
            page.keyboard.press("Enter")
        assert "Status: Closed, no further action" in page.locator("main").inner_text()
    finally:
        page.context.close()


# Found by bench/console_screenshots.py on 6 December 2026: the queue's table, the audit log's and the dashboard's
# launch tables were wider than the page at 320 px; they now scroll in a box of their own (`scroll_box`).
def test_every_console_page_fits_320_px_without_scrolling_sideways(browser: Browser, console: LiveConsole) -> None:
    """WCAG 1.4.10 Reflow, as a11y_tests/test_reflow.py checks the public pages: no page is wider than 320 px
    (a wide table may scroll inside its own box; the page must not)."""
    wide: list[str] = []
    for name, paths in [
        ("rita", ["/concerns", "/concerns?overdue=yes&page=2", f"/concerns/{console.references[1]}", "/nope"]),
        ("ruth", ["/accounts", "/accounts?show=sign-ins"]),
        ("rob", ["/dashboard"]),
    ]:
        page = browser.new_context(viewport=PHONE).new_page()
        try:
            sign_in(page, console, name)
            for path in paths:
                page.goto(console.url + path)
                width = int(page.evaluate("document.documentElement.scrollWidth"))
                if width > PHONE["width"]:
                    wide.append(f"{path} is {width} px wide")
        finally:
            page.context.close()
    assert not wide, "\n".join(wide)
