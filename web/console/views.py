"""The console's pages: signing in and out, accounts and the audit log, error pages. The concerns' pages are in
web/console/concern_pages.py (imported here, as web/console/app.py routes them from here).

Each view reads and checks what the request brings on the event loop, then does its database work (and the
sealing and opening that goes with it) in a worker thread (web/console/pages.py says why).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.console import auth
from web.console import scope as scopes
from web.console.concern_pages import concern_list as concern_list  # routed from here (web/console/app.py)
from web.console.concern_pages import concern_update as concern_update
from web.console.concern_pages import concern_view as concern_view
from web.console.pages import NO_STORE, form_of, one_line, refuse_other_sites, render, requires, settings_windows
from web.console.state import Console, console_of
from web.http.limits import client_of
from web.storage import officers as store

log = logging.getLogger("web.console")
UNREADABLE = (
    "Codes cannot be checked for your account at the moment. Tell an administrator: the console's keys do not open it."
)
NOT_RIGHT = "The username or password is not right, or there have been too many tries: wait a minute and try again."
UNKNOWN = "(unknown)"  # the audit log's actor for a sign-in to no account: never what the sender typed
AUDIT_VIEWS = {"actions": False, "sign-ins": True}  # ?show=…: what was written before anyone signed in?
LAST_PAGE = 10_000


async def home(request: Request) -> Response:
    signed_in = await run_in_threadpool(auth.current, request, *settings_windows(request))
    if signed_in is None:
        return RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    start = {"officer": "/concerns", "comms": "/dashboard", "admin": "/accounts"}[signed_in.officer.role]
    return RedirectResponse(start, status_code=303, headers=NO_STORE)


async def sign_in_form(request: Request) -> Response:
    return render(request, "console/sign_in.html", error=None)


async def sign_in(request: Request) -> Response:
    """The password step. Past the per-address limit, or from an address the account's delay holds up, the
    attempt is refused unchecked and only counted; a wrong password is written to the audit log under the
    account's name, or as UNKNOWN, never under what was typed."""
    state = console_of(request)
    refuse_other_sites(request)
    form = await form_of(request, max_fields=10)
    username, password = one_line(str(form.get("username", ""))[:64]), str(form.get("password", ""))[:256]
    if not await state.sign_in_limiter.check(request):
        await refused(state)
        return render(request, "console/sign_in.html", error="Too many attempts. Wait and try again.", status_code=429)
    address = client_of(request)
    checked, officer = await _check_password(state, username, password, address)
    if checked is auth.Password.HELD:
        await refused(state)
    elif checked is auth.Password.WRONG:
        if officer is not None:
            state.failed_addresses.add(officer.id, address)
        actor = officer.username if officer is not None else UNKNOWN
        await run_in_threadpool(store.record, state.engine, actor, "sign-in-failed")
    if checked is not auth.Password.RIGHT or officer is None:
        return render(request, "console/sign_in.html", error=NOT_RIGHT, username=username, status_code=401)
    response = RedirectResponse("/sign-in/code", status_code=303, headers=NO_STORE)
    response.set_cookie(
        auth.PENDING_COOKIE,
        auth.pending_value(state.keys.pending_key, officer.id, last_step=officer.last_totp_step),
        max_age=auth.PENDING_SECONDS,
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return response


async def _check_password(
    state: Console, username: str, password: str, address: str
) -> tuple[auth.Password, store.Officer | None]:
    """auth.check_password in a worker thread, one attempt at a time for an account that exists."""
    known = await run_in_threadpool(store.officer_by_username, state.engine, username)

    def check() -> tuple[auth.Password, store.Officer | None]:
        return auth.check_password(
            state.engine,
            username,
            password,
            auth.now_utc(),
            failed_here=lambda officer_id: state.failed_addresses.failed(officer_id, address),
        )

    if known is None:
        return await run_in_threadpool(check)
    async with state.turns.of(known.id):
        return await run_in_threadpool(check)


async def refused(state: Console) -> None:
    """Count a sign-in refused unchecked; write the counts of the windows that are over to the audit log."""
    state.refused_sign_ins.count()
    await run_in_threadpool(write_refusals, state)


def write_refusals(state: Console, *, everything: bool = False) -> None:
    """One audit row for each window of refused sign-ins that is over (or, as the console stops, for all)."""
    minutes = state.refused_sign_ins.window // 60
    for end, count in state.refused_sign_ins.take_closed(everything=everything):
        detail = f"{count} sign-ins refused unchecked in the {minutes} minutes to {end:%H:%M} UTC"
        store.record(state.engine, "-", "sign-in-throttled", detail=detail, now=end)


def _pending_officer(state: Console, cookie: str, address: str) -> tuple[store.Officer | None, bool]:
    """The officer whose password was right, while the pending note is unspent and the account usable from
    here (a code that signed the officer in since, or a deactivation, ends it); and whether it is this
    address's delay that stops it."""
    officer_id = auth.pending_officer_id(cookie)
    officer = store.officer_by_id(state.engine, officer_id) if officer_id is not None else None
    if officer is None or not officer.active:
        return None, False
    if auth.read_pending(state.keys.pending_key, cookie, officer.last_totp_step) is None:
        return None, False
    if auth.delayed(officer, auth.now_utc(), state.failed_addresses.failed(officer.id, address)):
        return None, True
    return officer, False


async def code_form(request: Request) -> Response:
    state, cookie = console_of(request), request.cookies.get(auth.PENDING_COOKIE, "")
    officer, _ = await run_in_threadpool(_pending_officer, state, cookie, client_of(request))
    if officer is None:
        return RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    return render(request, "console/code.html", error=None)


@dataclass(frozen=True)
class CodeStep:
    outcome: str  # "again" (back to the password), "held", "unreadable", "wrong" or "right"
    token: str = ""  # the new session's, when right


def _code_step(request: Request, state: Console, code: str, address: str) -> CodeStep:
    """The second step's database work, in a worker thread while the account's turn is held (views.code_verify)."""
    officer, held = _pending_officer(state, request.cookies.get(auth.PENDING_COOKIE, ""), address)
    if officer is None:
        return CodeStep("held" if held else "again")
    checked = auth.check_code(state.engine, state.keys.totp_keys, officer, code)
    if checked is auth.Code.UNREADABLE:  # the console's keys, not the officer: not counted as a failure
        store.record(state.engine, officer.username, "code-unreadable")
        return CodeStep("unreadable")
    if checked is not auth.Code.RIGHT:
        replayed = checked is auth.Code.REPLAYED  # seen, or intercepted: the admins' audit log shows it
        if replayed:
            log.warning("console: a sign-in code already used was entered again (audit log: code-replayed)")
        store.record(state.engine, officer.username, "code-replayed" if replayed else "code-failed")
        auth.record_failure(state.engine, officer, auth.now_utc())
        state.failed_addresses.add(officer.id, address)
        return CodeStep("wrong")
    auth.end(request)
    token = auth.start_session(state.engine, state.keys.session_key, officer, auth.now_utc())
    state.failed_addresses.forget(officer.id, address)
    store.record(state.engine, officer.username, "signed-in")
    return CodeStep("right", token)


async def code_verify(request: Request) -> Response:
    """The second step. The form is read first, then one attempt at a time for the account checks the note,
    the delay and the code and counts a failure, so guesses sent together are each counted before the next
    is checked. The session the browser had before, if any, ends: a new one replaces it."""
    state = console_of(request)
    refuse_other_sites(request)
    form = await form_of(request, max_fields=10)
    code = str(form.get("code", ""))[:20]
    officer_id = auth.pending_officer_id(request.cookies.get(auth.PENDING_COOKIE, ""))
    if officer_id is None:
        return RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    async with state.turns.of(officer_id):
        step = await run_in_threadpool(_code_step, request, state, code, client_of(request))
    if step.outcome in ("again", "held"):
        if step.outcome == "held":
            await refused(state)
        return RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    if step.outcome == "unreadable":
        return render(request, "console/code.html", error=UNREADABLE, status_code=503)
    if step.outcome == "wrong":
        return render(
            request, "console/code.html", error="That code is not right. Enter the current code.", status_code=401
        )
    response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    response.delete_cookie(auth.PENDING_COOKIE, secure=True, httponly=True, samesite="strict")
    response.set_cookie(auth.SESSION_COOKIE, step.token, secure=True, httponly=True, samesite="strict")
    return response


def _sign_out(request: Request) -> None:
    store.record(console_of(request).engine, request.state.signed_in.officer.username, "signed-out")
    auth.end(request)


@requires("officer", "comms", "admin")
async def sign_out(request: Request) -> Response:
    await run_in_threadpool(_sign_out, request)
    response = RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    response.delete_cookie(auth.SESSION_COOKIE, secure=True, httponly=True, samesite="strict")
    return response


def _audit_query(request: Request) -> tuple[str, str | None, int]:
    """?show=actions|sign-ins, ?actor=NAME and ?page=N, or a 400."""
    show = request.query_params.get("show", "actions")
    actor = one_line(request.query_params.get("actor", "").strip()[:64]) or None
    page = request.query_params.get("page", "1")
    if show not in AUDIT_VIEWS or not (page.isascii() and page.isdigit() and 1 <= int(page) <= LAST_PAGE):
        raise HTTPException(status_code=400)
    return show, actor, int(page)


def _areas_query(request: Request) -> int | None:
    """?areas=ID: the officer whose areas the page shows a form for, or a 400."""
    asked = request.query_params.get("areas", "")
    if not asked:
        return None
    if not (asked.isascii() and asked.isdigit() and 0 < int(asked) <= store.LARGEST_ID):
        raise HTTPException(status_code=400)
    return int(asked)


@requires("admin")
async def accounts(request: Request) -> Response:
    """The accounts with their areas, and the audit log, a page at a time: by default what was done after
    signing in, with sign-in attempts (and the counts of those refused unchecked) on a view of their own.
    ?areas=ID adds the form that changes an officer's areas (ADR 21)."""
    state = console_of(request)
    show, actor, page = _audit_query(request)
    areas_of = _areas_query(request)

    def read() -> tuple[list[store.Officer], store.AuditPage, dict[int, frozenset[str]]]:
        store.record(state.engine, request.state.signed_in.officer.username, "accounts")
        write_refusals(state)
        audit = store.audit_page(state.engine, before_sign_in=AUDIT_VIEWS[show], actor=actor, page=page)
        return store.all_officers(state.engine), audit, store.all_areas(state.engine)

    officers, audit, areas = await run_in_threadpool(read)
    changing = next((officer for officer in officers if officer.id == areas_of and officer.role == "officer"), None)
    if areas_of is not None and changing is None:
        raise HTTPException(status_code=404)
    since, throttled_now = state.refused_sign_ins.now_counting()
    return render(
        request,
        "console/accounts.html",
        officers=officers,
        audit=audit,
        show=show,
        actor=actor or "",
        throttled_now=throttled_now,
        throttled_since=since,
        now=auth.now_utc(),
        areas=areas,
        area_name=dict(scopes.officer_area_choices()),
        area_choices=scopes.officer_area_choices(),
        changing=changing,
    )


@requires("admin")
async def account_toggle(request: Request) -> Response:
    """Deactivate or reactivate the account; with `action=areas`, set the areas an officer works in instead."""
    state = console_of(request)
    officer_id = int(str(request.path_params["officer_id"]))
    if officer_id > store.LARGEST_ID:
        raise HTTPException(status_code=400)
    admin = request.state.signed_in.officer
    form = await form_of(request, max_fields=200)
    if form.get("action") == "areas":
        return await _set_areas(request, officer_id, frozenset(str(area) for area in form.getlist("area")))

    def toggle() -> None:
        officer = store.officer_by_id(state.engine, officer_id)
        if officer is None:
            raise HTTPException(status_code=404)
        if officer.id == admin.id:
            raise HTTPException(status_code=400)
        store.update_officer(state.engine, officer.id, active=not officer.active)
        if officer.active:
            store.end_sessions_of(state.engine, officer.id)
        action = "deactivated" if officer.active else "reactivated"
        store.record(state.engine, admin.username, action, detail=officer.username)

    await run_in_threadpool(toggle)
    return RedirectResponse("/accounts", status_code=303, headers=NO_STORE)


async def _set_areas(request: Request, officer_id: int, chosen: frozenset[str]) -> Response:
    """The officer works in `chosen` from now on (any area not on the list: a 400); written to the audit log."""
    state, admin = console_of(request), request.state.signed_in.officer
    if not chosen <= dict(scopes.officer_area_choices()).keys():
        raise HTTPException(status_code=400)

    def change() -> None:
        officer = store.officer_by_id(state.engine, officer_id)
        if officer is None or officer.role != "officer":
            raise HTTPException(status_code=404)
        store.set_areas(state.engine, officer.id, chosen)
        shown = ", ".join(sorted(chosen)) or "none"
        store.record(state.engine, admin.username, "areas", detail=f"{officer.username}: {shown}")

    await run_in_threadpool(change)
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
