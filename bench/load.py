"""Load: an advice page and the concern form, ramped well past a national launch peak, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.load [--seconds 10] [--connections 8,32,128,256] [--database sqlite|postgresql|both]
        [--skip-event-loops]                                              # writes bench/results/load.md

Needs Debian's wrk (apt-get install wrk). For each database it starts `python -m web serve` (production
settings, one worker) on a free port and its own database, then runs wrk (one thread, `--latency`, a 30 s
timeout) for a fixed time at each number of connections:
  page     GET /en/signs-to-spot as a browser arriving from outside the site (bench/wrk/page.lua);
  concern  the form's final "check your answers" post, sealed and committed before the confirmation page
           that answers it, each with a fresh form token (bench/wrk/concern.lua). Tokens are signed, not
           stored, and stay valid until a concern is stored with them, so the script signs them with the
           server's own FORM_SECRET_FILE, exactly as GET /en/share-a-concern/questions would, rather than
           spend the server's time on it.
Errors are socket errors and every answer other than the one expected (200 for both). The server's
standard error is kept: "database is locked" must never appear in it. Last, unless --skip-event-loops,
the page is measured at the fewest connections and at 128 with EVENT_LOOP=asyncio (the default) and
EVENT_LOOP=uvloop, which is why asyncio is the default.

Launch assumption: a national campaign launch (TV, radio, every force's posters and social posts) brings
about 50,000 visits on its first day; a fifth of them in the busiest hour and that hour's busiest minute
at five times its average gives about 15 page views a second. Concerns: Prevent receives about 7,000
referrals a year from every source; even at a hundred times that rate the online form would take one
concern every few seconds, so one a second is a generous peak.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.concern_throughput import ANSWERS
from bench.server import (
    DATABASE_LABELS,
    ProductionServer,
    databases,
    load_average,
    machine,
    merge_sections,
    production_server,
    server_settings,
    stamp,
)

ROOT = Path(__file__).resolve().parent.parent

PAGE = "/en/signs-to-spot"
SCRIPTS = ROOT / "bench" / "wrk"
LAUNCH_PAGES_PER_SECOND = 15
LAUNCH_CONCERNS_PER_SECOND = 1
RESULT = re.compile(r"^RESULT (.*)$", re.MULTILINE)


def wrk(url: str, script: str, seconds: int, connections: int, *args: str) -> dict[str, Any]:
    """One wrk run; the figures from bench/wrk/report.lua's RESULT line."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (as root)")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    command += ["-s", str(SCRIPTS / script), url]
    if args:
        command += ["--", *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 120).stdout
    found = RESULT.search(output)
    if found is None:
        raise RuntimeError(f"wrk said:\n{output}")
    fields = dict(item.split("=", 1) for item in found.group(1).split())
    codes = {int(k): int(v) for k, v in (pair.split("=") for pair in fields.pop("codes").split(",") if pair)}
    row: dict[str, Any] = {name: int(value) for name, value in fields.items()}
    row["codes"] = codes
    return row


def summarise(row: dict[str, Any], expected: int) -> dict[str, Any]:
    socket_errors = row["connect"] + row["read"] + row["write"] + row["timeout"]
    unexpected = row["requests"] - row["codes"].get(expected, 0)
    attempts = row["requests"] + row["connect"]
    return {
        "rps": row["requests"] / (row["us"] / 1_000_000),
        "good_per_second": row["codes"].get(expected, 0) / (row["us"] / 1_000_000),
        "p50": row["p50"] / 1000,
        "p95": row["p95"] / 1000,
        "p99": row["p99"] / 1000,
        "errors": socket_errors + unexpected,
        "error_rate": 100 * (socket_errors + unexpected) / attempts if attempts else 0.0,
        "requests": row["requests"],
        "reused": row["reused"],
        "codes": row["codes"],
    }


def token_file(server: ProductionServer, folder: Path, count: int) -> Path:
    """The url-encoded answers, then `count` fresh tokens signed with the server's form secret."""
    from web.http.form_tokens import FormTokens
    from web.sealing import load_or_create_secret

    tokens = FormTokens(load_or_create_secret("", server.form_secret_file))
    answers = urllib.parse.urlencode({**ANSWERS, "worries": ANSWERS["worries"] + "Load test."})
    path = folder / "tokens.txt"
    path.write_text("\n".join([answers, *(tokens.issue() for _ in range(count))]) + "\n")
    return path


def stored(database_url: str) -> int:
    """Concerns in the database, read without the site's engine (whose transactions take SQLite's write lock)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM concerns")).scalar_one())
    finally:
        engine.dispose()


def run_database(database: str, url: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    rows: list[tuple[str, int, dict[str, Any]]] = []
    with production_server(work, url, SUBMISSIONS_PER_HOUR="1000000000") as server:
        page_url = server.base_url + PAGE
        wrk(page_url, "page.lua", 2, 8)  # warm up: the page is rendered and compressed once, then cached
        for connections in args.levels:
            row = summarise(wrk(page_url, "page.lua", args.seconds, connections), 200)
            rows.append(("page", connections, row))
            print(f"{database} page  c={connections:3d}: {row['rps']:7.1f}/s p99 {row['p99']:7.1f} ms", flush=True)
        form_url = server.base_url + "/en/share-a-concern"
        tokens = token_file(server, work, 500)
        wrk(form_url, "concern.lua", 2, 8, str(tokens))  # warm up
        for connections in args.levels:
            before = stored(url)
            tokens = token_file(server, work, 2500 * args.seconds)  # more than the fastest run can send
            row = summarise(wrk(form_url, "concern.lua", args.seconds, connections, str(tokens)), 200)
            row["stored"] = stored(url) - before
            rows.append(("concern", connections, row))
            print(f"{database} form  c={connections:3d}: {row['good_per_second']:7.1f}/s p99 {row['p99']:7.1f} ms")
        status = server.status()
        log = {
            "locked": server.count_in_log("database is locked"),
            "limit": server.count_in_log("Exceeded concurrency limit"),
            "errors": server.errors(),
            "peak_rss": status.get("VmHWM", 0),
        }
    return {"rows": rows, "log": log}


def event_loops(work: Path, args: argparse.Namespace) -> list[str]:
    """The same page, asyncio's event loop against uvloop's: why EVENT_LOOP defaults to asyncio."""
    levels = (min(args.levels), 128)
    rows = []
    for loop in ("asyncio", "uvloop"):
        folder = work / loop
        with production_server(folder, f"sqlite:///{folder / 'bench.sqlite3'}", EVENT_LOOP=loop) as server:
            wrk(server.base_url + PAGE, "page.lua", 2, 8)
            for connections in levels:
                row = summarise(wrk(server.base_url + PAGE, "page.lua", args.seconds, connections), 200)
                rows.append((loop, connections, row))
                print(f"{loop} page c={connections:3d}: {row['rps']:7.1f}/s p99 {row['p99']:7.1f} ms", flush=True)
    lines = [
        "## Event loop: asyncio against uvloop",
        "",
        f"Measured {stamp()}, as above (SQLite, `GET {PAGE}`, {args.seconds} s a run), once with EVENT_LOOP=asyncio "
        "(the default) and once with EVENT_LOOP=uvloop. Both serve about as many requests a second; past what the "
        "server can take, uvloop leaves some connections unanswered for seconds while asyncio answers them in turn.",
        "",
        "| event loop | connections | requests/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for loop, connections, row in rows:
        lines.append(
            f"| {loop} | {connections} | {row['good_per_second']:.1f} | {row['p50']:.1f} | {row['p95']:.1f} | "
            f"{row['p99']:.1f} | {row['errors']} |"
        )
    return [*lines, ""]


def section(database: str, found: dict[str, Any], args: argparse.Namespace, took: float, loads: list[str]) -> list[str]:
    log = found["log"]
    lines = [
        f"## {DATABASE_LABELS[database]}",
        "",
        f"Measured {stamp()} by `bench/load.py --seconds {args.seconds} --connections "
        f"{','.join(map(str, args.levels))} --database {database}` on {machine()}: {took:.0f} s; load average "
        f"{loads[0]} at the start, {loads[1]} at the end. wrk, the server and PostgreSQL share the 2 cores.",
        "",
        "| request | connections | requests/s | × launch peak | p50 ms | p95 ms | p99 ms | errors | error rate |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for request, connections, row in found["rows"]:
        peak = LAUNCH_PAGES_PER_SECOND if request == "page" else LAUNCH_CONCERNS_PER_SECOND
        label = f"`GET {PAGE}`" if request == "page" else "concern (final post → confirmation page)"
        lines.append(
            f"| {label} | {connections} | {row['good_per_second']:.1f} | {row['good_per_second'] / peak:.0f}× | "
            f"{row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | {row['errors']} | {row['error_rate']:.2f}% |"
        )
    concerns = [row for request, _, row in found["rows"] if request == "concern"]
    sent = sum(row["codes"].get(200, 0) for row in concerns)
    lines += [
        "",
        f'- **"database is locked" in the server\'s log: {log["locked"]}.** 503s ("Exceeded concurrency limit"): '
        f"{log['limit']}. Errors logged: {log['errors']}.",
        f"- Concerns: {sent} answered with the confirmation page in the measured runs and "
        f"{sum(row['stored'] for row in concerns)} stored "
        f"(wrk stops with up to one request a connection in flight, which the server still completes); "
        f"tokens used twice: {sum(row['reused'] for row in concerns)}.",
        f"- The server's peak memory (VmHWM): {log['peak_rss'] / 1024:.0f} MiB.",
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="seconds a run, at each number of connections")
    parser.add_argument("--connections", default="8,32,128,256", help="numbers of connections, comma-separated")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--skip-event-loops", action="store_true", help="leave out asyncio against uvloop")
    args = parser.parse_args()
    args.levels = [int(n) for n in args.connections.split(",")]
    wanted = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    sections = {}
    with tempfile.TemporaryDirectory() as tmp, databases(Path(tmp), wanted) as urls:
        for database, url in urls.items():
            started, loads = time.monotonic(), [load_average()]
            found = run_database(database, url, Path(tmp) / database, args)
            loads.append(load_average())
            sections[DATABASE_LABELS[database]] = section(database, found, args, time.monotonic() - started, loads)
        if not args.skip_event_loops:
            sections["Event loop"] = event_loops(Path(tmp) / "loops", args)
    header = [
        "# Load: an advice page and the concern form, well past a national launch peak",
        "",
        f"`bench/load.py` (its docstring says how and why these numbers). Assumed launch peak: "
        f"**{LAUNCH_PAGES_PER_SECOND} page views a second and {LAUNCH_CONCERNS_PER_SECOND} concern a second** "
        "(a national campaign: about 50,000 visits on launch day, a fifth in the busiest hour, five times that "
        "hour's average in its busiest minute; concerns generously). `python -m web serve`, one uvicorn worker, "
        f"production settings ({server_settings()}). Requests/s counts only the expected answers (200: the page, "
        "or the confirmation page for the form). Each section is from its latest run.",
        "",
    ]
    merge_sections("load.md", header, sections)


if __name__ == "__main__":
    main()
