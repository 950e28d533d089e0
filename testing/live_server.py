"""The real site, `python -m web serve`, on a free port: for the browser tests and the benchmarks.

Every site a test or a benchmark starts gets its environment from `site_environment`: its own database,
keys and form secret in a folder of its own, on 127.0.0.1. `live_server` gives its address; `logged_site`
also keeps its log (the access log names each request, with nothing personal in it) for a test to read.
"""

from __future__ import annotations

import http.server
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVE = [sys.executable, "-m", "web", "serve"]
ACCESS_LINE = re.compile(r"web\.access (\w+) (\S+) (\d{3})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def site_environment(directory: Path, port: int, **overrides: str) -> dict[str, str]:
    """The environment of a site started here: the database and keys in `directory`, served on `port`."""
    base_url = f"http://127.0.0.1:{port}"
    return {
        **os.environ,
        "ENVIRONMENT": "development",  # keys and the form secret made in `directory` when missing
        "WORKERS": "1",  # one process, as the tests and benchmarks measure it
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_BASE_URL": base_url,
        "DATABASE_URL": f"sqlite:///{directory / 'site.sqlite3'}",
        "CONCERN_PUBLIC_KEY_FILE": str(directory / "keys" / "concerns.pub"),
        "CONSOLE_PRIVATE_KEY_FILE": str(directory / "keys" / "concerns.key"),
        "FORM_SECRET_FILE": str(directory / "keys" / "form-secret"),
        "LOG_LEVEL": "warning",
        **overrides,
    }


@dataclass
class Site:
    """A running site and its log."""

    url: str
    log: Path

    def log_mark(self) -> int:
        return len(self.log.read_text().splitlines())

    def requests_since(self, mark: int) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request that reached the server, from its access log."""
        lines = self.log.read_text().splitlines()[mark:]
        return [(m[1], m[2], int(m[3])) for line in lines if (m := ACCESS_LINE.search(line))]

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            body: bytes = response.read()
            return body


@contextmanager
def live_server(directory: Path, **environment: str) -> Iterator[str]:
    """`python -m web serve` on a free port; its address; stopped when the block ends."""
    with logged_site(directory, None, **environment) as site:
        yield site.url


@contextmanager
def logged_site(directory: Path, port: int | None = None, **environment: str) -> Iterator[Site]:
    """The site on a free port (or `port`), its output in a log file in `directory`; stopped at the end."""
    port = port or free_port()
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / f"site-{time.monotonic_ns()}.log"
    env = site_environment(directory, port, **environment)
    with log.open("w") as output:
        process = subprocess.Popen(SERVE, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(env["PUBLIC_BASE_URL"], process, log=str(log))
        yield Site(env["PUBLIC_BASE_URL"], log)
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], *, seconds: float = 30, log: str = "") -> None:
    """Until the site's /healthz answers 200; fails at once if the process exits. `log`: where to look."""
    see = f"; see {log}" if log else ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the site exited with status {process.returncode} before it was ready{see}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the site did not answer {base_url}/healthz within {seconds:.0f} seconds{see}")


@contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A small HTTP server of a test's own on a free port of 127.0.0.1, in a thread; its address."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def neutral_site() -> Iterator[str]:
    """A stand-in for the neutral site "Exit this page" leaves for (the real one is not reachable here)."""

    class Weather(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!DOCTYPE html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Weather) as url:
        # Another host name than the site's (127.0.0.1): leaving is a cross-site navigation, as for real.
        yield url.replace("127.0.0.1", "localhost") + "/weather"
