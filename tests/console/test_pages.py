"""The console's database calls run off the event loop (issue 15, item 4): a slow or locked database holds
up only the request that needs it, never every page of the console."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from httpx2 import ASGITransport, AsyncClient
from sqlalchemy import event
from starlette.testclient import TestClient

from testing.console import add, csrf_of, sign_in
from testing.forms import sent_reference, submit_concern
from testing.held_lock import write_lock_held
from web.console.state import console_of_app
from web.storage import officers as store

CONSOLE_URL = "https://console.test"


def on_the_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_every_console_view_calls_the_database_off_the_event_loop(client: TestClient, console: TestClient) -> None:
    engine = console_of_app(console.app).engine  # type: ignore[arg-type]
    reference = sent_reference(submit_concern(client, "MARKER-LOOP"))
    calls: list[tuple[bool, str]] = []
    visiting = [""]

    @event.listens_for(engine, "engine_connect")
    def _connected(_connection: Any) -> None:
        calls.append((on_the_event_loop(), visiting[0]))

    def visit(browser: TestClient, method: str, path: str, **data: str) -> int:
        visiting[0] = f"{method} {path}"
        return browser.request(method, path, data=data or None, follow_redirects=False).status_code

    olive, ada, cora = add(console, "olive", "officer"), add(console, "ada", "admin"), add(console, "cora", "comms")
    sign_in(console, "olive", olive)
    csrf = csrf_of(console, "/concerns")
    visit(console, "GET", "/")
    visit(console, "GET", f"/concerns/{reference}")
    visit(console, "POST", f"/concerns/{reference}", status="contacted", note="rang back", csrf=csrf)
    visit(console, "POST", "/sign-out", csrf=csrf)
    admin = TestClient(console.app, base_url=CONSOLE_URL)
    sign_in(admin, "ada", ada)
    visit(admin, "GET", "/accounts?show=sign-ins")
    visit(admin, "GET", "/dashboard")
    visit(admin, "GET", "/figures.csv")
    cora_id = store.officer_by_username(engine, "cora")
    assert cora_id is not None and cora
    visit(admin, "POST", f"/accounts/{cora_id.id}", csrf=csrf_of(admin, "/accounts"))
    visit(console, "POST", "/sign-in", username="olive", password="wrong password!")
    visit(console, "GET", "/sign-in/code")
    assert calls and not [where for on_loop, where in calls if on_loop], "database calls on the event loop"


@pytest.fixture
def officer_with_a_concern(
    site_on_each_database: TestClient, console_on_each_database: TestClient
) -> tuple[TestClient, str, str]:
    reference = sent_reference(submit_concern(site_on_each_database, "MARKER-HELD"))
    sign_in(console_on_each_database, "olive", add(console_on_each_database, "olive", "officer"))
    csrf = csrf_of(console_on_each_database, f"/concerns/{reference}")
    return console_on_each_database, reference, csrf


async def _while_locked(console: TestClient, reference: str, csrf: str) -> dict[str, tuple[float, int]]:
    """The officer saves a status (it needs the locked database) and, 0.3 s later, another browser asks for
    the sign-in page and an asset (they do not): when each answered, and how."""
    transport = ASGITransport(app=console.app)
    asset = str(console_of_app(console.app).assets.manifest["app.css"])  # type: ignore[arg-type]
    answered: dict[str, tuple[float, int]] = {}
    started = time.perf_counter()

    async def timed(name: str, client: AsyncClient, method: str, path: str, **data: str) -> None:
        response = await client.request(method, path, data=data or None)
        answered[name] = (time.perf_counter() - started, response.status_code)

    async with (
        AsyncClient(transport=transport, base_url=CONSOLE_URL, cookies=dict(console.cookies.items())) as officer,
        AsyncClient(transport=transport, base_url=CONSOLE_URL) as other,
    ):
        save = asyncio.create_task(
            timed("save", officer, "POST", f"/concerns/{reference}", status="contacted", csrf=csrf)
        )
        await asyncio.sleep(0.3)
        await timed("sign-in page", other, "GET", "/sign-in")
        await timed("asset", other, "GET", f"/assets/{asset}")
        await save
    return answered


def test_a_held_database_lock_delays_only_the_request_that_needs_the_database(
    officer_with_a_concern: tuple[TestClient, str, str], database_url: str
) -> None:
    console, reference, csrf = officer_with_a_concern
    with write_lock_held(database_url, at_most=3.0):
        answered = asyncio.run(_while_locked(console, reference, csrf))
    assert answered["sign-in page"][1] == 200 and answered["asset"][1] == 200
    assert answered["save"][1] == 303, "the save waits for the lock, then goes through"
    assert answered["asset"][0] < 1.5, f"the pages that need no database waited: {answered}"
    assert answered["save"][0] >= 2.7, f"the save did not wait for the lock: {answered}"
