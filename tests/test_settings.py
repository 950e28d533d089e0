from __future__ import annotations

import re
from pathlib import Path

import pytest

from web.settings import ROOT, Settings, SettingsError


def test_defaults_serve_on_localhost_8000_with_sqlite_under_var() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.database_url == f"sqlite:///{ROOT / 'var' / 'act-early.sqlite3'}"
    assert settings.public_base_url == "http://127.0.0.1:8000"


def test_host_and_port_can_be_overridden() -> None:
    settings = Settings.from_env({"HOST": "0.0.0.0", "PORT": "9000"})
    assert (settings.host, settings.port, settings.public_base_url) == ("0.0.0.0", 9000, "http://0.0.0.0:9000")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORT": "eighty"}, "PORT must be a whole number"),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"EXIT_URL": "javascript:alert(1)"}, r"EXIT_URL must be an http\(s\) URL"),
    ],
)
def test_bad_values_are_rejected_with_the_key_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)


def test_every_setting_read_from_the_environment_is_documented_in_env_example() -> None:
    source = Path(ROOT / "web" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.get\(|, )"([A-Z_]+)"', source))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    assert read, "found no settings in web/settings.py"
    assert read <= documented, f"undocumented settings: {sorted(read - documented)}"


def test_settings_is_the_only_module_that_reads_the_environment() -> None:
    offenders = [
        path.relative_to(ROOT)
        for path in (ROOT / "web").rglob("*.py")
        # web/audit is QA's audit of any deployed copy, not part of the site: it reads CHROMIUM only.
        if path.name != "settings.py"
        and "audit" not in path.parts
        and re.search(r"os\.environ|os\.getenv", path.read_text())
    ]
    assert offenders == []


def test_production_server_limits_have_safe_defaults_and_can_be_overridden() -> None:
    defaults = Settings.from_env({})
    assert (defaults.max_connections, defaults.backlog, defaults.keep_alive_seconds) == (2048, 2048, 5)
    assert (defaults.header_timeout_seconds, defaults.body_timeout_seconds, defaults.max_header_bytes) == (
        10,
        30,
        16_384,
    )
    changed = Settings.from_env(
        {
            "MAX_CONNECTIONS": "500",
            "BACKLOG": "128",
            "KEEP_ALIVE_SECONDS": "2",
            "HEADER_TIMEOUT_SECONDS": "5",
            "BODY_TIMEOUT_SECONDS": "60",
            "MAX_HEADER_BYTES": "8192",
        }
    )
    assert (changed.max_connections, changed.backlog, changed.keep_alive_seconds) == (500, 128, 2)
    assert (changed.header_timeout_seconds, changed.body_timeout_seconds, changed.max_header_bytes) == (5, 60, 8192)


def test_the_event_loop_is_asyncio_unless_uvloop_is_asked_for() -> None:
    assert Settings.from_env({}).event_loop == "asyncio"
    assert Settings.from_env({"EVENT_LOOP": "uvloop"}).event_loop == "uvloop"
    with pytest.raises(SettingsError, match="EVENT_LOOP must be one of asyncio, uvloop"):
        Settings.from_env({"EVENT_LOOP": "trio"})


@pytest.mark.parametrize(
    "key", ["MAX_CONNECTIONS", "BACKLOG", "KEEP_ALIVE_SECONDS", "HEADER_TIMEOUT_SECONDS", "BODY_TIMEOUT_SECONDS"]
)
def test_a_limit_of_zero_is_refused_rather_than_turning_a_protection_off(key: str) -> None:
    with pytest.raises(SettingsError, match=f"{key} must be at least 1"):
        Settings.from_env({key: "0"})
