"""The advice pages: every Markdown page in every language."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.content.library import DEFAULT_LANGUAGE, HOME
from web.public import feedback, support_line
from web.shell.navigation import breadcrumbs, next_page, page_url, section_pages
from web.shell.pages import render
from web.shell.site import language_of, site_of


async def advice_page(request: Request) -> Response:
    site = site_of(request)
    library = site.library
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
        feedback_token=feedback.current_token(site.feedback_tokens),
    )


async def language_home_redirect(request: Request) -> Response:
    return RedirectResponse(page_url(language_of(request), HOME), status_code=301)
