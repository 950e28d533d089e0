"""A real nginx in front of the site, with the example configuration `python -m web export` writes.

`nginx_in_front` runs Debian's nginx in the foreground on a free port of 127.0.0.1 (one worker, every file it
writes in a folder of the test's own), proxying to an app already running at `upstream`, and stops it when
the block ends. `request_from` sends one request from a chosen loopback address (127.0.0.2 and up are all
this machine's), so a test can be many clients at once.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from testing.live_server import free_port
from web.ops.export import standalone_nginx_config


def nginx_binary() -> str | None:
    """Debian's nginx (in /usr/sbin, often off a user's PATH), or None when it is not installed."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@contextmanager
def nginx_in_front(root: Path, upstream: str, work: Path, *, https: bool = False) -> Iterator[int]:
    """nginx serving `root` (an export, or an empty folder to proxy everything) in front of `upstream`; its port."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    config = standalone_nginx_config(root, work, listen=f"127.0.0.1:{port}", upstream=upstream, https=https)
    (work / "nginx.conf").write_text(config)
    process = subprocess.Popen([binary, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    try:
        _wait_for(port, process, work / "error.log")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(port: int, process: subprocess.Popen[bytes], error_log: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited: {error_log.read_text() if error_log.exists() else ''}") from None
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on 127.0.0.1:{port} within {seconds:.0f} seconds")


def request_from(
    source: str,
    port: int,
    method: str,
    path: str,
    *,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, str]:
    """One request to 127.0.0.1:`port` from the loopback address `source`: its status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    sent = dict(headers or {})
    body = None
    if form is not None:
        body = urlencode(form)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()
