"""`python -m web console notify`: the console's notices (web/console/notices.py), run by an operator's timer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from testing.settings import settings_in
from web import cli
from web import settings as settings_module
from web.console import notices
from web.storage import create_database_engine
from web.storage.migrate import migrate

NOTICE_ENV = {
    "SMTP_HOST": "mail.force.example",
    "NOTICE_FROM": "console@force.example",
    "NOTICE_TO": "national=triage@force.example",
    "CONSOLE_BASE_URL": "https://console.force.example",
}


def test_console_alone_still_runs_the_console_and_notify_is_its_own_command() -> None:
    assert cli.parser().parse_args(["console"]).run is cli.console
    assert cli.parser().parse_args(["console", "notify"]).run is cli.notify


def test_notify_sends_what_is_due_with_the_notice_settings_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_in(tmp_path)
    migrate(create_database_engine(settings.database_url))
    for name, value in NOTICE_ENV.items():
        monkeypatch.setenv(name, value)
    called: list[tuple[Any, Engine]] = []

    def send_due(notice_settings: notices.NoticeSettings, engine: Engine) -> list[str]:
        called.append((notice_settings, engine))
        return ["national"]

    monkeypatch.setattr(notices, "send_due", send_due)
    assert cli.run(settings, "console", "notify") == 0
    assert called and called[0][0].mailboxes == {"national": "triage@force.example"}
    assert "notices sent: national" in capsys.readouterr().out


def test_notify_without_its_settings_says_which_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in NOTICE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(settings_module, "DOTENV", tmp_path / ".env")  # no .env of a developer's
    assert cli.run(settings_in(tmp_path), "console", "notify") == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "SMTP_HOST" in error
