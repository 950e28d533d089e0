"""The officers' pages for concerns: the queue a page at a time, one concern opened, and the work on it (its
status and closing outcome, who has it, a handover). Every listing, opening and change is written to the
audit log, and a change is one form posted to the concern's own address (`action`: status, assign or
handover), answered with a redirect back to it or, when something typed is not right, the page again with
its errors.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace
from typing import Any, NoReturn

from nacl.exceptions import CryptoError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.clock import utc_now
from web.concern.questions import ALL_FIELDS, STEPS
from web.console import glance, workflow
from web.console import scope as scopes
from web.console.pages import NO_STORE, form_of, one_line, render, requires
from web.console.queue_filters import LANGUAGES, ROUTES, read_query
from web.console.state import Console, console_of
from web.console.working_days import calendar_of_area, years_without_holidays
from web.sealing import seal, unseal
from web.storage import concerns as concern_store
from web.storage import officers as store
from web.storage import queue

log = logging.getLogger("web.console")
UNOPENABLE = "This concern cannot be opened with the console's keys. Tell an administrator."
REFERENCE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")
ACTIONS = ("status", "assign", "handover", "transfer")


def _reference(request: Request) -> str:
    """The concern's reference in the path: a 400 for a control character, a 404 for anything that is not a
    reference, either without asking the database."""
    reference = one_line(str(request.path_params["reference"]))
    if not REFERENCE.fullmatch(reference):
        raise HTTPException(status_code=404)
    return reference


@requires("officer")
async def concern_list(request: Request) -> Response:
    """The queue, fifty a page, filtered; never the sealed answers (web/storage/queue.py)."""
    state, officer = console_of(request), request.state.signed_in.officer
    asked = read_query(request.query_params, workflow.console_today(), officer.id)

    def listed() -> tuple[queue.QueuePage | None, scopes.Scope, dict[str, glance.Glance]]:
        scope = scopes.scope_of(state.engine, officer.id)
        if asked.errors:
            return None, scope, {}
        wanted = replace(asked.wanted, areas=scope.queue_areas())  # only the officer's areas, whatever was asked
        found = queue.queue_page(state.engine, wanted, asked.page)
        shown = " ".join(f"{name}={value}" for name, value in asked.values.items() if value)
        store.record(state.engine, officer.username, "listed", detail=f"{found.total} {shown} page {asked.page}")
        sealed = queue.sealed_of(state.engine, [concern.reference for concern in found.concerns])
        return found, scope, glance.glances(state.keys.private_keys, sealed)  # opened in memory, only this page

    found, scope, glances = await run_in_threadpool(listed)
    today = workflow.console_today()
    rows = [_row(concern, today, glances.get(concern.reference)) for concern in (found.concerns if found else [])]
    return render(
        request,
        "console/concerns.html",
        found=found,
        rows=rows,
        asked=asked,
        errors=asked.errors,
        overdue={row.reference for row in rows if row.overdue},
        statuses=concern_store.STATUSES,
        routes=ROUTES,
        languages=LANGUAGES,
        area_choices=[(slug, name) for slug, name in scopes.area_choices() if scope.sees(slug)],
        scope=scope,
        holidays_missing=years_without_holidays(today),
        status_code=400 if asked.errors else 200,
    )


@dataclass(frozen=True)
class Row:
    """A concern as the list shows it, put into words here: a page of fifty renders in a fraction of the time
    the template took to call a method or filter for each cell."""

    reference: str
    received: str
    route: str
    language: str
    status: str
    overdue: bool
    assigned_to: str
    area: str
    at_a_glance: glance.Glance


def _row(concern: queue.QueuedConcern, today: dt.date, seen: glance.Glance | None) -> Row:
    return Row(
        concern.reference,
        concern.received_on.isoformat(),
        ROUTES.get(concern.route, concern.route),
        LANGUAGES.get(concern.language, concern.language),
        concern.status.capitalize(),
        workflow.is_overdue(concern.status, concern.received_on, today, calendar=calendar_of_area(concern.area)),
        f"With {concern.assigned_to}" if concern.assigned_to else "Not assigned",
        scopes.area_name(concern.area),
        seen or glance.UNOPENABLE,
    )


@dataclass(frozen=True)
class Opened:
    concern: concern_store.StoredConcern
    answers: dict[str, Any]
    note: str
    work: queue.Work
    handover: dict[str, str]
    history: list[queue.Step]
    officers: list[tuple[int, str]]
    national: bool  # whether the officer is national triage (who may transfer it)


def _open_concern(state: Console, signed_in: store.Officer, reference: str, path: str) -> Opened | None:
    """The concern opened with the console's keys, and the opening written to the audit log; None when no
    key opens it (also written). A 404 for a concern out of the officer's areas (web/console/scope.py)."""
    scope = scopes.check_sees(state.engine, signed_in, reference, path)
    officer = signed_in.username
    stored = concern_store.get_concern(state.engine, reference)
    desk = queue.desk_of(state.engine, reference) if stored is not None else None
    if stored is None or desk is None:
        raise HTTPException(status_code=404)
    work = desk.work
    try:
        opened = unseal(state.keys.private_keys, stored.sealed)
        note = unseal(state.keys.private_keys, stored.note_sealed).get("note", "") if stored.note_sealed else ""
        handover = unseal(state.keys.private_keys, work.handover_sealed) if work.handover_sealed else {}
    except CryptoError:  # sealed for a key this console does not have (a public server's wrong public key)
        log.error("console: concern %s opens with none of the console's keys", reference)
        store.record(state.engine, officer, "unopenable", reference)
        return None
    store.record(state.engine, officer, "opened", reference)
    return Opened(stored, opened, note, work, handover, desk.history, desk.officers, scope.national)


async def _concern_page(
    request: Request, reference: str, *, errors: dict[str, str] | None = None, values: dict[str, str] | None = None
) -> Response:
    state = console_of(request)
    signed_in = request.state.signed_in.officer
    opened = await run_in_threadpool(_open_concern, state, signed_in, reference, request.url.path)
    if opened is None:
        return render(request, "console/error.html", title=UNOPENABLE, status_code=503)
    concern, today = opened.concern, workflow.console_today()
    calendar = calendar_of_area(opened.work.area)
    assigned = dict(opened.officers).get(opened.work.assigned_to or 0)
    if opened.work.assigned_to is not None and assigned is None:
        assigned = "an officer no longer able to work on concerns"
    return render(
        request,
        "console/concern.html",
        concern=concern,
        languages=LANGUAGES,
        opened=opened.answers,
        note=(values or {}).get("note", opened.note),
        rows=_answer_rows(opened.answers),
        statuses=concern_store.STATUSES,
        outcomes=workflow.OUTCOMES,
        work=opened.work,
        assigned=assigned,
        handover=opened.handover,
        history=[readable(step) for step in opened.history],
        officers=opened.officers,
        overdue=workflow.is_overdue(concern.status, concern.received_on, today, calendar=calendar),
        due_by=workflow.due_by(concern.received_on, calendar=calendar),
        area=scopes.area_name(opened.work.area),
        national=opened.national,
        area_choices=scopes.area_choices(),
        reasons=scopes.TRANSFER_REASONS,
        errors=errors or {},
        values=values or {},
        status_code=400 if errors else 200,
    )


@requires("officer")
async def concern_view(request: Request) -> Response:
    return await _concern_page(request, _reference(request))


def _answer_rows(opened: dict[str, Any]) -> list[tuple[str, str]]:
    answers: dict[str, Any] = opened.get("answers", {})
    order = [field.name for step in STEPS for field in step.fields] + list(ALL_FIELDS)
    rows = []
    for name in dict.fromkeys(order):
        if name not in answers or name == "danger":
            continue
        spec = ALL_FIELDS[name]
        value = answers[name]
        values = value if isinstance(value, list) else [value]
        labels = dict(spec.choices)
        shown = ", ".join(str(labels.get(item, item)) for item in values if item)
        rows.append((spec.label, shown or "Not given"))
    return rows


@requires("officer")
async def concern_update(request: Request) -> Response:
    """One change to the concern, by the form's `action` (a form without one changes the status)."""
    reference, form = _reference(request), await form_of(request)
    action = str(form.get("action", "status"))
    if action not in ACTIONS:
        raise HTTPException(status_code=400)
    state, officer = console_of(request), request.state.signed_in.officer
    scope = await run_in_threadpool(scopes.check_sees, state.engine, officer, reference, request.url.path)
    if action == "transfer" and not scope.national:
        await run_in_threadpool(store.record, state.engine, officer.username, "denied", reference, "transfer")
        raise HTTPException(status_code=403)
    change = {"status": _change_status, "assign": _assign, "handover": _hand_over, "transfer": _transfer}[action]
    errors, values = await change(request, reference, form)
    if errors:
        return await _concern_page(request, reference, errors=errors, values=values)
    return RedirectResponse(f"/concerns/{reference}", status_code=303, headers=NO_STORE)


Changed = tuple[dict[str, str], dict[str, str]]  # errors by field id, and what was sent (to show again)


def _missing() -> NoReturn:
    raise HTTPException(status_code=404)


async def _change_status(request: Request, reference: str, form: FormData) -> Changed:
    state, actor = console_of(request), request.state.signed_in.officer.username
    status, outcome, note = str(form.get("status", "")), str(form.get("outcome", "")), str(form.get("note", ""))[:2000]
    if status not in concern_store.STATUSES or outcome not in ("", *workflow.OUTCOMES):
        raise HTTPException(status_code=400)
    if status == "closed" and not outcome:
        return {"outcome": "Choose the outcome to close the concern"}, {"status": status, "note": note}

    def update() -> None:
        sealed_note = seal(state.keys.public_key, {"note": note}) if note else None
        now = utc_now().replace(tzinfo=None)
        if not queue.change_status(state.engine, reference, status, outcome or None, sealed_note, now):
            _missing()
        detail = status + (f" ({outcome})" if status == "closed" else "") + (" with note" if note else "")
        store.record(state.engine, actor, "status", reference, detail=detail, now=now)

    await run_in_threadpool(update)
    return {}, {}


async def _assign(request: Request, reference: str, form: FormData) -> Changed:
    """`officer`: an id from the list of officers, "me" (claiming it), or "" (giving it back)."""
    state, signed_in = console_of(request), request.state.signed_in.officer
    chosen = one_line(str(form.get("officer", ""))[:12])

    def assign() -> None:
        area = queue.area_of(state.engine, reference)
        if area is None:
            _missing()
        officers = dict(queue.officers_to_assign(state.engine, area))  # only those who see its area
        officer_id = signed_in.id if chosen == "me" else int(chosen) if chosen.isascii() and chosen.isdigit() else None
        if chosen and officer_id not in officers:
            raise HTTPException(status_code=400)
        if not queue.assign(state.engine, reference, officer_id):
            _missing()
        action, detail = ("assigned", officers[officer_id]) if officer_id is not None else ("unassigned", None)
        store.record(state.engine, signed_in.username, action, reference, detail=detail)

    await run_in_threadpool(assign)
    return {}, {}


async def _hand_over(request: Request, reference: str, form: FormData) -> Changed:
    state, actor = console_of(request), request.state.signed_in.officer.username
    sent = {
        name: one_line(str(form.get(name, ""))[:200]) for name in ("handover-to", "handover-on", "handover-reference")
    }
    handover, errors = workflow.handover_errors(
        sent["handover-to"], sent["handover-on"], sent["handover-reference"], workflow.console_today()
    )
    if handover is None:
        return errors, sent

    def record() -> None:
        sealed = seal(state.keys.public_key, {"to": handover.to, "their_reference": handover.their_reference})
        if not queue.record_handover(state.engine, reference, handover.on, sealed):
            _missing()
        store.record(state.engine, actor, "handover", reference, detail=f"on {handover.on.isoformat()}")

    await run_in_threadpool(record)
    return {}, {}


TRANSFERRED = re.compile(r"^from (?P<before>[\w-]+) to (?P<to>[\w-]+): (?P<reason>[\w-]+)$")


def readable(step: queue.Step) -> queue.Step:
    """A step of the history in an officer's words: a transfer names the areas and its reason, where the audit
    log keeps their slugs ("from surrey to kent: moved")."""
    found = TRANSFERRED.match(step.detail or "") if step.action == "transferred" else None
    if found is None:
        return step
    reason = scopes.TRANSFER_REASONS.get(found["reason"], found["reason"])
    before, to = scopes.area_name(found["before"]), scopes.area_name(found["to"])
    return replace(step, detail=f"from {before} to {to}. {reason}")


async def _transfer(request: Request, reference: str, form: FormData) -> Changed:
    """National triage moves the concern to another area's queue, with a reason from the list (ADR 21)."""
    state, actor = console_of(request), request.state.signed_in.officer.username
    sent = {name: one_line(str(form.get(name, ""))[:40]) for name in ("transfer-to", "transfer-reason")}
    to, reason = sent["transfer-to"], sent["transfer-reason"]
    errors: dict[str, str] = {}
    if to not in dict(scopes.area_choices()):
        errors["transfer-to"] = "Choose the area to transfer the concern to"
    if reason not in scopes.TRANSFER_REASONS:
        errors["transfer-reason"] = "Choose why you are transferring the concern"
    if errors:
        return errors, sent

    def move() -> dict[str, str]:
        before = queue.area_of(state.engine, reference)
        if before is None:
            _missing()
        if before == to:
            return {"transfer-to": "The concern is in that area already: choose another area"}
        if not queue.transfer(state.engine, reference, to):
            _missing()
        store.record(state.engine, actor, "transferred", reference, detail=f"from {before} to {to}: {reason}")
        return {}

    errors = await run_in_threadpool(move)
    return errors, sent if errors else {}
