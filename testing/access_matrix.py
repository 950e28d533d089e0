"""The console's access-control matrix: every route, tried every way that must not get in.

Each console route (read from the app: a route missing from EXPECTED fails the first test) is
tried with GET and with its own methods, once per case: signed out; a session past its idle or its
absolute limit; the wrong role; a deactivated account; the password without the code; a session
cookie with characters changed, cut short, signed out or over-long; a TOTP code used before; the
right code from an address the account's delay holds; a spent pending cookie with the next code; a
session row planted in the database; a POST without, or with a wrong, CSRF token; and, by area (ADR 21),
an officer of another area or of none (opening, changing, listing, counting or searching for the concern,
by its reference or by filters) and an officer who is not in national triage transferring it. Each attempt
brings the
most an attacker could (a real CSRF token where the form needs one), so only the case's own flaw
stands between it and the page.

An attempt is *allowed* when the response shows protected content (a 2xx, or a redirect anywhere
but /sign-in, or the concern's answers or an account name in the body) or anything changed (the
concern, an account, the set of live sessions). It is *refused* when it is a redirect to /sign-in,
401, 403, 404 or 405 with nothing changed. A 5xx is an error, which fails too. The control case (the
right role, a session just inside both limits) must be allowed: the matrix can see an allowed
request, and the tests at the end break the console on purpose to prove it. The officers' control is national
triage; an officer of the concern's own area is a second control. The concern is in AREA for every case. On
the list, where a page answers every officer, an attempt is refused when the page leaves the concern out:
neither its link nor a count of it.

tests/console/test_access_control.py runs it; bench/security_matrix.py prints it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from httpx2 import Response
from sqlalchemy import select
from starlette.routing import Route
from starlette.testclient import TestClient

from testing.security_world import CONCERN_MARKER, CONSOLE_URL, PENDING, SESSION, TARGET_NAME, Credentials, World
from web.console import auth
from web.console.state import console_of_app
from web.storage import officers as store
from web.storage.tables import concerns


@dataclass(frozen=True)
class Rule:
    """Who may use a route: anyone (no roles: a public route) or signed-in officers of `roles`."""

    roles: frozenset[str] = frozenset()
    served: bool = True  # False: the path is served, but not with this method (405 for everyone)

    @property
    def public(self) -> bool:
        return not self.roles


def only(*roles: str) -> Rule:
    return Rule(frozenset(roles))


PUBLIC = Rule()
EVERY_ROLE = only(*store.ROLES)
# Read from views.py and dashboard.py: @requires(...) on each handler.
EXPECTED: dict[tuple[str, str], Rule] = {
    ("/", "GET"): EVERY_ROLE,
    ("/sign-in", "GET"): PUBLIC,
    ("/sign-in", "POST"): PUBLIC,
    ("/sign-in/code", "GET"): PUBLIC,
    ("/sign-in/code", "POST"): PUBLIC,
    ("/sign-out", "POST"): EVERY_ROLE,
    ("/concerns", "GET"): only("officer"),
    ("/concerns/{reference}", "GET"): only("officer"),
    ("/concerns/{reference}", "POST"): only("officer"),
    ("/figures", "GET"): only("comms", "admin"),
    ("/dashboard", "GET"): only("comms", "admin"),
    ("/figures.csv", "GET"): only("comms", "admin"),
    ("/accounts", "GET"): only("admin"),
    ("/accounts/{officer_id}", "POST"): only("admin"),
    ("/assets/{name}", "GET"): PUBLIC,
    ("/healthz", "GET"): PUBLIC,  # helper C's monitor check (web/console/app.py): the database's health only
}
# What a POST sends besides the CSRF token: a change that would show in World.state().
FORMS = {"/concerns/{reference}": {"status": "closed", "outcome": "no-further-action", "note": "MATRIX NOTE"}}
REFUSALS = frozenset({401, 403, 404, 405})
AREA, OTHER_AREA = "surrey", "kent"  # the concern's area in the matrix, and another
TRANSFER = {"action": "transfer", "transfer-to": OTHER_AREA, "transfer-reason": "lives-there"}
# Ways to look for a concern in the list: by the default view, its reference, its area, every status.
LIST_QUERIES = ("", "?reference={reference}", f"?area={AREA}", f"?status=all&area={AREA}&reference={{reference}}")


@dataclass(frozen=True)
class Row:
    path: str  # as the route declares it, parameters in braces
    method: str
    rule: Rule

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def served_routes(routes: Iterable[object]) -> set[tuple[str, str]]:
    """(path, method) for every route, HEAD aside (Starlette answers it wherever GET is served)."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        assert isinstance(route, Route) and route.methods, f"{route!r}: the matrix knows only Routes with methods"
        found |= {(route.path_format, method) for method in route.methods if method != "HEAD"}
    return found


def unexpected_routes(routes: Iterable[object]) -> list[tuple[str, str]]:
    return sorted(served_routes(routes) - set(EXPECTED))


def matrix_rows(expected: Mapping[tuple[str, str], Rule] = EXPECTED) -> list[Row]:
    """GET and each served method of each path. A method the path does not serve (GET /sign-out)
    keeps the path's roles, so every case is tried on it too, and all of them must be refused."""
    by_path: dict[str, dict[str, Rule]] = defaultdict(dict)
    for (path, method), rule in expected.items():
        by_path[path][method] = rule
    rows = []
    for path, methods in by_path.items():
        for method in sorted({"GET", *methods}):
            rule = methods.get(method) or dataclasses.replace(next(iter(methods.values())), served=False)
            rows.append(Row(path, method, rule))
    return rows


def concrete(world: World, path: str) -> str:
    """The path with real parameters: the stored concern, the target account, a built asset."""
    values = {
        "reference": world.concern,
        "officer_id": str(world.target.id),
        "name": str(console_of_app(world.app).assets.manifest["app.css"]),
    }

    def value(match: re.Match[str]) -> str:
        assert match[1] in values, f"{path}: give the matrix a value for {{{match[1]}}}"
        return values[match[1]]

    return re.sub(r"{(\w+)}", value, path)


# Cases ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    label: str
    cookies: dict[str, str]
    csrf: str | None  # None: no CSRF field at all
    let_in: str = ""  # the setup itself let someone in (a replayed code that signed in): allowed
    form: Mapping[str, str] | None = None  # what a POST sends instead of FORMS' change
    query: str = ""  # added to the path ({reference} filled in)
    withheld: tuple[str, ...] = ()  # a page that answers anyone: refused when it shows none of these


Setup = Callable[[World, Row], list[Attempt]]


@dataclass(frozen=True)
class Case:
    name: str
    asvs: str  # the ASVS 4.0.3 items the column is evidence for
    what: str
    setup: Setup
    post_only: bool = False
    control: bool = False


def _role(row: Row) -> str:
    return next(role for role in store.ROLES if role in row.rule.roles)


def _holder_session(world: World, row: Row) -> Credentials:
    """A live session of an officer the route allows: its CSRF token is the one a forger would want."""
    return world.session(world.officers[_role(row)])


def _with_session(label: str, credentials: Credentials, token: str | None = None) -> Attempt:
    return Attempt(label, {SESSION: credentials.token if token is None else token}, credentials.csrf)


def control(world: World, row: Row) -> list[Attempt]:
    now = auth.now_utc()
    near = world.session(
        world.officers[_role(row)],
        created=now - world.maximum + dt.timedelta(minutes=2),
        last_seen=now - world.idle + dt.timedelta(minutes=2),
    )
    return [_with_session("the right role, just inside both time limits", near)]


def signed_out(world: World, row: Row) -> list[Attempt]:
    return [Attempt("no cookie (a real CSRF token)", {}, _holder_session(world, row).csrf)]


def idle_expired(world: World, row: Row) -> list[Attempt]:
    stale = auth.now_utc() - world.idle - dt.timedelta(minutes=1)
    return [
        _with_session(
            "last seen just over the idle limit ago", world.session(world.officers[_role(row)], created=stale)
        )
    ]


def max_age_expired(world: World, row: Row) -> list[Attempt]:
    now = auth.now_utc()
    old = world.session(
        world.officers[_role(row)],
        created=now - world.maximum - dt.timedelta(minutes=1),
        last_seen=now - dt.timedelta(minutes=1),
    )
    return [_with_session("busy, but started just over the absolute limit ago", old)]


def wrong_role(world: World, row: Row) -> list[Attempt]:
    return [
        _with_session(role, world.session(world.officers[role])) for role in store.ROLES if role not in row.rule.roles
    ]


def deactivated(world: World, row: Row) -> list[Attempt]:
    officer = world.add_officer(_role(row))
    credentials = world.session(officer)
    store.update_officer(world.engine, officer.id, active=False)
    return [_with_session("a live session of an account since deactivated", credentials)]


def password_only(world: World, row: Row) -> list[Attempt]:
    browser = world.browser()
    world.password_step(browser, world.add_officer(_role(row)))
    pending = browser.cookies[PENDING]
    csrf = _holder_session(world, row).csrf
    return [
        Attempt("the pending cookie of a right password", {PENDING: pending}, csrf),
        Attempt("the pending cookie's value as the session cookie", {SESSION: pending}, csrf),
    ]


def _changed(token: str, index: int) -> str:
    return token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]


def cookie_changed(world: World, row: Row) -> list[Attempt]:
    credentials = _holder_session(world, row)
    token = credentials.token
    return [
        _with_session("one character changed in the middle", credentials, _changed(token, len(token) // 2)),
        _with_session("the last character changed", credentials, _changed(token, len(token) - 1)),
        _with_session("the last character not ASCII", credentials, token[:-1] + "é"),
    ]


def cookie_truncated(world: World, row: Row) -> list[Attempt]:
    credentials = _holder_session(world, row)
    token = credentials.token
    return [
        _with_session("the last character cut off", credentials, token[:-1]),
        _with_session("cut in half", credentials, token[: len(token) // 2]),
    ]


def cookie_signed_out(world: World, row: Row) -> list[Attempt]:
    credentials = _holder_session(world, row)
    world.request("POST", "/sign-out", {SESSION: credentials.token}, {"csrf": credentials.csrf})
    assert not world.session_exists(credentials.token), "signing out did not end the session"
    return [_with_session("the token of a session signed out", credentials)]


def cookie_over_long(world: World, row: Row) -> list[Attempt]:
    credentials = _holder_session(world, row)
    token = credentials.token
    return [
        _with_session("a real token with 100 characters added", credentials, token + "A" * 100),
        _with_session("a real token three times over", credentials, token * 3),
    ]


def sets_session(response: Response) -> bool:
    """The response gives the browser a session (a session cookie that is not a deletion)."""
    return any(
        header.startswith(f"{SESSION}=") and "max-age=0" not in header.lower()
        for header in response.headers.get_list("set-cookie")
    )


def signed_in_csrf(world: World, browser: TestClient) -> str:
    key = console_of_app(world.app).keys.session_key
    session = store.get_session(world.engine, auth.token_hash(key, browser.cookies[SESSION]))
    assert session is not None, "the first use of the code did not sign in"
    return session.csrf_token


def _replay(world: World, browser: TestClient, officer: store.Officer, code: str, label: str, csrf: str) -> Attempt:
    world.password_step(browser, officer)
    answer = world.code_step(browser, code)
    let_in = f"a used code signed in again ({answer.status_code})" if sets_session(answer) else ""
    return Attempt(label, dict(browser.cookies.items()), csrf, let_in)


def replayed_code_attempts(world: World, role: str, csrf: str) -> list[Attempt]:
    """A code already used, tried again: from a second browser and from the same one (both within
    the code's 30-second step), and the code of a step before one already used."""
    moment = time.time()
    officer, first = world.add_officer(role), world.browser()
    world.sign_in(first, officer, moment)
    world.request("POST", "/sign-out", {SESSION: first.cookies[SESSION]}, {"csrf": signed_in_csrf(world, first)})
    first.cookies.clear()
    code = world.code(officer, moment)
    attempts = [
        _replay(world, world.browser(), officer, code, "the same code from a second browser", csrf),
        _replay(world, first, officer, code, "the same code again from the same browser", csrf),
    ]
    later, browser = world.add_officer(role), world.browser()
    world.sign_in(browser, later, moment + 30)
    signed_in_csrf(world, browser)
    earlier = world.code(later, moment)
    attempts.append(_replay(world, world.browser(), later, earlier, "the code of the step before a used one", csrf))
    return attempts


def totp_replayed(world: World, row: Row) -> list[Attempt]:
    return replayed_code_attempts(world, _role(row), _holder_session(world, row).csrf)


def locked_out_attempt(world: World, role: str, csrf: str) -> Attempt:
    """The right code after MAX_FAILURES wrong ones, on the same password step and from the same address:
    the account's delay holds that address (there is no lockout: web/console/throttling.py)."""
    officer, browser, moment = world.add_officer(role), world.browser(), time.time()
    world.password_step(browser, officer)
    for _ in range(auth.MAX_FAILURES):
        world.code_step(browser, world.wrong_code(officer, moment))
    answer = world.code_step(browser, world.code(officer, moment))
    let_in = f"the code step let a delayed address in ({answer.status_code})" if sets_session(answer) else ""
    return Attempt("the right code after five wrong ones", dict(browser.cookies.items()), csrf, let_in)


def code_while_delayed(world: World, row: Row) -> list[Attempt]:
    return [locked_out_attempt(world, _role(row), _holder_session(world, row).csrf)]


def pending_replayed(world: World, row: Row) -> list[Attempt]:
    """The pending cookie of a sign-in that went through (and was signed out), sent again with the next code:
    the password is not asked again only while the note is unspent (issue 15, item 5)."""
    moment, browser = time.time(), world.browser()
    officer = world.add_officer(_role(row))
    world.password_step(browser, officer)
    pending = browser.cookies[PENDING]
    world.code_step(browser, world.code(officer, moment))
    world.request("POST", "/sign-out", {SESSION: browser.cookies[SESSION]}, {"csrf": signed_in_csrf(world, browser)})
    thief = world.browser()
    thief.cookies.set(PENDING, pending, domain=urlsplit(CONSOLE_URL).hostname or "")
    answer = world.code_step(thief, world.code(officer, moment + 30))
    let_in = f"a spent pending cookie signed in again ({answer.status_code})" if sets_session(answer) else ""
    csrf = _holder_session(world, row).csrf
    return [Attempt("a spent pending cookie with the next code", dict(thief.cookies.items()), csrf, let_in)]


def session_planted(world: World, row: Row) -> list[Attempt]:
    """A session row written straight into the database, as write access to it (a public server's, a
    tampered backup) could: the token's plain SHA-256, as the table once held (issue 15, item 2)."""
    credentials, token = _holder_session(world, row), secrets.token_urlsafe(32)
    plain = hashlib.sha256(token.encode()).hexdigest()
    store.create_session(world.engine, plain, world.officers[_role(row)].id, credentials.csrf, auth.now_utc())
    return [_with_session("a row planted with the token's plain hash", credentials, token)]


def csrf_missing(world: World, row: Row) -> list[Attempt]:
    credentials = _holder_session(world, row)
    return [Attempt("no csrf field", {SESSION: credentials.token}, None)]


def csrf_wrong(world: World, row: Row) -> list[Attempt]:
    credentials, other = _holder_session(world, row), _holder_session(world, row)
    return [
        Attempt("another session's CSRF token", {SESSION: credentials.token}, other.csrf),
        Attempt("a made-up CSRF token", {SESSION: credentials.token}, secrets.token_urlsafe(32)),
        Attempt(
            "the right CSRF token with one character not ASCII",
            {SESSION: credentials.token},
            credentials.csrf[:-1] + "é",
        ),
    ]


# By area (ADR 21) --------------------------------------------------------------------------------


def _put_in_area(world: World) -> None:
    """The concern in AREA; the world's officer in national triage (the control)."""
    with world.engine.begin() as connection:
        connection.execute(concerns.update().where(concerns.c.reference == world.concern).values(area=AREA))
    store.set_areas(world.engine, world.officers["officer"].id, frozenset({store.NATIONAL}))


def area_of(world: World) -> str:
    with world.engine.connect() as connection:
        return str(connection.execute(select(concerns.c.area).where(concerns.c.reference == world.concern)).scalar())


def _officer_in(world: World, areas: frozenset[str]) -> Credentials:
    officer = world.add_officer("officer")
    store.set_areas(world.engine, officer.id, areas)
    return world.session(officer)


AREA_CASES = ("own-area", "other-area", "no-area", "other-area-transfer", "area-transfer")  # concern routes only


def _concern_row(row: Row) -> bool:
    return "officer" in row.rule.roles and row.path.startswith("/concerns")


def _by_area(label: str, credentials: Credentials, row: Row, form: Mapping[str, str] | None = None) -> list[Attempt]:
    """On the list, each of LIST_QUERIES, which must leave the concern out; elsewhere, the route itself."""
    if row.path != "/concerns" or row.method != "GET":
        return [Attempt(label, {SESSION: credentials.token}, credentials.csrf, form=form)]
    shown = ('href="/concerns/{reference}"', "1 concern matches")
    return [
        Attempt(
            f"{label}, {query or 'the list'}",
            {SESSION: credentials.token},
            credentials.csrf,
            query=query,
            withheld=shown,
        )
        for query in LIST_QUERIES
    ]


def own_area(world: World, row: Row) -> list[Attempt]:
    if not _concern_row(row):
        return []
    credentials = _officer_in(world, frozenset({AREA}))
    return [Attempt("an officer of the concern's area", {SESSION: credentials.token}, credentials.csrf)]


def other_area(world: World, row: Row) -> list[Attempt]:
    if not _concern_row(row):
        return []
    return _by_area(f"an officer of {OTHER_AREA} only", _officer_in(world, frozenset({OTHER_AREA})), row)


def no_area(world: World, row: Row) -> list[Attempt]:
    if not _concern_row(row):
        return []
    return _by_area("an officer in no area", _officer_in(world, frozenset()), row)


def other_area_transfer(world: World, row: Row) -> list[Attempt]:
    """Transferring a concern out of another area into one's own (or anywhere): a 404, as if it did not exist."""
    if not _concern_row(row) or row.method != "POST":
        return []
    credentials = _officer_in(world, frozenset({OTHER_AREA}))
    return _by_area(f"an officer of {OTHER_AREA} transferring it", credentials, row, TRANSFER)


def area_officer_transfer(world: World, row: Row) -> list[Attempt]:
    """Only national triage transfers: an officer of the concern's own area may not."""
    if not _concern_row(row) or row.method != "POST":
        return []
    credentials = _officer_in(world, frozenset({AREA, "essex"}))
    return _by_area("an officer of the concern's area, not in national triage", credentials, row, TRANSFER)


CASES = (
    Case(
        "control", "(must be allowed)", "the right role, a session just inside both time limits", control, control=True
    ),
    Case("signed-out", "V4.1.1, V4.1.3", "no cookie at all", signed_out),
    Case("idle-expired", "V3.3.1, V3.3.2", "a session last seen just over the idle limit ago", idle_expired),
    Case(
        "max-age-expired", "V3.3.1, V3.3.2", "a busy session started just over the absolute limit ago", max_age_expired
    ),
    Case("wrong-role", "V4.1.3", "a live session of each role the route does not allow", wrong_role),
    Case("deactivated", "V4.1.3", "a live session of an account deactivated since", deactivated),
    Case("password-only", "V3.7.1, V4.3.1", "the right password without the code (the pending cookie)", password_only),
    Case("cookie-changed", "V3.2.2, V4.1.2", "a live token with a character changed (or not ASCII)", cookie_changed),
    Case("cookie-truncated", "V3.2.2, V4.1.2", "a live token cut short", cookie_truncated),
    Case("cookie-signed-out", "V3.3.1", "the token of a session signed out", cookie_signed_out),
    Case("cookie-over-long", "V4.1.2", "a live token made longer", cookie_over_long),
    Case("totp-replayed", "V2.8.4", "a used code again: another browser, the same one, an older step", totp_replayed),
    Case("code-while-delayed", "V2.2.1", "the right code after five wrong ones, from that address", code_while_delayed),
    Case("pending-replayed", "V3.7.1", "a spent pending cookie with the next code", pending_replayed),
    Case("session-planted", "V3.2.2", "a session row written into the database by hand", session_planted),
    Case("csrf-missing", "V4.2.2", "a live session, no CSRF field", csrf_missing, post_only=True),
    Case(
        "csrf-wrong",
        "V4.2.2",
        "a live session, another session's, a made-up or a non-ASCII token",
        csrf_wrong,
        post_only=True,
    ),
    Case(
        "own-area", "(must be allowed)", "an officer of the concern's area (the concern routes)", own_area, control=True
    ),
    Case(
        "other-area",
        "V4.1.3, V4.2.1",
        "an officer of another area: the concern by reference, filter or search",
        other_area,
    ),
    Case("no-area", "V4.1.3, V4.2.1", "an officer in no area yet", no_area),
    Case(
        "other-area-transfer",
        "V4.2.1",
        "an officer of another area transferring the concern",
        other_area_transfer,
        post_only=True,
    ),
    Case(
        "area-transfer",
        "V4.1.3",
        "an officer of its area, not national triage, transferring it",
        area_officer_transfer,
        post_only=True,
    ),
)


# Running ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    row: str
    case: str
    expected: str  # allowed, refused, public or n/a
    outcome: str  # the same, or error
    detail: str

    @property
    def wrongly_allowed(self) -> bool:
        return self.expected == "refused" and self.outcome == "allowed"

    @property
    def ok(self) -> bool:
        return self.outcome == self.expected


def reveals(response: Response) -> bool:
    return CONCERN_MARKER in response.text or TARGET_NAME in response.text


def verdict(response: Response, changed: bool) -> str:
    if response.status_code >= 500:
        return "error"
    if changed or reveals(response):
        return "allowed"
    if response.is_redirect:
        return "refused" if response.headers.get("location") == "/sign-in" else "allowed"
    return "refused" if response.status_code in REFUSALS else "allowed"


def _describe(response: Response, changed: bool) -> str:
    where = f" → {response.headers['location']}" if response.is_redirect else ""
    return f"{response.status_code}{where}{', changed state' if changed else ''}"


def try_attempt(world: World, row: Row, attempt: Attempt) -> tuple[str, str]:
    if attempt.let_in:
        return "allowed", f"{attempt.label}: {attempt.let_in}"
    form = None
    if row.method == "POST":
        sent = FORMS.get(row.path, {}) if attempt.form is None else attempt.form
        form = {**sent, **({"csrf": attempt.csrf} if attempt.csrf is not None else {})}
    before, area_before = world.state(), area_of(world)
    path = concrete(world, row.path + attempt.query)
    response = world.request(row.method, path, attempt.cookies, form)
    changed = world.state() != before or area_of(world) != area_before
    if attempt.withheld and response.status_code < 500 and not changed:
        shown = [text for text in attempt.withheld if text.format(reference=world.concern) in response.text]
        outcome = "allowed" if shown or reveals(response) else "refused"
        return outcome, f"{attempt.label}: {response.status_code}{', shows ' + repr(shown) if shown else ''}"
    return verdict(response, changed), f"{attempt.label}: {_describe(response, changed)}"


def run_cell(world: World, row: Row, case: Case) -> Cell:
    if row.rule.public:
        return _public_cell(world, row, case)
    if case.post_only and row.method != "POST":
        return Cell(row.label, case.name, "n/a", "n/a", "GET sends no form")
    world.reset()
    _put_in_area(world)
    attempts = case.setup(world, row)
    if not attempts:
        return Cell(row.label, case.name, "n/a", "n/a", "every role may use it")
    expected = "allowed" if case.control and row.rule.served else "refused"
    results = [try_attempt(world, row, attempt) for attempt in attempts]
    outcomes = {outcome for outcome, _ in results}
    outcome = next(kind for kind in ("error", "allowed", "refused") if kind in outcomes)
    return Cell(row.label, case.name, expected, outcome, "; ".join(detail for _, detail in results))


def _public_cell(world: World, row: Row, case: Case) -> Cell:
    """Public routes answer anyone: tried signed out, they must answer without a server error."""
    if case.name != "signed-out":
        return Cell(row.label, case.name, "n/a", "n/a", "public route")
    response = world.request(row.method, concrete(world, row.path), {}, {} if row.method == "POST" else None)
    outcome = "error" if response.status_code >= 500 else "public"
    return Cell(row.label, case.name, "public", outcome, _describe(response, False))


def run_row(world: World, row: Row) -> list[Cell]:
    cells = [run_cell(world, row, case) for case in CASES]
    world.reset()
    return cells


def run_matrix(world: World) -> list[Cell]:
    """Every row of the app as it is: a route with no expectation is tried as officers-only."""
    routes = list(world.app.routes)
    expected = {**{key: only("officer") for key in unexpected_routes(routes)}, **EXPECTED}
    return [cell for row in matrix_rows(expected) for cell in run_row(world, row)]


def problems(cells: list[Cell]) -> list[str]:
    return [
        f"{cell.row} / {cell.case}: expected {cell.expected}, got {cell.outcome}: {cell.detail}"
        for cell in cells
        if not cell.ok
    ]
