"""The advice pages: every Markdown page in every language."""

from __future__ import annotations

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from web.content.films import FilmLibrary
from web.content.library import ContentLibrary
from web.content.names import DEFAULT_LANGUAGE, HOME
from web.public import feedback, support_line
from web.shell.navigation import breadcrumbs, film_url, next_page, page_url, section_pages
from web.shell.pages import render, served_once
from web.shell.site import Site, language_of, site_of

# What a page shows before its own words, by slug: what is urgent first, then the ways to tell us. One copy
# of each box, so the pages always agree; the search index reads them too (`boxes_text`).
BOXES = {
    "get-help": ("help/_urgent.html", "help/_ways_to_tell_us.html"),
    "signs-to-spot": ("help/_urgent.html",),
}


async def advice_page(request: Request) -> Response:
    site = site_of(request)
    library = site.library
    lang = request.path_params.get("lang", DEFAULT_LANGUAGE)
    slug = request.path_params.get("slug", HOME)
    page = library.get(lang, slug)
    if page is None:
        raise HTTPException(status_code=404)
    support_line_open, feedback_token = version = clock_version(site)
    return served_once(
        request,
        request.scope["path"],  # one of the library's pages: a known address
        lambda: render(
            request,
            f"advice/{page.layout}.html",
            lang,
            page=page,
            canonical_url=page_url(lang, slug),
            alternates=library.translations(slug),
            breadcrumbs=breadcrumbs(library, page),
            section_pages=section_pages(library, page),
            next_page=next_page(library, page),
            support_line_open=support_line_open,
            feedback_token=feedback_token,
            film=_film_link(site.films, page.film, lang),
            boxes=BOXES.get(slug, ()),
        ),
        version=version,
    )


def clock_version(site: Site) -> tuple[bool, str]:
    """What a page shows that changes with the clock: the support line open or closed, and the feedback
    token (the same for an hour, on every page). web/shell/remembered.py checks it before it answers again."""
    return support_line.is_open(), feedback.current_token(site.feedback_tokens)


def boxes_text(templates: Jinja2Templates, library: ContentLibrary) -> dict[tuple[str, str], str]:
    """The words of each page's boxes, by (lang, slug), for the search index: "weapon" finds "Get help now"."""
    found = {}
    for page in library:
        boxes = BOXES.get(page.slug, ())
        html = "".join(templates.get_template(box).render(lang=page.lang, support_line_open=True) for box in boxes)
        if html:
            found[(page.lang, page.slug)] = Markup(html).striptags()
    return found


def _film_link(films: FilmLibrary, slug: str | None, lang: str) -> dict[str, str] | None:
    """The film a page names, when it exists in the page's language: its address and title."""
    film = films.film(slug) if slug else None
    if film is None or lang not in film.scripts:
        return None
    return {"href": film_url(lang, film.slug), "title": film.scripts[lang].title}


async def language_home_redirect(request: Request) -> Response:
    return RedirectResponse(page_url(language_of(request), HOME), status_code=301)
