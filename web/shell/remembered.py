"""Pages served from memory, answered in front of the middleware (issue 17).

A page the same for every reader is rendered once per version and kept (web/shell/rendered.py), but each
request for it still went through the nine middleware layers and the router, each a Python call with its
own wrapper around `send`: three quarters of the time the app spent on an advice page. `RememberedPages`
sits in front of them. When the app has served a kept page (a 200 from `served_once`), it remembers which
page answered which request, and answers the next request that asks the same, from the same kept page,
doing itself what the layers behind it would have done to that answer:

- the ETag, `304` and brotli or gzip: the kept page's own `RenderedResponse`, as the router's handler sent it;
- the security headers (web/http/security_headers.py) and the page view's count (web/public/measurement.py,
  the same `PageViews` object as the counting middleware);
- the access log's line (web/http/access_log.py).

The other layers have nothing to do for such a request, which is why only these are remembered: a GET,
with no query string (the Let's Talk About It notice, a campaign's tags and the body limit's repair of a
query all read it), no body (`Content-Length`, `Transfer-Encoding`: the body limit), never a HEAD. The
redirect layers answer by the path and the Host header: an address that was a page stays one, and the
Host is part of what is remembered.

"Asks the same" is what the page's own `Vary` says it depends on, besides `Accept-Encoding` (negotiated
again for each request): the headers it names (`X-Cached-Styles`, `Sec-Fetch-Site`, `Save-Data`) and the
Host, each as sent; a request that sends one of them twice goes the long way. Only answers to requests for
the site's own public host (PUBLIC_BASE_URL's, on any port) are remembered. And a remembered answer is
used only while it is still the one the app would give:

- the site is the same object (`create_app` made it; a test that changes a part replaces it whole);
- the kept page is still the latest version of itself (`RenderedPages` replaces or drops it otherwise);
- the clock's part of a version, `clock` (the support line open or closed, the hour's feedback token),
  has not changed. `served_once` remembers only pages whose version is the clock's part or nothing
  (`remember=False` otherwise, and while DEBUG reloads templates).

Any other request, and any request whose answer is not remembered, goes the long way as before, and an
answer it gets from a kept page is remembered then. What is remembered is bounded (`max_paths` addresses,
all forgotten when full; `max_variants` each, the oldest forgotten first; keys of at most MAX_KEY_BYTES),
holds no request's data but the headers named above, and lets go of a page as soon as it is no longer the
one the app keeps (replaced by a new version, or dropped at RenderedPages' bound).
tests/shell/test_remembered.py checks that both ways give the same status, headers, body, count and log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.http.access_log import log_request
from web.http.security_headers import security_headers, with_security_headers
from web.shell.rendered import REMEMBER, RenderedResponse
from web.shell.site import Site, site_of_app

BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})
NEGOTIATED = b"accept-encoding"
MAX_PATHS = 4096
MAX_VARIANTS = 16
MAX_KEY_BYTES = 512  # of the headers an answer is remembered by: a longer Host or header goes the long way

Clock = Callable[[Site], Hashable]
Count = Callable[[Scope, Message], None]


@dataclass(frozen=True)
class Remembered:
    """A kept page's answer to one variant of one address, and what it was served under."""

    response: RenderedResponse
    site: Site
    clock: Hashable
    route: Any
    path_params: dict[str, Any]
    security: list[tuple[bytes, bytes]]  # the security headers the page does not set itself

    def kept(self) -> bool:
        """Whether its page is still the latest version RenderedPages keeps."""
        response = self.response
        return response.pages.entries.get(response.key) is response.entry

    def current(self, site: Site, clock: Clock) -> bool:
        return site is self.site and self.kept() and clock(site) == self.clock


class RememberedPages:
    def __init__(
        self,
        app: ASGIApp,
        *,
        clock: Clock,
        count: Count | None,
        https: bool,
        public_base_url: str,
        max_paths: int = MAX_PATHS,
        max_variants: int = MAX_VARIANTS,
    ) -> None:
        self.app = app
        self.clock = clock
        self.count = count
        self.security = security_headers(https=https)
        address = urlsplit(public_base_url)
        netloc = address.netloc.lower()  # "actearly.example", "127.0.0.1:8000", "[::1]:8000"
        self.public_hosts = frozenset({netloc, netloc.removesuffix(f":{address.port}")})
        self.max_paths = max_paths
        self.max_variants = max_variants
        # path -> (the request headers its answers vary on, and Host; answers by those headers' values)
        self.paths: dict[str, tuple[tuple[bytes, ...], dict[tuple[bytes, ...], Remembered]]] = {}
        self.served = 0  # requests answered here: a test counts them

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("query_string"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        site = site_of_app(scope["app"])
        found = self.paths.get(scope["path"])
        if found is not None:
            names, variants = found
            values = _values(scope["headers"], names)
            if values is not None and (remembered := variants.get(values)) is not None:
                if remembered.current(site, self.clock):
                    if await self._answer(remembered, scope, send, started):
                        self.served += 1
                        return
                else:
                    del variants[values]  # not the page the app would send now: forgotten, with what it holds
        await self._the_long_way(scope, receive, send, site)

    async def _answer(self, remembered: Remembered, scope: Scope, send: Send, started: float) -> bool:
        """What the layers behind would have sent: the kept page, counted, with the security headers, logged.
        False, with nothing sent, when it failed before its first message: the long way answers then, with the
        site's own error page if it fails there too."""
        scope["route"], scope["path_params"] = remembered.route, remembered.path_params
        status: int | None = None

        async def finishing(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if self.count is not None:
                    self.count(scope, message)
                message["headers"] = [*message["headers"], *remembered.security]
            await send(message)

        try:
            await remembered.response.send_to(scope, finishing)
        except Exception:
            if status is None:
                return False
            log_request(scope, status, started)
            raise
        log_request(scope, status or 500, started)
        return True

    async def _the_long_way(self, scope: Scope, receive: Receive, send: Send, site: Site) -> None:
        clock = self.clock(site)  # before the page is made: a version that changes meanwhile is not kept
        told: list[tuple[RenderedResponse, Any, dict[str, Any]]] = []
        scope[REMEMBER] = told
        await self.app(scope, receive, send)
        if len(told) != 1:
            return
        response, route, path_params = told[0]
        names = _vary(response)
        values = _values(scope["headers"], names)
        if values is None or sum(map(len, values)) > MAX_KEY_BYTES or not self._ours(values[names.index(b"host")]):
            return
        known = self.paths.get(scope["path"])
        if known is None or known[0] != names:
            if len(self.paths) >= self.max_paths:
                self.paths.clear()
            known = self.paths[scope["path"]] = (names, {})
        variants = known[1]
        variants.pop(values, None)
        for stale in [key for key, old in variants.items() if not old.kept()]:
            del variants[stale]  # replaced in RenderedPages: the old body is not held here either
        while len(variants) >= self.max_variants:
            del variants[next(iter(variants))]  # the least recently remembered
        security = with_security_headers(response.raw_headers, self.security)[len(response.raw_headers) :]
        variants[values] = Remembered(response, site, clock, route, dict(path_params), security)

    def _ours(self, host: bytes) -> bool:
        """Whether `host` (a Host header) is the site's public address (PUBLIC_BASE_URL's host, with or without
        its port): any other is sent the long way, so that made-up names cannot push the readers' answers out."""
        return host.decode("latin-1").lower() in self.public_hosts


def _vary(response: RenderedResponse) -> tuple[bytes, ...]:
    """The request headers the page's answer depends on: those its Vary names, but Accept-Encoding, and Host."""
    named = {b"host"}
    for name, value in response.raw_headers:
        if name == b"vary":
            named.update(part.strip().lower().encode("latin-1") for part in value.decode("latin-1").split(","))
    named.discard(NEGOTIATED)
    named.discard(b"")
    return tuple(sorted(named))


def _values(headers: list[tuple[bytes, bytes]], names: tuple[bytes, ...]) -> tuple[bytes, ...] | None:
    """The values of `names` in the request's headers ("" when absent), in order; None when the request has
    a body or names one of them twice: such a request goes the long way."""
    found: dict[bytes, bytes] = {}
    for name, value in headers:
        if name in BODY_HEADERS:
            return None
        if name in names:
            if name in found:
                return None
            found[name] = value
    return tuple(found.get(name, b"") for name in names)
