"""Share a concern: the online form and the call-back request. Handlers parse, call, render.

The form keeps no state on the server or the device between pages: each page carries the answers
so far as hidden fields, so nothing is lost when a page is re-shown with an error. A concern is
sealed for the officers and committed before the confirmation page is shown. "Send" answers with the
confirmation page itself, not a redirect, so the reference number is never in an address the browser keeps
in its History (ADR 4).

Every database call runs in a worker thread, never on the event loop: a call that waits for a lock then
delays only its own request, not every reader's page. When the database cannot take a concern in time (a
lock held past its wait), the sender gets their page back with the answers and a message to try again or
call, as a 503; the form's idempotency key makes the retry store it once (issue 15).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from web.clock import utc_now
from web.concern import areas, questions
from web.concern.reference import spoken
from web.http.forms import read_form
from web.http.same_origin import is_same_origin
from web.sealing import seal
from web.shell.forms import EXPIRED, TOO_MANY
from web.shell.pages import render
from web.shell.site import language_of, site_of
from web.storage.concerns import DatabaseBusy, reference_for_key, store_concern

log = logging.getLogger("web.concern")

NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie"}
HONEYPOT = "leave_blank"
TRY_AGAIN_SECONDS = 60  # what the busy page asks for ("try again in a minute"), as Retry-After


def _page(request: Request, template: str, lang: str, *, status_code: int = 200, **context: Any) -> Response:
    headers = {**NO_STORE, "Retry-After": str(TRY_AGAIN_SECONDS)} if status_code == 503 else NO_STORE
    return render(request, template, lang, status_code=status_code, headers=headers, **context)


async def concern_start(request: Request) -> Response:
    lang = language_of(request)
    return _page(request, "concern/start.html", lang)


async def concern_question(request: Request) -> Response:
    """GET the first question, with a fresh form token."""
    lang = language_of(request)
    return _question(request, lang, questions.STEPS[0], questions.Answers(), {}, site_of(request).form_tokens.issue())


def _question(
    request: Request,
    lang: str,
    step: questions.Step,
    answers: questions.Answers,
    errors: dict[str, str],
    token: str,
    *,
    back_to_check: bool = False,
    changing: str | None = None,
    status_code: int = 200,
) -> Response:
    """A page of questions. `changing` is the question the reader chose with "Change": they land on it
    (`focus`), and saving takes them back to its row of the check page."""
    carried = [name for name in questions.FORM_FIELDS if name not in {spec.name for spec in step.fields}]
    changed = next((spec for spec in step.fields if spec.name == changing), None) if not errors else None
    return _page(
        request,
        "concern/question.html",
        lang,
        step=step,
        answers=answers,
        errors=errors,
        token=token,
        carried=carried,
        fields=questions.FORM_FIELDS,
        back_to_check=back_to_check,
        changing=changing,
        focus=questions.focus_id(changed, answers) if changed else None,
        back_to=_back_from(step.name, back_to_check=back_to_check),
        area_groups=areas.groups(lang),
        status_code=status_code,
    )


def _back_from(step_name: str, *, back_to_check: bool) -> str | None:
    """Where the page's Back goes: the check page when changing an answer, else the step before (None: the
    start page, by a plain link, before the first question)."""
    return questions.CHECK if back_to_check else questions.previous_step(step_name)


def _check(
    request: Request,
    lang: str,
    answers: questions.Answers,
    token: str,
    *,
    problem: str | None = None,
    busy: bool = False,
    returned_to: str | None = None,
    status_code: int = 200,
) -> Response:
    """Check your answers. `returned_to` is the question just changed: its row's Change button has focus."""
    return _page(
        request,
        "concern/check.html",
        lang,
        steps=questions.STEPS[1:],
        answers=answers,
        token=token,
        fields=questions.FORM_FIELDS,
        focus_ids={spec.name: questions.focus_id(spec, answers) for step in questions.STEPS for spec in step.fields},
        problem=problem,
        busy=busy,
        returned_to=returned_to,
        area_name=areas.area_name,
        status_code=status_code,
    )


async def _guarded_form(request: Request) -> tuple[FormData, str, bool]:
    """The posted form, its re-issued token and whether the posted token was still fresh."""
    if not is_same_origin(request.headers, request.headers.get("host", "")):
        raise HTTPException(status_code=403)
    site = site_of(request)
    form = await read_form(request, max_fields=100, max_bytes=site.settings.max_body_bytes)
    tokens = site.form_tokens
    token, fresh = tokens.read(str(form.get("token", "")))
    if token is None:
        raise HTTPException(status_code=403)
    return form, tokens.issue(token.nonce), fresh


async def concern_answer(request: Request) -> Response:
    """POST from any page of the form: validate that page, then show the next one."""
    lang = language_of(request)
    form, token, fresh = await _guarded_form(request)
    answers = questions.read_answers(form, questions.FORM_FIELDS)
    if form.get("back"):
        return _go_back(request, lang, form, answers, token)
    to_change = _question_to_change(str(form.get("change", "")))
    if to_change is not None:
        step_to_change, field_name = to_change
        return _question(request, lang, step_to_change, answers, {}, token, back_to_check=True, changing=field_name)
    step_name = str(form.get("step", ""))
    if step_name == questions.CHECK:
        first_problem, errors = questions.validate_all(answers)
        if first_problem is not None:
            step = questions.step_named(first_problem)
            assert step is not None
            return _question(request, lang, step, answers, errors, token, back_to_check=True, status_code=422)
        return await _store_and_confirm(request, lang, form, answers, token, fresh, route="form")
    step = questions.step_named(step_name)
    if step is None:
        raise HTTPException(status_code=400)
    back_to_check = bool(form.get("back_to_check"))
    changed = _changing(form)
    step_answers = questions.read_answers(form, tuple(spec.name for spec in step.fields))
    errors = questions.validate(step, step_answers)
    if errors:
        return _question(
            request, lang, step, answers, errors, token, back_to_check=back_to_check, changing=changed, status_code=422
        )
    if step.name == "danger" and step_answers.get("danger") == "yes":
        return _page(
            request, "concern/danger_now.html", lang, token=token, answers=answers, fields=questions.FORM_FIELDS
        )
    following = questions.CHECK if back_to_check else questions.next_step(step.name)
    if following == questions.CHECK:
        return _check(request, lang, answers, token, returned_to=changed if back_to_check else None)
    next_question = questions.step_named(following)
    assert next_question is not None
    return _question(request, lang, next_question, answers, {}, token)


def _question_to_change(change: str) -> tuple[questions.Step, str | None] | None:
    """The step and question a check page's "Change" names (a question's name; a step's name from a page
    served before this form of it, which has no question to land on), or None."""
    if change in questions.FORM_FIELDS:
        step = questions.step_of_field(change)
        return (step, change) if step is not None else None
    step = questions.step_named(change)
    return (step, None) if step is not None else None


def _changing(form: FormData) -> str | None:
    """The question the reader chose to change on the check page, carried with the form (or None)."""
    name = str(form.get("changing", ""))
    return name if name in questions.FORM_FIELDS else None


def _go_back(request: Request, lang: str, form: FormData, answers: questions.Answers, token: str) -> Response:
    """Back: the page before, with every answer kept and nothing checked (the page's own answers are the
    ones it was shown with: its Back form carries them, not what was typed since). Changing an answer, Back
    is the check page, at the row of the question."""
    step_name = str(form.get("step", ""))
    if step_name != questions.CHECK and questions.step_named(step_name) is None:
        raise HTTPException(status_code=400)
    back_to_check = bool(form.get("back_to_check"))
    target = _back_from(step_name, back_to_check=back_to_check)
    if target == questions.CHECK:
        return _check(request, lang, answers, token, returned_to=_changing(form))
    step = questions.step_named(target or "")
    if step is None:  # there is no question before the first: its Back is a plain link to the start page
        raise HTTPException(status_code=400)
    return _question(request, lang, step, answers, {}, token)


async def _store_and_confirm(
    request: Request, lang: str, form: FormData, answers: questions.Answers, token: str, fresh: bool, *, route: str
) -> Response:
    try:
        return await _store_once(request, lang, form, answers, token, fresh, route=route)
    except DatabaseBusy as error:
        log.warning("a concern (%s) was not stored: no answer from the database in time (%s)", route, error)
        return _show_again(route)(request, lang, answers, token, busy=True, status_code=503)


def _show_again(route: str) -> Callable[..., Response]:
    """The page the answers were sent from: check your answers, or the call-back request."""
    return _check if route == "form" else _callback_page


async def _store_once(
    request: Request, lang: str, form: FormData, answers: questions.Answers, token: str, fresh: bool, *, route: str
) -> Response:
    site = site_of(request)
    show_again = _show_again(route)
    read, _ = site.form_tokens.read(token)
    assert read is not None
    already = await run_in_threadpool(reference_for_key, site.engine, read.nonce)
    if already is not None:  # a double click, a retry or a resubmit after going back
        return _sent(request, lang, already)
    if form.get(HONEYPOT):
        raise HTTPException(status_code=400)
    if not fresh:
        return show_again(request, lang, answers, token, problem=EXPIRED, status_code=422)
    if not await site.submission_limiter.check(request):
        return show_again(request, lang, answers, token, problem=TOO_MANY, status_code=429)
    now = utc_now()
    payload = questions.sealed_payload(route, answers, lang, now.isoformat(timespec="seconds"))
    reference = await run_in_threadpool(
        store_concern,
        site.engine,
        idempotency_key=read.nonce,
        route=route,
        sealed=seal(site.public_key, payload),
        language=lang,
        heard_about=answers.get("heard_about") or None,
        today=now.date(),
        area=questions.area_of(answers),
    )
    return _sent(request, lang, reference)


def _sent(request: Request, lang: str, reference: str) -> Response:
    """The confirmation, as the answer to Send, so no address ever carries the reference number. Without
    JavaScript, reloading it sends the same post, which shows the same reference (the token's key); with
    JavaScript, forms.mjs has replaced the entry, so reloading opens the start page."""
    return _page(request, "concern/sent.html", lang, reference=reference, spoken_reference=spoken(reference))


def _callback_page(
    request: Request,
    lang: str,
    answers: questions.Answers,
    token: str,
    *,
    problem: str | None = None,
    errors: dict[str, str] | None = None,
    busy: bool = False,
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        "concern/callback.html",
        lang,
        step=questions.CALLBACK,
        answers=answers,
        token=token,
        errors=errors or {},
        problem=problem,
        busy=busy,
        area_groups=areas.groups(lang),
        status_code=status_code,
    )


async def callback_form(request: Request) -> Response:
    lang = language_of(request)
    return _callback_page(request, lang, questions.Answers(), site_of(request).form_tokens.issue())


async def callback_send(request: Request) -> Response:
    lang = language_of(request)
    form, token, fresh = await _guarded_form(request)
    names = tuple(spec.name for spec in questions.CALLBACK.fields)
    answers = questions.read_answers(form, names)
    errors = questions.validate(questions.CALLBACK, answers)
    if errors:
        return _callback_page(request, lang, answers, token, errors=errors, status_code=422)
    return await _store_and_confirm(request, lang, form, answers, token, fresh, route="callback")
