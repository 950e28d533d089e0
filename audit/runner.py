"""Audit every page of a sitemap in Chromium, in every condition, and keep what was found.

For each page: at 1280 px axe, contrast, target size, the keyboard walk and text spacing (last: it
changes the page); at 320 px axe, reflow, target size and text spacing; at 400% zoom reflow; with
forced colours and without JavaScript, axe; with reduced motion, axe and whether anything moves.
Each failure keeps a screenshot crop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from urllib.parse import urlsplit

from playwright.sync_api import Browser, FloatRect, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from audit import checks
from audit.browser import CHROMIUM_ARGS, BrowserMissing, chromium_path
from audit.conditions import DESKTOP, FORCED_COLOURS, NO_JAVASCRIPT, PHONE, REDUCED_MOTION, ZOOM_400, Condition
from audit.crawl import AuditError, sitemap_urls
from audit.results import Box, CheckResult, Finding

Check = Callable[[Page, str], "CheckResult | list[CheckResult]"]
# The checks each condition gets besides axe; a11y_tests run the same ones (a11y_tests/batch.py).
# The keyboard walk ends with nothing focused and the page scrolled to the top; text spacing changes
# the page's styles, so it comes last.
BROWSER_CHECKS: dict[Condition, list[Check]] = {
    DESKTOP: [
        checks.check_contrast,
        checks.check_language_of_parts,
        checks.check_target_size,
        checks.check_focus,
        checks.check_text_spacing,
    ],
    PHONE: [
        checks.check_contrast,
        checks.check_target_size,
        checks.check_reflow,
        checks.check_focus,
        checks.check_text_spacing,
    ],
    ZOOM_400: [checks.check_reflow],
    REDUCED_MOTION: [checks.check_motion],
}
AXE_CONDITIONS = [DESKTOP, PHONE, FORCED_COLOURS, REDUCED_MOTION, NO_JAVASCRIPT]
PLAN: list[tuple[Condition, list[Check]]] = [
    (condition, [checks.check_axe] * (condition in AXE_CONDITIONS) + BROWSER_CHECKS.get(condition, []))
    for condition in (DESKTOP, PHONE, ZOOM_400, FORCED_COLOURS, REDUCED_MOTION, NO_JAVASCRIPT)
]
MAX_CROPS_PER_PAGE = 30
CROP_PADDING = 8


@dataclass
class PageReport:
    url: str
    results: list[CheckResult] = field(default_factory=list)
    error: str = ""  # the page could not be checked (timed out, answered an error)
    seconds: float = 0.0
    crops: int = 0  # screenshots kept, at most MAX_CROPS_PER_PAGE

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def failures(self) -> list[Finding]:
        return [f for r in self.results for f in r.failures]

    @property
    def passed(self) -> bool:
        return not self.error and all(r.passed for r in self.results)


@dataclass
class Audit:
    base_url: str
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished: datetime | None = None
    pages: list[PageReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems that stopped the audit, or part of it
    planned: int = 0

    @property
    def passed(self) -> bool:
        return not self.errors and bool(self.pages) and all(p.passed for p in self.pages)


def run_audit(base_url: str, *, timeout: float, max_pages: int = 0, progress: Callable[[str], None] = print) -> Audit:
    audit = Audit(base_url.rstrip("/"))
    try:
        try:
            urls = sitemap_urls(audit.base_url, timeout=timeout)
        except AuditError as error:
            audit.errors.append(str(error))
            return audit
        urls = urls[:max_pages] if max_pages > 0 else urls
        audit.planned = len(urls)
        progress(f"Auditing {len(urls)} pages of {audit.base_url}")
        with sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            except (BrowserMissing, PlaywrightError) as error:
                audit.errors.append(f"cannot start Chromium: {error}")
                return audit
            try:
                _audit_pages(browser, audit, urls, timeout, progress)
            except PlaywrightError as error:
                audit.errors.append(f"the browser failed: {str(error).splitlines()[0]}")
            finally:
                browser.close()
        if len(audit.pages) < len(urls):
            audit.errors.append(f"only {len(audit.pages)} of {len(urls)} pages were checked")
        return audit
    finally:
        audit.finished = datetime.now(UTC)


def _audit_pages(
    browser: Browser, audit: Audit, urls: list[str], timeout: float, progress: Callable[[str], None]
) -> None:
    tabs: dict[str, Page] = {}
    width = len(str(len(urls)))
    for number, url in enumerate(urls, 1):
        report = PageReport(url)
        start = time.monotonic()
        for condition, plan in PLAN:
            if condition.name not in tabs:
                tabs[condition.name] = condition.new_page(browser)
            page = tabs[condition.name]
            page.set_default_timeout(timeout * 1000)
            report.error = _load(page, condition, url, timeout)
            if report.error:
                break
            report.results += run_checks(page, condition, plan, after=partial(_keep_crops, page, report))
        report.seconds = time.monotonic() - start
        audit.pages.append(report)
        progress(f"[{number:>{width}}/{len(urls)}] {report.path}  {_outcome(report)}  ({report.seconds:.1f} s)")


def _load(page: Page, condition: Condition, url: str, timeout: float) -> str:
    try:
        response = condition.open(page, url, timeout_ms=timeout * 1000)
    except PlaywrightTimeout:
        return f"did not load within {timeout:g} s ({condition.name})"
    except PlaywrightError as error:
        return f"could not load ({condition.name}): {str(error).splitlines()[0]}"
    if response is not None and response.status >= 400:
        return f"answered HTTP {response.status}"
    return ""


def run_checks(
    page: Page, condition: Condition, plan: list[Check], *, after: Callable[[CheckResult], None] | None = None
) -> list[CheckResult]:
    """Run the checks in order on the page as loaded. A check that breaks gives a result with its error,
    so the others still run; `after` sees each result while the page still shows what it found."""
    results: list[CheckResult] = []
    for check in plan:
        try:
            outcome = check(page, condition.name)
        except Exception as error:  # noqa: BLE001 - one broken check must not hide the others' results
            name = check.__name__.removeprefix("check_").replace("_", "-")
            first_line = (str(error).splitlines() or [type(error).__name__])[0]
            outcome = CheckResult(name, condition.name, (), error=f"{type(error).__name__}: {first_line}")
        for result in outcome if isinstance(outcome, list) else [outcome]:
            results.append(result)
            if after:
                after(result)
    return results


def _keep_crops(page: Page, report: PageReport, result: CheckResult) -> None:
    for position, finding in enumerate(result.findings):
        if finding.severity != "fail" or report.crops >= MAX_CROPS_PER_PAGE:
            continue
        png = _crop(page, finding)
        if png:
            result.screenshots[position] = png
            report.crops += 1


def _crop(page: Page, finding: Finding) -> bytes | None:
    """A PNG of the finding's element and a little around it, focused when focus is the point."""
    box: Box = finding.box or {}
    if box.get("width", 0) < 1 or box.get("height", 0) < 1:
        return None
    try:
        if finding.focused and finding.selector:
            page.locator(finding.selector).first.focus(timeout=2000)
        x = max(0.0, box["x"] - CROP_PADDING)
        y = max(0.0, box["y"] - CROP_PADDING)
        width = min(box["width"] + 2 * CROP_PADDING, 1200)
        height = min(box["height"] + 2 * CROP_PADDING, 600)
        clip = FloatRect(x=x, y=y, width=width, height=height)
        return page.screenshot(clip=clip, full_page=True, animations="disabled", timeout=10_000)
    except PlaywrightError:
        return None


def _outcome(report: PageReport) -> str:
    if report.error:
        return f"ERROR: {report.error}"
    errors = [r for r in report.results if r.error]
    failures = report.failures
    if not failures and not errors:
        return "ok"
    numbers = sorted({f.criterion.number for f in failures})
    text = f"{len(failures)} failures ({', '.join(numbers)})" if failures else ""
    if errors:
        text += f"{'; ' if text else ''}{len(errors)} checks could not run"
    return text
