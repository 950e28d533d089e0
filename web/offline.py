"""Offline and low bandwidth: the service worker, the offline pages, the web app manifest and its icons.

Everything the worker needs is derived when the site starts serving (on first use, once per
process), never written by hand: its version (and so its cache names) is a hash of the built assets'
manifest, every content page's revision, the templates and translations; its precache list is the
page shell's assets as the offline page actually links them, plus each language's offline page and
pages.json. Page sizes are the brotli size of each page as the site sends it. The worker's strategy
table is in service_worker/README.md; the decision in docs/adr/0006-offline.md.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import brotli
from PIL import Image, ImageDraw
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message

from web.assets import IMMUTABLE
from web.content import ContentLibrary
from web.http_cache import choose_encoding, etag_matches
from web.navigation import page_url
from web.settings import ROOT

WORKER_SOURCE = ROOT / "service_worker" / "sw.js"
CONFIG_PLACEHOLDER = re.compile(r"/\* CONFIG \*/ \{[^\n]*\}")
# Pages with forms or per-visitor answers: never stored by the worker, always served by the app.
FORM_PATHS = ("/share-a-concern", "/search", "/toolkit")
# Never seen by the worker at all: leaving, health checks and the worker itself.
BYPASS_PATHS = ("/exit", "/healthz", "/sw.js")
NETWORK_TIMEOUT_MS = 3000
BRAND = "#3f2a70"
BACKGROUND = "#ffffff"
ICON_SIZES = (192, 512)
_ASSET_LINK = re.compile(r'(?:href|src)="(/assets/[^"]+)"')
T = TypeVar("T")
_VERSION_INPUTS = ("templates/**/*.html", "web/translations/*/LC_MESSAGES/*.po", "service_worker/sw.js")


def save_data(request: Request) -> bool:
    """The reader asked for less data (`Save-Data: on`): leave out optional images and video preloading."""
    return request.headers.get("save-data", "").strip().lower() == "on"


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
    """A page as the router renders it, without going over HTTP (and without the access log)."""
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
        "headers": [(b"host", b"localhost")],
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
    library: ContentLibrary = app.state.library
    version = content_version(library, app.state.assets.manifest)
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
    library: ContentLibrary = app.state.library
    rendered = [(page, await _render(app, page_url(page.lang, page.slug))) for page in library]
    # Brotli at quality 11, as web/http_cache.py sends pages: about 15 ms a page, so off the event loop.
    sizes = await asyncio.to_thread(lambda: [len(brotli.compress(body, quality=11)) for _, body in rendered])
    return {
        lang: tuple(
            SavablePage(page_url(page.lang, page.slug), page.title, size)
            for (page, _), size in zip(rendered, sizes, strict=True)
            if page.lang == lang
        )
        for lang in library.languages
    }


async def _once(app: Starlette, name: str, build: Callable[[Starlette], Awaitable[T]]) -> T:
    """Built once per process, on first use, and kept on the app."""
    if not hasattr(app.state, f"{name}_lock"):  # no await since the check: no other task can interleave
        setattr(app.state, f"{name}_lock", asyncio.Lock())
    async with getattr(app.state, f"{name}_lock"):
        if not hasattr(app.state, name):
            setattr(app.state, name, await build(app))
    built: T = getattr(app.state, name)
    return built


async def service_worker_of(app: Starlette) -> ServiceWorker:
    return await _once(app, "offline_worker", build_worker)


async def savable_pages(app: Starlette) -> dict[str, tuple[SavablePage, ...]]:
    return await _once(app, "offline_pages", build_savable_pages)


def _language(request: Request) -> str:
    lang = str(request.path_params["lang"])
    if lang not in request.app.state.library.languages:
        raise HTTPException(status_code=404)
    return lang


async def offline_page(request: Request) -> Response:
    from web.pages import render  # here, not at the top: web.pages imports save_data from this module

    return render(request, "offline/offline.html", _language(request))


async def saved_pages(request: Request) -> Response:
    from web.pages import render

    return render(request, "offline/saved.html", _language(request))


async def offline_pages_json(request: Request) -> Response:
    lang = _language(request)
    pages = (await savable_pages(request.app))[lang]
    version = (await service_worker_of(request.app)).version
    listed = [{"url": page.url, "title": page.title, "size": page.size} for page in pages]
    body = {"lang": lang, "version": version, "total": sum(page.size for page in pages), "pages": listed}
    # ASVS V14.4.2: data, never a page to render (fetch() reads it all the same).
    return JSONResponse(body, headers={"Content-Disposition": f'attachment; filename="{lang}-pages.json"'})


async def service_worker(request: Request) -> Response:
    worker = await service_worker_of(request.app)
    return negotiated(request, worker.script, "text/javascript; charset=utf-8", "no-cache")


def web_manifest_body() -> bytes:
    icons = [{"src": icon_url(size), "sizes": f"{size}x{size}", "type": "image/png"} for size in ICON_SIZES]
    icons.append({"src": icon_url(512, maskable=True), "sizes": "512x512", "type": "image/png", "purpose": "maskable"})
    manifest: dict[str, Any] = {
        "name": "ACT Early",
        "short_name": "ACT Early",
        "description": "Advice for family and friends worried that someone is being drawn into extremism.",
        "id": "/en/",
        "start_url": "/en/",
        "scope": "/",
        "display": "standalone",
        "lang": "en",
        "dir": "ltr",
        "theme_color": BRAND,
        "background_color": BACKGROUND,
        "icons": icons,
    }
    return json.dumps(manifest, indent=1).encode()


async def web_manifest(request: Request) -> Response:
    return negotiated(request, web_manifest_body(), "application/manifest+json", "no-cache")


@cache
def icon_png(size: int, *, maskable: bool = False) -> bytes:
    """The brand mark (static/images/icon.svg) as a PNG: a purple square with a white "A"."""
    scale = 4  # draw large, then shrink: smooth edges without an SVG renderer
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:  # full bleed; the mark inside the central 80% safe zone
        draw.rectangle((0, 0, side, side), fill=BRAND)
        unit, offset = side * 0.8 / 32, side * 0.1
    else:
        draw.rounded_rectangle((0, 0, side - 1, side - 1), radius=side * 6 // 32, fill=BRAND)
        unit, offset = side / 32, 0.0
    mark = [(9, 23), (16, 8), (23, 23), (19, 23), (16, 16), (13, 23)]  # the SVG's path, in its 32-unit box
    draw.polygon([(offset + x * unit, offset + y * unit) for x, y in mark], fill=BACKGROUND)
    out = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


def icon_name(size: int, *, maskable: bool = False) -> str:
    stem = f"icon-{'maskable-' if maskable else ''}{size}"
    return f"{stem}.{hashlib.sha256(icon_png(size, maskable=maskable)).hexdigest()[:10]}.png"


def icon_url(size: int, *, maskable: bool = False) -> str:
    return f"/icons/{icon_name(size, maskable=maskable)}"


@cache
def _icons() -> dict[str, bytes]:
    variants = [(size, False) for size in ICON_SIZES] + [(512, True)]
    return {icon_name(size, maskable=mask): icon_png(size, maskable=mask) for size, mask in variants}


async def icon(request: Request) -> Response:
    data = _icons().get(request.path_params["name"])
    if data is None:
        raise HTTPException(status_code=404)
    return negotiated(request, data, "image/png", IMMUTABLE, compress=False)


def negotiated(
    request: Request, body: bytes, media_type: str, cache_control: str, *, compress: bool = True
) -> Response:
    """ETag, 304 and brotli/gzip for bodies HttpCacheMiddleware does not handle (scripts, manifests, images)."""
    digest = hashlib.sha256(body).hexdigest()[:20]
    encoding = choose_encoding(request.headers.get("accept-encoding", "")) if compress and len(body) >= 512 else None
    headers = {
        "Cache-Control": cache_control,
        "ETag": f'"{digest}-{encoding}"' if encoding else f'"{digest}"',
        "Vary": "Accept-Encoding",
    }
    if etag_matches(request.headers.get("if-none-match", ""), digest):
        return Response(status_code=304, headers=headers)
    if encoding:
        headers["Content-Encoding"] = encoding
        body = _compressed(body, encoding)
    return Response(body, media_type=media_type, headers=headers)


@cache
def _compressed(body: bytes, encoding: str) -> bytes:
    return brotli.compress(body, quality=11) if encoding == "br" else gzip.compress(body, compresslevel=9, mtime=0)


def export_paths(library: ContentLibrary) -> list[str]:
    """Every URL this module serves, for the static export."""
    paths = ["/sw.js", "/manifest.webmanifest", *(f"/icons/{name}" for name in _icons())]
    for lang in library.languages:
        paths += [*offline_paths(lang), pages_json_path(lang)]
    return paths
