"""The officers' queue and a concern's page in real Chromium: axe finds nothing at 320 and 1280 px, in each
state (a page of the list, a filter typed wrong, a concern, closing without an outcome, a handover typed
wrong, a transfer without an area or a reason, an officer's areas); an officer works them by keyboard alone,
and without JavaScript; national triage transfers a concern to an area, whose officer then sees it (ADR 21).

The site and the console run as real servers on one SQLite database (as a11y_tests/test_dashboard.py starts
them); officers are added with `python -m web officers add` (olive, owen, oscar and nadia in national triage, kira in
Kent), and 60 concerns are stored as the site seals them: 55 in Surrey, 5 whose area is unknown.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page

from a11y_tests.pages import DESKTOP, PHONE
from a11y_tests.test_dashboard import CONSOLE, PASSWORD, SITE, STATUS_ERROR, _serve
from audit.axe import axe_violations, describe
from testing.browser import tab_to
from testing.console import store_concerns
from testing.console_live import sign_in_at
from testing.live_server import ROOT, free_port, site_environment
from web.sealing import load_public_key
from web.storage import create_database_engine
from web.storage.officers import NATIONAL, officer_by_username, set_areas

WIDTHS = {"phone-320": PHONE, "desktop-1280": DESKTOP}
# One officer a test that signs in: a code signs in once, so two sign-ins of one officer within 30 seconds fail.
OFFICERS = ("olive", "owen", "oscar", "nadia", "kira", "ada")
AREAS = {"olive": NATIONAL, "owen": NATIONAL, "oscar": NATIONAL, "nadia": NATIONAL, "kira": "kent"}


@dataclass(frozen=True)
class Console:
    url: str
    totp_secrets: dict[str, str]
    references: list[str]


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    folder = tmp_path_factory.mktemp("console-queue")
    site_port, console_port = free_port(), free_port()
    env = site_environment(folder, site_port, CONSOLE_HOST="127.0.0.1", CONSOLE_PORT=str(console_port))
    with _serve(SITE, site_port, "/healthz", env) as _site:
        secrets = {name: _add_officer(name, env) for name in OFFICERS}  # one each: a code signs in once
        with _serve(CONSOLE, console_port, "/sign-in", env) as url:
            engine = create_database_engine(f"sqlite:///{folder / 'site.sqlite3'}")
            for name, area in AREAS.items():  # as an administrator gives them on the accounts page
                officer = officer_by_username(engine, name)
                assert officer is not None
                set_areas(engine, officer.id, frozenset({area}))
            key = load_public_key(folder / "keys" / "concerns.pub")
            today = dt.datetime.now(dt.UTC).date()
            references = store_concerns(engine, key, 55, received_on=today - dt.timedelta(days=9), area="surrey")
            references += store_concerns(engine, key, 5, language="cy", route="callback", received_on=today)
            engine.dispose()
            yield Console(url, secrets, references)


def _add_officer(name: str, env: dict[str, str]) -> str:
    added = subprocess.run(
        [
            sys.executable,
            "-m",
            "web",
            "officers",
            "add",
            name,
            "--role",
            "admin" if name == "ada" else "officer",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    secret = re.search(r"authenticator secret: (\S+)", added.stdout)
    assert secret, added.stdout
    return secret.group(1)


def signed_in(browser: Browser, console: Console, name: str, *, javascript: bool = True) -> Page:
    page = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript).new_page()
    sign_in_at(page, console.url, name, console.totp_secrets[name])
    return page


def _check(page: Page, where: str, found: list[str]) -> None:
    violations = axe_violations(page)
    if violations:
        found.append(f"{where} at {page.viewport_size}:\n{describe(violations)}")


def test_the_queue_and_a_concern_have_no_axe_violations(browser: Browser, console: Console) -> None:
    page = signed_in(browser, console, "olive")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    found: list[str] = []
    reference = console.references[0]
    try:
        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)  # type: ignore[arg-type]
            page.goto(console.url + "/concerns")
            assert "60 concerns match" in page.locator("main").inner_text()
            _check(page, f"the queue, page 1 ({width})", found)
            page.goto(console.url + "/concerns?overdue=yes&page=2")
            _check(page, f"the overdue queue, page 2 ({width})", found)
            page.goto(console.url + "/concerns?from=2026-02-30&reference=nonsense")
            assert page.title().startswith("Error:")
            _check(page, f"the queue with filters typed wrong ({width})", found)
            page.goto(f"{console.url}/concerns/{reference}")
            _check(page, f"a concern ({width})", found)
            page.locator("#status-closed").check()
            page.get_by_role("button", name="Save").click()
            assert page.title().startswith("Error:")
            _check(page, f"closing without an outcome ({width})", found)
            page.goto(f"{console.url}/concerns/{reference}")
            page.get_by_role("button", name="Record the handover").click()
            assert page.title().startswith("Error:")
            _check(page, f"a handover typed wrong ({width})", found)
            page.goto(f"{console.url}/concerns/{reference}")
            page.get_by_role("button", name="Transfer").click()
            assert page.title().startswith("Error:") and page.locator("#transfer-to-error").is_visible()
            _check(page, f"a transfer without an area or a reason ({width})", found)
    finally:
        page.context.close()
    assert not found, "\n".join(found)
    assert [error for error in errors if not error.startswith(STATUS_ERROR)] == [], errors


def test_an_officer_filters_claims_and_closes_a_concern_by_keyboard(browser: Browser, console: Console) -> None:
    page = signed_in(browser, console, "owen")
    try:
        page.goto(console.url + "/concerns")
        tab_to(page, "#language")
        page.keyboard.press("ArrowDown")  # a closed select: the next choice, English
        page.keyboard.press("ArrowDown")  # Welsh
        tab_to(page, "button.govuk-button--secondary")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"language=cy"))
        assert "5 concerns match" in page.locator("main").inner_text()
        tab_to(page, "table a.govuk-link")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/concerns/[A-Z0-9]{4}-[A-Z0-9]{4}$"))
        reference = page.url.rsplit("/", 1)[1]
        tab_to(page, "button:text('Claim this concern')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Assigned to owen" in page.locator("main").inner_text()
        tab_to(page, "#status-new")  # Tab reaches a group of radios at its checked one
        for _ in range(3):
            page.keyboard.press("ArrowDown")  # contacted, referred, closed
        assert page.locator("#status-closed").is_checked()
        tab_to(page, "button:text('Save')")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        summary = page.locator(".govuk-error-summary")
        assert summary.is_visible() and page.evaluate("document.activeElement.matches('.govuk-error-summary')")
        page.keyboard.press("Tab")  # the summary's link to the outcome
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.name") == "outcome"
        page.keyboard.press("Space")  # the first outcome: no further action
        tab_to(page, "button:text('Save')")
        with page.expect_navigation(url=f"{console.url}/concerns/{reference}"):
            page.keyboard.press("Enter")
        assert "Status: Closed, no further action" in page.locator("main").inner_text()
    finally:
        page.context.close()


def test_the_queue_and_a_concern_work_without_javascript(browser: Browser, console: Console) -> None:
    page = signed_in(browser, console, "oscar", javascript=False)
    try:
        page.goto(console.url + "/concerns")
        page.get_by_label("Overdue").check()
        page.get_by_role("button", name="Show concerns").click()
        assert "55 concerns match" in page.locator("main").inner_text()
        page.get_by_role("link", name="Page 2").click()
        assert "Showing 51 to 55" in page.locator("main").inner_text()
        page.locator("table a.govuk-link").first.click()
        page.get_by_label("Handed over to").fill("Leeds Prevent team")
        page.get_by_label("On", exact=True).fill(dt.datetime.now(dt.UTC).date().isoformat())
        page.get_by_role("button", name="Record the handover").click()
        assert "Leeds Prevent team" in page.locator("main").inner_text()
        page.locator("#status-contacted").check()
        page.get_by_role("button", name="Save").click()
        assert "Status: Contacted" in page.locator("main").inner_text()
    finally:
        page.context.close()


def test_the_accounts_areas_form_has_no_axe_violations(browser: Browser, console: Console) -> None:
    page = signed_in(browser, console, "ada")
    found: list[str] = []
    try:
        page.goto(console.url + "/accounts")
        page.get_by_role("link", name="Change areas of kira").click()
        assert page.get_by_label("Kent").is_checked()
        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)  # type: ignore[arg-type]
            _check(page, f"the areas of an officer ({width})", found)
    finally:
        page.context.close()
    assert not found, "\n".join(found)


def test_national_triage_transfers_by_keyboard_and_the_area_officer_then_sees_it(
    browser: Browser, console: Console
) -> None:
    kira = signed_in(browser, console, "kira")
    triage = signed_in(browser, console, "nadia")
    reference = console.references[-6]  # in Surrey
    try:
        kira.goto(console.url + "/concerns")
        assert "No concerns match" in kira.locator("main").inner_text()
        assert kira.goto(f"{console.url}/concerns/{reference}").status == 404  # type: ignore[union-attr]
        triage.goto(f"{console.url}/concerns/{reference}")
        tab_to(triage, "#transfer-to")
        triage.keyboard.type("Kent")  # type-ahead on the closed select
        assert triage.locator("#transfer-to").input_value() == "kent"
        tab_to(triage, "#transfer-reason")
        triage.keyboard.press("Space")
        tab_to(triage, "button:text('Transfer')")
        with triage.expect_navigation():
            triage.keyboard.press("Enter")
        assert "Area: Kent." in triage.locator("main").inner_text()
        assert "Transferred: from Surrey to Kent. The person lives in that area" in triage.locator("main").inner_text()
        kira.goto(console.url + "/concerns")
        assert "1 concern matches" in kira.locator("main").inner_text()
        kira.goto(f"{console.url}/concerns/{reference}")
        assert reference in kira.locator("h1").inner_text()
    finally:
        kira.context.close()
        triage.context.close()
