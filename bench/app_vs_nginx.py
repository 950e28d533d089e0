"""Throughput of one advice page: the app (uvicorn, 1 worker) against nginx (1 worker) serving the static export.

    .venv/bin/python -m bench.app_vs_nginx [--seconds 10] [--connections 16]   # writes bench/results/app-vs-nginx.md

Needs Debian's nginx and wrk (apt-get install nginx wrk). In one run it exports the site, starts both
servers on 127.0.0.1 (each pinned to CPU 0, wrk to CPU 1 when there are two), measures with wrk, and
stops them. Two requests are measured, as browsers make them: a full page (gzip, which both send:
nginx has no brotli without an extra module) and a revalidation (If-None-Match: 304).
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
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.two_g import machine
from testing.live_server import free_port, logged_site
from web.ops.export import export_site, standalone_nginx_config
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


@contextmanager
def nginx(export: Path, work: Path) -> Iterator[str]:
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    config = standalone_nginx_config(export, work, listen=f"127.0.0.1:{port}", upstream="127.0.0.1:9")
    (work / "nginx.conf").write_text(config)
    process = subprocess.Popen([require("nginx"), "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    try:
        wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            head("127.0.0.1", port, "/")
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port}")


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


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str]) -> dict[str, float]:
    flags = [item for name, value in headers.items() for item in ("-H", f"{name}: {value}")]
    command = ["taskset", "-c", WRK_CPU, require("wrk"), "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    output = subprocess.run([*command, *flags, url], capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)$", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)$", output, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if not (rate and p50 and p99) or errors:
        raise RuntimeError(f"wrk said:\n{output}")
    return {"rps": float(rate[1]), "p50": milliseconds(p50), "p99": milliseconds(p99)}


def milliseconds(found: re.Match[str]) -> float:
    return float(found[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found[2]]


def settings_in(folder: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
        concern_public_key_file=folder / "keys" / "concerns.pub",
        console_private_key_file=folder / "keys" / "concerns.key",
        form_secret_file=folder / "keys" / "form-secret",
    )


def measure(base: str, seconds: int, connections: int) -> dict[str, dict[str, float]]:
    host, port = base.removeprefix("http://").split(":")
    pin_server(int(port))
    gzip = {"Accept-Encoding": "gzip"}
    etag = head(host, int(port), PAGE, gzip)["etag"]
    assert head(host, int(port), PAGE, {**gzip, "If-None-Match": etag})["status"] == "304"
    wrk(base + PAGE, 2, connections, gzip)  # warm up (the app compresses a page once, then caches it)
    return {
        "page": wrk(base + PAGE, seconds, connections, gzip),
        "304": wrk(base + PAGE, seconds, connections, {**gzip, "If-None-Match": etag}),
    }


def version(command: list[str]) -> str:
    found = subprocess.run(command, capture_output=True, text=True, check=False)
    return (found.stdout + found.stderr).strip().splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = settings_in(folder)
        export = folder / "export"
        export_site(settings, export)
        # One worker, like nginx's one: `python -m web serve` runs one a core unless WORKERS says otherwise.
        with logged_site(folder / "app", LOG_LEVEL="warning", WORKERS="1") as app:
            app_results = measure(app.url, args.seconds, args.connections)
        with nginx(export, folder / "nginx") as base:
            nginx_results = measure(base, args.seconds, args.connections)
    lines = [
        f"# {PAGE}: the app against nginx serving the static export",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `bench/app_vs_nginx.py` on {machine()}.",
        f"{version(['wrk', '-v'])}; {version([require('nginx'), '-v'])}; uvicorn with 1 worker. Both servers on"
        f" 127.0.0.1 pinned to CPU 0, wrk on CPU {WRK_CPU}: `wrk -t1 -c{args.connections} -d{args.seconds}s`.",
        "",
        "| request | server | requests/s | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|",
    ]
    for request, label in (("page", "full page, gzip"), ("304", "revalidation, 304")):
        for name, results in (("app", app_results), ("nginx", nginx_results)):
            row = results[request]
            lines.append(f"| {label} | {name} | {row['rps']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} |")
    ratios = {request: nginx_results[request]["rps"] / app_results[request]["rps"] for request in ("page", "304")}
    lines += [
        "",
        f"nginx serves {ratios['page']:.1f}× the app's requests per second for the full page and"
        f" {ratios['304']:.1f}× for revalidations.",
    ]
    out = ROOT / "bench" / "results" / "app-vs-nginx.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
