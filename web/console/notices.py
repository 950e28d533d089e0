"""Notices without content: a team mailbox hears that its queue has new or overdue concerns, by email.

A notice carries two counts and a link to the console's queue, nothing else: no reference, no date, no route
or language, no name and nothing a person wrote; the officer signs in to see the rest. One mailbox an area
(NOTICE_TO="national=triage@force.example,essex=prevent@essex.example"): "national" counts every concern,
a force's slug counts its area's (web/concern/areas.py); overdue is counted in the area's own working days.

`send_due` is run by an operator's timer (`python -m web console notify`, every few minutes). It sends to a
mailbox only when its counts differ from those of the last notice it was sent, and only while something waits:
a queue that stays as it was, or empties, sends nothing. What was sent is remembered in the audit log (one
entry a run that changed something, actor NOTICES_ACTOR, its counts by area as detail): no new table and no
state file, it is kept in backups, every console server sees the same, and admins see each notice on the
audit page. A notice that could not be sent is not remembered, so the next run tries again; the failure is
logged with the area and the server's address only.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy import Engine

from web.console import workflow
from web.console.working_days import CONTENT, NATIONAL, calendar_of_area
from web.content.forces import load_forces
from web.storage import officers as audit
from web.storage.queue import QueueFilter, queue_page

log = logging.getLogger("web.console.notices")

NOTICES_ACTOR = "(notices)"  # not a username an account can have: parentheses
NOTICE_ACTION = "notice-sent"
SUBJECT = "ACT Early console: concerns are waiting in your queue"
AUDIT_PAGES_READ = 20  # how far back the last notice is looked for (50 entries a page)


class NoticeSettingsError(ValueError):
    """A notice setting has a value that cannot be used."""


@dataclass(frozen=True)
class NoticeSettings:
    smtp_host: str
    sender: str
    mailboxes: dict[str, str]  # area ("national" or a force's slug) → team mailbox
    console_base_url: str
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)  # never in a log line or a traceback
    timeout_seconds: float = 10.0

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> NoticeSettings:
        """SMTP_HOST, SMTP_PORT (25), SMTP_STARTTLS (no), SMTP_USER and SMTP_PASSWORD (both or neither),
        NOTICE_FROM, NOTICE_TO and CONSOLE_BASE_URL (the console's address as officers open it)."""
        missing = [name for name in ("SMTP_HOST", "NOTICE_FROM", "NOTICE_TO", "CONSOLE_BASE_URL") if not env.get(name)]
        if missing:
            raise NoticeSettingsError(f"set {', '.join(missing)} to send notices")
        port = env.get("SMTP_PORT", "25")
        if not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise NoticeSettingsError(f"SMTP_PORT must be a port number, not {port!r}")
        starttls = env.get("SMTP_STARTTLS", "no").lower()
        if starttls not in ("yes", "no", "true", "false", "1", "0"):
            raise NoticeSettingsError("SMTP_STARTTLS must be yes or no")
        user, password = env.get("SMTP_USER", ""), env.get("SMTP_PASSWORD", "")
        if bool(user) != bool(password):
            raise NoticeSettingsError("set SMTP_USER and SMTP_PASSWORD together, or neither")
        base = env["CONSOLE_BASE_URL"].rstrip("/")
        if not base.startswith(("https://", "http://")):
            raise NoticeSettingsError("CONSOLE_BASE_URL must be the console's address, starting https://")
        return cls(
            smtp_host=env["SMTP_HOST"],
            smtp_port=int(port),
            smtp_starttls=starttls in ("yes", "true", "1"),
            smtp_user=user,
            smtp_password=password,
            sender=_address(env["NOTICE_FROM"], "NOTICE_FROM"),
            mailboxes=parse_mailboxes(env["NOTICE_TO"]),
            console_base_url=base,
        )


def parse_mailboxes(text: str) -> dict[str, str]:
    """NOTICE_TO: `area=address` pairs joined by commas; each area "national" or a police force's slug."""
    mailboxes: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        area, equals, address = (part.strip() for part in pair.partition("="))
        if not equals or not area:
            raise NoticeSettingsError(f"NOTICE_TO: {pair!r} is not area=address")
        if area != NATIONAL and area not in load_forces(CONTENT / "forces.yaml"):
            raise NoticeSettingsError(f"NOTICE_TO: {area!r} is neither national nor a force's slug")
        if area in mailboxes:
            raise NoticeSettingsError(f"NOTICE_TO: {area!r} is given twice")
        mailboxes[area] = _address(address, f"NOTICE_TO ({area})")
    if not mailboxes:
        raise NoticeSettingsError("NOTICE_TO names no mailbox")
    return mailboxes


def _address(text: str, name: str) -> str:
    local, at, domain = text.strip().rpartition("@")
    if not (at and local and "." in domain) or any(char in text for char in " <>,;\r\n"):
        raise NoticeSettingsError(f"{name} must be one email address")
    return text.strip()


@dataclass(frozen=True)
class Waiting:
    """An area's queue as a notice tells it: concerns waiting for a first contact, and how many are overdue."""

    new: int
    overdue: int

    def __str__(self) -> str:
        return f"{self.new}/{self.overdue}"


def waiting_in(engine: Engine, area: str, today: dt.date) -> Waiting:
    """How many concerns wait in `area`'s queue (every area's, for "national"), and how many are overdue."""
    one_area = None if area == NATIONAL else area
    cutoff = workflow.overdue_received_by(today, calendar=calendar_of_area(area))
    new = QueueFilter(statuses=workflow.WAITING, area=one_area)
    overdue = QueueFilter(statuses=workflow.WAITING, area=one_area, overdue_received_by=cutoff)
    return Waiting(queue_page(engine, new, per_page=1).total, queue_page(engine, overdue, per_page=1).total)


def last_noticed(engine: Engine) -> dict[str, Waiting]:
    """The counts each mailbox's area was last sent (or last seen empty), from the audit log."""
    for page in range(1, AUDIT_PAGES_READ + 1):
        found = audit.audit_page(engine, before_sign_in=False, actor=NOTICES_ACTOR, page=page)
        for entry in found.entries:
            if entry.action == NOTICE_ACTION and entry.detail:
                return _read_state(entry.detail)
        if found.next_page is None:
            break
    return {}


def _read_state(detail: str) -> dict[str, Waiting]:
    state: dict[str, Waiting] = {}
    for part in detail.split():
        area, _, counts = part.partition("=")
        new, _, overdue = counts.partition("/")
        if new.isdigit() and overdue.isdigit():
            state[area] = Waiting(int(new), int(overdue))
    return state


def notice_text(settings: NoticeSettings, area: str, waiting: Waiting) -> EmailMessage:
    """The notice: the queue's name, two counts and the link; plain text, nothing from any concern."""
    link = f"{settings.console_base_url}/concerns?status=new"
    concern_s = "concern is" if waiting.new == 1 else "concerns are"
    lines = [
        f"{waiting.new} {concern_s} waiting for a first contact in the {_queue_name(area)}.",
        f"Overdue (waiting longer than {workflow.OVERDUE_AFTER_WORKING_DAYS} working day): {waiting.overdue}.",
        "",
        "Open the queue to see them (you will be asked to sign in):",
        link,
        "",
        "This notice says how many concerns are waiting, nothing about any of them. It was sent automatically:",
        "replies are not read.",
    ]
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = settings.sender
    message["To"] = settings.mailboxes[area]
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join(lines) + "\n")
    return message


def _queue_name(area: str) -> str:
    if area == NATIONAL:
        return "national triage queue"
    force = load_forces(CONTENT / "forces.yaml").get(area)
    return f"{force.name if force else area} queue"


def send_due(settings: NoticeSettings, engine: Engine, now: dt.datetime | None = None) -> list[str]:
    """Send the notices that are due; the areas whose mailbox was sent one. Never raises for a mail server that
    is down or refuses: it logs which area's notice was not sent (an ERROR line), and the next run tries again."""
    today = workflow.console_today(now)
    before = last_noticed(engine)
    after, sent = dict(before), []
    for area in settings.mailboxes:
        waiting = waiting_in(engine, area, today)
        if waiting == before.get(area, Waiting(0, 0)):
            continue
        if waiting.new == 0:
            after[area] = waiting  # emptied: nothing to say, but a later arrival is news again
        elif _send(settings, notice_text(settings, area, waiting), area):
            after[area] = waiting
            sent.append(area)
    if after != before:
        detail = " ".join(f"{area}={waiting}" for area, waiting in sorted(after.items()))
        audit.record(engine, NOTICES_ACTOR, NOTICE_ACTION, detail=detail, now=_naive_utc(now))
    return sent


def _send(settings: NoticeSettings, message: EmailMessage, area: str) -> bool:
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_seconds) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.error(
            "notice for the %s queue not sent: mail server %s:%d: %s (tried again on the next run)",
            area,
            settings.smtp_host,
            settings.smtp_port,
            type(error).__name__,
        )
        return False
    log.info("notice for the %s queue sent", area)
    return True


def _naive_utc(now: dt.datetime | None) -> dt.datetime | None:
    return now.astimezone(dt.UTC).replace(tzinfo=None) if now and now.tzinfo else now
