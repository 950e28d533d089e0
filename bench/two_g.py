"""The site on a 2G connection, in Chromium: first contentful paint and load, cold, warm and offline.

    .venv/bin/python -m bench.two_g [--runs 3]      # writes bench/results/two-g.md

The network is throttled with CDP (`Network.emulateNetworkConditions`: 280 kbit/s down, 256 kbit/s up,
800 ms round trip) on the page *and* on the service worker, whose own fetches DevTools emulation would
otherwise leave at full speed. Each run uses a fresh browser context:
  cold     the first visit: empty HTTP cache, no service worker (the page's CSS inline: ADR 22);
  warm     the next visit, with the worker installed, the page not saved (network first, the shell from
           the worker's cache);
  saved    a return visit to the page after "Save all advice", on 2G (from the device at once, then
           refreshed in the background);
  offline  the network off (the page comes from the worker's cache).
Times are medians over the runs, in milliseconds from navigation start (Navigation and Paint Timing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, sync_playwright

from testing.browser import launch_options
from testing.live_server import Site, logged_site
from testing.offline import CONTROLLED, save_all

ROOT = Path(__file__).resolve().parent.parent

PAGES = ["/en/", "/en/myths-and-facts"]
PHASES = ["cold", "warm", "saved", "offline"]
TWO_G = {"offline": False, "latency": 800, "downloadThroughput": 280_000 / 8, "uploadThroughput": 256_000 / 8}
TIMINGS = """() => new Promise((resolve) => {
    const read = () => {
        const paint = performance.getEntriesByName('first-contentful-paint')[0]
        const navigation = performance.getEntriesByType('navigation')[0]
        if (paint && navigation && navigation.loadEventEnd > 0) {
            resolve({fcp: paint.startTime, load: navigation.loadEventEnd})
        } else {
            setTimeout(read, 50)
        }
    }
    read()
})"""


class WorkerThrottle:
    """CDP network emulation for the service worker's own target (a page session does not reach it).

    One session per worker target, kept: conditions set on a second session would not replace the first's.
    """

    def __init__(self, browser: Browser) -> None:
        self.session = browser.new_browser_cdp_session()
        self.sessions: dict[str, str] = {}
        self.sent = 0

    def _send(self, session_id: str, method: str, params: dict[str, Any]) -> None:
        self.sent += 1
        message = json.dumps({"id": self.sent, "method": method, "params": params})
        self.session.send("Target.sendMessageToTarget", {"sessionId": session_id, "message": message})

    def apply(self, conditions: dict[str, Any]) -> None:
        targets = self.session.send("Target.getTargets")["targetInfos"]
        for target in (t for t in targets if t["type"] == "service_worker"):
            if target["targetId"] not in self.sessions:
                attached = self.session.send(
                    "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
                )
                self.sessions[target["targetId"]] = attached["sessionId"]
                self._send(attached["sessionId"], "Network.enable", {})
            self._send(self.sessions[target["targetId"]], "Network.emulateNetworkConditions", conditions)


def measure(page: Page, running: Site, url: str) -> dict[str, Any]:
    """Timings of one visit, and the requests that reached the server for it (the worker's included)."""
    mark = running.log_mark()
    page.goto(url, timeout=120_000)
    timings: dict[str, Any] = page.evaluate(TIMINGS)
    page.wait_for_load_state("networkidle", timeout=120_000)
    page.wait_for_timeout(1500)  # the worker's install and the browser's update check come after load
    return {**timings, "reached": running.requests_since(mark)}


def throttle(context: BrowserContext, page: Page, conditions: dict[str, Any]) -> CDPSession:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", conditions)
    return cdp


def one_run(browser: Browser, running: Site, path: str) -> dict[str, dict[str, Any]]:
    base = running.url
    context = browser.new_context()
    worker = WorkerThrottle(browser)
    try:
        page = context.new_page()
        cdp = throttle(context, page, TWO_G)
        results = {"cold": measure(page, running, base + path)}
        page.evaluate(CONTROLLED)
        page.wait_for_load_state("networkidle", timeout=120_000)  # the worker has precached the shell
        worker.apply(TWO_G)
        results["warm"] = measure(page, running, base + path)
        page.goto(base + "/en/signs-to-spot", timeout=120_000)
        worker.apply({**TWO_G, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        save_all(page)  # at full speed: saving is not what is measured
        worker.apply(TWO_G)
        results["saved"] = measure(page, running, base + path)
        context.set_offline(True)
        cdp.send("Network.emulateNetworkConditions", {**TWO_G, "offline": True})
        worker.apply({**TWO_G, "offline": True})
        results["offline"] = measure(page, running, base + path)
        return results
    finally:
        context.close()
        worker.session.detach()


def describe(reached: list[tuple[str, str, int]]) -> str:
    if len(reached) <= 2:
        return ", ".join(f"{path} {status}" for _, path, status in reached) or "none"
    statuses = Counter(status for _, _, status in reached)
    return f"{len(reached)}: " + ", ".join(f"{count} × {status}" for status, count in sorted(statuses.items()))


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), platform.machine())
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, {system}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory() as tmp,
        logged_site(Path(tmp), LOG_LEVEL="info") as running,
        sync_playwright() as p,
    ):
        running.get("/en/offline/pages.json")  # the first call measures every page: not part of a visit
        browser = p.chromium.launch(**launch_options())  # type: ignore[arg-type]
        version = browser.version
        runs = {path: [one_run(browser, running, path) for _ in range(args.runs)] for path in PAGES}
        browser.close()
    lines = [
        "# 2G in Chromium: first contentful paint and load (ms)",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `bench/two_g.py` on {machine()};"
        f" Chromium {version}. Median of {args.runs} runs, each in a fresh browser context.",
        "Network: CDP `Network.emulateNetworkConditions`, 280 kbit/s down, 256 kbit/s up, 800 ms round trip,"
        " on the page and on the service worker.",
        f"Load average (1 min) {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} at the end, on"
        f" {os.cpu_count()} cores: other work shared the machine, so times are high rather than low.",
        "",
        "| page | visit | first contentful paint | load | requests that reached the server |",
        "|---|---|---:|---:|---|",
    ]
    for path, results in runs.items():
        for phase in PHASES:
            fcp = statistics.median(run[phase]["fcp"] for run in results)
            load = statistics.median(run[phase]["load"] for run in results)
            reached = results[-1][phase]["reached"]  # the same in every run
            lines.append(f"| {path} | {phase} | {fcp:.0f} | {load:.0f} | {describe(reached)} |")
    lines += [
        "",
        "cold: empty cache, no worker: the page with its CSS inline, app.css at the end of the body (ADR 22)."
        " warm: the next visit, worker installed, the page not saved (through the worker, network first;"
        " a 200, not a 304: the browser's copy is the other body, with the CSS inline; CSS, JS and icon"
        " from the worker's cache). saved: the next visit after"
        ' "Save all advice", on 2G: from the device, then refreshed in the background (the page\'s 304).'
        " offline: network off. Requests: from the server's access log, for the visit and what the"
        " worker fetched after it (a first visit: the page, its assets, the worker, its precache). The"
        " /sw.js 304 is the browser's own update check after a navigation, which DevTools' offline"
        " emulation does not stop.",
        f"Run time {time.monotonic() - started:.0f} s.",
    ]
    out = ROOT / "bench" / "results" / "two-g.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
