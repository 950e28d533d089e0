"""Offline reading's routes: the service worker, the offline and saved-pages pages, the catalogue of
savable pages, the web app manifest and its icons."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from web.content import ContentLibrary
from web.http.cache import negotiated
from web.offline.icons import icons, web_manifest_body
from web.offline.worker import OfflineBuild, SavablePage, ServiceWorker, offline_paths, pages_json_path
from web.shell.assets import IMMUTABLE
from web.shell.pages import render, served_once
from web.shell.site import language_of

_BUILDS: WeakKeyDictionary[Starlette, OfflineBuild] = WeakKeyDictionary()


def build_of(app: Starlette) -> OfflineBuild:
    """This app's worker and savable pages (each app builds its own: the tests make many)."""
    return _BUILDS.setdefault(app, OfflineBuild())


async def service_worker_of(app: Starlette) -> ServiceWorker:
    return await build_of(app).service_worker(app)


async def savable_pages(app: Starlette) -> dict[str, tuple[SavablePage, ...]]:
    return await build_of(app).savable_pages(app)


async def offline_page(request: Request) -> Response:
    lang = language_of(request)
    return served_once(request, ("offline", lang), lambda: render(request, "offline/offline.html", lang))


async def saved_pages(request: Request) -> Response:
    lang = language_of(request)
    return served_once(request, ("saved", lang), lambda: render(request, "offline/saved.html", lang))


async def offline_pages_json(request: Request) -> Response:
    lang = language_of(request)
    pages = (await savable_pages(request.app))[lang]
    version = (await service_worker_of(request.app)).version
    listed = [{"url": page.url, "title": page.title, "size": page.size} for page in pages]
    body = {"lang": lang, "version": version, "total": sum(page.size for page in pages), "pages": listed}
    # ASVS V14.4.2: data, never a page to render (fetch() reads it all the same).
    return JSONResponse(body, headers={"Content-Disposition": f'attachment; filename="{lang}-pages.json"'})


async def service_worker(request: Request) -> Response:
    worker = await service_worker_of(request.app)
    return negotiated(request, worker.script, "text/javascript; charset=utf-8", "no-cache")


async def web_manifest(request: Request) -> Response:
    return negotiated(request, web_manifest_body(), "application/manifest+json", "no-cache")


async def icon(request: Request) -> Response:
    data = icons().get(request.path_params["name"])
    if data is None:
        raise HTTPException(status_code=404)
    return negotiated(request, data, "image/png", IMMUTABLE, compress=False)


def export_paths(library: ContentLibrary) -> list[str]:
    """Every URL this module serves, for the static export."""
    paths = ["/sw.js", "/manifest.webmanifest", *(f"/icons/{name}" for name in icons())]
    for lang in library.languages:
        paths += [*offline_paths(lang), pages_json_path(lang)]
    return paths
