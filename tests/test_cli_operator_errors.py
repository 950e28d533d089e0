"""What an operator sees when `python -m web …` cannot start (issue 19, items 3 and 10; issue 15, item 10):
one line a problem, naming the setting and what to do, a non-zero exit, never a traceback. Each command runs
as an operator runs it, in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy.exc import OperationalError

from testing.settings import settings_in
from web.cli import run
from web.ops.operator_errors import explain
from web.settings import ROOT


def python_m_web(tmp_path: Path, *argv: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """`python -m web ARGV…` with only `environ` set (and the database and keys in `tmp_path` by default)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "CONCERN_PUBLIC_KEY_FILE": str(tmp_path / "keys" / "concerns.pub"),
        "CONSOLE_PRIVATE_KEY_FILE": str(tmp_path / "keys" / "concerns.key"),
        "FORM_SECRET_FILE": str(tmp_path / "keys" / "form-secret"),
        **environ,
    }
    return subprocess.run(
        [sys.executable, "-m", "web", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def one_line_each(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
    return lines


def test_production_on_development_defaults_refuses_to_start_with_one_line_per_setting(tmp_path: Path) -> None:
    result = python_m_web(tmp_path, "serve", ENVIRONMENT="production", DEBUG="true")
    assert result.returncode == 2
    named = [line.removeprefix("error: ").split(" ")[0].rstrip(":") for line in one_line_each(result)]
    assert named == [
        "CONCERN_PUBLIC_KEY_FILE",
        "FORM_SECRET",
        "PUBLIC_BASE_URL",
        "PUBLIC_BASE_URL",
        "DATA_CONTROLLER",
        "DATA_PROTECTION_EMAIL",
        "ACCESSIBILITY_EMAIL",
        "DEBUG",
        "site",
    ]
    assert not (tmp_path / "keys").exists()  # nothing made


def test_a_site_started_without_its_key_outside_development_names_the_file_and_makes_none(tmp_path: Path) -> None:
    result = python_m_web(tmp_path, "serve")
    lines = one_line_each(result)
    assert lines[0].startswith(f"error: CONCERN_PUBLIC_KEY_FILE: there is no key file at {tmp_path / 'keys'}")
    assert not (tmp_path / "keys").exists()


def test_the_console_without_its_key_is_one_line(tmp_path: Path) -> None:
    lines = one_line_each(python_m_web(tmp_path, "console"))
    assert lines[0].startswith("error: CONSOLE_PRIVATE_KEY_FILE: there is no key file at")
    development = one_line_each(python_m_web(tmp_path, "console", ENVIRONMENT="development"))
    assert development == [
        f"error: cannot read the officers' private key from {tmp_path / 'keys' / 'concerns.key'}:"
        f" [Errno 2] No such file or directory: '{tmp_path / 'keys' / 'concerns.key'}'"
    ]


def test_a_blank_database_url_is_one_line(tmp_path: Path) -> None:
    lines = one_line_each(python_m_web(tmp_path, "migrate", DATABASE_URL=""))
    assert lines == [
        "error: DATABASE_URL is empty: set it to the database's URL (see .env.example), or remove it for the"
        " development SQLite file"
    ]


def test_a_database_that_is_down_is_one_line_with_what_to_do(tmp_path: Path) -> None:
    down = "postgresql+psycopg://site:secret-password@127.0.0.1:9/act"  # nothing listens on port 9
    for argv in (["migrate"], ["backup", str(tmp_path / "backups")], ["purge"]):
        lines = one_line_each(python_m_web(tmp_path, *argv, DATABASE_URL=down))
        assert len(lines) == 1 and lines[0].startswith("error: cannot use the database DATABASE_URL names ("), lines
        assert "check that the server is running" in lines[0]
        assert "secret-password" not in lines[0]


def test_a_database_url_that_is_not_one_is_one_line(tmp_path: Path) -> None:
    lines = one_line_each(python_m_web(tmp_path, "migrate", DATABASE_URL="postgres//nowhere"))
    assert len(lines) == 1 and lines[0].startswith("error: DATABASE_URL is not a database URL this site can use")


def test_a_wrong_password_is_named_as_such() -> None:
    refused = OperationalError(
        "SELECT 1", {}, Exception('connection failed: FATAL:  password authentication failed for user "site"\nmore')
    )
    assert explain(refused) == (
        "the database refused DATABASE_URL's user or password (connection failed: FATAL:  password authentication"
        ' failed for user "site"): correct DATABASE_URL'
    )


def test_serve_runs_one_worker_a_core_unless_workers_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: captured.update(kwargs))
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    settings = settings_in(tmp_path)
    assert run(settings, "serve") == 0
    assert captured["workers"] == 6
    assert run(settings_in(tmp_path, workers=3), "serve") == 0
    assert captured["workers"] == 3
    assert run(settings_in(tmp_path, workers=3), "serve", "--workers", "1") == 0
    assert captured["workers"] == 1


def test_make_run_stays_development_with_one_worker() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "\tENVIRONMENT=development WORKERS=1 $(PY) -m web serve\n" in makefile
