"""The advice pages: every Markdown page in every language."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web import support_line
from web.content import ContentLibrary
from web.content.library import DEFAULT_LANGUAGE, HOME
from web.navigation import breadcrumbs, next_page, page_url, section_pages
from web.pages import render


async def advice_page(request: Request) -> Response:
    library: ContentLibrary = request.app.state.library
    lang = request.path_params.get("lang", DEFAULT_LANGUAGE)
    slug = request.path_params.get("slug", HOME)
    page = library.get(lang, slug)
    if page is None:
        raise HTTPException(status_code=404)
    return render(
        request,
        f"advice/{page.layout}.html",
        lang,
        page=page,
        canonical_url=page_url(lang, slug),
        alternates=library.translations(slug),
        breadcrumbs=breadcrumbs(library, page),
        section_pages=section_pages(library, page),
        next_page=next_page(library, page),
        support_line_open=support_line.is_open(),
    )


async def language_home_redirect(request: Request) -> Response:
    lang = request.path_params["lang"]
    if lang not in request.app.state.library.languages:
        raise HTTPException(status_code=404)
    return RedirectResponse(page_url(lang, HOME), status_code=301)
