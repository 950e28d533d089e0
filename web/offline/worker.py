"""The service worker's build: its version, its precache list and the savable pages, all derived from the
site itself when it starts serving (on first use, once per process), never written by hand.

Its version (and so its cache names) is a hash of the built assets' manifest, every content page's
revision, the templates and translations; its precache list is the page shell's assets as the offline
page actually links them, plus each language's offline page and pages.json. Page sizes are the brotli
size of each page as the site sends it. The worker's strategy table is in service_worker/README.md; the
decision in docs/adr/0006-offline.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import dataclass

import brotli
from starlette.applications import Starlette
from starlette.types import Message

from web.content import ContentLibrary
from web.settings import ROOT
from web.shell.critical import STYLES_HEADER
from web.shell.navigation import page_url
from web.shell.site import site_of_app

WORKER_SOURCE = ROOT / "service_worker" / "sw.js"
CONFIG_PLACEHOLDER = re.compile(r"/\* CONFIG \*/ \{[^\n]*\}")
# Pages with forms or per-visitor answers: never stored by the worker, always served by the app.
FORM_PATHS = ("/share-a-concern", "/search", "/toolkit")
# Never seen by the worker at all: leaving, health checks and the worker itself.
BYPASS_PATHS = ("/exit", "/healthz", "/sw.js")
NETWORK_TIMEOUT_MS = 3000
_ASSET_LINK = re.compile(r'(?:href|src)="(/assets/[^"]+)"')
_VERSION_INPUTS = ("templates/**/*.html", "web/translations/*/LC_MESSAGES/*.po", "service_worker/sw.js")


@dataclass(frozen=True)
class SavablePage:
    url: str
    title: str
    size: int  # bytes of the page's HTML, brotli-compressed, as the site sends it


@dataclass(frozen=True)
class ServiceWorker:
    version: str
    precache: tuple[str, ...]
    shell_pages: tuple[str, ...]
    script: bytes


def offline_paths(lang: str) -> tuple[str, str]:
    return f"/{lang}/offline", f"/{lang}/offline/saved"


def pages_json_path(lang: str) -> str:
    return f"/{lang}/offline/pages.json"


def content_version(library: ContentLibrary, asset_manifest: dict[str, str]) -> str:
    digest = hashlib.sha256(json.dumps(asset_manifest, sort_keys=True).encode())
    for page in library:
        digest.update(f"\n{page.lang}/{page.slug}@{page.revision}".encode())
    for pattern in _VERSION_INPUTS:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(f"\n{path.relative_to(ROOT)}:".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


async def _render(app: Starlette, path: str) -> bytes:
    """A page as the router renders it for the worker, which saves it (linking the stylesheet it keeps, not
    with the CSS inline: web/shell/critical.py), without going over HTTP (and without the access log)."""
    styles = site_of_app(app).assets.manifest["app.css"].encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"localhost"), (STYLES_HEADER.lower().encode(), styles)],
        "client": None,
        "server": ("localhost", 80),
        "app": app,
        "state": {},
    }
    chunks: list[bytes] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] != 200:
            raise RuntimeError(f"{path} answered {message['status']} while building the offline catalogue")
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app.router(scope, receive, send)
    return b"".join(chunks)


async def build_worker(app: Starlette) -> ServiceWorker:
    site = site_of_app(app)
    library = site.library
    version = content_version(library, site.assets.manifest)
    english_offline = offline_paths(library.languages[0])[0]
    shell_assets = sorted(set(_ASSET_LINK.findall((await _render(app, english_offline)).decode())))
    offline_pages = [path for lang in library.languages for path in (offline_paths(lang)[0], pages_json_path(lang))]
    precache = (*shell_assets, *offline_pages)
    shell_pages = tuple(path for lang in library.languages for path in offline_paths(lang))
    config = {
        "version": version,
        "precache": precache,
        "shellPages": shell_pages,
        "languages": list(library.languages),
        "formPaths": list(FORM_PATHS),
        "bypass": list(BYPASS_PATHS),
        "timeout": NETWORK_TIMEOUT_MS,
    }
    source = WORKER_SOURCE.read_text(encoding="utf-8")
    script, replaced = CONFIG_PLACEHOLDER.subn(lambda _: json.dumps(config, separators=(",", ":")), source, count=1)
    if replaced != 1:
        raise RuntimeError(f"{WORKER_SOURCE} has no `/* CONFIG */ {{...}}` line to fill in")
    return ServiceWorker(version, precache, shell_pages, script.encode())


async def build_savable_pages(app: Starlette) -> dict[str, tuple[SavablePage, ...]]:
    library = site_of_app(app).library
    rendered = [(page, await _render(app, page_url(page.lang, page.slug))) for page in library]
    # Brotli at quality 11, as web/http/cache.py sends pages: about 15 ms a page, so off the event loop.
    sizes = await asyncio.to_thread(lambda: [len(brotli.compress(body, quality=11)) for _, body in rendered])
    return {
        lang: tuple(
            SavablePage(page_url(page.lang, page.slug), page.title, size)
            for (page, _), size in zip(rendered, sizes, strict=True)
            if page.lang == lang
        )
        for lang in library.languages
    }


@dataclass
class OfflineBuild:
    """The worker and the savable pages, each built on first use and then kept for the process."""

    worker: ServiceWorker | None = None
    pages: dict[str, tuple[SavablePage, ...]] | None = None
    lock: asyncio.Lock | None = None

    async def service_worker(self, app: Starlette) -> ServiceWorker:
        async with self._lock():
            if self.worker is None:
                self.worker = await build_worker(app)
            return self.worker

    async def savable_pages(self, app: Starlette) -> dict[str, tuple[SavablePage, ...]]:
        async with self._lock():
            if self.pages is None:
                self.pages = await build_savable_pages(app)
            return self.pages

    def _lock(self) -> asyncio.Lock:
        if self.lock is None:  # made in the event loop that uses it
            self.lock = asyncio.Lock()
        return self.lock
