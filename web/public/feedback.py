"""“Is this page useful?” on every advice page: a yes or no, and an optional comment.

A plain form (POST → 303 → a thanks page that links back), so it works without JavaScript. It is
guarded like the concern form (a signed form token, a same-origin check, a per-client limit kept in
memory) but sets no cookie. The token is the same for an hour, so advice pages stay cacheable (one
body, one ETag, one compression) between hours. What is stored: the page, its language, the day
(never the time), yes or no, and the comment without control characters and with email addresses and
phone numbers taken out.
"""

from __future__ import annotations

import time
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


def current_token(tokens: FormTokens, now: float | None = None) -> str:
    """The feedback token for this hour: signed, expiring, and the same on every page."""
    now = time.time() if now is None else now
    return tokens.issue(TOKEN_NONCE, now=now - now % TOKEN_PERIOD)


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
    token, fresh = site.feedback_tokens.read(str(form.get("token", "")))
    if token is None:
        raise HTTPException(status_code=403)
    about = site.library.get(lang, str(form.get("page", "")))
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
