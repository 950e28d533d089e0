"""“What did you think of this site?”: a five-point scale and an optional comment, as GOV.UK services ask.

Linked from the footer of every page and from the page after a concern is sent. A plain form (POST → 303
→ a thanks page), so it works without JavaScript. Stored through the feedback comment path in one
transaction: a count for the day under the page key `/<lang>/what-did-you-think/<answer>` (counted as
"useful" for the two satisfied answers, so the console's feedback table shows the share satisfied), and
the comment, screened for personal details, under the same key. Nothing else: no time, no cookie.

Where the question was asked is part of the key (`…/<answer>/<source>`): the page after a concern links
with `?asked=after-concern`, which the form carries in a hidden field; any other way in (the footer link,
the address typed) is "footer". Two fixed words, so the key says nothing about the person.
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

PATH = "/{lang}/what-did-you-think"
ANSWERS = {
    "very-satisfied": N_("Very satisfied"),
    "satisfied": N_("Satisfied"),
    "neither": N_("Neither satisfied nor dissatisfied"),
    "dissatisfied": N_("Dissatisfied"),
    "very-dissatisfied": N_("Very dissatisfied"),
}
SOURCES = {
    "footer": "The footer link on every page (or the address typed in)",
    "after-concern": "The page after sharing a concern",
}  # the console's words (English); never shown to the public
AFTER_CONCERN = "after-concern"
SATISFIED = frozenset({"very-satisfied", "satisfied"})
CHOOSE = N_("Select how you feel about this site")


def page_key(lang: str, answer: str, source: str) -> str:
    """The key the answer is counted and its comment kept under."""
    return f"{PATH.format(lang=lang)}/{answer}/{source}"


def source_of(raw: object) -> str:
    """Where the question was asked: AFTER_CONCERN when the link said so, else "footer"."""
    return AFTER_CONCERN if raw == AFTER_CONCERN else "footer"


FORM = FeedbackForm("launch/satisfaction.html", {"answers": ANSWERS}, f"{PATH}/thanks")


async def satisfaction_form(request: Request) -> Response:
    return show_form(request, FORM, language_of(request), asked=source_of(request.query_params.get("asked")))


async def satisfaction_send(request: Request) -> Response:
    lang = language_of(request)
    form, fresh = await read_guarded_form(request)
    answer, asked, comment = str(form.get("answer", "")), source_of(form.get("asked")), text_field(form, "comment")
    errors: dict[str, str] = {}
    if answer not in ANSWERS:
        errors["answer"] = translations(lang).gettext(CHOOSE)
    if problem := too_long(lang, comment):
        errors["comment"] = problem
    kept = Answer(page_key(lang, answer, asked), answer in SATISFIED, comment)
    values = {"answer": answer, "comment": comment, "asked": asked}
    return await keep_answer(request, FORM, lang, fresh=fresh, errors=errors, values=values, answer=kept)


async def satisfaction_thanks(request: Request) -> Response:
    lang = language_of(request)
    return render(request, "launch/thanks.html", lang, headers=NO_STORE, about="site")
