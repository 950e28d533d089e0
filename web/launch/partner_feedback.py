"""Partners' feedback: the type of organisation, what works and what to change, read by comms in the console.

Stored through the feedback comment path like page feedback, with a page key of its own,
`/<lang>/partners/feedback/<type of organisation>`: a count for the day (so the public figures show how
many organisations of each type answered) and the two answers as one comment, screened for personal
details. `useful` has no meaning here and is always true. No table of its own, no cookie.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from web.launch.forms import (
    NO_STORE,
    Answer,
    FeedbackForm,
    keep_answer,
    read_guarded_form,
    show_form,
    text_field,
    too_long,
)
from web.shell.i18n import N_, translations
from web.shell.pages import render
from web.shell.site import language_of

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


FORM = FeedbackForm("launch/partner_feedback.html", {"organisations": ORGANISATIONS}, f"{PATH}/thanks")


async def partner_feedback_form(request: Request) -> Response:
    return show_form(request, FORM, language_of(request))


async def partner_feedback_send(request: Request) -> Response:
    lang = language_of(request)
    form, fresh = await read_guarded_form(request)
    organisation = str(form.get("organisation", ""))
    works, change = text_field(form, "works"), text_field(form, "change")
    translate = translations(lang).gettext
    errors: dict[str, str] = {}
    if organisation not in ORGANISATIONS:
        errors["organisation"] = translate(CHOOSE)
    for name, value in (("works", works), ("change", change)):
        if problem := too_long(lang, value):
            errors[name] = problem
    if not works and not change:
        errors["works"] = translate(SAY_SOMETHING)
    kept = Answer(page_key(lang, organisation), True, comment_of(works, change))  # "useful" means nothing here
    values = {"organisation": organisation, "works": works, "change": change}
    return await keep_answer(request, FORM, lang, fresh=fresh, errors=errors, values=values, answer=kept)


async def partner_feedback_thanks(request: Request) -> Response:
    lang = language_of(request)
    return render(request, "launch/thanks.html", lang, headers=NO_STORE, about="partners")
