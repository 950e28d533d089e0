"""No public request calls the database on the event loop: one slow call there would freeze every page (issue 15).

Every connection the public site's engine opens, for concerns, call-back requests, their reference lookups,
feedback, limits, the health check and the figures' flush, is checked: it must be opened from a worker
thread (`run_in_threadpool`, `asyncio.to_thread`), never from the thread that runs the event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import event
from starlette.applications import Starlette
from starlette.testclient import TestClient

from testing.forms import ARRIVE, form_token, sent_reference, submit_concern
from web.clock import utc_today
from web.shell.site import site_of_app
from web.storage.figures import counts_between

SAME_ORIGIN = {**ARRIVE, "sec-fetch-site": "same-origin"}


def on_the_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_public_requests_call_the_database_off_the_event_loop(app: Starlette) -> None:
    engine = site_of_app(app).engine
    calls: list[bool] = []

    @event.listens_for(engine, "engine_connect")
    def _connected(_connection: Any) -> None:
        calls.append(on_the_event_loop())

    with TestClient(app) as client:
        sent = submit_concern(client, "MARKER-LOOP")
        resent = client.post("/en/share-a-concern", data=dict(parse_qsl(sent.request.content.decode())))
        callback = client.post(
            "/en/share-a-concern/callback",
            data={
                "token": form_token(client.get("/en/share-a-concern/callback")),
                "callback_phone": "07700 900 982",
                "callback_times": "any",
                "voicemail_ok": "no",
            },
        )
        feedback = client.post(
            "/en/feedback",
            data={"token": form_token(client.get("/en/faq")), "page": "faq", "useful": "yes"},
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        health = client.get("/healthz")
        client.get("/en/faq", headers=ARRIVE)  # a page view: the figures are flushed when the server stops
    assert sent_reference(resent) == sent_reference(sent) and sent_reference(callback)
    assert feedback.status_code == 303 and health.status_code == 200
    assert counts_between(engine, utc_today(), utc_today()), "the figures were not flushed"
    assert calls and not any(calls), f"{calls.count(True)} of {len(calls)} database calls ran on the event loop"
