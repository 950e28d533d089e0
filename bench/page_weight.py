"""Page weight in a real browser: bytes on the wire for each page's HTML and for a whole first visit.

    .venv/bin/python -m bench.page_weight      # writes bench/results/page-weight.md

Counts what Chromium reports as transferred (`encodedDataLength`: compressed body plus headers)
for every request a cold visit makes, page by page, in a fresh browser context each time. The first-visit
budget is for what every page needs, as tests/test_budgets.py defines it: the HTML, CSS, scripts, icon and
whatever else the shell fetches. A film's posters and caption files (under /films/media/) are the film's
own and counted in a column of their own.
"""

from __future__ import annotations

import datetime as dt
import platform
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from testing.browser import launch_options
from testing.live_server import live_server
from testing.sitemap import fetch_sitemap_paths

ROOT = Path(__file__).resolve().parent.parent

PAGE_BUDGET = 14 * 1024
FIRST_VISIT_BUDGET = 40 * 1024  # the shell's: media files apart
MEDIA = "/films/media/"


def measure(base: str, path: str, browser: Any) -> dict[str, Any]:
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda event: urls.__setitem__(event["requestId"], event["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]))
    page.goto(base + path, wait_until="networkidle")
    context.close()
    transfers = {urls[request_id]: size for request_id, size in sizes.items() if request_id in urls}
    html = next(size for url, size in transfers.items() if url == base + path)
    media = sum(size for url, size in transfers.items() if url.startswith(base + MEDIA))
    total = sum(transfers.values())
    return {"path": path, "html": html, "shell": total - media, "media": media, "requests": len(transfers)}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, live_server(Path(tmp)) as base, sync_playwright() as p:
        browser = p.chromium.launch(**launch_options())
        rows = [measure(base, path, browser) for path in fetch_sitemap_paths(base)]
        browser.close()
    lines = [
        "# Page weight in Chromium (bytes on the wire, brotli, headers included)",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} {platform.system()},"
        f" Python {platform.python_version()}, by `bench/page_weight.py`.",
        f"Budgets: HTML {PAGE_BUDGET} B per page; first visit {FIRST_VISIT_BUDGET} B without a film's media"
        f" (its posters and captions, under {MEDIA}: a column of their own).",
        "",
        "| page | HTML | first visit | film media | requests |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {row['path']} | {row['html']} | {row['shell']} | {row['media']} | {row['requests']} |" for row in rows
    ]
    largest_html = max(row["html"] for row in rows)
    largest_visit = max(row["shell"] for row in rows)
    largest_media = max(row["shell"] + row["media"] for row in rows)
    lines += [
        "",
        f"Largest HTML: {largest_html} B. Largest first visit: {largest_visit} B without media,"
        f" {largest_media} B with a film's posters and captions. Pages: {len(rows)}.",
    ]
    out = ROOT / "bench" / "results" / "page-weight.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    over = largest_html > PAGE_BUDGET or largest_visit > FIRST_VISIT_BUDGET
    raise SystemExit(1 if over else 0)


if __name__ == "__main__":
    main()
