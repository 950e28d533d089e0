"""Offline reading in real Chromium: saving advice, reading it with the network off, forgetting it on exit,
the refresh offered by a new version, the bytes a repeat visit costs, and axe on every new page and state."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route, ViewportSize, expect

from a11y_tests.pages import DESKTOP, PHONE
from audit.axe import axe_violations, describe
from testing.live_server import Site, free_port, logged_site
from testing.offline import CACHE_CONTENTS, cache_contents, open_controlled, save_all
from testing.slow_proxy import slow_proxy

ROOT = Path(__file__).resolve().parent.parent
REGISTRATIONS = "async () => (await navigator.serviceWorker.getRegistrations()).length"
NEW_VERSION_WAITING = """() => new Promise((resolve) => {
  const look = async () => {
    if ((await navigator.serviceWorker.getRegistration()).waiting) resolve(true)
    else setTimeout(look, 100)
  }
  look()
})"""
FORM_PATHS = ("/share-a-concern", "/search", "/toolkit")


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory: pytest.TempPathFactory, exit_url: str) -> Iterator[Site]:
    with logged_site(tmp_path_factory.mktemp("offline"), EXIT_URL=exit_url, LOG_LEVEL="info") as running:
        running.get("/en/offline/pages.json")  # the first call renders every page to measure it
        yield running


def pages_of(site: Site, lang: str) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = json.loads(site.get(f"/{lang}/offline/pages.json"))["pages"]
    return pages


def heading_of(site: Site, path: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", site.get(path).decode(), re.DOTALL)
    assert found, f"{path} has no h1"
    return found.group(1).strip()


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


def test_a_saved_page_opens_from_the_device_while_the_network_is_stalled_then_is_refreshed(
    context: BrowserContext, offline_site: Site
) -> None:
    """Cache first for what the reader saved (issue 17): the page shows before its network answer has landed;
    that answer then replaces the saved copy, and the same advice offers no refresh."""
    path = "/en/what-is-prevent"
    page = context.new_page()
    with slow_proxy(offline_site.url) as proxy:
        open_controlled(page, proxy.url + "/en/signs-to-spot")
        save_all(page)
        landed = proxy.hold(path, 20)
        page.goto(proxy.url + path, wait_until="load")
        expect(page.locator("h1")).to_have_text(heading_of(offline_site, path))
        assert not landed.is_set(), "the saved page waited for the network"
        assert landed.wait(30), "the worker never asked the network for a fresh copy"
        page.wait_for_load_state("networkidle")
        expect(page.locator("[data-offline-update]")).to_be_empty()
        saved = next(paths for name, paths in cache_contents(page).items() if name.startswith("act-early-pages-"))
        assert path in saved
        # A page that was not saved still waits for the network.
        held = proxy.hold("/cy/what-is-prevent", 2)
        page.goto(proxy.url + "/cy/what-is-prevent", wait_until="load")
        assert held.is_set(), "an unsaved page was answered before the network"


def test_a_saved_page_whose_advice_changed_offers_the_new_advice_without_a_new_worker(
    context: BrowserContext, offline_site: Site
) -> None:
    """The "New advice is available" prompt for a saved copy alone (issue 17): the server's advice changes while
    the worker stays the version it was (one instance upgraded before the other). The saved copy opens at
    once; the refresh behind it finds another revision and the page offers it; the refresh shows it."""
    path = "/en/what-is-prevent"
    page = context.new_page()
    with slow_proxy(offline_site.url) as proxy:
        open_controlled(page, proxy.url + path)
        page.get_by_role("button", name=re.compile(r"^Save this advice for offline use")).click()
        expect(page.locator("[data-offline-save-status]")).to_have_text(re.compile("^Saved on this device"))
        proxy.rewrite(
            path,
            (b' data-revision="', b' data-revision="changed-'),
            (b"</h1>", b"</h1><p>A sentence the server added.</p>"),
        )
        page.goto(proxy.url + path)
        status = page.get_by_role("status").filter(has_text="New advice is available.")
        expect(status).to_be_visible(timeout=20_000)
        expect(page.get_by_text("A sentence the server added.")).to_have_count(0)  # the saved copy, at once
        assert page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).waiting") is None
        with page.expect_navigation():
            page.get_by_role("button", name="Refresh to see the latest advice").click()
        expect(page.get_by_text("A sentence the server added.")).to_be_visible()
        violations = axe_violations(page)
        assert not violations, describe(violations)


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
    # The first visit through the worker asks for the page that links the stylesheet it keeps: another body
    # than the first visit's, with its CSS inline (ADR 22), so a 200 once; from then on, a 304.
    page.reload()
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
    # One anonymous count goes to web/public/measurement.py (the worker's own fetch is not a page view).
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


SAVE_THIS = re.compile(r"^Save this advice for offline use \(\d+ KB\)$")
SAVE_ALL = re.compile(r"^Save all \d+ advice pages for offline use \(\d+ KB\)$")
REMOVE_THIS = "Remove this advice from this device"
REMOVE_ALL = "Remove all saved pages"
THIS_SAVED = "This advice is saved on this device."
ALL_SAVED = "All advice is saved on this device."


def save_controls(page: Page) -> Locator:
    return page.get_by_role("region", name="Read this advice offline")


def expect_nothing_saved(page: Page) -> None:
    controls = save_controls(page)
    expect(controls.get_by_role("button", name=SAVE_THIS)).to_be_visible()
    expect(controls.get_by_role("button", name=SAVE_ALL)).to_be_visible()
    expect(controls.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)
    expect(controls.get_by_text(re.compile("saved on this device"))).to_have_count(0)


def test_the_saved_state_is_shown_after_a_reload_and_announced_when_it_changes(
    context: BrowserContext, offline_site: Site, exit_url: str
) -> None:
    """Issue 21, item 10: a reader can tell, after a reload, that a page is saved, and can remove it."""
    base = offline_site.url
    page = context.new_page()
    open_controlled(page, base + "/en/what-is-prevent")
    controls = save_controls(page)
    status = controls.get_by_role("status")
    expect_nothing_saved(page)

    # Save this page: announced, and the same button (focus stays on it) now removes it.
    controls.get_by_role("button", name=SAVE_THIS).click()
    expect(status).to_have_text(re.compile("^Saved on this device"))
    remove_this = controls.get_by_role("button", name=REMOVE_THIS)
    expect(remove_this).to_be_focused()
    page.reload()
    expect(controls.get_by_text(THIS_SAVED, exact=True)).to_be_visible()
    expect(remove_this).to_have_accessible_description(THIS_SAVED)
    expect(controls.get_by_role("button", name=SAVE_THIS)).to_have_count(0)
    expect(controls.get_by_role("button", name=SAVE_ALL)).to_be_visible()  # the others are not saved
    expect(status).to_have_text("")  # a reload announces nothing: the state is read where it is
    page.goto(base + "/en/signs-to-spot")  # another page, not saved
    expect_nothing_saved(page)

    # Save all: every page says so after a reload.
    controls.get_by_role("button", name=SAVE_ALL).click()
    expect(status).to_have_text(re.compile("^Saved on this device"), timeout=30_000)
    expect(controls.get_by_role("button", name=REMOVE_ALL)).to_be_focused()
    for entry in pages_of(offline_site, "en"):
        if entry["url"] == "/en/":
            continue  # the home page has no save controls
        page.goto(base + entry["url"])
        expect(controls.get_by_text(ALL_SAVED, exact=True)).to_be_visible()
        expect(controls.get_by_role("button", name=REMOVE_THIS)).to_have_accessible_description(ALL_SAVED)
        expect(controls.get_by_role("button", name=REMOVE_ALL)).to_have_accessible_description(ALL_SAVED)
        expect(controls.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    page.goto(base + "/en/offline/saved")  # the saved-pages page's own control says so too
    expect(controls.get_by_text(ALL_SAVED, exact=True)).to_be_visible()

    # Remove this page: announced, the button saves again, and a reload agrees.
    page.goto(base + "/en/what-is-prevent")
    controls.get_by_role("button", name=REMOVE_THIS).click()
    expect(status).to_have_text("Removed from this device.")
    expect(controls.get_by_role("button", name=SAVE_THIS)).to_be_focused()
    page.reload()
    expect(controls.get_by_role("button", name=SAVE_THIS)).to_be_visible()
    expect(controls.get_by_role("button", name=SAVE_ALL)).to_be_visible()
    expect(controls.get_by_text(re.compile("saved on this device"))).to_have_count(0)
    page.goto(base + "/en/signs-to-spot")  # still saved
    expect(controls.get_by_text(THIS_SAVED, exact=True)).to_be_visible()

    # Remove everything from an advice page: back to "Save" everywhere.
    controls.get_by_role("button", name=SAVE_ALL).click()
    expect(controls.get_by_role("button", name=REMOVE_ALL)).to_be_focused(timeout=30_000)
    controls.get_by_role("button", name=REMOVE_ALL).click()
    expect(status).to_have_text("Removed from this device.")
    expect(controls.get_by_role("button", name=SAVE_ALL)).to_be_focused()
    page.reload()
    expect_nothing_saved(page)
    assert not [paths for name, paths in cache_contents(page).items() if name.startswith("act-early-pages-") and paths]

    # After "Exit this page", coming back shows nothing saved (ADR 11).
    save_all(page)
    exit_this_page(page, "click")
    page.wait_for_url(exit_url)
    assert_site_forgotten(context, offline_site)
    page.goto(base + "/en/signs-to-spot")
    expect_nothing_saved(page)
    assert not [paths for name, paths in cache_contents(page).items() if name.startswith("act-early-pages-") and paths]


def test_the_saved_pages_list_and_the_save_control_agree(context: BrowserContext, offline_site: Site) -> None:
    """On "Pages saved on this device", saving all fills the list, and removing from the list updates the control."""
    page = context.new_page()
    open_controlled(page, offline_site.url + "/en/offline/saved")
    controls = save_controls(page)
    expect(page.get_by_text("No pages are saved on this device.")).to_be_visible()
    controls.get_by_role("button", name=SAVE_ALL).click()
    expect(controls.get_by_text(ALL_SAVED, exact=True)).to_be_visible(timeout=30_000)
    saved = page.locator("[data-offline-saved-list] a")
    expect(saved).to_have_count(len(pages_of(offline_site, "en")))
    page.get_by_role("button", name=re.compile("^Remove ")).first.click()
    expect(page.locator("[data-offline-saved-status]")).to_have_text("Removed from this device.")
    expect(controls.get_by_role("button", name=SAVE_ALL)).to_be_visible()
    expect(controls.get_by_text(ALL_SAVED, exact=True)).to_have_count(0)


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
        with logged_site(
            tmp_path / "site", port, CONTENT_DIR=str(content), EXIT_URL=exit_url, LOG_LEVEL="info"
        ) as first:
            open_controlled(page, first.url + "/en/what-is-prevent")
            page.get_by_role("button", name=re.compile(r"^Save this advice for offline use")).click()
            expect(page.locator("[data-offline-save-status]")).to_have_text(re.compile("^Saved on this device"))
            old_caches = set(cache_contents(page))
        page_file = content / "en" / "what-is-prevent.md"
        page_file.write_text(page_file.read_text() + "\nA sentence added in the new version.\n")
        with logged_site(
            tmp_path / "site", port, CONTENT_DIR=str(content), EXIT_URL=exit_url, LOG_LEVEL="info"
        ) as second:
            page.goto(second.url + "/en/what-is-prevent")
            status = page.get_by_role("status").filter(has_text="New advice is available.")
            expect(status).to_be_visible(timeout=20_000)
            violations = axe_violations(page)
            assert not violations, describe(violations)
            # Saved, so from the device at once: the saved copy, refreshed behind it; the refresh shows the new one.
            expect(page.get_by_text("A sentence added in the new version.")).to_have_count(0)
            page.evaluate(NEW_VERSION_WAITING)  # one refresh then brings the new version and the new advice
            with page.expect_navigation():
                page.get_by_role("button", name="Refresh to see the latest advice").click()
            expect(page.get_by_text("A sentence added in the new version.")).to_be_visible()
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
        save_controls(page).get_by_role("button", name=SAVE_THIS).click()
        expect(save_controls(page).get_by_role("button", name=REMOVE_THIS)).to_be_visible()
        page.reload()
        expect(save_controls(page).get_by_text(THIS_SAVED, exact=True)).to_be_visible()
        check("an advice page saved on this device, after a reload")
        save_all(page)
        check("an advice page after saving")
        page.reload()
        expect(save_controls(page).get_by_text(ALL_SAVED, exact=True)).to_be_visible()
        check("an advice page when all advice is saved, after a reload")
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
        assert len(checked) == 12
    finally:
        context.close()
