"""Throughput of an advice page with counting on and off: counting must cost under 10%.

    .venv/bin/python -m bench.counting [--seconds 15] [--rounds 5] [--connections 16]

Starts uvicorn (one worker) on a free port with MEASUREMENT=off, then MEASUREMENT=on, alternately for
each round, each on its own SQLite database, and loads /en/signs-to-spot (half the requests with a
poster's campaign tag) with wrk (`apt-get install wrk`) for a fixed time, as a browser arriving from
outside the site: a browser User-Agent, Sec-Fetch-Dest: document, Accept-Encoding: br. With counting
on, every request is counted (a view, a source, half of them a campaign) and flushed every 10 seconds.
After each "on" run the server is stopped (the last flush) and the views in the database are checked
against the requests wrk completed. The counting middleware's own cost is also timed in-process, where
the machine's load does not reach it. Writes bench/results/counting.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from testing.live_server import SERVE, free_port, site_environment, wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent

# Reads MEASUREMENT itself until Settings does; once web/app.py is wired, "web.app:create_app" is the same.
PATH = "/en/signs-to-spot"
HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    "Accept": "text/html,application/xhtml+xml",
    "Accept-Encoding": "gzip, deflate, br",
    "Sec-Fetch-Dest": "document",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Site": "none",
}
# Every other request arrives from a poster's QR code.
LUA = """
local n = 0
request = function()
  n = n + 1
  local path = (n % 2 == 0) and "PATH?utm_source=poster&utm_campaign=essex" or "PATH"
  return wrk.format("GET", path)
end
"""


def wrk(base: str, seconds: int, connections: int, script: Path) -> dict[str, float]:
    headers = [arg for name, value in HEADERS.items() for arg in ("-H", f"{name}: {value}")]
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), *headers, base]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    completed = re.search(r"(\d+) requests in", output)
    per_second = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    assert completed and per_second and p50 and p99, output
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "requests": float(completed.group(1)),
        "per_second": float(per_second.group(1)),
        "p50_ms": float(p50.group(1)) * scale[p50.group(2)],
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)],
        "errors": float(errors.group(1)) if errors else 0.0,
    }


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the server process has used: steadier than requests/s on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(mode: str, seconds: int, connections: int, work: Path) -> dict[str, float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database = work / f"{mode}.sqlite3"
    env = site_environment(work, port, MEASUREMENT=mode, DATABASE_URL=f"sqlite:///{database}")
    process = subprocess.Popen(SERVE, cwd=ROOT, env=env)
    script = work / "requests.lua"
    script.write_text(LUA.replace("PATH", PATH))
    try:
        wait_until_healthy(base, process, seconds=60)
        warm = wrk(base, 3, connections, script)
        cpu_before = cpu_seconds(process.pid)
        result = wrk(base, seconds, connections, script)
        result["cpu_us"] = (cpu_seconds(process.pid) - cpu_before) / result["requests"] * 1_000_000
    finally:
        process.terminate()
        process.wait(timeout=30)
    with sqlite3.connect(database) as connection:
        counted = connection.execute("SELECT coalesce(sum(count), 0) FROM figures WHERE metric = 'view'").fetchone()[0]
    database.unlink()
    return {**result, "sent": warm["requests"] + result["requests"], "counted": float(counted)}


def counting_cost(requests: int = 50_000) -> tuple[float, float]:
    """Microseconds a request the counting middleware adds in-process, around a stand-in page: (off, on).

    No network and no other process in the way, so this does not move with the machine's load.
    """
    import asyncio

    from starlette.types import Message, Scope

    from web.app import create_app
    from web.public.measurement import CountingMiddleware, FigureCounter
    from web.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = create_app(
            Settings(
                database_url=f"sqlite:///{folder / 'cost.sqlite3'}",
                concern_public_key_file=folder / "keys" / "concerns.pub",
                console_private_key_file=folder / "keys" / "concerns.key",
                form_secret="bench",
            )
        )
    route = next(route for route in app.router.routes if getattr(route, "name", "") == "advice_page")
    headers = [(name.lower().encode(), value.encode()) for name, value in {**HEADERS, "Host": "127.0.0.1"}.items()]
    start: Message = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]}

    async def page(scope: Scope, receive: object, send: object) -> None:
        scope["route"], scope["path_params"] = route, {"lang": "en", "slug": PATH.rsplit("/", 1)[1]}
        await send(start)  # type: ignore[operator]

    async def send(message: Message) -> None:
        pass

    async def timed(middleware: CountingMiddleware) -> float:
        began = time.perf_counter()
        for n in range(requests):
            query = b"utm_source=poster&utm_campaign=essex" if n % 2 else b""
            scope = {"type": "http", "method": "GET", "headers": headers, "query_string": query, "app": app}
            await middleware(scope, None, send)  # type: ignore[arg-type]
        return (time.perf_counter() - began) / requests * 1_000_000

    bare = asyncio.run(timed(CountingMiddleware(page, counter=None)))
    counted = asyncio.run(timed(CountingMiddleware(page, counter=FigureCounter())))
    return bare, counted


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for round_number in range(args.rounds):
            order = ("off", "on") if round_number % 2 == 0 else ("on", "off")  # so drift favours neither
            for mode in order:
                result = run(mode, args.seconds, args.connections, Path(tmp))
                results[mode].append(result)
                rate, cpu_us = result["per_second"], result["cpu_us"]
                print(f"round {round_number + 1} {mode}: {rate:.0f}/s, {cpu_us:.0f} µs CPU a request", flush=True)
    load_after = os.getloadavg()[0]
    off_cost, on_cost = counting_cost()
    median = {mode: statistics.median(r["per_second"] for r in rows) for mode, rows in results.items()}
    cpu = {mode: statistics.median(r["cpu_us"] for r in rows) for mode, rows in results.items()}
    pairs = [on["per_second"] / off["per_second"] for on, off in zip(results["on"], results["off"], strict=True)]
    ratio = statistics.median(pairs)
    verdict = "within" if ratio >= 0.9 else "NOT within"
    lines = [
        "# Counting page views: throughput with counting on and off",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} {platform.system()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, by `bench/counting.py --seconds {args.seconds} "
        f"--rounds {args.rounds} --connections {args.connections}`: uvicorn with one worker, wrk with one thread and "
        f"{args.connections} connections on the same machine, {args.seconds} s a run after 3 s of warm-up, "
        f"`GET {PATH}` (every other request with `?utm_source=poster&utm_campaign=essex`) as a browser arriving "
        "from outside the site, brotli. Each round runs both modes one after the other (the order alternates); "
        "the headline is the median of the rounds' on/off ratios. "
        f"The machine is shared: load average {load_before:.1f} at the start, {load_after:.1f} at the end.",
        "",
        "| counting | requests/s (each round) | median requests/s | server CPU µs a request (median) | p50 ms | p99 ms "
        "| non-2xx |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for mode, rows in results.items():
        each = ", ".join(f"{row['per_second']:.0f}" for row in rows)
        p50 = statistics.median(row["p50_ms"] for row in rows)
        p99 = statistics.median(row["p99_ms"] for row in rows)
        errors = sum(row["errors"] for row in rows)
        lines.append(
            f"| {mode} | {each} | {median[mode]:.0f} | {cpu[mode]:.0f} | {p50:.2f} | {p99:.2f} | {errors:.0f} |"
        )
    lines += [
        "",
        f"**Throughput on/off: {ratio:.3f}** (median of the rounds: {', '.join(f'{p:.3f}' for p in pairs)}; "
        f"{verdict} the 10% budget). Ratio of the medians: {median['on'] / median['off']:.3f}. Server CPU time a "
        f"request, on/off: {cpu['on'] / cpu['off']:.3f}.",
        "",
        f"In-process, without the network or other processes: around a stand-in page, the counting middleware "
        f"takes {on_cost:.1f} µs a request with counting on and {off_cost:.1f} µs with it off. The difference, "
        f"{on_cost - off_cost:.1f} µs, is {(on_cost - off_cost) / cpu['off'] * 100:.1f}% of the {cpu['off']:.0f} µs "
        "of server CPU time a page takes.",
        "",
        "Every request was counted: views in the database after each “on” run (the last flush happens at "
        "shutdown) against the requests wrk completed, warm-up included. wrk leaves out the requests still in "
        f"flight when it stops (one a connection: up to {2 * args.connections} for the two wrk runs); the server "
        "answers and counts them.",
        "",
        "| round | requests completed | views counted |",
        "|---:|---:|---:|",
        *(f"| {n + 1} | {row['sent']:.0f} | {row['counted']:.0f} |" for n, row in enumerate(results["on"])),
        "",
        "With counting off nothing was counted: "
        + ", ".join(f"{row['counted']:.0f}" for row in results["off"])
        + " views in the database.",
    ]
    out = ROOT / "bench" / "results" / "counting.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
