"""Partners' feedback: the type of organisation, what works and what to change, read by comms in the console.

Stored through the feedback comment path like page feedback, with a page key of its own,
`/<lang>/partners/feedback/<type of organisation>`: a count for the day (so the public figures show how
many organisations of each type answered) and the two answers as one comment, screened for personal
details. `useful` has no meaning here and is always true. No table of its own, no cookie.
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

PATH = "/{lang}/partners/feedback"
ORGANISATIONS = {
    "education": N_("School, college or university"),
    "council": N_("Local council"),
    "health": N_("Health or social care"),
    "charity": N_("Charity or community group"),
    "faith": N_("Faith organisation"),
    "public-body": N_("Police or another public body"),
    "other": N_("Another kind of organisation"),
}
CHOOSE = N_("Select the kind of organisation you work for")
SAY_SOMETHING = N_("Tell us what works or what we should change")


def page_key(lang: str, organisation: str) -> str:
    return f"{PATH.format(lang=lang)}/{organisation}"


def comment_of(works: str, change: str) -> str:
    """The two answers as the one comment comms read (the labels in English, as the console is)."""
    parts = [f"What works: {works}" if works else "", f"What to change: {change}" if change else ""]
    return "\n\n".join(part for part in parts if part)


def _form(
    request: Request, lang: str, *, status_code: int = 200, errors: dict[str, str] | None = None, **values: Any
) -> Response:
    return render(
        request,
        "launch/partner_feedback.html",
        lang,
        status_code=status_code,
        headers=NO_STORE,
        token=new_token(request),
        organisations=ORGANISATIONS,
        errors=errors or {},
        max_comment=MAX_COMMENT,
        **values,
    )


async def partner_feedback_form(request: Request) -> Response:
    return _form(request, language_of(request))


async def partner_feedback_send(request: Request) -> Response:
    lang = language_of(request)
    form, fresh = await read_guarded_form(request)
    organisation = str(form.get("organisation", ""))
    works, change = text_field(form, "works"), text_field(form, "change")
    translate = translations(lang).gettext
    errors: dict[str, str] = {}
    if not fresh:
        errors["form"] = translate(EXPIRED)
    if organisation not in ORGANISATIONS:
        errors["organisation"] = translate(CHOOSE)
    for name, value in (("works", works), ("change", change)):
        if len(value) > MAX_COMMENT:
            errors[name] = translate(TOO_LONG) % {"limit": MAX_COMMENT}
    if not works and not change:
        errors["works"] = translate(SAY_SOMETHING)
    values = {"organisation": organisation, "works": works, "change": change}
    if errors:
        return _form(request, lang, status_code=422, errors=errors, **values)
    site = site_of(request)
    if not await site.feedback_limiter.check(request):
        return _form(request, lang, status_code=429, errors={"form": translate(TOO_MANY)}, **values)
    await run_in_threadpool(
        store_feedback,
        site.engine,
        day=utc_today(),
        language=lang,
        page=page_key(lang, organisation),
        useful=True,
        comment=remove_personal_details(comment_of(works, change)),
    )
    return RedirectResponse(f"{PATH.format(lang=lang)}/thanks", status_code=303, headers=NO_STORE)


async def partner_feedback_thanks(request: Request) -> Response:
    lang = language_of(request)
    return render(request, "launch/thanks.html", lang, headers=NO_STORE, about="partners")
