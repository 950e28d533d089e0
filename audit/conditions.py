"""The conditions a page is checked in: window size, zoom, forced colours, reduced motion, JavaScript off.

Each condition is a browser context. `Condition.open` loads a page in it; with JavaScript off it loads
the page with script execution disabled (the page's own scripts never run, exactly as with
Playwright's `java_script_enabled=False`, which sends the same `Emulation.setScriptExecutionDisabled`)
and then turns execution back on for the measuring scripts only: Chromium fires no timers and runs
no microtasks while scripts are disabled, so axe's `axe.run()` would never settle, in the page's
world or in an isolated one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from playwright.sync_api import Browser, Page, Response, ViewportSize


@dataclass(frozen=True)
class Condition:
    name: str
    description: str
    width: int = 1280
    height: int = 900
    device_scale_factor: float = 1
    forced_colours: bool = False
    reduced_motion: bool = False
    javascript: bool = True

    def new_page(self, browser: Browser) -> Page:
        forced: Literal["active", "none"] = "active" if self.forced_colours else "none"
        motion: Literal["reduce", "no-preference"] = "reduce" if self.reduced_motion else "no-preference"
        context = browser.new_context(
            viewport=ViewportSize(width=self.width, height=self.height),
            device_scale_factor=self.device_scale_factor,
            forced_colors=forced,
            reduced_motion=motion,
        )
        return context.new_page()

    def open(self, page: Page, url: str, *, timeout_ms: float = 30_000) -> Response | None:
        """Load `url` in this condition; the measuring scripts can run afterwards."""
        if self.javascript:
            return page.goto(url, timeout=timeout_ms)
        session = page.context.new_cdp_session(page)
        try:
            session.send("Emulation.setScriptExecutionDisabled", {"value": True})
            response = page.goto(url, timeout=timeout_ms)
            # The page's scripts were skipped while it was parsed; they do not run now.
            session.send("Emulation.setScriptExecutionDisabled", {"value": False})
            return response
        finally:
            session.detach()


DESKTOP = Condition("desktop-1280", "a 1280 × 900 window")
PHONE = Condition("phone-320", "a 320 × 640 CSS px window", width=320, height=640)
# 400% browser zoom of a 1280 × 900 window: a 320 × 225 CSS px layout viewport with 4 device pixels per
# CSS pixel, which is what Chromium's own zoom produces (media queries and devicePixelRatio included).
# Pinch zoom (CDP Emulation.setPageScaleFactor) keeps the 1280 px layout and never reflows, so it
# cannot show a reflow failure.
ZOOM_400 = Condition("zoom-400", "400% zoom of a 1280 × 900 window", width=320, height=225, device_scale_factor=4)
FORCED_COLOURS = Condition("forced-colours", "forced colours (Windows contrast themes)", forced_colours=True)
REDUCED_MOTION = Condition("reduced-motion", "prefers-reduced-motion: reduce", reduced_motion=True)
NO_JAVASCRIPT = Condition("no-javascript", "JavaScript disabled", javascript=False)

CONDITIONS = {c.name: c for c in (DESKTOP, PHONE, ZOOM_400, FORCED_COLOURS, REDUCED_MOTION, NO_JAVASCRIPT)}
