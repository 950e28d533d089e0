"""“Is this page useful?” on every advice page: a yes or no, and an optional comment.

A plain form (POST → 303 → a thanks page that links back), so it works without JavaScript. It is
guarded like the concern form (a signed form token, a same-origin check, a per-client limit kept in
memory) but sets no cookie. The token is the same for an hour, so advice pages stay cacheable (one
body, one ETag, one compression) between hours. Pages of the static export (web/ops/export.py) carry an
export token instead: bound to its page, with a key of its own, and good for `EXPORT_TOKEN_LIFETIME` from
the export, because an exported page is served unchanged until the next export. What is stored: the page,
its language, the day (never the time), yes or no, and the comment without control characters and with
email addresses and phone numbers taken out.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from functools import lru_cache
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.clock import utc_today
from web.content import Page
from web.http.form_tokens import FormTokens
from web.http.forms import clean_text, read_form, remove_personal_details
from web.http.same_origin import is_same_origin
from web.shell.forms import EXPIRED, TOO_MANY
from web.shell.i18n import N_, translations
from web.shell.navigation import page_url
from web.shell.pages import render
from web.shell.site import language_of, site_of
from web.storage.figures import store_feedback

MAX_COMMENT = 500
FEEDBACK_PER_HOUR = 20
TOKEN_NONCE, TOKEN_PERIOD = "feedback", 3600
NO_STORE = {"Cache-Control": "no-store"}
TOO_LONG = N_("Keep this to %(limit)d characters or fewer")
# An export is made again at every upgrade and every content change (docs/operations.md); one older than this
# is stale anyway, and its answers get the expired-page message, which links to the page as the app has it.
EXPORT_TOKEN_LIFETIME = 400 * 24 * 60 * 60
EXPORT_PURPOSE = "exported-page"
# The form as templates/feedback/_feedback.html writes it: its language, its token and its page.
FORM = re.compile(
    rb'(action="/(?P<lang>[a-z]{2,3})/feedback" novalidate>\s*<input type="hidden" name="token" value=")'
    rb'(?P<token>[^"]*)(">\s*<input type="hidden" name="page" value=")(?P<page>[^"]*)"'
)


def current_token(tokens: FormTokens, now: float | None = None) -> str:
    """The feedback token for this hour: signed, expiring, and the same on every page."""
    now = time.time() if now is None else now
    return _hour_token(tokens, int(now - now % TOKEN_PERIOD))


@lru_cache(maxsize=8)
def _hour_token(tokens: FormTokens, hour: int) -> str:
    # Signed once an hour, not at every page served (web/shell/remembered.py asks at every request).
    return tokens.issue(TOKEN_NONCE, now=hour)


def _page_nonce(lang: str, slug: str) -> str:
    """Names one page in an export token: a hash (a slug could be longer than a token may be)."""
    return "p" + base64.urlsafe_b64encode(hashlib.sha256(f"{lang}/{slug}".encode()).digest()[:12]).decode()


def export_token(tokens: FormTokens, lang: str, slug: str, now: float | None = None) -> str:
    """The token an exported page's form carries: for that page alone, good for `EXPORT_TOKEN_LIFETIME`."""
    return tokens.for_purpose(EXPORT_PURPOSE).issue(_page_nonce(lang, slug), now=now)


def with_export_tokens(html: bytes, tokens: FormTokens, now: float | None = None) -> bytes:
    """An exported page with its "Is this page useful?" form given an export token for its page."""

    def replace(match: re.Match[bytes]) -> bytes:
        token = export_token(tokens, match["lang"].decode(), match["page"].decode(), now=now)
        return match[1] + token.encode() + match[4] + match["page"] + b'"'

    return FORM.sub(replace, html)


def _read_token(tokens: FormTokens, token: str, lang: str, slug: str | None) -> tuple[bool, bool]:
    """(genuine, fresh): the hour's token, or an exported page's token for this page."""
    read, fresh = tokens.read(token)
    if read is not None:
        return True, fresh
    read, fresh = tokens.for_purpose(EXPORT_PURPOSE).read(token, lifetime=EXPORT_TOKEN_LIFETIME)
    if read is None or slug is None or read.nonce != _page_nonce(lang, slug):
        return False, False
    return True, fresh


def _page(request: Request, lang: str, state: str, about: Page | None, *, status_code: int, **context: Any) -> Response:
    site = site_of(request)
    back = about or site.library.get(lang, "home")
    return render(
        request,
        "feedback/thanks.html",
        lang,
        status_code=status_code,
        headers=NO_STORE,
        state=state,
        feedback_about=about,
        feedback_token=current_token(site.feedback_tokens),
        back_url=page_url(lang, back.slug) if back is not None else f"/{lang}/",
        back_title=back.title if back is not None else "",
        **context,
    )


async def feedback_send(request: Request) -> Response:
    lang = language_of(request)
    if not is_same_origin(request.headers, request.headers.get("host", "")):
        raise HTTPException(status_code=403)
    site = site_of(request)
    form = await read_form(request, max_fields=10, max_bytes=site.settings.max_body_bytes)
    about = site.library.get(lang, str(form.get("page", "")))
    genuine, fresh = _read_token(site.feedback_tokens, str(form.get("token", "")), lang, about.slug if about else None)
    if not genuine:
        raise HTTPException(status_code=403)
    useful = str(form.get("useful", ""))
    if about is None or useful not in ("yes", "no"):
        raise HTTPException(status_code=400)
    # Cleaned as the concern form's answers are: PostgreSQL refuses text with NUL in it.
    comment = clean_text(str(form.get("comment", "")), multiline=True)
    translate = translations(lang).gettext
    if not fresh or len(comment) > MAX_COMMENT:
        problem, field = (
            (translate(EXPIRED), None) if not fresh else (translate(TOO_LONG) % {"limit": MAX_COMMENT}, "comment")
        )
        return _page(request, lang, "problem", about, status_code=422, problem=problem, field=field, comment=comment)
    if not await site.feedback_limiter.check(request):
        return _page(request, lang, "too-many", about, status_code=429, problem=translate(TOO_MANY))
    await run_in_threadpool(
        store_feedback,
        site.engine,
        day=utc_today(),
        language=lang,
        page=page_url(lang, about.slug),
        useful=useful == "yes",
        comment=remove_personal_details(comment) or None,
    )
    return RedirectResponse(f"/{lang}/feedback/thanks?page={about.slug}", status_code=303, headers=NO_STORE)


async def feedback_thanks(request: Request) -> Response:
    lang = language_of(request)
    about = site_of(request).library.get(lang, request.query_params.get("page", ""))
    return _page(request, lang, "thanks", about, status_code=200)
