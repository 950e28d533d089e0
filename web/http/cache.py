"""ETags, `304 Not Modified` and compression for the pages the app renders.

Pages are small, so each one is buffered, hashed and compressed once per distinct body
(compressed bodies are kept in a small LRU cache keyed by the body's hash).
Assets are not handled here: they are precompressed at build time (see `assets.py`).

A body kept (and sent again) is compressed hard, once: brotli 11. One sent once and never stored
(`Cache-Control: no-store`: search answers, the forms) is compressed cheaply, on the event loop at each
request. At brotli 11 a search page took 25.7 ms of CPU (median) against 5.3 ms sent as it is; at brotli 5,
5.1 ms against 4.4 ms, for 11 % more bytes than at 11 and fewer than gzip (bench/search_compression.py).
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from functools import cache

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMPRESSIBLE_TYPES = ("text/html", "text/plain", "application/xml", "application/json", "text/xml")
MINIMUM_SIZE = 512
KEPT_LEVELS = {"br": 11, "gzip": 9}  # compressed once, sent many times
SENT_ONCE_LEVELS = {"br": 5, "gzip": 6}  # compressed for one answer, on the event loop


def compress(body: bytes, encoding: str, *, kept: bool) -> bytes:
    """`body` in `encoding` ("br" or "gzip"): hard when the result is kept and sent again, cheaply when not."""
    level = (KEPT_LEVELS if kept else SENT_ONCE_LEVELS)[encoding]
    if encoding == "br":
        compressed: bytes = brotli.compress(body, quality=level)
        return compressed
    return gzip.compress(body, compresslevel=level, mtime=0)


class CompressedCache:
    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    def get(self, digest: str, encoding: str, body: bytes, *, store: bool = True) -> bytes:
        key = (digest, encoding)
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        data = compress(body, encoding, kept=store)
        if not store:
            return data
        self.entries[key] = data
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return data


def choose_encoding(accept_encoding: str) -> str | None:
    """brotli, else gzip, when the client accepts it: named without `q=0` (`br;q=0` refuses brotli)."""
    if ";" in accept_encoding:
        offered = {name for name, weight in map(_weighted, accept_encoding.split(",")) if weight > 0}
    else:  # as browsers send it ("gzip, deflate, br, zstd"): no weights to read, at every request
        offered = {part.strip().lower() for part in accept_encoding.split(",")}
    if "br" in offered:
        return "br"
    if "gzip" in offered:
        return "gzip"
    return None


def _weighted(part: str) -> tuple[str, float]:
    """One coding of an Accept-Encoding header and its weight: "gzip;q=0.5" is ("gzip", 0.5); a weight that is
    not a number counts as 0."""
    name, *parameters = part.split(";")
    weight = 1.0
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                weight = 0.0
    return name.strip().lower(), weight


def etag_matches(if_none_match: str, etag: str) -> bool:
    bare = etag.strip('"')
    for candidate in if_none_match.split(","):
        value = candidate.strip().removeprefix("W/").strip('"')
        if value == "*" or value.split("-")[0] == bare:
            return True
    return False


class HttpCacheMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cache = CompressedCache()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def buffer(message: Message) -> None:
            nonlocal start, passthrough
            if message["type"] not in ("http.response.start", "http.response.body"):
                await send(message)  # e.g. the test client's template debug message
                return
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                # A page served from memory (web/shell/rendered.py) comes negotiated already, with its ETag.
                cacheable = message["status"] == 200 and "content-encoding" not in headers and "etag" not in headers
                typed = headers.get("content-type", "").startswith(COMPRESSIBLE_TYPES)
                passthrough = not (cacheable and typed)
                if passthrough:
                    await send(message)
                else:
                    start = message
                return
            if passthrough:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                assert start is not None
                await self._respond(start, b"".join(chunks), request_headers, send)

        await self.app(scope, receive, buffer)

    async def _respond(self, start: Message, body: bytes, request: Headers, send: Send) -> None:
        headers = MutableHeaders(raw=list(start["headers"]))
        digest = hashlib.sha256(body).hexdigest()[:20]
        encoding = choose_encoding(request.get("accept-encoding", "")) if len(body) >= MINIMUM_SIZE else None
        headers.append("vary", "Accept-Encoding")
        if "cache-control" not in headers:
            headers["cache-control"] = "no-cache"
        private = "no-store" in headers.get("cache-control", "")
        if not private:  # nothing kept, nothing to revalidate: no ETag and never a 304 (If-None-Match: * too)
            headers["etag"] = f'"{digest}-{encoding}"' if encoding else f'"{digest}"'
        if not private and etag_matches(request.get("if-none-match", ""), digest):
            del headers["content-length"]
            await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
            await send({"type": "http.response.body", "body": b""})
            return
        if encoding:
            body = self.cache.get(digest, encoding, body, store=not private)
            headers["content-encoding"] = encoding
        headers["content-length"] = str(len(body))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})


def negotiated(
    request: Request, body: bytes, media_type: str, cache_control: str, *, compress: bool = True
) -> Response:
    """ETag, 304 and brotli/gzip for a body the app makes whole, outside HttpCacheMiddleware (scripts,
    manifests, images): the same rules, by the same helpers."""
    digest = hashlib.sha256(body).hexdigest()[:20]
    encoding = (
        choose_encoding(request.headers.get("accept-encoding", "")) if compress and len(body) >= MINIMUM_SIZE else None
    )
    headers = {
        "Cache-Control": cache_control,
        "ETag": f'"{digest}-{encoding}"' if encoding else f'"{digest}"',
        "Vary": "Accept-Encoding",
    }
    if etag_matches(request.headers.get("if-none-match", ""), digest):
        return Response(status_code=304, headers=headers)
    if encoding:
        headers["Content-Encoding"] = encoding
        body = _compressed_once(body, encoding)
    return Response(body, media_type=media_type, headers=headers)


@cache
def _compressed_once(body: bytes, encoding: str) -> bytes:
    return compress(body, encoding, kept=True)
