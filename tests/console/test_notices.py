"""Notices without content (web/console/notices.py), sent to a real SMTP server (aiosmtpd) on a free port and
read back: what a notice says, what it never says, when it is sent, and a mail server that is down."""

from __future__ import annotations

import datetime as dt
import email
import logging
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from nacl.public import PrivateKey
from sqlalchemy import Engine, update

from testing.console import store_concerns
from web.console.notices import (
    NOTICE_ACTION,
    NOTICES_ACTOR,
    NoticeSettings,
    NoticeSettingsError,
    last_noticed,
    send_due,
)
from web.storage import officers as audit
from web.storage.database import create_database_engine
from web.storage.migrate import migrate
from web.storage.tables import concerns

THURSDAY_BEFORE_EASTER = dt.date(2026, 4, 2)
EASTER_MONDAY = dt.datetime(2026, 4, 6, 8, 0, tzinfo=dt.UTC)
WEDNESDAY_AFTER = dt.datetime(2026, 4, 8, 8, 0, tzinfo=dt.UTC)


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'notices.sqlite3'}")
    migrate(engine)
    yield engine
    engine.dispose()


def settings_for(port: int, **changes: str) -> NoticeSettings:
    return NoticeSettings.from_environ(
        {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
            "NOTICE_FROM": "console@actearly.example",
            "NOTICE_TO": "national=triage@force.example",
            "CONSOLE_BASE_URL": "https://console.actearly.example/",
            **changes,
        }
    )


def store(engine: Engine, count: int, **columns: object) -> list[str]:
    return store_concerns(engine, PrivateKey.generate().public_key, count, **columns)


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def test_a_notice_says_how_many_wait_and_how_many_are_overdue_with_a_link_to_the_queue(
    smtp: tuple[Mailbox, int], engine: Engine
) -> None:
    mailbox, port = smtp
    store(engine, 2, received_on=THURSDAY_BEFORE_EASTER - dt.timedelta(days=7))  # overdue by Easter
    store(engine, 1, received_on=THURSDAY_BEFORE_EASTER)  # due Tuesday: on time on Easter Monday
    store(engine, 4, received_on=THURSDAY_BEFORE_EASTER, status="contacted")  # no longer waiting

    assert send_due(settings_for(port), engine, now=EASTER_MONDAY) == ["national"]

    [message] = mailbox.messages
    assert message["To"] == "triage@force.example"
    assert message["From"] == "console@actearly.example"
    assert message.get_content_type() == "text/plain"
    text = body_of(message)
    assert "3 concerns are waiting for a first contact in the national triage queue." in text
    assert "Overdue (waiting longer than 1 working day): 2." in text
    assert "https://console.actearly.example/concerns?status=new" in text.splitlines()


def test_a_notice_never_carries_a_reference_a_date_a_route_a_language_or_anything_written(
    smtp: tuple[Mailbox, int], engine: Engine
) -> None:
    mailbox, port = smtp
    references = store(engine, 3, received_on=THURSDAY_BEFORE_EASTER, route="callback", language="ur")
    send_due(settings_for(port), engine, now=EASTER_MONDAY)
    [message] = mailbox.messages
    whole = message.as_string()
    for never in [*references, *(ref.replace("-", "") for ref in references), "MARKER", "callback", "Urdu"]:
        assert never not in whole
    for never in ("2026-04-02", "2 April", "02/04", "Thursday"):
        assert never not in whole
    assert "Subject: ACT Early console: concerns are waiting in your queue" in whole


def test_nothing_is_sent_while_the_queue_stays_as_it_was_and_again_when_it_changes(
    smtp: tuple[Mailbox, int], engine: Engine
) -> None:
    mailbox, port = smtp
    settings = settings_for(port)
    store(engine, 1, received_on=THURSDAY_BEFORE_EASTER)
    assert send_due(settings, engine, now=EASTER_MONDAY) == ["national"]
    assert send_due(settings, engine, now=EASTER_MONDAY + dt.timedelta(minutes=15)) == []  # unchanged
    store(engine, 1, received_on=EASTER_MONDAY.date())
    assert send_due(settings, engine, now=EASTER_MONDAY + dt.timedelta(minutes=30)) == ["national"]  # a new one
    assert send_due(settings, engine, now=WEDNESDAY_AFTER) == ["national"]  # the first is now overdue
    assert len(mailbox.messages) == 3
    assert "Overdue (waiting longer than 1 working day): 2." in body_of(mailbox.messages[-1])  # both due Tuesday


def test_an_emptied_queue_sends_nothing_and_the_next_arrival_is_news_again(
    smtp: tuple[Mailbox, int], engine: Engine
) -> None:
    mailbox, port = smtp
    settings = settings_for(port)
    assert send_due(settings, engine, now=EASTER_MONDAY) == []  # empty from the start
    [reference] = store(engine, 1, received_on=EASTER_MONDAY.date())
    assert send_due(settings, engine, now=EASTER_MONDAY) == ["national"]
    with engine.begin() as connection:
        connection.execute(update(concerns).where(concerns.c.reference == reference).values(status="contacted"))
    assert send_due(settings, engine, now=EASTER_MONDAY) == []  # emptied: nothing to say
    store(engine, 1, received_on=EASTER_MONDAY.date())
    assert send_due(settings, engine, now=EASTER_MONDAY) == ["national"]  # 1 waiting, as before the empty queue
    assert len(mailbox.messages) == 2


def test_an_areas_mailbox_hears_of_its_own_queue_and_national_of_every_area(
    smtp: tuple[Mailbox, int], engine: Engine
) -> None:
    mailbox, port = smtp
    store(engine, 2, received_on=THURSDAY_BEFORE_EASTER, area="essex")
    store(engine, 1, received_on=THURSDAY_BEFORE_EASTER, area="police-scotland")
    store(engine, 4, received_on=THURSDAY_BEFORE_EASTER, area="unknown")
    to = ",".join(
        [
            "national=triage@force.example",
            "essex=prevent@essex.example",
            "police-scotland=prevent@scotland.example",
            "gwent=prevent@gwent.example",
        ]
    )
    assert send_due(settings_for(port, NOTICE_TO=to), engine, now=EASTER_MONDAY) == [
        "national",
        "essex",
        "police-scotland",
    ]  # Gwent's queue is empty: nothing to say
    texts = {message["To"]: body_of(message) for message in mailbox.messages}
    assert "7 concerns are waiting for a first contact in the national triage queue." in texts["triage@force.example"]
    assert "2 concerns are waiting for a first contact in the Essex Police queue." in texts["prevent@essex.example"]
    assert "Overdue (waiting longer than 1 working day): 0." in texts["prevent@essex.example"]  # Easter Monday
    # Scotland works on Easter Monday: Thursday's concern was due then, and is not overdue until Tuesday
    assert "1 concern is waiting" in texts["prevent@scotland.example"]
    assert "Overdue (waiting longer than 1 working day): 0." in texts["prevent@scotland.example"]
    mailbox.messages.clear()
    tuesday = EASTER_MONDAY + dt.timedelta(days=1)
    assert send_due(settings_for(port, NOTICE_TO=to), engine, now=tuesday) == ["police-scotland"]
    assert "Overdue (waiting longer than 1 working day): 1." in body_of(mailbox.messages[0])


def test_what_was_sent_is_remembered_in_the_audit_log_as_counts_only(smtp: tuple[Mailbox, int], engine: Engine) -> None:
    _, port = smtp
    references = store(engine, 2, received_on=THURSDAY_BEFORE_EASTER)
    send_due(settings_for(port), engine, now=WEDNESDAY_AFTER)
    [entry] = [e for e in audit.audit_entries(engine) if e.actor == NOTICES_ACTOR]
    assert (entry.action, entry.reference, entry.detail) == (NOTICE_ACTION, None, "national=2/2")
    assert not any(reference in (entry.detail or "") for reference in references)
    assert last_noticed(engine)["national"].new == 2


def test_a_mail_server_that_is_down_logs_a_line_without_content_and_the_next_run_sends(
    smtp: tuple[Mailbox, int], engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox, port = smtp
    references = store(engine, 2, received_on=THURSDAY_BEFORE_EASTER)
    down = settings_for(free_port())  # nothing listens there
    with caplog.at_level(logging.INFO, logger="web.console.notices"):
        assert send_due(down, engine, now=EASTER_MONDAY) == []
    [line] = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert "notice for the national queue not sent: mail server 127.0.0.1:" in line
    assert "ConnectionRefusedError" in line
    for never in (*references, "triage@force.example", "console@actearly.example"):
        assert never not in caplog.text
    assert last_noticed(engine) == {}  # not remembered as sent
    assert send_due(settings_for(port), engine, now=EASTER_MONDAY) == ["national"]
    assert len(mailbox.messages) == 1


def test_the_smtp_server_is_signed_in_to_when_a_user_is_set(smtp: tuple[Mailbox, int], engine: Engine) -> None:
    """aiosmtpd without AUTH refuses a sign-in: the refusal is logged and the run goes on."""
    _, port = smtp
    store(engine, 1, received_on=THURSDAY_BEFORE_EASTER)
    settings = settings_for(port, SMTP_USER="console", SMTP_PASSWORD="hunter2-long-password")
    assert send_due(settings, engine, now=EASTER_MONDAY) == []


def test_notice_settings_are_read_from_the_environment() -> None:
    settings = settings_for(
        2525,
        SMTP_STARTTLS="yes",
        SMTP_USER="console",
        SMTP_PASSWORD="a-secret-password",
        NOTICE_TO=" national = triage@force.example , essex=prevent@essex.example,",
    )
    assert settings.mailboxes == {"national": "triage@force.example", "essex": "prevent@essex.example"}
    assert (settings.smtp_port, settings.smtp_starttls, settings.console_base_url) == (
        2525,
        True,
        "https://console.actearly.example",
    )
    assert "a-secret-password" not in repr(settings)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"SMTP_HOST": ""}, "set SMTP_HOST"),
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT"),
        ({"SMTP_STARTTLS": "maybe"}, "SMTP_STARTTLS"),
        ({"SMTP_USER": "console"}, "together"),
        ({"NOTICE_TO": "atlantis=a@b.example"}, "neither national"),
        ({"NOTICE_TO": "national"}, "area=address"),
        ({"NOTICE_TO": "national=a@b.example,national=c@d.example"}, "twice"),
        ({"NOTICE_TO": "national=not an address"}, "one email address"),
        ({"NOTICE_FROM": "console@actearly.example\r\nBcc: x@y.example"}, "one email address"),
        ({"CONSOLE_BASE_URL": "console.example"}, "CONSOLE_BASE_URL"),
    ],
)
def test_notice_settings_that_cannot_be_used_are_refused_with_why(changes: dict[str, str], problem: str) -> None:
    with pytest.raises(NoticeSettingsError, match=problem):
        settings_for(25, **changes)
