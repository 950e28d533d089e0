"""A proxy in front of the live site that can hold back the answer to one address: a slow network for
one request, so a test can see what the service worker does when a response lands late. It can also change
the answers for one address (`rewrite`): the server publishing other advice while the browser's service
worker stays the same version (one instance upgraded before another).

The proxy passes the browser's Host header on unchanged, so the site sees the proxy's origin (as it
would a reverse proxy's) and its same-origin checks hold.
"""

from __future__ import annotations

import http.client
import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from testing.live_server import serving

REWRITTEN_AWAY = {"accept-encoding", "if-none-match"}  # a body to rewrite: whole and uncompressed
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}


class SlowProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.url = ""
        self._held: dict[str, tuple[float, threading.Event]] = {}
        self._rewrites: dict[str, list[tuple[bytes, bytes]]] = {}
        self._lock = threading.Lock()

    def rewrite(self, path: str, *replacements: tuple[bytes, bytes]) -> None:
        """From now on, answer `path` with each (old, new) replaced in its body (asked for uncompressed)."""
        with self._lock:
            self._rewrites[path] = list(replacements)

    def hold(self, path: str, seconds: float) -> threading.Event:
        """Answer the next request for `path` `seconds` late; the event is set once that answer is sent."""
        landed = threading.Event()
        with self._lock:
            self._held[path] = (seconds, landed)
        return landed

    def _take(self, path: str) -> tuple[float, threading.Event] | None:
        with self._lock:
            return self._held.pop(path, None)

    def forward(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        path = urlsplit(handler.path).path
        held = self._take(path)
        with self._lock:
            rewrites = self._rewrites.get(path)
        connection = http.client.HTTPConnection(self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=60)
        try:
            connection.putrequest(handler.command, handler.path, skip_host=True, skip_accept_encoding=True)
            for name, value in handler.headers.items():
                if name.lower() not in HOP_BY_HOP and not (rewrites and name.lower() in REWRITTEN_AWAY):
                    connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            content = response.read()
            headers = [(name, value) for name, value in response.getheaders() if name.lower() not in HOP_BY_HOP]
            for old, new in rewrites or ():
                content = content.replace(old, new)
        finally:
            connection.close()
        if held:
            time.sleep(held[0])
        try:
            handler.send_response(response.status, response.reason)
            for name, value in headers:
                if name.lower() != "content-length":
                    handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(content)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(content)
            handler.wfile.flush()
        except OSError:  # the browser stopped waiting (a fetch aborted): the answer lands nowhere
            handler.close_connection = True
        finally:
            if held:
                held[1].set()


@contextmanager
def slow_proxy(upstream: str) -> Iterator[SlowProxy]:
    """A proxy to `upstream` on a free port of 127.0.0.1, stopped when the block ends."""
    proxy = SlowProxy(upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            proxy.forward(self)

        do_POST = do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        proxy.url = url
        yield proxy
