"""The real site, served by uvicorn on a free port, for the browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(database_dir: Path, **environment: str) -> Iterator[str]:
    """Start `python -m web serve` on a free port; stop it when the block ends."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_BASE_URL": base_url,
        "DATABASE_URL": f"sqlite:///{database_dir / 'live.sqlite3'}",
        "CONCERN_PUBLIC_KEY_FILE": str(database_dir / "keys" / "concerns.pub"),
        "CONSOLE_PRIVATE_KEY_FILE": str(database_dir / "keys" / "concerns.key"),
        "FORM_SECRET_FILE": str(database_dir / "keys" / "form-secret"),
        "LOG_LEVEL": "warning",
        **environment,
    }
    process = subprocess.Popen([sys.executable, "-m", "web", "serve"], cwd=ROOT, env=env)
    try:
        wait_until_healthy(base_url, process)
        yield base_url
    finally:
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
def neutral_site() -> Iterator[str]:
    """A stand-in for the neutral site "Exit this page" leaves for (the real one is not reachable here)."""
    import http.server
    import threading

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

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Weather)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/weather"
    finally:
        server.shutdown()
        server.server_close()
