"""Offline reading in a browser: waiting for the service worker to take control, saving all advice, and
reading what it keeps. Shared by a11y_tests/test_offline.py, a11y_tests/test_shared_device.py (through
testing/shared_device.py) and the benchmarks bench/two_g.py and bench/app_vs_nginx.py."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

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
