"""Site-wide routes: sitemap, robots.txt, health check, and the exit route."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from web.content import ContentLibrary
from web.navigation import page_url
from web.settings import Settings
from web.storage import database_is_healthy


def sitemap_urls(library: ContentLibrary) -> list[str]:
    """Every public page's path, in every language."""
    return [page_url(page.lang, page.slug) for page in library]


async def sitemap(request: Request) -> Response:
    library: ContentLibrary = request.app.state.library
    base = request.app.state.settings.public_base_url
    entries = []
    for page in library:
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{lang}" href={quoteattr(base + page_url(lang, page.slug))}/>'
            for lang in sorted(library.translations(page.slug))
        )
        location = escape(base + page_url(page.lang, page.slug))
        entries.append(f"<url><loc>{location}</loc><lastmod>{page.updated.isoformat()}</lastmod>{alternates}</url>")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        + "\n".join(entries)
        + "\n</urlset>\n"
    )
    return Response(body, media_type="application/xml")


async def robots(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    return PlainTextResponse(f"User-agent: *\nDisallow: /exit\nSitemap: {settings.public_base_url}/sitemap.xml\n")


async def healthz(request: Request) -> Response:
    healthy = database_is_healthy(request.app.state.engine)
    body = {"status": "ok" if healthy else "unhealthy", "database": healthy, "pages": len(request.app.state.library)}
    return JSONResponse(body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"})


async def exit_page(request: Request) -> Response:
    """Leave at once for a neutral site, asking the browser to forget this site's storage."""
    settings: Settings = request.app.state.settings
    headers = {"Clear-Site-Data": '"cache", "storage"', "Cache-Control": "no-store"}
    return RedirectResponse(settings.exit_url, status_code=303, headers=headers)
