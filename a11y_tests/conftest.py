"""Browser tests: the real site on a free port, driven in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from a11y_tests.batch import CheckedPages
from a11y_tests.pages import DESKTOP
from audit.conditions import Condition
from testing.browser import launch_options
from testing.live_server import live_server, neutral_site


@pytest.fixture(scope="session")
def exit_url() -> Iterator[str]:
    with neutral_site() as url:
        yield url


@pytest.fixture(scope="session")
def live_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the live server keeps its database and keys, so tests can look inside."""
    return tmp_path_factory.mktemp("live")


@pytest.fixture(scope="session")
def base_url(live_dir: Path, exit_url: str) -> Iterator[str]:
    with live_server(live_dir, EXIT_URL=exit_url) as url:
        yield url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(**launch_options())  # type: ignore[arg-type]
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def checked_paths() -> set[str]:
    """The paths the axe test has checked, so another test can compare them with the sitemap."""
    return set()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The coverage test must run after the axe tests it audits.
    items.sort(key=lambda item: item.name.startswith("test_every_sitemap_page_was_checked"))


@pytest.fixture
def browser_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def page_in(browser: Browser) -> Iterator[Callable[[Condition], Page]]:
    """`page_in(condition)`: one page per condition (audit/conditions.py) for the whole session.

    Tests load what they check into it (PageState.open), so only the browser cache carries over; this
    saves a context a test, which keeps the checks over every page and condition fast.
    """
    pages: dict[str, Page] = {}

    def page_for(condition: Condition) -> Page:
        if condition.name not in pages or pages[condition.name].is_closed():
            pages[condition.name] = condition.new_page(browser)
        return pages[condition.name]

    yield page_for
    for page in pages.values():
        page.context.close()


@pytest.fixture(scope="session")
def checked(page_in: Callable[[Condition], Page], base_url: str) -> CheckedPages:
    """`checked(state, condition, "reflow")`: a check's result, each page loaded once per condition."""
    return CheckedPages(page_in, base_url)
