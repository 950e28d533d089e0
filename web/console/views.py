"""The console's pages. Every view and change of a concern is written to the audit log."""

from __future__ import annotations

import logging
from typing import Any

from nacl.exceptions import CryptoError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.clock import utc_today
from web.concern.questions import ALL_FIELDS, STEPS
from web.console import auth
from web.console.pages import NO_STORE, refuse_other_sites, render, requires, settings_windows
from web.console.state import console_of
from web.sealing import seal, unseal
from web.storage import concerns as concern_store
from web.storage import officers as store

log = logging.getLogger("web.console")
UNOPENABLE = "This concern cannot be opened with the console's keys. Tell an administrator."
UNREADABLE = (
    "Codes cannot be checked for your account at the moment. Tell an administrator: the console's keys do not open it."
)


async def home(request: Request) -> Response:
    signed_in = auth.current(request, *settings_windows(request))
    if signed_in is None:
        return RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    start = {"officer": "/concerns", "comms": "/dashboard", "admin": "/accounts"}[signed_in.officer.role]
    return RedirectResponse(start, status_code=303, headers=NO_STORE)


async def sign_in_form(request: Request) -> Response:
    return render(request, "console/sign_in.html", error=None)


async def sign_in(request: Request) -> Response:
    state = console_of(request)
    refuse_other_sites(request)
    form = await request.form(max_files=0, max_fields=10)
    username, password = str(form.get("username", ""))[:64], str(form.get("password", ""))[:256]
    if not await state.sign_in_limiter.check(request):
        store.record(state.engine, username or "-", "sign-in-throttled")
        return render(request, "console/sign_in.html", error="Too many attempts. Wait and try again.", status_code=429)
    officer = auth.check_password(state.engine, username, password, auth.now_utc())
    if officer is None:
        store.record(state.engine, username or "-", "sign-in-failed")
        return render(
            request,
            "console/sign_in.html",
            error="The username or password is not right, or the account is locked.",
            username=username,
            status_code=401,
        )
    response = RedirectResponse("/sign-in/code", status_code=303, headers=NO_STORE)
    response.set_cookie(
        auth.PENDING_COOKIE,
        auth.pending_value(state.keys.pending_key, officer.id),
        max_age=auth.PENDING_SECONDS,
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return response


def _pending_officer(request: Request) -> store.Officer | None:
    """The officer whose password was right, while the account is still usable: a lock (five wrong
    codes) or a deactivation since the password step ends the code step too."""
    officer_id = auth.read_pending(console_of(request).keys.pending_key, request.cookies.get(auth.PENDING_COOKIE, ""))
    officer = store.officer_by_id(console_of(request).engine, officer_id) if officer_id is not None else None
    return officer if officer is not None and auth.usable(officer, auth.now_utc()) else None


async def code_form(request: Request) -> Response:
    if _pending_officer(request) is None:
        return RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    return render(request, "console/code.html", error=None)


async def code_verify(request: Request) -> Response:
    """The second step. The form is read before the officer, so no other request can run between
    the lock check, the code check and counting a failure (guesses held open would all see an
    unlocked account). The session the browser had before, if any, ends: a new one replaces it."""
    state = console_of(request)
    refuse_other_sites(request)
    form = await request.form(max_files=0, max_fields=10)
    officer = _pending_officer(request)
    if officer is None:
        return RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    checked = auth.check_code(state.engine, state.keys.totp_keys, officer, str(form.get("code", ""))[:20])
    if checked is auth.Code.UNREADABLE:  # the console's keys, not the officer: not counted as a failure
        store.record(state.engine, officer.username, "code-unreadable")
        return render(request, "console/code.html", error=UNREADABLE, status_code=503)
    if checked is not auth.Code.RIGHT:
        replayed = checked is auth.Code.REPLAYED  # seen, or intercepted: the admins' audit log shows it
        if replayed:
            log.warning("console: a sign-in code already used was entered again (audit log: code-replayed)")
        store.record(state.engine, officer.username, "code-replayed" if replayed else "code-failed")
        auth.record_failure(state.engine, officer, auth.now_utc())
        return render(
            request, "console/code.html", error="That code is not right. Enter the current code.", status_code=401
        )
    auth.end(request)
    token = auth.start_session(state.engine, officer, auth.now_utc())
    store.record(state.engine, officer.username, "signed-in")
    response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    response.delete_cookie(auth.PENDING_COOKIE, secure=True, httponly=True, samesite="strict")
    response.set_cookie(auth.SESSION_COOKIE, token, secure=True, httponly=True, samesite="strict")
    return response


@requires("officer", "comms", "admin")
async def sign_out(request: Request) -> Response:
    store.record(console_of(request).engine, request.state.signed_in.officer.username, "signed-out")
    auth.end(request)
    response = RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    response.delete_cookie(auth.SESSION_COOKIE, secure=True, httponly=True, samesite="strict")
    return response


@requires("officer")
async def concern_list(request: Request) -> Response:
    state = console_of(request)
    show = request.query_params.get("show", "open")
    statuses = concern_store.STATUSES if show == "all" else ("new", "contacted", "referred")
    rows = concern_store.list_concerns(state.engine, statuses)
    store.record(state.engine, request.state.signed_in.officer.username, "listed", detail=f"{len(rows)} {show}")
    return render(request, "console/concerns.html", concerns=rows, show=show)


@requires("officer")
async def concern_view(request: Request) -> Response:
    state = console_of(request)
    reference = str(request.path_params["reference"])[:16]
    stored = concern_store.get_concern(state.engine, reference)
    if stored is None:
        raise HTTPException(status_code=404)
    try:
        opened = unseal(state.keys.private_keys, stored.sealed)
        note = unseal(state.keys.private_keys, stored.note_sealed).get("note", "") if stored.note_sealed else ""
    except CryptoError:  # sealed for a key this console does not have (a public server's wrong public key)
        log.error("console: concern %s opens with none of the console's keys", reference)
        store.record(state.engine, request.state.signed_in.officer.username, "unopenable", reference)
        return render(request, "console/error.html", title=UNOPENABLE, status_code=503)
    store.record(state.engine, request.state.signed_in.officer.username, "opened", reference)
    return render(
        request,
        "console/concern.html",
        concern=stored,
        opened=opened,
        note=note,
        rows=_answer_rows(opened),
        statuses=concern_store.STATUSES,
    )


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
    state = console_of(request)
    reference = str(request.path_params["reference"])[:16]
    form = await request.form(max_files=0, max_fields=20)
    status = str(form.get("status", ""))
    note = str(form.get("note", ""))[:2000]
    if status not in concern_store.STATUSES:
        raise HTTPException(status_code=400)
    sealed_note = seal(state.keys.public_key, {"note": note}) if note else None
    if not concern_store.set_status(state.engine, reference, status, sealed_note, utc_today()):
        raise HTTPException(status_code=404)
    store.record(
        state.engine,
        request.state.signed_in.officer.username,
        "status",
        reference,
        detail=status + (" with note" if note else ""),
    )
    return RedirectResponse(f"/concerns/{reference}", status_code=303, headers=NO_STORE)


@requires("admin")
async def accounts(request: Request) -> Response:
    state = console_of(request)
    store.record(state.engine, request.state.signed_in.officer.username, "accounts")
    return render(
        request,
        "console/accounts.html",
        officers=store.all_officers(state.engine),
        audit=store.audit_entries(state.engine, 50),
    )


@requires("admin")
async def account_toggle(request: Request) -> Response:
    state = console_of(request)
    officer = store.officer_by_id(state.engine, int(str(request.path_params["officer_id"])))
    if officer is None:
        raise HTTPException(status_code=404)
    if officer.id == request.state.signed_in.officer.id:
        raise HTTPException(status_code=400)
    store.update_officer(state.engine, officer.id, active=not officer.active)
    if officer.active:
        store.end_sessions_of(state.engine, officer.id)
    action = "deactivated" if officer.active else "reactivated"
    store.record(state.engine, request.state.signed_in.officer.username, action, detail=officer.username)
    return RedirectResponse("/accounts", status_code=303, headers=NO_STORE)


ERROR_TITLES = {
    400: "That request was not right",
    401: "You need to sign in",
    403: "You cannot see this page",
    404: "Page not found",
    405: "This page cannot do that",
    413: "That was too much to send",
    500: "Sorry, there is a problem with the console",
}


async def console_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 500:
        log.error("console error on %s %s: %s", request.method, request.url.path, type(exc).__name__, exc_info=exc)
    return render(request, "console/error.html", title=ERROR_TITLES.get(status, ERROR_TITLES[400]), status_code=status)
