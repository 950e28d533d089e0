"""A write lock held elsewhere (a long backup, a key rotation, a stuck writer), on SQLite and PostgreSQL: it delays
only the request that needs the database, and when it outlasts the wait the sender keeps their answers (issue 15)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl

import pytest
from httpx2 import Response
from sqlalchemy import Engine, event
from starlette.testclient import TestClient

from testing.forms import form_token, sent_reference, submit_concern
from testing.held_lock import write_lock_held
from web.app import create_app
from web.concern.reference import spoken
from web.settings import Settings
from web.shell.site import site_of_app
from web.storage.concerns import list_concerns

SUPPORT_LINE = "0800 011 3764"  # content/facts.yaml
CALLBACK = {"callback_phone": "07700 900 982", "callback_times": "MARKER-CALLBACK after 6pm", "voicemail_ok": "no"}


@pytest.fixture
def db_client(settings: Settings, database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(replace(settings, database_url=database_url)), raise_server_exceptions=False) as client:
        yield client


def engine_of(client: TestClient) -> Engine:
    return site_of_app(client.app).engine  # type: ignore[arg-type]


def wait_for_locks_at_most(engine: Engine, milliseconds: int) -> None:
    """Make the site's wait for a lock (5 s, web/storage/database.py) shorter: the same error, sooner."""

    @event.listens_for(engine, "connect")
    def _shorter_wait(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute(f"PRAGMA busy_timeout={milliseconds}")
        else:
            cursor.execute(f"SET lock_timeout = {milliseconds}")
            connection.commit()
        cursor.close()

    engine.dispose()  # the pooled connections reconnect with the shorter wait


def writing(engine: Engine) -> threading.Event:
    """Set when a request starts writing a concern (and so starts to wait for the lock)."""
    started = threading.Event()

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(("BEGIN IMMEDIATE", "INSERT INTO concerns")):
            started.set()

    return started


def posted(response: Response) -> dict[str, str]:
    return dict(parse_qsl(response.request.content.decode()))


def error_summary(html: str) -> str:
    found = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>\s*</div>', html, re.S)
    assert found, "no error summary on the page"
    return found.group(0)


def test_a_held_lock_delays_only_the_concern_not_the_other_pages(db_client: TestClient, database_url: str) -> None:
    """Before issue 15 the concern's database call ran on the event loop: `GET /en/faq` waited for the lock."""
    started = writing(engine_of(db_client))
    answers: list[Response] = []
    with write_lock_held(database_url, at_most=3) as lock:
        sender = threading.Thread(target=lambda: answers.append(submit_concern(db_client, "MARKER-WAITING")))
        sender.start()
        assert started.wait(10), "the concern never reached the database"
        reader = db_client.get("/en/faq")
        answered_while_locked = not lock.released.is_set()
        sender_still_waiting = sender.is_alive()
        lock.release()
        sender.join(10)
    assert reader.status_code == 200
    assert answered_while_locked, "the page waited for the lock"
    assert sender_still_waiting, "the concern did not wait for the lock"
    assert sent_reference(answers[0]) == list_concerns(engine_of(db_client))[0].reference


def test_a_lock_longer_than_the_wait_keeps_the_answers_and_a_retry_stores_one_concern(
    db_client: TestClient, database_url: str
) -> None:
    engine = engine_of(db_client)
    wait_for_locks_at_most(engine, 300)
    with write_lock_held(database_url) as lock:
        busy = submit_concern(db_client, "MARKER-BUSY")
        lock.release()
    assert busy.status_code == 503, busy.text[:500]
    assert busy.template.name == "concern/check.html"  # type: ignore[attr-defined]
    assert "MARKER-BUSY" in busy.context["answers"].get("worries")  # type: ignore[attr-defined]
    assert 'name="worries" value="He shares violent videos. MARKER-BUSY"' in busy.text
    assert "<title>Error: " in busy.text
    summary = error_summary(busy.text)
    assert "Try again in a minute" in summary and SUPPORT_LINE in summary
    assert busy.headers["cache-control"] == "no-store" and busy.headers["retry-after"] == "60"
    assert list_concerns(engine) == []
    assert "app-reference" not in busy.text  # nothing stored, so no reference to show (issue 21, item 5)

    again = db_client.post("/en/share-a-concern", data={**posted(busy), "token": form_token(busy)})
    reloaded = db_client.post("/en/share-a-concern", data=posted(busy))
    assert sent_reference(again) == sent_reference(reloaded)
    assert again.context["spoken_reference"] == spoken(sent_reference(again))  # type: ignore[attr-defined]
    assert len(list_concerns(engine)) == 1


def test_a_call_back_request_during_a_long_lock_keeps_its_answers_and_stores_once(
    db_client: TestClient, database_url: str
) -> None:
    engine = engine_of(db_client)
    wait_for_locks_at_most(engine, 300)
    data = {"token": form_token(db_client.get("/en/share-a-concern/callback")), **CALLBACK}
    with write_lock_held(database_url) as lock:
        busy = db_client.post("/en/share-a-concern/callback", data=data)
        lock.release()
    assert busy.status_code == 503, busy.text[:500]
    assert busy.template.name == "concern/callback.html"  # type: ignore[attr-defined]
    assert 'value="MARKER-CALLBACK after 6pm"' in busy.text
    summary = error_summary(busy.text)
    assert "Try again in a minute" in summary and SUPPORT_LINE in summary
    assert list_concerns(engine) == []

    again = db_client.post("/en/share-a-concern/callback", data={**data, "token": form_token(busy)})
    reloaded = db_client.post("/en/share-a-concern/callback", data=data)
    assert sent_reference(again) == sent_reference(reloaded)
    assert [concern.route for concern in list_concerns(engine)] == ["callback"]


@pytest.mark.parametrize("lang", ["cy", "ur"])
def test_the_busy_message_is_translated(db_client: TestClient, database_url: str, lang: str) -> None:
    wait_for_locks_at_most(engine_of(db_client), 300)
    with write_lock_held(database_url):
        busy = submit_concern(db_client, f"MARKER-{lang}", lang=lang)
    assert busy.status_code == 503 and f'lang="{lang}"' in busy.text
    summary = error_summary(busy.text)
    assert SUPPORT_LINE in summary and "Try again in a minute" not in summary
