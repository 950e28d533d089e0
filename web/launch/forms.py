"""What the launch's two feedback forms share: their token, their guard, the screening of what people type,
and the way an answer is shown again, refused or kept.

Both are guarded like "Is this page useful?" (web/public/feedback.py): a signed form token from the
feedback key, a same-origin check, and the feedback limit per client an hour (one budget for every
feedback form, web/http/limits.py). Neither sets a cookie. What is kept goes through the feedback
comment path (web/storage/figures.py `store_feedback`): a count for the day and a page key, and the
comment, if any, with personal details taken out, in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.clock import utc_today
from web.http.forms import clean_text, read_form, remove_personal_details
from web.http.same_origin import is_same_origin
from web.shell.forms import EXPIRED, TOO_MANY
from web.shell.i18n import N_, translations
from web.shell.pages import render
from web.shell.site import site_of
from web.storage.figures import store_feedback

NO_STORE = {"Cache-Control": "no-store"}
MAX_COMMENT = 1000
TOO_LONG = N_("Keep this to %(limit)d characters or fewer")


@dataclass(frozen=True)
class FeedbackForm:
    """One of the forms: its template, what the template needs besides the answers, and where thanks are."""

    template: str
    context: Mapping[str, Any]
    thanks: str  # the thanks page's path, with {lang}


@dataclass(frozen=True)
class Answer:
    """What one sending keeps: the page key it is counted under, "useful", and the comment (not yet screened)."""

    page: str
    useful: bool
    comment: str


def new_token(request: Request) -> str:
    return site_of(request).feedback_tokens.issue()


async def read_guarded_form(request: Request, max_fields: int = 10) -> tuple[FormData, bool]:
    """The posted form and whether its token is still fresh; 403 for another site's post or a forged token."""
    if not is_same_origin(request.headers, request.headers.get("host", "")):
        raise HTTPException(status_code=403)
    site = site_of(request)
    form = await read_form(request, max_fields=max_fields, max_bytes=site.settings.max_body_bytes)
    token, fresh = site.feedback_tokens.read(str(form.get("token", "")))
    if token is None:
        raise HTTPException(status_code=403)
    return form, fresh


def text_field(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return clean_text(value if isinstance(value, str) else "", multiline=True)


def too_long(lang: str, value: str) -> str | None:
    """The error for a comment over MAX_COMMENT characters, in the reader's language; None when it fits."""
    return translations(lang).gettext(TOO_LONG) % {"limit": MAX_COMMENT} if len(value) > MAX_COMMENT else None


def show_form(
    request: Request,
    form: FeedbackForm,
    lang: str,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    **values: Any,
) -> Response:
    """The form with a new token, and the answers and errors, if any, as the reader left them."""
    return render(
        request,
        form.template,
        lang,
        status_code=status_code,
        headers=NO_STORE,
        token=new_token(request),
        errors=errors or {},
        max_comment=MAX_COMMENT,
        **form.context,
        **values,
    )


async def keep_answer(
    request: Request,
    form: FeedbackForm,
    lang: str,
    *,
    fresh: bool,
    errors: dict[str, str],
    values: Mapping[str, str],
    answer: Answer,
) -> Response:
    """Keep a checked answer and 303 to thanks; or the form again (422 with the errors, the token's first;
    429 over the feedback limit), the answers kept."""
    translate = translations(lang).gettext
    if not fresh:
        errors = {"form": translate(EXPIRED), **errors}
    if errors:
        return show_form(request, form, lang, status_code=422, errors=errors, **values)
    site = site_of(request)
    if not await site.feedback_limiter.check(request):
        return show_form(request, form, lang, status_code=429, errors={"form": translate(TOO_MANY)}, **values)
    await run_in_threadpool(
        store_feedback,
        site.engine,
        day=utc_today(),
        language=lang,
        page=answer.page,
        useful=answer.useful,
        comment=remove_personal_details(answer.comment) or None,
    )
    return RedirectResponse(form.thanks.format(lang=lang), status_code=303, headers=NO_STORE)
