"""Throughput of one advice page: the app (uvicorn, 1 worker) against nginx (1 worker) serving the static export.

    .venv/bin/python -m bench.app_vs_nginx [--seconds 8] [--connections 16]   # writes bench/results/app_vs_nginx.txt

Needs Debian's nginx and wrk (apt-get install nginx wrk). In one run it exports the site, starts both
servers on 127.0.0.1 (each pinned to CPU 0, wrk to CPU 1 when there are two), measures with wrk, and
stops them. Two requests are measured, as browsers make them: a full page (gzip, which both send:
nginx has no brotli without an extra module) and a revalidation (If-None-Match: 304). Then the figures issue 17
asks: the app's share of nginx's rate, its p99 at half its own peak, and the app with one worker a core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.server import machine, nginx, write_result, wrk
from testing.live_server import logged_site
from web.ops.export import export_site
from web.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

PAGE = "/en/myths-and-facts"
SERVER_CPU = {0}
WRK_CPU = "1" if (os.cpu_count() or 1) > 1 else "0"


def require(tool: str) -> str:
    found = shutil.which(tool) or next((p for p in (f"/usr/sbin/{tool}", f"/usr/bin/{tool}") if Path(p).exists()), None)
    if found is None:
        raise SystemExit(f"{tool} is missing: apt-get install nginx wrk (as root)")
    return found


def head(host: str, port: int, path: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return {key.lower(): value for key, value in response.getheaders()} | {"status": str(response.status)}
    finally:
        connection.close()


def pin_server(port: int) -> None:
    """Pin the process listening on `port` (and its threads) to CPU 0, away from wrk."""
    if (os.cpu_count() or 1) < 2:
        return
    found = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True, check=False)
    for pid in {int(p) for p in re.findall(r"pid=(\d+)", found.stdout)}:
        for thread in Path(f"/proc/{pid}/task").iterdir():
            os.sched_setaffinity(int(thread.name), SERVER_CPU)


def settings_in(folder: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
        concern_public_key_file=folder / "keys" / "concerns.pub",
        console_private_key_file=folder / "keys" / "concerns.key",
        form_secret_file=folder / "keys" / "form-secret",
    )


def measure(base: str, seconds: int, connections: int, *, pin: bool = True) -> dict[str, dict[str, float]]:
    host, port = base.removeprefix("http://").split(":")
    if pin:
        pin_server(int(port))
    cpu = WRK_CPU if pin else ""
    gzip = {"Accept-Encoding": "gzip"}
    etag = head(host, int(port), PAGE, gzip)["etag"]
    assert head(host, int(port), PAGE, {**gzip, "If-None-Match": etag})["status"] == "304"
    wrk(base + PAGE, 2, connections, gzip, cpu=cpu)  # warm up (the app compresses a page once, then caches it)
    return {
        "page": wrk(base + PAGE, seconds, connections, gzip, cpu=cpu),
        "304": wrk(base + PAGE, seconds, connections, {**gzip, "If-None-Match": etag}, cpu=cpu),
    }


def at_half_peak(base: str, peak: float, seconds: int, connections: int) -> dict[str, float]:
    """The full page at about half `peak` requests/s: each connection pauses before each request so that
    `connections` of them together ask for peak / 2 (wrk has no fixed-rate mode; the rate reached is reported)."""
    gzip = {"Accept-Encoding": "gzip"}
    pause = max(0.0, connections * 1000 / (peak / 2))
    return wrk(base + PAGE, seconds, connections, gzip, pause_ms=pause, cpu=WRK_CPU) | {"pause": pause}


def version(command: list[str]) -> str:
    found = subprocess.run(command, capture_output=True, text=True, check=False)
    return (found.stdout + found.stderr).strip().splitlines()[0]


def row(label: str, name: str, found: dict[str, float]) -> str:
    return (
        f"{label:<22} {name:<16} {found['rps']:>10.0f} {found['p50']:>7.2f} {found['p95']:>7.2f} {found['p99']:>7.2f}"
        f" {found['non_2xx'] + found['errors']:>6.0f} {found['load']:>6.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    start_load = os.getloadavg()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = settings_in(folder)
        export = folder / "export"
        export_site(settings, export)
        # One worker, like nginx's one: `python -m web serve` runs one a core unless WORKERS says otherwise.
        with logged_site(folder / "app", LOG_LEVEL="warning", WORKERS="1") as app:
            app_results = measure(app.url, args.seconds, args.connections)
            half = at_half_peak(app.url, app_results["page"]["rps"], args.seconds, args.connections)
        with nginx(export, folder / "nginx", ["127.0.0.1:9"]) as base:  # nothing proxied: the page is a file
            nginx_results = measure(base, args.seconds, args.connections)
        # Every core: the default (WORKERS unset: one a core), nothing pinned; wrk shares the cores with it.
        with logged_site(folder / "app-all", LOG_LEVEL="warning", WORKERS="0") as app:
            all_cores = measure(app.url, args.seconds, args.connections, pin=False)
    ratios = {request: app_results[request]["rps"] / nginx_results[request]["rps"] for request in ("page", "304")}
    lines = [
        f"{PAGE}: the app against nginx serving the static export (issue 17, must show 1)",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `.venv/bin/python -m bench.app_vs_nginx --seconds"
        f" {args.seconds} --connections {args.connections}` on {machine()}.",
        f"{version(['wrk', '-v'])}; {version([require('nginx'), '-v'])}. One worker each: both servers on 127.0.0.1"
        f" pinned to CPU 0, wrk (one thread, {args.connections} connections) on CPU {WRK_CPU}. Then the app with"
        f" WORKERS unset (one worker a core: {cores}), nothing pinned, wrk sharing the cores.",
        f"Load average (1, 5, 15 min) {' '.join(f'{v:.2f}' for v in start_load)} at the start,"
        f" {' '.join(f'{v:.2f}' for v in os.getloadavg())} at the end; each row ends with the 1-minute load as it"
        " ended. The machine was shared with other work when the load is over 2: rerun on a quiet machine.",
        "",
        f"{'request':<22} {'server':<16} {'requests/s':>10} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'failed':>6}"
        f" {'load':>6}",
    ]
    for request, label in (("page", "full page, gzip"), ("304", "revalidation, 304")):
        lines.append(row(label, "app, 1 worker", app_results[request]))
        lines.append(row(label, "nginx, 1 worker", nginx_results[request]))
        lines.append(row(label, f"app, {cores} workers", all_cores[request]))
    lines += [
        row("full page, half peak", "app, 1 worker", half),
        "",
        f"1. The app at {ratios['page']:.3f}x nginx for the full page and {ratios['304']:.3f}x for the 304"
        f" (target >= 0.10x): {'PASS' if min(ratios.values()) >= 0.10 else 'FAIL'}.",
        f"2. At half the app's peak ({half['rps']:.0f} requests/s reached of {app_results['page']['rps'] / 2:.0f}"
        f" asked: {args.connections} connections each pausing {half['pause']:.1f} ms before a request),"
        f" p99 {half['p99']:.2f} ms"
        f" (target <= 5 ms): {'PASS' if half['p99'] <= 5 else 'FAIL'}.",
        f"3. With every core ({cores} workers): {all_cores['page']['rps']:.0f} full pages/s"
        f" ({all_cores['page']['rps'] / app_results['page']['rps']:.2f}x one worker) and"
        f" {all_cores['304']['rps']:.0f} revalidations/s ({all_cores['304']['rps'] / app_results['304']['rps']:.2f}x);"
        f" on this {cores}-core machine wrk takes one of the cores the workers use.",
    ]
    write_result("app_vs_nginx.txt", lines)


if __name__ == "__main__":
    main()
