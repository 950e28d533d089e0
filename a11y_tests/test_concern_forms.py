"""Sharing a concern in a real browser: every page and error state passes axe at both widths,
the journey works with and without JavaScript in English and Welsh, and an officer can read it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page
from starlette.testclient import TestClient

from a11y_tests.pages import DESKTOP, PHONE
from audit.axe import axe_violations, describe
from testing.shared_device import confirmed_reference
from web.console.app import create_console_app
from web.console.auth import hash_password
from web.console.state import console_of_app
from web.sealing import seal_totp_secret
from web.settings import Settings
from web.storage.officers import add_officer


class Checker:
    """Runs axe on each state of the journey. axe runs in the page's JavaScript, so with JavaScript
    off it only records the state: the runs with JavaScript on check the same HTML."""

    def __init__(self, run_axe: bool = True) -> None:
        self.run_axe = run_axe
        self.checked: list[str] = []

    def __call__(self, page: Page, where: str) -> None:
        self.checked.append(where)
        if self.run_axe:
            violations = axe_violations(page)
            assert not violations, f"{where} at {page.viewport_size}:\n{describe(violations)}"


def _walk_the_form(page: Page, base_url: str, lang: str, marker: str, check: Checker) -> str:
    page.goto(f"{base_url}/{lang}/share-a-concern")
    check(page, "start")
    page.locator("a.govuk-button--start").click()
    check(page, "danger")
    page.locator("form button.govuk-button").click()
    assert page.locator(".govuk-error-summary").is_visible()
    check(page, "danger: error")
    page.locator("#danger").check()  # yes: the 999 interruption
    page.locator("form button.govuk-button").click()
    assert page.locator("a[href='tel:999']").first.is_visible()
    check(page, "danger: call 999")
    page.locator("form button.govuk-button").click()  # no one is in danger right now: continue
    page.locator("#area").focus()  # where they live, chosen by keyboard: type-ahead on the select (ADR 21)
    page.keyboard.type("Gwent")
    assert page.locator("#area").input_value() == "gwent"
    page.locator("form button.govuk-button").click()  # nothing else filled in
    check(page, "person: errors")
    assert page.locator("#area").input_value() == "gwent", "the area is kept when other answers have errors"
    page.locator("#person_name").fill("Sam")
    page.locator("#person_age-2").check()
    page.locator("#relationship").check()
    page.locator("form button.govuk-button").click()
    page.locator("form button.govuk-button").click()
    check(page, "worry: errors")
    page.locator("#worries").fill(f"He shares violent videos. {marker}")
    page.locator("#since_when-2").check()
    page.locator("form button.govuk-button").click()
    page.locator("#contact_phone").fill("not a number")
    page.locator("form button.govuk-button").click()
    check(page, "you: error")
    page.locator("#contact_phone").fill("")
    page.locator("form button.govuk-button").click()
    check(page, "heard")
    page.locator("#heard_about").check()
    page.locator("form button.govuk-button").click()
    assert marker in page.locator("main").inner_text()
    assert "Gwent" in page.locator("main").inner_text() and page.locator("#change-area").is_visible()
    check(page, "check answers")
    page.locator("button[name='send']").click()
    reference = confirmed_reference(page)  # Send answers with the page: no address carries the number
    assert reference not in page.url
    check(page, "sent")
    return reference


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", ["phone-320", "desktop-1280"])
def test_a_concern_sent_from_the_browser_reaches_an_officer(
    browser: Browser, base_url: str, live_dir: Path, lang: str, javascript: bool, width: str
) -> None:
    viewport = PHONE if width == "phone-320" else DESKTOP
    context = browser.new_context(java_script_enabled=javascript, viewport=viewport)
    check = Checker(run_axe=javascript)
    marker = f"MARKER-{lang}-{javascript}-{width}"
    try:
        reference = _walk_the_form(context.new_page(), base_url, lang, marker, check)
    finally:
        context.close()
    assert len(check.checked) == 10
    assert marker in _read_in_console(live_dir, reference, username=f"o-{lang}-{javascript}-{width}")


def _read_in_console(live_dir: Path, reference: str, username: str) -> str:
    settings = replace(
        Settings(),
        database_url=f"sqlite:///{live_dir / 'site.sqlite3'}",
        concern_public_key_file=live_dir / "keys" / "concerns.pub",
        console_private_key_file=live_dir / "keys" / "concerns.key",
    )
    with TestClient(create_console_app(settings), base_url="https://console.test") as console:
        secret = pyotp.random_base32()
        made = console_of_app(console.app)  # type: ignore[arg-type]
        sealed = seal_totp_secret(made.keys.totp_key, secret)
        add_officer(made.engine, username, hash_password("a long test password"), sealed, "officer", ("gwent",))
        console.post("/sign-in", data={"username": username, "password": "a long test password"})
        console.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
        page = console.get(f"/concerns/{reference}")
        assert page.status_code == 200
        return page.text


@pytest.mark.parametrize("width", ["phone-320", "desktop-1280"])
def test_the_call_back_form_and_its_errors_pass_axe(browser: Browser, base_url: str, width: str) -> None:
    context = browser.new_context(viewport=PHONE if width == "phone-320" else DESKTOP)
    check = Checker()
    try:
        page = context.new_page()
        page.goto(f"{base_url}/en/share-a-concern/callback")
        check(page, "callback")
        page.locator("form button.govuk-button").click()
        assert page.locator(".govuk-error-summary").is_visible()
        check(page, "callback: errors")
        page.locator("#callback_phone").fill("07700 900 982")
        page.locator("#callback_times").fill("Weekdays after 6pm")
        page.locator("#voicemail_ok-2").check()
        assert page.locator("#area").input_value() == ""
        page.locator("#area").select_option("outside-uk")
        page.locator("form button.govuk-button").click()
        confirmed_reference(page)
        check(page, "callback: sent")
    finally:
        context.close()


def test_with_javascript_the_error_summary_takes_focus(browser: Browser, base_url: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base_url}/en/share-a-concern/questions")
        page.locator("form button.govuk-button").click()
        page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    finally:
        context.close()
