"""Site-wide routes: sitemap, robots.txt, health check, and the exit route.

The health check asks the database in a worker thread, as every public database call is made: on the
event loop, a database that does not answer would freeze every page until it did (issue 15)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from web.content import ContentLibrary
from web.content.films import FilmLibrary
from web.shell.navigation import film_url, page_url
from web.shell.pages import served_once
from web.shell.site import site_of
from web.storage import database_is_healthy


@dataclass(frozen=True)
class SitemapEntry:
    path: str
    updated: dt.date | None
    alternates: dict[str, str]  # language -> path of the same page in that language


def sitemap_entries(library: ContentLibrary, films: FilmLibrary) -> list[SitemapEntry]:
    """Every public page, in every language: the advice pages, then the films. Not the launch's pages
    (web/launch/): each carries a form token or today's figures, so neither is exported nor kept."""
    entries = [
        SitemapEntry(
            page_url(page.lang, page.slug),
            page.updated,
            {lang: page_url(lang, page.slug) for lang in sorted(library.translations(page.slug))},
        )
        for page in library
    ]
    film_languages = sorted({lang for film in films.films for lang in film.languages})
    index = {lang: film_url(lang) for lang in film_languages}
    entries += [SitemapEntry(path, None, index) for path in index.values()]
    for film in films.films:
        alternates = {lang: film_url(lang, film.slug) for lang in film.languages}
        entries += [SitemapEntry(path, film.updated, alternates) for path in alternates.values()]
    return entries


async def sitemap(request: Request) -> Response:
    return served_once(request, "sitemap", lambda: _sitemap(request))


def _sitemap(request: Request) -> Response:
    site = site_of(request)
    base = site.settings.public_base_url
    rows = []
    for entry in sitemap_entries(site.library, site.films):
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{lang}" href={quoteattr(base + path)}/>'
            for lang, path in entry.alternates.items()
        )
        lastmod = f"<lastmod>{entry.updated.isoformat()}</lastmod>" if entry.updated else ""
        rows.append(f"<url><loc>{escape(base + entry.path)}</loc>{lastmod}{alternates}</url>")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        + "\n".join(rows)
        + "\n</urlset>\n"
    )
    return Response(body, media_type="application/xml; charset=utf-8")


async def robots(request: Request) -> Response:
    settings = site_of(request).settings
    return PlainTextResponse(f"User-agent: *\nDisallow: /exit\nSitemap: {settings.public_base_url}/sitemap.xml\n")


async def healthz(request: Request) -> Response:
    site = site_of(request)
    healthy = await run_in_threadpool(database_is_healthy, site.engine)  # off the event loop: it may wait
    body = {"status": "ok" if healthy else "unhealthy", "database": healthy, "pages": len(site.library)}
    headers = {"Cache-Control": "no-store", "Content-Disposition": 'attachment; filename="healthz.json"'}
    return JSONResponse(body, status_code=200 if healthy else 503, headers=headers)


async def exit_page(request: Request) -> Response:
    """Leave at once for a neutral site, asking the browser to forget this site's storage."""
    settings = site_of(request).settings
    headers = {"Clear-Site-Data": '"cache", "storage"', "Cache-Control": "no-store"}
    return RedirectResponse(settings.exit_url, status_code=303, headers=headers)
