"""The real console (`python -m web console`) beside the real site, on free ports and one SQLite database, with
officers of each role added by `python -m web officers add` and concerns stored as the site seals them: for
the console's browser tests (a11y_tests/test_console_pages.py) and its screenshots (bench/console_screenshots.py).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyotp
from playwright.sync_api import Page

from testing.console import PASSWORD, store_concerns
from testing.live_server import ROOT, free_port, site_environment, stop, wait_until_healthy
from web.console.working_days import NATIONAL
from web.sealing import load_public_key
from web.storage import create_database_engine
from web.storage import officers as store

SERVE = [sys.executable, "-m", "web", "serve"]
CONSOLE = [sys.executable, "-m", "web", "console"]


@dataclass(frozen=True)
class LiveConsole:
    url: str
    site_url: str
    totp_secrets: dict[str, str]  # by username
    references: list[str]  # the concerns stored, oldest first


@contextmanager
def live_console(folder: Path, officers: Mapping[str, str]) -> Iterator[LiveConsole]:
    """The site and the console, `officers` (username → role) added (officers in the national triage team),
    and 60 concerns: 55 received nine days
    ago in English by the form, 5 today in Welsh by call-back. Both servers stop when the block ends."""
    site_port, console_port = free_port(), free_port()
    env = site_environment(folder, site_port, CONSOLE_HOST="127.0.0.1", CONSOLE_PORT=str(console_port))
    with _serving(SERVE, env, env["PUBLIC_BASE_URL"], folder / "site.log") as site_url:
        secrets = {name: add_officer(name, role, env) for name, role in officers.items()}
        with _serving(CONSOLE, env, f"http://127.0.0.1:{console_port}", folder / "console.log") as url:
            engine = create_database_engine(env["DATABASE_URL"])
            for name, role in officers.items():  # officers work the national triage queue: every concern
                officer = store.officer_by_username(engine, name)
                if role == "officer" and officer is not None:
                    store.set_areas(engine, officer.id, frozenset({NATIONAL}))
            key = load_public_key(folder / "keys" / "concerns.pub")
            today = dt.datetime.now(dt.UTC).date()
            references = store_concerns(engine, key, 55, received_on=today - dt.timedelta(days=9))
            references += store_concerns(engine, key, 5, language="cy", route="callback", received_on=today)
            engine.dispose()
            yield LiveConsole(url, site_url, secrets, references)


@contextmanager
def _serving(command: list[str], env: dict[str, str], url: str, log: Path) -> Iterator[str]:
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(url, process, log=str(log))
        yield url
    finally:
        stop(process)


def add_officer(name: str, role: str, env: Mapping[str, str]) -> str:
    """An account added as an admin adds one; its authenticator secret."""
    added = subprocess.run(
        [sys.executable, "-m", "web", "officers", "add", name, "--role", role, "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(env),
        check=True,
    )
    secret = re.search(r"authenticator secret: (\S+)", added.stdout)
    assert secret, added.stdout
    return secret.group(1)


def sign_in(page: Page, console: LiveConsole, name: str) -> None:
    """Sign `name` in on `page` with the password and the current code (a code signs in once: one sign-in an
    officer every 30 seconds)."""
    sign_in_at(page, console.url, name, console.totp_secrets[name])
    page.wait_for_url(re.compile(r"/(concerns|dashboard|accounts)"))


def sign_in_at(page: Page, console_url: str, name: str, totp_secret: str) -> None:
    """Sign `name` in on `page` at the console at `console_url`, as an officer does: the password, then the
    code their app shows now. Every browser test signs in this way."""
    page.goto(console_url + "/sign-in")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Enter your security code").fill(pyotp.TOTP(totp_secret).now())
    page.get_by_role("button", name="Sign in").click()
