"""Pages that are the same for every reader, rendered once per version and served from memory (issue 17).

An advice page, a film, the offline pages, the toolkit's form, the sitemap and the error pages change only
when what they are made from changes: the content and films (the objects `create_app` loaded), the templates,
the settings, the language and address (the key), and what a handler names as its own version (the support
line's open/closed state, the hour's feedback token, Save-Data). `served_once` (web/shell/pages.py) renders
a page the first time it is asked for in a version, keeps its body, its hash and its compressed bodies, and
serves them with the same ETag and `304` rules as `HttpCacheMiddleware` (web/http/cache.py), which leaves
a response that carries its own ETag alone. When the version changes the page is rendered again and replaces
the old one, so a page is never served stale and each address keeps one body.

What is kept is bounded: at most `max_pages` pages and `max_bytes` bytes (bodies and compressed bodies
together), the least recently served dropped first; `RenderedPages.size()` reports both figures. Every page
of the site in every language fits many times over (tests/shell/test_rendered.py, bench/rendered_memory.py).

Templates are read once in production (`auto_reload` off); with DEBUG on, Jinja reloads a changed template
and the version includes the modification time of every template loaded, so an edit shows at once.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.templating import Jinja2Templates
from starlette.types import Receive, Scope, Send

from web.http.cache import MINIMUM_SIZE, choose_encoding, compress, etag_matches

MAX_PAGES = 4096
MAX_BYTES = 32 * 1024 * 1024
SKIPPED_HEADERS = frozenset({b"content-length"})
REMEMBER = "web.remember"  # in a request's scope: where RememberedPages (web/shell/remembered.py) is told the answer


@dataclass
class Rendered:
    """One page as rendered in one version: its body, the hash its ETag names, and its compressed bodies."""

    version: tuple[Any, ...]
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    digest: str
    debug: dict[str, Any] | None  # the template and its context, for the test client (as Starlette sends)
    compressed: dict[str, bytes] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(data) for data in self.compressed.values())


class RenderedPages:
    """Rendered pages by key, each in its latest version; bounded, the least recently served dropped first."""

    def __init__(self, max_pages: int = MAX_PAGES, max_bytes: int = MAX_BYTES) -> None:
        self.max_pages = max_pages
        self.max_bytes = max_bytes
        self.entries: OrderedDict[Hashable, Rendered] = OrderedDict()
        self.bytes = 0
        self.renders = 0  # how many times a page was rendered: a test counts them

    def page(self, key: Hashable, version: tuple[Any, ...], render: Callable[[], Response]) -> Rendered:
        entry = self.entries.get(key)
        if entry is not None and _same(entry.version, version):
            self.entries.move_to_end(key)
            return entry
        entry = _rendered(render(), version)
        self.renders += 1
        self._forget(key)
        self.entries[key] = entry
        self.bytes += entry.size
        self._bound()
        return entry

    def keep_compressed(self, key: Hashable, entry: Rendered, encoding: str, data: bytes) -> None:
        if self.entries.get(key) is entry and encoding not in entry.compressed:
            entry.compressed[encoding] = data
            self.bytes += len(data)
            self._bound()

    def size(self) -> tuple[int, int]:
        """How many pages are kept, and how many bytes their bodies and compressed bodies take."""
        return len(self.entries), self.bytes

    def _forget(self, key: Hashable) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size

    def _bound(self) -> None:
        while self.entries and (len(self.entries) > self.max_pages or self.bytes > self.max_bytes):
            _, old = self.entries.popitem(last=False)
            self.bytes -= old.size


def _same(kept: tuple[Any, ...], asked: tuple[Any, ...]) -> bool:
    # Loaded objects (the content, the films, the templates) by identity: a test or a reload that replaces
    # one replaces the version, and the entry holds the old one, so its identity cannot be reused.
    return len(kept) == len(asked) and all(a is b or a == b for a, b in zip(kept, asked, strict=True))


def _rendered(response: Response, version: tuple[Any, ...]) -> Rendered:
    body = bytes(response.body)
    template = getattr(response, "template", None)
    # For the test client, which reads a page's template and context: without the request that rendered it
    # first, whose address and headers would otherwise be kept in memory as long as the page.
    context = {name: value for name, value in getattr(response, "context", {}).items() if name != "request"}
    debug = {"template": template, "context": context} if template is not None else None
    headers = [(name, value) for name, value in response.raw_headers if name not in SKIPPED_HEADERS]
    digest = hashlib.sha256(body).hexdigest()[:20]
    return Rendered(version, response.status_code, headers, body, digest, debug)


def template_version(templates: Jinja2Templates) -> tuple[tuple[str, int], ...]:
    """With `auto_reload` (DEBUG), when each template loaded so far was last changed; else nothing: the
    templates are read once, at start-up, like the content."""
    environment = templates.env
    if not environment.auto_reload or environment.cache is None:
        return ()
    files = {template.filename for template in environment.cache.values() if template.filename}
    return tuple(sorted((name, os.stat(name).st_mtime_ns) for name in files if os.path.exists(name)))


class RenderedResponse(Response):
    """A kept page, negotiated like HttpCacheMiddleware does: ETag and 304 (for a 200), brotli or gzip.

    When the request came through `RememberedPages` (web/shell/remembered.py) and the page may be
    remembered there (`remember`), the answer is handed to it, to be sent again to the next request that
    asks the same."""

    def __init__(
        self, pages: RenderedPages, key: Hashable, entry: Rendered, headers: Mapping[str, str], *, remember: bool
    ) -> None:
        self.pages, self.key, self.entry = pages, key, entry
        self.status_code = entry.status
        self.background = None
        self.body = entry.body
        self.extra = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
        self.raw_headers = [*entry.headers, *self.extra]
        self.remember = remember and entry.status == 200 and not headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        remembering = scope.get(REMEMBER)
        if remembering is not None and self.remember:
            remembering.append((self, scope.get("route"), scope.get("path_params", {})))
        await self.send_to(scope, send)

    async def send_to(self, scope: Scope, send: Send) -> None:
        entry = self.entry
        request = Headers(scope=scope)
        headers = [*entry.headers, *self.extra, (b"vary", b"Accept-Encoding")]
        if not any(name == b"cache-control" for name, _ in headers):
            headers.append((b"cache-control", b"no-cache"))
        encoding = choose_encoding(request.get("accept-encoding", "")) if len(entry.body) >= MINIMUM_SIZE else None
        if entry.status == 200:
            etag = f'"{entry.digest}-{encoding}"' if encoding else f'"{entry.digest}"'
            headers.append((b"etag", etag.encode()))
            if etag_matches(request.get("if-none-match", ""), entry.digest):
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
        body = entry.body
        if encoding:
            body = entry.compressed.get(encoding) or await self._compress(encoding)
            headers.append((b"content-encoding", encoding.encode()))
        headers.append((b"content-length", str(len(body)).encode()))
        if entry.debug is not None and "http.response.debug" in scope.get("extensions", {}):
            await send({"type": "http.response.debug", "info": entry.debug})
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _compress(self, encoding: str) -> bytes:
        # Hard (brotli 11), once per version, in a worker thread: tens of milliseconds the event loop keeps.
        data = await run_in_threadpool(compress, self.entry.body, encoding, kept=True)
        self.pages.keep_compressed(self.key, self.entry, encoding, data)
        return data
