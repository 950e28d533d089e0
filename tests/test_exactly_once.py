"""A concern is stored exactly once, however often it is sent: on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import parse_qsl

import pytest
from starlette.testclient import TestClient

from testing.forms import sent_reference, submit_concern
from web.app import create_app
from web.settings import Settings
from web.shell.site import site_of_app
from web.storage.concerns import list_concerns, store_concern


@pytest.fixture
def db_client(settings: Settings, database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(replace(settings, database_url=database_url))) as client:
        yield client


def _resend(client: TestClient, response: object) -> object:
    body = dict(parse_qsl(response.request.content.decode()))
    return client.post("/en/share-a-concern", data=body, follow_redirects=False)


def test_double_click_stores_one_concern(db_client: TestClient) -> None:
    first = submit_concern(db_client, "MARKER-DOUBLE")
    second = _resend(db_client, first)
    assert sent_reference(second) == sent_reference(first)  # type: ignore[arg-type]
    assert len(list_concerns(site_of_app(db_client.app).engine)) == 1


def test_retry_after_a_timeout_stores_one_concern(db_client: TestClient) -> None:
    first = submit_concern(db_client, "MARKER-RETRY")
    for _ in range(3):
        _resend(db_client, first)
    assert len(list_concerns(site_of_app(db_client.app).engine)) == 1


def test_back_then_resubmit_after_a_change_stores_one_concern(db_client: TestClient) -> None:
    first = submit_concern(db_client, "MARKER-BACK")
    body = dict(parse_qsl(first.request.content.decode()))
    body["worries"] = body["worries"] + " and one more thing"
    again = db_client.post("/en/share-a-concern", data=body, follow_redirects=False)
    assert sent_reference(again) == sent_reference(first)
    assert len(list_concerns(site_of_app(db_client.app).engine)) == 1


def test_two_separate_concerns_are_two_rows(db_client: TestClient) -> None:
    submit_concern(db_client, "MARKER-A")
    submit_concern(db_client, "MARKER-B")
    assert len(list_concerns(site_of_app(db_client.app).engine)) == 2


def test_concurrent_sends_of_one_concern_store_one_row(db_client: TestClient) -> None:
    engine = site_of_app(db_client.app).engine
    references: list[str] = []

    def send() -> None:
        references.append(
            store_concern(
                engine, idempotency_key="same-key", route="form", sealed=b"sealed", language="en", heard_about=None
            )
        )

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(references)) == 1 and len(references) == 8
    assert len(list_concerns(engine)) == 1
