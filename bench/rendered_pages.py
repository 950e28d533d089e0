"""Pages rendered once (issue 17): the memory every page in every language takes, and what a request costs.

    .venv/bin/python -m bench.rendered_pages [--requests 3000]   # writes bench/results/rendered-pages.md

In one process, through the whole middleware stack (ASGI calls, no sockets, so other load on the machine
does not count: the cost is CPU time, `time.process_time`):

- every page the site renders once (the sitemap's pages, the offline pages, the toolkit's form, the sitemap,
  a 404 in each language), asked for with brotli and with gzip: how many bodies are kept and their bytes;
- one advice page asked for again and again: rendered each time (the kept copy dropped before each request,
  as every request was served before), and served from memory, for the full page (gzip) and a 304.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.testclient import TestClient

from bench.two_g import machine
from testing.settings import settings_in
from web.app import create_app
from web.offline.worker import offline_paths
from web.public.site import sitemap_entries
from web.shell.rendered import MAX_BYTES, MAX_PAGES
from web.shell.site import site_of_app

ROOT = Path(__file__).resolve().parent.parent
PAGE = "/en/myths-and-facts"


def every_page(app: Starlette) -> list[str]:
    site = site_of_app(app)
    paths = [entry.path for entry in sitemap_entries(site.library, site.films)]
    for lang in site.library.languages:
        paths += [*offline_paths(lang), f"/{lang}/no-such-page"]
    return [*paths, "/", "/toolkit", "/sitemap.xml"]


def kept_memory(app: Starlette) -> dict[str, Any]:
    with TestClient(app) as client:
        for path in every_page(app):
            for encoding in ("br", "gzip"):
                client.get(path, headers={"Accept-Encoding": encoding})
    kept = site_of_app(app).rendered
    entries = list(kept.entries.values())
    pages, size = kept.size()
    return {
        "pages": pages,
        "bytes": size,
        "html": sum(len(entry.body) for entry in entries),
        "br": sum(len(entry.compressed.get("br", b"")) for entry in entries),
        "gzip": sum(len(entry.compressed.get("gzip", b"")) for entry in entries),
        "languages": len(site_of_app(app).library.languages),
    }


async def call(app: Starlette, path: str, headers: dict[str, str]) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), *((name.encode(), value.encode()) for name, value in headers.items())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def cost(app: Starlette, requests: int) -> dict[str, float]:
    """CPU microseconds a request: rendered each time, then kept (full page with gzip, and a 304)."""
    kept = site_of_app(app).rendered
    gzip = {"accept-encoding": "gzip"}
    with TestClient(app) as client:
        etag = client.get(PAGE, headers=gzip).headers["etag"]
    results = {}
    for label, headers, drop in (
        ("rendered each time", {}, True),
        ("kept: full page, gzip", gzip, False),
        ("kept: revalidation, 304", {**gzip, "if-none-match": etag}, False),
    ):
        count = requests // 10 if drop else requests
        start = time.process_time()
        for _ in range(count):
            if drop:
                kept.entries.clear()
            assert await call(app, PAGE, headers) in (200, 304)
        results[label] = (time.process_time() - start) / count * 1e6
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        memory = kept_memory(create_app(settings_in(Path(tmp) / "memory")))
        costs = asyncio.run(cost(create_app(settings_in(Path(tmp) / "cost")), args.requests))
    mib = 1024 * 1024
    lines = [
        "# Pages rendered once: memory and cost",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `bench/rendered_pages.py` on {machine()}.",
        "",
        f"Every page rendered once, in all {memory['languages']} languages, asked for with brotli and gzip:"
        f" **{memory['pages']} pages, {memory['bytes']:,} bytes ({memory['bytes'] / mib:.1f} MiB)** kept"
        f" ({memory['html']:,} of HTML, {memory['br']:,} brotli, {memory['gzip']:,} gzip).",
        f"The bound: {MAX_PAGES} pages and {MAX_BYTES // mib} MiB (web/shell/rendered.py), the least recently"
        " served dropped first.",
        "",
        f"CPU time a request for {PAGE}, through every middleware, in process (no sockets):",
        "",
        "| request | CPU µs | requests/s of one core |",
        "|---|---:|---:|",
    ]
    lines += [f"| {label} | {value:.0f} | {1e6 / value:.0f} |" for label, value in costs.items()]
    out = ROOT / "bench" / "results" / "rendered-pages.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
