"""Screenshots of every page of the officers' console at 320 and 1280 px, for a person to look at: signing in
and its errors, the queue (filtered, and with filters typed wrong), a concern and its errors, the accounts
and audit views, the dashboard and the error pages. Full pages, PNG, into bench/results/console/.

.venv/bin/python -m bench.console_screenshots [OUTPUT_DIR]

The console runs as in the browser tests (testing/console_live.py): the real servers on one SQLite database,
officers of each role, 60 made-up concerns.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from testing.browser import launch_options
from testing.console import PASSWORD
from testing.console_live import LiveConsole, live_console, sign_in

OUT = Path(__file__).resolve().parent / "results" / "console"
WIDTHS = {320: 640, 1280: 900}
OFFICERS = {"olive": "officer", "cora": "comms", "ada": "admin"}


def _shoot(page: Page, out: Path, name: str, visit: Callable[[Page], object]) -> None:
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        visit(page)
        path = out / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        _shrink(path)


def _shrink(path: Path) -> None:
    """64 colours: a third of the bytes in the repository, and text as legible (the pages are flat colour)."""
    Image.open(path).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def _signing_in(browser: Browser, console: LiveConsole, out: Path) -> None:
    page = browser.new_page()

    def password(page: Page, username: str = "olive", password: str = PASSWORD) -> None:
        page.goto(console.url + "/sign-in")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Continue").click()

    def code_wrong(page: Page) -> None:
        password(page)
        page.get_by_label("Enter your security code").fill("12345")
        page.get_by_role("button", name="Sign in").click()

    _shoot(page, out, "sign-in", lambda page: page.goto(console.url + "/sign-in"))
    _shoot(page, out, "sign-in-wrong-password", lambda page: password(page, "nobody-here", "not the password"))
    _shoot(page, out, "sign-in-code", password)
    _shoot(page, out, "sign-in-code-wrong", code_wrong)
    page.context.close()


def _officer(browser: Browser, console: LiveConsole, out: Path) -> None:
    page = browser.new_page()
    sign_in(page, console, "olive")
    reference = console.references[0]

    def close_without_outcome(page: Page) -> None:
        page.goto(f"{console.url}/concerns/{reference}")
        page.locator("#status-closed").check()
        page.get_by_role("button", name="Save").click()

    for name, path in [
        ("queue", "/concerns"),
        ("queue-filtered", "/concerns?status=new&route=callback&language=cy"),
        ("queue-overdue-page-2", "/concerns?overdue=yes&page=2"),
        ("queue-nothing-matches", "/concerns?status=closed&mine=yes"),
        ("queue-filters-wrong", "/concerns?from=2026-02-30&reference=x"),
        ("concern", f"/concerns/{reference}"),
        ("error-404", "/concerns/ZZZZ-ZZZZ"),
        ("error-400", "/concerns?status=lost"),
        ("error-403", "/accounts"),
    ]:
        _shoot(page, out, name, lambda page, path=path: page.goto(console.url + path))  # type: ignore[misc]
    _shoot(page, out, "concern-close-without-outcome", close_without_outcome)
    page.context.close()


def _comms_and_admin(browser: Browser, console: LiveConsole, out: Path) -> None:
    for username, pages in [
        ("cora", [("dashboard", "/dashboard"), ("dashboard-dates-wrong", "/dashboard?from=2026-13-01")]),
        ("ada", [("accounts", "/accounts"), ("audit-sign-ins", "/accounts?show=sign-ins")]),
    ]:
        page = browser.new_page()
        sign_in(page, console, username)
        for name, path in pages:
            _shoot(page, out, name, lambda page, path=path: page.goto(console.url + path))  # type: ignore[misc]
        page.context.close()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as folder,
        live_console(Path(folder), OFFICERS) as console,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(**launch_options())  # type: ignore[arg-type]
        try:
            _signing_in(browser, console, out)
            _officer(browser, console, out)
            _comms_and_admin(browser, console, out)
        finally:
            browser.close()
    print(f"{len(list(out.glob('*.png')))} screenshots in {out}")


if __name__ == "__main__":
    main()
