"""The page for partners who link to Let's Talk About It: what changes, the new address for each old one,
and the checker (a POST form: paste a page's links or a list, get each new address on the same page).

The map is content/redirects.yaml, read with the redirects' own loader (web/http/redirects.py), so the
page, the checker and the redirects always agree. The checker stores nothing, but like every form of the
site it posts a signed token (the feedback key's, the same for an hour so the page stays cacheable) and
is refused from another site.
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from web.content.names import DEFAULT_LANGUAGE
from web.http.form_tokens import FormTokens
from web.http.forms import read_form
from web.http.redirects import HOME, RedirectMap, load_redirects
from web.http.same_origin import is_same_origin
from web.launch.checker import (
    EMPTY,
    MAX_ADDRESSES,
    MAX_CHARACTERS,
    NONE_FOUND,
    TOO_LONG,
    TOO_MANY,
    CheckerError,
    check,
    every_address,
)
from web.shell.forms import EXPIRED
from web.shell.i18n import N_, translations
from web.shell.pages import render
from web.shell.site import language_of, site_of

DEFAULT_SITE = "https://actearly.uk"
CACHE_CONTROL = "public, max-age=3600"
PROBLEMS = {
    EMPTY: N_("Enter the Let’s Talk About It links or addresses to check"),
    TOO_LONG: N_("Enter %(limit)s characters or fewer: check a long page in parts"),
    NONE_FOUND: N_(
        "We could not find a Let’s Talk About It address. Enter addresses that start with ltai.info or www.ltai.info"
    ),
    TOO_MANY: N_("Enter %(limit)s addresses or fewer: check a long list in parts"),
}
LIMITS = {TOO_LONG: MAX_CHARACTERS, TOO_MANY: MAX_ADDRESSES}
TOKEN_NONCE, TOKEN_PERIOD = "partners-check", 3600


@cache
def redirect_map(path: Path) -> RedirectMap:
    return load_redirects(path)


def site_address(public_base_url: str) -> str:
    """This site's address for partners' links: the public site when it is served over https, else actearly.uk."""
    base = public_base_url.rstrip("/")
    return base if base.startswith("https://") else DEFAULT_SITE


def checker_token(tokens: FormTokens, now: float | None = None) -> str:
    """The checker's token for this hour: signed, expiring, the same on every copy of the page."""
    now = time.time() if now is None else now
    return tokens.issue(TOKEN_NONCE, now=now - now % TOKEN_PERIOD)


def _page(request: Request, lang: str, *, status_code: int = 200, **context: Any) -> Response:
    site = site_of(request)
    library = site.library

    def title(path: str) -> str:
        slug = "home" if path == HOME else path.rsplit("/", 1)[-1]
        page = library.get(DEFAULT_LANGUAGE, slug)
        return page.title if page is not None else path

    headers = {"Cache-Control": CACHE_CONTROL if status_code == 200 and "results" not in context else "no-store"}
    return render(
        request,
        "launch/partners.html",
        lang,
        status_code=status_code,
        headers=headers,
        site_address=site_address(site.settings.public_base_url),
        addresses=every_address(redirect_map(site.settings.content_dir / "redirects.yaml")),
        new_title=title,
        max_characters=MAX_CHARACTERS,
        max_addresses=MAX_ADDRESSES,
        token=checker_token(site.feedback_tokens),
        **context,
    )


async def partners_page(request: Request) -> Response:
    return _page(request, language_of(request))


async def partners_check(request: Request) -> Response:
    lang = language_of(request)
    if not is_same_origin(request.headers, request.headers.get("host", "")):
        raise HTTPException(status_code=403)
    site = site_of(request)
    form = await read_form(request, max_fields=5, max_bytes=site.settings.max_body_bytes)
    token, fresh = site.feedback_tokens.read(str(form.get("token", "")))
    if token is None:  # any feedback-key token: the checker stores nothing, the key keeps concern tokens out
        raise HTTPException(status_code=403)
    raw = form.get("links", "")
    text = raw if isinstance(raw, str) else ""
    if not fresh:
        return _page(request, lang, status_code=422, error=translations(lang).gettext(EXPIRED), links=text)
    try:
        results = check(redirect_map(site.settings.content_dir / "redirects.yaml"), text)
    except CheckerError as error:
        problem = translations(lang).gettext(PROBLEMS[error.reason])
        if error.reason in LIMITS:
            problem = problem % {"limit": f"{LIMITS[error.reason]:,}"}
        return _page(request, lang, status_code=422, error=problem, links=text)
    return _page(request, lang, results=results, links=text)
