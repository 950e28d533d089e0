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
from dataclasses import dataclass
from typing import Any, NoReturn

from nacl.exceptions import CryptoError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.clock import utc_now
from web.concern.questions import ALL_FIELDS, STEPS
from web.console import workflow
from web.console.pages import NO_STORE, form_of, one_line, render, requires
from web.console.queue_filters import LANGUAGES, ROUTES, read_query
from web.console.state import Console, console_of
from web.sealing import seal, unseal
from web.storage import concerns as concern_store
from web.storage import officers as store
from web.storage import queue

log = logging.getLogger("web.console")
UNOPENABLE = "This concern cannot be opened with the console's keys. Tell an administrator."
REFERENCE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")
ACTIONS = ("status", "assign", "handover")


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
    asked = read_query(request.query_params, utc_now().date(), officer.id)

    def listed() -> queue.QueuePage | None:
        if asked.errors:
            return None
        found = queue.queue_page(state.engine, asked.wanted, asked.page)
        shown = " ".join(f"{name}={value}" for name, value in asked.values.items() if value)
        store.record(state.engine, officer.username, "listed", detail=f"{found.total} {shown} page {asked.page}")
        return found

    found = await run_in_threadpool(listed)
    today = utc_now().date()
    rows = [_row(concern, today) for concern in (found.concerns if found else [])]
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


def _row(concern: queue.QueuedConcern, today: dt.date) -> Row:
    return Row(
        concern.reference,
        concern.received_on.isoformat(),
        ROUTES.get(concern.route, concern.route),
        LANGUAGES.get(concern.language, concern.language),
        concern.status.capitalize(),
        workflow.is_overdue(concern.status, concern.received_on, today),
        concern.assigned_to or "Nobody",
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


def _open_concern(state: Console, officer: str, reference: str) -> Opened | None:
    """The concern opened with the console's keys, and the opening written to the audit log; None when no
    key opens it (also written)."""
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
    return Opened(stored, opened, note, work, handover, desk.history, desk.officers)


async def _concern_page(
    request: Request, reference: str, *, errors: dict[str, str] | None = None, values: dict[str, str] | None = None
) -> Response:
    state = console_of(request)
    opened = await run_in_threadpool(_open_concern, state, request.state.signed_in.officer.username, reference)
    if opened is None:
        return render(request, "console/error.html", title=UNOPENABLE, status_code=503)
    concern, today = opened.concern, utc_now().date()
    assigned = dict(opened.officers).get(opened.work.assigned_to or 0)
    if opened.work.assigned_to is not None and assigned is None:
        assigned = "an officer no longer able to work on concerns"
    return render(
        request,
        "console/concern.html",
        concern=concern,
        opened=opened.answers,
        note=(values or {}).get("note", opened.note),
        rows=_answer_rows(opened.answers),
        statuses=concern_store.STATUSES,
        outcomes=workflow.OUTCOMES,
        work=opened.work,
        assigned=assigned,
        handover=opened.handover,
        history=opened.history,
        officers=opened.officers,
        overdue=workflow.is_overdue(concern.status, concern.received_on, today),
        due_by=workflow.due_by(concern.received_on),
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
    change = {"status": _change_status, "assign": _assign, "handover": _hand_over}[action]
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
        officers = dict(queue.officers_to_assign(state.engine))
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
        sent["handover-to"], sent["handover-on"], sent["handover-reference"], utc_now().date()
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
