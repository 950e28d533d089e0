"""Site search: a GET form and a results page in the reader's language; htmx swaps in the results.

The search term is personal: responses are never stored (`Cache-Control: no-store`), the term is
never logged (the access log records the path without its query string), and it is never put in
the page's <title> or h1, which show on a shared screen.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.content.search import MAX_QUERY_LENGTH, SearchHit
from web.shell.i18n import translations
from web.shell.navigation import page_url
from web.shell.pages import render
from web.shell.site import language_of, site_of

PAGE = "search/results.html"
FRAGMENT = "search/_results.html"
HEADERS = {"Cache-Control": "no-store", "Vary": "HX-Request"}


async def search(request: Request) -> Response:
    lang = language_of(request)
    query = request.query_params.get("q", "").strip()
    error = None
    hits: list[SearchHit] = []
    if len(query) > MAX_QUERY_LENGTH:
        error = translations(lang).gettext("Search term must be %(max)d characters or fewer") % {
            "max": MAX_QUERY_LENGTH
        }
    elif query:
        hits = site_of(request).search_index.search(lang, query)  # in memory: about a millisecond
    fragment = wants_fragment(request)
    return render(
        request,
        FRAGMENT if fragment else PAGE,
        lang,
        headers=HEADERS,
        query=query,
        hits=hits,
        count=len(hits),
        error=error,
        fragment=fragment,
        search_url=f"/{lang}/search",
        page_url=page_url,
    )


def wants_fragment(request: Request) -> bool:
    """An htmx swap into part of the page. A history restore or a whole-page swap needs the page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Request-Type", "partial") == "partial"
    )
