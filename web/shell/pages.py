"""Rendering a page in the site's shell: the context every template shares."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from web.content import ContentLibrary, Page
from web.content.names import DEFAULT_LANGUAGE
from web.http.redirects import ltai_notice
from web.shell.critical import VARY, Stylesheet, inline_styles, wants_inline_styles
from web.shell.i18n import direction, translations
from web.shell.navigation import language_links, main_navigation, page_url
from web.shell.rendered import RenderedResponse, template_version
from web.shell.site import site_of


def shell_context(request: Request, lang: str, page: Page | None = None) -> dict[str, Any]:
    site = site_of(request)
    library = site.library
    return {
        "lang": lang,
        "library": library,  # what the shell's shared parts are kept for (web/shell/templating.py)
        "dir": direction(lang),
        "home_url": page_url(lang, "home"),
        "navigation": main_navigation(library, lang, page, request.url.path),
        "footer_links": footer_links(library, lang),
        "language_links": language_links(library, lang, page),
        "retention_days": site.settings.retention_days,
        "ltai_notice": ltai_notice(request),
        "advice_href": lambda slug: advice_href(library, lang, slug),
        "english_href": lambda slug: page_url(DEFAULT_LANGUAGE, slug),
        "english_title": lambda slug: english_title(library, slug),
    }


def english_title(library: ContentLibrary, slug: str) -> str:
    page = library.get(DEFAULT_LANGUAGE, slug)
    return page.title if page is not None else slug


def advice_href(library: ContentLibrary, lang: str, slug: str) -> str:
    """The address of an advice page in the reader's language, or in English where it is not translated."""
    return page_url(lang if library.get(lang, slug) is not None else DEFAULT_LANGUAGE, slug)


def save_data(request: Request) -> bool:
    """The reader asked for less data (`Save-Data: on`): leave out optional images and video preloading."""
    return request.headers.get("save-data", "").strip().lower() == "on"


def footer_links(library: ContentLibrary, lang: str) -> list[dict[str, str]]:
    links = []
    for slug in ("get-help", "accessibility-statement", "privacy-notice", "staying-safe-online"):
        page = library.get(lang, slug) or library.get(DEFAULT_LANGUAGE, slug)
        if page is not None:
            other = page.lang if page.lang != lang else ""
            links.append({"href": page_url(page.lang, slug), "text": page.nav_title, "lang": other})
    links.append({"href": f"/{lang}/films", "text": translations(lang).gettext("Films"), "lang": ""})
    return links


def render(
    request: Request,
    template: str,
    lang: str,
    *,
    status_code: int = 200,
    page: Page | None = None,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> Response:
    """A page in the shell; with its CSS inline when the reader's browser may not hold the stylesheet
    (web/shell/critical.py)."""
    site = site_of(request)
    response = site.templates.TemplateResponse(
        request,
        template,
        {**shell_context(request, lang, page), "page": page, **context},
        status_code=status_code,
        headers=_varying(headers or {}),
    )
    if wants_inline_styles(request, site.assets):
        scripts = tuple(site.assets.path(name) for name in sorted(site.assets.manifest) if name.endswith(".js"))
        return inline_styles(response, site.assets, stylesheet(site.assets.path("app.css"), scripts))
    return response


def _varying(headers: Mapping[str, str]) -> dict[str, str]:
    """`headers`, with the inline CSS's request header added to the Vary they name."""
    varying = {name: value for name, value in headers.items() if name.lower() != "vary"}
    named = [value for name, value in headers.items() if name.lower() == "vary"]
    return {**varying, "Vary": ", ".join([*named, VARY])}


@cache
def stylesheet(path: Path, scripts: tuple[Path, ...]) -> Stylesheet:
    """The built stylesheet, parsed once (its name holds its hash: a new build is a new path)."""
    return Stylesheet.of(path, scripts)


def served_once(
    request: Request,
    key: Hashable,
    render: Callable[[], Response],
    *,
    version: tuple[Any, ...] = (),
    headers: Mapping[str, str] | None = None,
    remember: bool = True,
) -> Response:
    """The page `render` makes for `key`, rendered once per version of what it depends on.

    `key` names the page (its address, its language, what the request chose such as Save-Data); `version`
    what the page shows that changes by itself (the support line opening). The loaded content, films,
    templates and settings and the Let's Talk About It notice are added here. `headers` are sent with this
    answer only (a 405's Allow).

    The answer may also be remembered in front of the middleware (web/shell/remembered.py), which checks
    the site, the clock's version (`clock_version`) and the request headers the page's Vary names. A page
    whose `version` holds anything else (the films' manifest, read again from disk) says `remember=False`.
    So does any page while templates reload (DEBUG)."""
    site = site_of(request)
    # With and without the inline CSS, a page is two bodies: both are kept.
    full_key = (key, ltai_notice(request), wants_inline_styles(request, site.assets))
    full_version = (site.library, site.films, site.templates, site.settings, template_version(site.templates), *version)
    entry = site.rendered.page(full_key, full_version, render)
    remember = remember and not site.templates.env.auto_reload
    return RenderedResponse(site.rendered, full_key, entry, headers or {}, remember=remember)
