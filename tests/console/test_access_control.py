"""The console's access-control matrix (testing/access_matrix.py): no case is wrongly allowed on any
route, and the matrix can fail: break the console on purpose and it says where."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.responses import Response as StarletteResponse
from starlette.routing import Route

from testing.access_matrix import (
    AREA_CASES,
    CASES,
    EXPECTED,
    Cell,
    Row,
    matrix_rows,
    only,
    problems,
    run_row,
    served_routes,
    unexpected_routes,
)
from testing.security_world import CONCERN_MARKER, World
from web.console import auth, scope, views
from web.console.state import console_of_app
from web.settings import Settings
from web.storage import officers as store

# Tests ------------------------------------------------------------------------------------------

ROWS = matrix_rows()


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    with World(settings) as world:
        yield world


def test_every_console_route_has_an_expectation(world: World) -> None:
    routes = list(world.app.routes)
    assert unexpected_routes(routes) == [], "add the new route to EXPECTED, with the roles views.py gives it"
    assert sorted(set(EXPECTED) - served_routes(routes)) == [], "EXPECTED lists a route the console no longer has"


@pytest.mark.parametrize("row", ROWS, ids=[row.label for row in ROWS])
def test_no_case_is_wrongly_allowed(world: World, row: Row) -> None:
    cells = run_row(world, row)
    assert not problems(cells), "\n".join(problems(cells))
    assert not any(cell.wrongly_allowed for cell in cells)


# The matrix can fail: break the console on purpose and it must say where ---------------------------

REFUSAL_CASES = {case.name for case in CASES if not case.control and not case.post_only} - set(AREA_CASES)


def _wrongly_allowed(cells: list[Cell]) -> set[str]:
    return {cell.case for cell in cells if cell.wrongly_allowed}


async def _leak(request: Request) -> StarletteResponse:
    return PlainTextResponse(f"{CONCERN_MARKER} for anyone")


def test_the_matrix_sees_a_route_with_no_guard(world: World) -> None:
    world.app.router.routes.append(Route("/leak", _leak))
    assert unexpected_routes(list(world.app.routes)) == [("/leak", "GET")]
    cells = run_row(world, Row("/leak", "GET", only("officer")))
    assert _wrongly_allowed(cells) == REFUSAL_CASES


def test_the_matrix_sees_a_role_check_that_lets_every_role_in(world: World) -> None:
    world.app.router.routes.append(Route("/leak", views.requires(*store.ROLES)(_leak)))
    assert _wrongly_allowed(run_row(world, Row("/leak", "GET", only("officer")))) == {"wrong-role"}


def test_the_matrix_sees_a_missing_csrf_check(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "csrf_ok", lambda signed_in, submitted: True)
    row = Row("/concerns/{reference}", "POST", EXPECTED[("/concerns/{reference}", "POST")])
    assert _wrongly_allowed(run_row(world, row)) == {"csrf-missing", "csrf-wrong"}


def test_the_matrix_sees_a_code_that_can_be_used_twice(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "use_totp_step", lambda engine, officer_id, step: True)
    cells = run_row(world, Row("/concerns", "GET", only("officer")))
    assert _wrongly_allowed(cells) == {"totp-replayed", "pending-replayed"}, "a used step also spends the note"


def test_the_matrix_sees_sessions_that_never_end(world: World) -> None:
    console_of_app(world.app).settings = dataclasses.replace(
        world.settings, console_idle_minutes=10**6, console_max_hours=10**5
    )
    cells = run_row(world, Row("/concerns", "GET", only("officer")))
    assert _wrongly_allowed(cells) == {"idle-expired", "max-age-expired"}


def test_the_matrix_sees_sessions_planted_in_the_database(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "token_hash", lambda key, token: hashlib.sha256(token.encode()).hexdigest())
    assert _wrongly_allowed(run_row(world, Row("/concerns", "GET", only("officer")))) == {"session-planted"}


def test_the_matrix_sees_a_pending_cookie_that_can_be_used_twice(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    read_pending = auth.read_pending
    monkeypatch.setattr(auth, "read_pending", lambda key, value, last_step=0, now=None: read_pending(key, value, 0))
    pending_value = auth.pending_value
    monkeypatch.setattr(
        auth, "pending_value", lambda key, officer_id, now=None, last_step=0: pending_value(key, officer_id)
    )
    assert _wrongly_allowed(run_row(world, Row("/concerns", "GET", only("officer")))) == {"pending-replayed"}


# By area (ADR 21): the matrix sees an officer reaching another area's concern --------------------------


def test_the_matrix_sees_a_concern_opened_outside_the_officers_areas(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scope.Scope, "sees", lambda self, area: True)
    for method in ("GET", "POST"):
        row = Row("/concerns/{reference}", method, EXPECTED[("/concerns/{reference}", method)])
        assert {"other-area", "no-area"} <= _wrongly_allowed(run_row(world, row)), method


def test_the_matrix_sees_a_list_that_is_not_narrowed_to_the_officers_areas(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scope.Scope, "queue_areas", lambda self: None)
    cells = run_row(world, Row("/concerns", "GET", EXPECTED[("/concerns", "GET")]))
    assert _wrongly_allowed(cells) == {"other-area", "no-area"}


def test_the_matrix_sees_a_transfer_by_an_officer_not_in_national_triage(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scope.Scope, "national", property(lambda self: True))
    row = Row("/concerns/{reference}", "POST", EXPECTED[("/concerns/{reference}", "POST")])
    assert "area-transfer" in _wrongly_allowed(run_row(world, row))
