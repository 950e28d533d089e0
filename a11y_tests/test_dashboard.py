"""The campaign dashboard and "Is this page useful?" in real Chromium: axe finds nothing at 320 and 1280 px.

The site and the console run as real servers on one SQLite database; an officer with the comms role
is added with `python -m web officers add` and signs in with a password and a TOTP code.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, Page

from a11y_tests.pages import DESKTOP, PHONE
from audit.axe import axe_violations, describe
from testing.console import PASSWORD
from testing.console_live import sign_in_at
from testing.live_server import ROOT, free_port, site_environment
from web.public.feedback import FEEDBACK_PER_HOUR

WIDTHS = {"phone-320": PHONE, "desktop-1280": DESKTOP}
# The site and console through test factories (tests/public/test_measurement.py): before web/app.py and
# web/console/app.py are wired they add the wiring; after, they only lower the feedback limit so the 429
# page is quick to reach (with `python -m web serve` the limit is 20 an hour).
SITE = ["-m", "web", "serve"]
CONSOLE = ["-m", "web", "console"]
# Chromium logs the error pages' own status (400, 422, 429) as a console error; anything else fails a test.
STATUS_ERROR = "Failed to load resource: the server responded with a status of 4"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/140.0"
VISITS = [
    ("/?utm_source=poster&utm_campaign=essex", {}),
    ("/?utm_source=social&utm_campaign=north-wales", {}),
    ("/en/signs-to-spot", {"Referer": "https://www.google.co.uk/", "Sec-Fetch-Site": "cross-site"}),
    ("/en/get-help", {"Sec-Fetch-Site": "same-origin"}),
    ("/cy/signs-to-spot", {"Referer": "https://l.facebook.com/", "Sec-Fetch-Site": "cross-site"}),
    ("/ltai/channel", {"Referer": "https://www.partner-council.gov.uk/safeguarding"}),  # 301, then the page
    ("/ltai/no-such-page", {}),
]


@dataclass(frozen=True)
class Servers:
    site: str
    console: str
    database: Path
    totp_secret: str


@contextmanager
def _serve(arguments: list[str], port: int, ready_path: str, env: dict[str, str]) -> Iterator[str]:
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, *arguments]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{arguments} did not start on {url}")
            try:
                with urllib.request.urlopen(url + ready_path, timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("dashboard")
    site_port, console_port = free_port(), free_port()
    env = site_environment(
        folder,
        site_port,
        CONSOLE_HOST="127.0.0.1",
        CONSOLE_PORT=str(console_port),
    )
    with _serve(SITE, site_port, "/healthz", env) as site:
        added = subprocess.run(
            [sys.executable, "-m", "web", "officers", "add", "cora", "--role", "comms", "--password-stdin"],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=True,
        )
        secret = re.search(r"authenticator secret: (\S+)", added.stdout)
        assert secret, added.stdout
        with _serve(CONSOLE, console_port, "/sign-in", env) as console:
            yield Servers(site, console, folder / "site.sqlite3", secret.group(1))


def _check(page: Page, where: str, found: list[str]) -> None:
    violations = axe_violations(page)
    if violations:
        found.append(f"{where} at {page.viewport_size}:\n{describe(violations)}")


def test_the_feedback_form_and_its_states_have_no_axe_violations(browser: Browser, servers: Servers) -> None:
    found: list[str] = []
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)  # type: ignore[arg-type]
            page.goto(servers.site + "/en/signs-to-spot")
            _check(page, f"the form ({width})", found)
            page.locator("#feedback-comment").fill("x" * 501)
            page.get_by_role("button", name="Yes").click()
            assert page.title().startswith("Error:"), page.title()
            _check(page, f"the error ({width})", found)
            page.locator("#feedback-comment").fill("Clear advice. Call me on 07700 900982")
            page.get_by_role("button", name="Yes").click()
            assert page.locator("h1").inner_text() == "Thank you for your feedback"
            _check(page, f"the thanks page ({width})", found)
        for _ in range(FEEDBACK_PER_HOUR + 1):  # use up this client's hour
            page.goto(servers.site + "/en/get-help")
            page.get_by_role("button", name="No").click()
            if page.locator("h1").inner_text() == "We could not accept that":
                break
        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)  # type: ignore[arg-type]
            page.goto(servers.site + "/en/get-help")
            page.get_by_role("button", name="No").click()
            assert "Wait an hour" in page.locator("main").inner_text()
            _check(page, f"too many ({width})", found)
        assert context.cookies() == [], "the public site set a cookie"
    finally:
        context.close()
    assert not found, "\n".join(found)
    assert [error for error in errors if not error.startswith(STATUS_ERROR)] == [], errors


def _visit_and_share_a_concern(servers: Servers) -> None:
    for path, headers in VISITS:
        headers = {"User-Agent": BROWSER_UA, "Sec-Fetch-Dest": "document", **headers}
        with urllib.request.urlopen(urllib.request.Request(servers.site + path, headers=headers)) as response:
            assert response.status == 200
    with httpx2.Client(base_url=servers.site) as http:
        token = re.search(r'name="token" value="([^"]+)"', http.get("/en/share-a-concern/callback").text)
        assert token
        answers = {"callback_phone": "07700 900 982", "callback_times": "after 6pm", "voicemail_ok": "no"}
        sent = http.post(
            "/en/share-a-concern/callback", data={**answers, "token": token.group(1), "heard_about": "poster"}
        )
        assert sent.status_code == 200 and "app-reference" in sent.text, sent.text[:300]


def _wait_for_figures(database: Path, seconds: float = 20) -> None:
    """The site adds its counts to the database every 10 seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as connection:
            query = "SELECT count(DISTINCT metric) FROM figures WHERE metric IN ('view', 'ltai-address')"
            if connection.execute(query).fetchone()[0] == 2:
                return
        time.sleep(0.5)
    raise AssertionError("the site did not save its counts within 20 seconds")


def test_the_dashboard_has_no_axe_violations(browser: Browser, servers: Servers) -> None:
    _visit_and_share_a_concern(servers)
    _wait_for_figures(servers.database)
    found: list[str] = []
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []  # a CSP violation (an inline style in a chart, say) is logged as a console error
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        sign_in_at(page, servers.console, "cora", servers.totp_secret)
        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)  # type: ignore[arg-type]
            page.goto(servers.console + "/dashboard")
            assert page.locator("h1").inner_text() == "Campaign dashboard"
            assert page.locator("svg[role=img]").count() >= 5, "the visits should draw most charts"
            assert "Essex Police" in page.locator("main").inner_text()
            assert "www.partner-council.gov.uk" in page.locator("#ltai-sites").inner_text()
            assert "Essex Police" in page.locator("#reception-forces").inner_text()
            assert page.locator("#outcomes-route tbody tr").count() >= 1
            _check(page, f"the dashboard ({width})", found)
            page.goto(servers.console + "/dashboard?from=2026-02-30&to=2026-01-01")
            assert page.title().startswith("Error:")
            _check(page, f"the dashboard with wrong dates ({width})", found)
    finally:
        context.close()
    assert not found, "\n".join(found)
    assert [error for error in errors if not error.startswith(STATUS_ERROR)] == [], errors
