"""“What did you think of this site?”: a five-point scale and an optional comment, as GOV.UK services ask.

Linked from the footer of every page and from the page after a concern is sent. A plain form (POST → 303
→ a thanks page), so it works without JavaScript. Stored through the feedback comment path in one
transaction: a count for the day under the page key `/<lang>/what-did-you-think/<answer>` (counted as
"useful" for the two satisfied answers, so the console's feedback table shows the share satisfied), and
the comment, screened for personal details, under the same key. Nothing else: no time, no cookie.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.clock import utc_today
from web.http.forms import remove_personal_details
from web.launch.forms import (
    MAX_COMMENT,
    NO_STORE,
    TOO_LONG,
    new_token,
    read_guarded_form,
    text_field,
)
from web.shell.forms import EXPIRED, TOO_MANY
from web.shell.i18n import N_, translations
from web.shell.pages import render
from web.shell.site import language_of, site_of
from web.storage.figures import store_feedback

PATH = "/{lang}/what-did-you-think"
ANSWERS = {
    "very-satisfied": N_("Very satisfied"),
    "satisfied": N_("Satisfied"),
    "neither": N_("Neither satisfied nor dissatisfied"),
    "dissatisfied": N_("Dissatisfied"),
    "very-dissatisfied": N_("Very dissatisfied"),
}
SATISFIED = frozenset({"very-satisfied", "satisfied"})
CHOOSE = N_("Select how you feel about this site")


def page_key(lang: str, answer: str) -> str:
    """The key the answer is counted and its comment kept under."""
    return f"{PATH.format(lang=lang)}/{answer}"


def _form(
    request: Request, lang: str, *, status_code: int = 200, errors: dict[str, str] | None = None, **values: Any
) -> Response:
    return render(
        request,
        "launch/satisfaction.html",
        lang,
        status_code=status_code,
        headers=NO_STORE,
        token=new_token(request),
        answers=ANSWERS,
        errors=errors or {},
        max_comment=MAX_COMMENT,
        **values,
    )


async def satisfaction_form(request: Request) -> Response:
    return _form(request, language_of(request))


async def satisfaction_send(request: Request) -> Response:
    lang = language_of(request)
    form, fresh = await read_guarded_form(request)
    answer = str(form.get("answer", ""))
    comment = text_field(form, "comment")
    translate = translations(lang).gettext
    errors: dict[str, str] = {}
    if not fresh:
        errors["form"] = translate(EXPIRED)
    if answer not in ANSWERS:
        errors["answer"] = translate(CHOOSE)
    if len(comment) > MAX_COMMENT:
        errors["comment"] = translate(TOO_LONG) % {"limit": MAX_COMMENT}
    if errors:
        return _form(request, lang, status_code=422, errors=errors, answer=answer, comment=comment)
    site = site_of(request)
    if not await site.feedback_limiter.check(request):
        errors["form"] = translate(TOO_MANY)
        return _form(request, lang, status_code=429, errors=errors, answer=answer, comment=comment)
    await run_in_threadpool(
        store_feedback,
        site.engine,
        day=utc_today(),
        language=lang,
        page=page_key(lang, answer),
        useful=answer in SATISFIED,
        comment=remove_personal_details(comment) or None,
    )
    return RedirectResponse(f"{PATH.format(lang=lang)}/thanks", status_code=303, headers=NO_STORE)


async def satisfaction_thanks(request: Request) -> Response:
    lang = language_of(request)
    return render(request, "launch/thanks.html", lang, headers=NO_STORE, about="site")
