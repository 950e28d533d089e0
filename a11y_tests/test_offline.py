"""Offline reading in real Chromium: saving advice, reading it with the network off, forgetting it on exit,
the refresh offered by a new version, the bytes a repeat visit costs, and axe on every new page and state."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, ViewportSize, expect

from a11y_tests import conftest
from a11y_tests.axe import axe_violations, describe
from a11y_tests.live_server import free_port

ROOT = Path(__file__).resolve().parent.parent
SERVER_COMMAND = [sys.executable, "-m", "web", "serve"]
ACCESS_LINE = re.compile(r"web\.access (\w+) (\S+) (\d{3})")
CONTROLLED = """() => new Promise((resolve) => {
    if (navigator.serviceWorker.controller) resolve(true)
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true))
    setTimeout(async () => {
        const registration = await navigator.serviceWorker.getRegistration()
        const state = (key) => `${key}: ${registration[key] ? registration[key].state : null}`
        resolve(registration ? ['installing', 'waiting', 'active'].map(state).join(', ') : 'no registration')
    }, 20000)
})"""
CACHE_CONTENTS = """async () => {
    const contents = {}
    for (const name of await caches.keys()) {
        contents[name] = (await (await caches.open(name)).keys()).map((request) => new URL(request.url).pathname)
    }
    return contents
}"""
REGISTRATIONS = "async () => (await navigator.serviceWorker.getRegistrations()).length"
FORM_PATHS = ("/share-a-concern", "/search", "/toolkit")
PHONE = ViewportSize(width=conftest.PHONE["width"], height=conftest.PHONE["height"])
DESKTOP = ViewportSize(width=conftest.DESKTOP["width"], height=conftest.DESKTOP["height"])


@dataclass
class Site:
    url: str
    log: Path

    def log_mark(self) -> int:
        return len(self.log.read_text().splitlines())

    def requests_since(self, mark: int) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request that reached the server, from its access log."""
        lines = self.log.read_text().splitlines()[mark:]
        return [(m[1], m[2], int(m[3])) for line in lines if (m := ACCESS_LINE.search(line))]

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            body: bytes = response.read()
            return body


@contextmanager
def site(directory: Path, port: int | None = None, **environment: str) -> Iterator[Site]:
    """The site on a free port with its access log (`web.access`, nothing personal in it) in a file."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / f"access-{time.monotonic_ns()}.log"
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_BASE_URL": url,
        "DATABASE_URL": f"sqlite:///{directory / 'offline.sqlite3'}",
        "CONCERN_PUBLIC_KEY_FILE": str(directory / "keys" / "concerns.pub"),
        "CONSOLE_PRIVATE_KEY_FILE": str(directory / "keys" / "concerns.key"),
        "FORM_SECRET_FILE": str(directory / "keys" / "form-secret"),
        "LOG_LEVEL": "info",
        **environment,
    }
    with log.open("w") as output:
        process = subprocess.Popen(SERVER_COMMAND, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(url, process)
        yield Site(url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the site exited with status {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the site did not answer {url}/healthz within 30 seconds")


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory: pytest.TempPathFactory, exit_url: str) -> Iterator[Site]:
    with site(tmp_path_factory.mktemp("offline"), EXIT_URL=exit_url) as running:
        running.get("/en/offline/pages.json")  # the first call renders every page to measure it
        yield running


def pages_of(site: Site, lang: str) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = json.loads(site.get(f"/{lang}/offline/pages.json"))["pages"]
    return pages


def heading_of(site: Site, path: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", site.get(path).decode(), re.DOTALL)
    assert found, f"{path} has no h1"
    return found.group(1).strip()


def open_controlled(page: Page, url: str) -> None:
    """Open a page and wait until the service worker controls it (installed, precached, activated)."""
    page.goto(url)
    controlled = page.evaluate(CONTROLLED)
    assert controlled is True, f"no service worker controls {url} after 20 s: {controlled}"


def save_all(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^Save all \d+ advice pages for offline use \(\d+ KB\)$")).click()
    expect(page.locator("[data-offline-save-status]")).to_have_text(re.compile("^Saved on this device"), timeout=30_000)


def cache_contents(page: Page) -> dict[str, list[str]]:
    contents: dict[str, list[str]] = page.evaluate(CACHE_CONTENTS)
    return contents


def test_saved_advice_opens_offline_and_no_form_page_is_ever_cached(
    context: BrowserContext, offline_site: Site
) -> None:
    base = offline_site.url
    page = context.new_page()
    open_controlled(page, base + "/en/share-a-concern")
    for path in ("/en/share-a-concern/questions", "/en/share-a-concern/callback", "/en/search?q=prevent", "/toolkit"):
        page.goto(base + path)
    page.evaluate("() => fetch('/en/share-a-concern', {method: 'POST', body: new FormData()}).then((r) => r.status)")
    page.goto(base + "/en/signs-to-spot")
    save_all(page)
    english = pages_of(offline_site, "en")
    offline_heading = heading_of(offline_site, "/cy/offline")
    english_offline_heading = heading_of(offline_site, "/en/offline")

    context.set_offline(True)
    for entry in english:
        page.goto(base + entry["url"])
        expect(page.locator("h1")).to_have_text(entry["title"])
        assert page.locator("main p").count() > 1, f"{entry['url']} has no content offline"
    page.goto(base + "/cy/signs-to-spot")  # not saved: Welsh was not saved
    expect(page.locator("h1")).to_have_text(offline_heading)
    saved_links = page.locator("[data-offline-saved-list] a")
    expect(saved_links).to_have_count(len(english))
    page.goto(base + "/en/share-a-concern")  # a form page, never stored: the offline page instead
    expect(page.locator("h1")).to_have_text(english_offline_heading)

    contents = cache_contents(page)
    stored = [path for paths in contents.values() for path in paths]
    assert not [path for path in stored if any(form in path for form in FORM_PATHS)], contents
    saved = next(paths for name, paths in contents.items() if name.startswith("act-early-pages-"))
    assert sorted(saved) == sorted(entry["url"] for entry in english)


def test_an_unsaved_page_waits_for_a_slow_network_instead_of_showing_the_offline_page(
    context: BrowserContext, offline_site: Site
) -> None:
    page = context.new_page()
    open_controlled(page, offline_site.url + "/en/")
    cdp = context.new_cdp_session(page)
    for worker in context.service_workers:
        assert worker.url.endswith("/sw.js")
    # 4 s of latency is more than the worker's 3 s timeout: an unsaved page must still arrive.
    conditions = {"offline": False, "latency": 4000, "downloadThroughput": 35_000, "uploadThroughput": 32_000}
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", conditions)
    page.goto(offline_site.url + "/en/what-is-prevent", timeout=30_000)
    expect(page.locator("h1")).not_to_have_text("No internet connection")


@pytest.mark.parametrize("how", ["click", "shift-three-times"])
def test_exit_this_page_empties_the_caches_and_unregisters_the_worker(
    context: BrowserContext, offline_site: Site, exit_url: str, how: str
) -> None:
    page = context.new_page()
    open_controlled(page, offline_site.url + "/en/signs-to-spot")
    save_all(page)
    assert cache_contents(page)
    exit_this_page(page, how)
    page.wait_for_url(exit_url)
    assert_site_forgotten(context, offline_site)


def test_exit_this_page_forgets_the_site_in_javascript_alone(
    context: BrowserContext, offline_site: Site, exit_url: str
) -> None:
    """The same, with /exit's Clear-Site-Data header taken away: offline.js does the work itself."""

    def without_clear_site_data(route: Route) -> None:
        route.fulfill(status=303, headers={"Location": exit_url, "Cache-Control": "no-store"})

    page = context.new_page()
    open_controlled(page, offline_site.url + "/en/signs-to-spot")
    save_all(page)
    context.route(offline_site.url + "/exit", without_clear_site_data)
    exit_this_page(page, "click")
    page.wait_for_url(exit_url)
    context.unroute(offline_site.url + "/exit")
    assert_site_forgotten(context, offline_site)


def exit_this_page(page: Page, how: str) -> None:
    if how == "click":
        page.get_by_role("button", name="Exit this page").click()
    else:
        page.locator("h1").click()
        for _ in range(3):
            page.keyboard.press("Shift")


def assert_site_forgotten(context: BrowserContext, site: Site) -> None:
    page = context.new_page()
    page.goto(site.url + "/robots.txt")  # back on the site, on a page that runs none of our scripts
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (page.evaluate(CACHE_CONTENTS) or page.evaluate(REGISTRATIONS)):
        time.sleep(0.1)
    assert page.evaluate(CACHE_CONTENTS) == {}
    assert page.evaluate(REGISTRATIONS) == 0


def test_a_repeat_visit_fetches_nothing_but_the_page_revalidation(context: BrowserContext, offline_site: Site) -> None:
    page = context.new_page()
    open_controlled(page, offline_site.url + "/en/myths-and-facts")
    page.wait_for_load_state("networkidle")
    for repeat in ("reload", "visit"):
        mark = offline_site.log_mark()
        if repeat == "reload":
            page.reload()
        else:
            page.goto(offline_site.url + "/en/myths-and-facts")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)  # Chromium checks /sw.js for an update shortly after each navigation
        reached = offline_site.requests_since(mark)
        assert ("GET", "/en/myths-and-facts", 304) in reached, reached
        # The only other request allowed is the browser's own update check of the worker, answered 304.
        others = [
            entry for entry in reached if entry not in {("GET", "/en/myths-and-facts", 304), ("GET", "/sw.js", 304)}
        ]
        assert not others, reached


def test_saved_pages_are_listed_and_can_be_removed(context: BrowserContext, offline_site: Site) -> None:
    page = context.new_page()
    open_controlled(page, offline_site.url + "/en/what-is-prevent")
    mark = offline_site.log_mark()
    page.get_by_role("button", name=re.compile(r"^Save this advice for offline use \(\d+ KB\)$")).click()
    expect(page.locator("[data-offline-save-status]")).to_have_text(re.compile("^Saved on this device"))
    # One anonymous count goes to web/measurement.py (the worker's own fetch is not a page view).
    count = ("POST", "/en/offline/saved-count", 204)
    deadline = time.monotonic() + 5
    while count not in offline_site.requests_since(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert count in offline_site.requests_since(mark)
    page.goto(offline_site.url + "/en/offline/saved")
    expect(page.get_by_text("needs JavaScript")).to_be_hidden()
    title = next(entry["title"] for entry in pages_of(offline_site, "en") if entry["url"] == "/en/what-is-prevent")
    expect(page.locator("[data-offline-saved-list] a")).to_have_text([title])
    page.get_by_role("button", name=f"Remove {title}").click()
    expect(page.locator("[data-offline-saved-status]")).to_have_text("Removed from this device.")
    expect(page.get_by_text("No pages are saved on this device.")).to_be_visible()
    assert not [paths for name, paths in cache_contents(page).items() if name.startswith("act-early-pages-") and paths]


def test_without_javascript_saving_is_explained_and_printing_offered(
    browser_without_js: Page, offline_site: Site
) -> None:
    browser_without_js.goto(offline_site.url + "/en/offline/saved")
    expect(browser_without_js.get_by_text("needs JavaScript")).to_be_visible()
    expect(browser_without_js.get_by_text("print the page")).to_be_visible()
    expect(browser_without_js.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    browser_without_js.goto(offline_site.url + "/en/signs-to-spot")
    expect(browser_without_js.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)


def test_a_new_version_offers_a_refresh_and_keeps_saved_pages(browser: Browser, tmp_path: Path, exit_url: str) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    port = free_port()
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        with site(tmp_path / "site", port, CONTENT_DIR=str(content), EXIT_URL=exit_url) as first:
            open_controlled(page, first.url + "/en/what-is-prevent")
            page.get_by_role("button", name=re.compile(r"^Save this advice for offline use")).click()
            expect(page.locator("[data-offline-save-status]")).to_have_text(re.compile("^Saved on this device"))
            old_caches = set(cache_contents(page))
        page_file = content / "en" / "what-is-prevent.md"
        page_file.write_text(page_file.read_text() + "\nA sentence added in the new version.\n")
        with site(tmp_path / "site", port, CONTENT_DIR=str(content), EXIT_URL=exit_url) as second:
            page.goto(second.url + "/en/what-is-prevent")
            status = page.get_by_role("status").filter(has_text="New advice is available.")
            expect(status).to_be_visible(timeout=20_000)
            violations = axe_violations(page)
            assert not violations, describe(violations)
            # Network first: the page itself is already the new one; the refresh brings the new worker and shell.
            expect(page.get_by_text("A sentence added in the new version.")).to_be_visible()
            with page.expect_navigation():
                page.get_by_role("button", name="Refresh to see the latest advice").click()
            expect(page.get_by_role("button", name="Refresh to see the latest advice")).to_have_count(0)
            new_caches = set(cache_contents(page))
            assert new_caches and not new_caches & old_caches, (old_caches, new_caches)
            saved = next(paths for name, paths in cache_contents(page).items() if name.startswith("act-early-pages-"))
            assert saved == ["/en/what-is-prevent"]
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone-320", "desktop-1280"])
def test_every_new_page_and_state_passes_axe(browser: Browser, offline_site: Site, viewport: ViewportSize) -> None:
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        checked: list[str] = []

        def check(state: str) -> None:
            violations = axe_violations(page)
            assert not violations, f"{state} at {viewport['width']} px:\n{describe(violations)}"
            checked.append(state)

        open_controlled(page, offline_site.url + "/en/signs-to-spot")
        expect(page.locator("[data-offline-save]")).to_be_visible()
        check("an advice page with its save controls")
        save_all(page)
        check("an advice page after saving")
        for lang in ("en", "cy", "ur"):
            page.goto(offline_site.url + f"/{lang}/offline")
            check(f"/{lang}/offline online")
            page.goto(offline_site.url + f"/{lang}/offline/saved")
            expect(page.locator("[data-offline-saved]")).to_be_visible()
            check(f"/{lang}/offline/saved with its list")
        context.set_offline(True)
        page.goto(offline_site.url + "/en/what-happens-next-not-saved")
        expect(page.locator("[data-offline-saved-list] a").first).to_be_visible()
        check("the offline page as the worker shows it")
        # As without JavaScript: axe itself needs JavaScript, so only the offline script is held back.
        without_offline_js = browser.new_context(viewport=viewport)
        page = without_offline_js.new_page()
        page.route("**/assets/offline.*.js", lambda route: route.abort())
        page.goto(offline_site.url + "/en/offline/saved")
        expect(page.get_by_text("needs JavaScript")).to_be_visible()
        check("/en/offline/saved without the offline script")
        without_offline_js.close()
        assert len(checked) == 10
    finally:
        context.close()
