"""Production as a mode of its own (issue 19, items 2, 3 and 14; issue 15, item 10): `.env` read under the
environment, the development defaults refused in production, nothing secret in a repr, IPv6 in brackets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from web.settings import Settings, SettingsError, start_problems

CONTACTS = {
    "DATA_CONTROLLER": "Essex Police",
    "DATA_PROTECTION_EMAIL": "dpo@essex.example",
    "ACCESSIBILITY_EMAIL": "access@essex.example",
}


def production(tmp_path: Path, **environ: str) -> Settings:
    """A production server's settings, every development default replaced, with `environ` over them."""
    keys = tmp_path / "keys"
    keys.mkdir(exist_ok=True)
    (keys / "concerns.pub").write_text("a public key\n")
    (keys / "concerns.key").write_text("a private key\n")
    return Settings.from_env(
        {
            "ENVIRONMENT": "production",
            "PUBLIC_BASE_URL": "https://actearly.example",
            "FORM_SECRET": "f" * 64,
            "CONCERN_PUBLIC_KEY_FILE": str(keys / "concerns.pub"),
            "CONSOLE_PRIVATE_KEY_FILE": str(keys / "concerns.key"),
            **CONTACTS,
            **environ,
        }
    )


def test_dotenv_is_read_and_the_real_environment_wins_over_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=9123\nDATA_CONTROLLER='Kent Police'\nCONSOLE_PORT=9124\n")
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.delenv("DATA_CONTROLLER", raising=False)
    monkeypatch.setenv("CONSOLE_PORT", "9999")
    settings = Settings.from_env(env_file=env_file)
    assert (settings.port, settings.data_controller, settings.console_port) == (9123, "Kent Police", 9999)


def test_settings_given_in_code_never_read_dotenv(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=9123\n")
    assert Settings.from_env({}, env_file=env_file).port == 8000


def test_the_environment_is_staging_unless_named_and_development_only_when_asked() -> None:
    assert Settings.from_env({}).environment == "staging"
    assert not Settings.from_env({}).development
    assert Settings.from_env({"ENVIRONMENT": "development"}).development
    assert Settings.from_env({"ENVIRONMENT": "Production"}).production
    with pytest.raises(SettingsError, match="ENVIRONMENT must be one of development, staging, production"):
        Settings.from_env({"ENVIRONMENT": "prod"})


def test_a_production_server_with_every_setting_made_starts(tmp_path: Path) -> None:
    settings = production(tmp_path)
    assert start_problems(settings, "site") == []
    assert start_problems(settings, "console") == []


@pytest.mark.parametrize(
    ("environ", "setting"),
    [
        ({"FORM_SECRET": ""}, "FORM_SECRET"),
        ({"FORM_SECRET": "short"}, "FORM_SECRET"),
        ({"PUBLIC_BASE_URL": "http://actearly.example"}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": "https://localhost:8443"}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": "https://[::1]:8443"}, "PUBLIC_BASE_URL"),
        ({"DATA_CONTROLLER": ""}, "DATA_CONTROLLER"),
        ({"DATA_PROTECTION_EMAIL": " "}, "DATA_PROTECTION_EMAIL"),
        ({"ACCESSIBILITY_EMAIL": ""}, "ACCESSIBILITY_EMAIL"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"CONCERN_PUBLIC_KEY_FILE": "/nowhere/concerns.pub"}, "CONCERN_PUBLIC_KEY_FILE"),
    ],
)
def test_production_refuses_each_development_default_naming_its_setting(
    tmp_path: Path, environ: dict[str, str], setting: str
) -> None:
    problems = start_problems(production(tmp_path, **environ), "site")
    assert problems, environ
    assert all(problem.startswith(setting) for problem in problems), problems


def test_the_console_is_refused_without_its_private_key_but_needs_no_form_secret(tmp_path: Path) -> None:
    settings = production(tmp_path, FORM_SECRET="", CONSOLE_PRIVATE_KEY_FILE=str(tmp_path / "typo.key"))
    assert [problem.split(":")[0] for problem in start_problems(settings, "console")] == ["CONSOLE_PRIVATE_KEY_FILE"]


def test_outside_development_a_missing_key_or_form_secret_is_refused_but_development_defaults_are_not(
    tmp_path: Path,
) -> None:
    staging = Settings.from_env(
        {"CONCERN_PUBLIC_KEY_FILE": str(tmp_path / "none.pub"), "FORM_SECRET_FILE": str(tmp_path / "none")}
    )
    assert [problem.split(":")[0] for problem in start_problems(staging, "site")] == [
        "CONCERN_PUBLIC_KEY_FILE",
        "FORM_SECRET is not set and FORM_SECRET_FILE (" + str(tmp_path / "none") + ") does not exist",
    ]
    assert start_problems(replace(staging, environment="development"), "site") == []


def test_the_form_secret_and_the_database_password_never_appear_in_a_settings_repr() -> None:
    settings = Settings.from_env(
        {"FORM_SECRET": "sekrit-form-value", "DATABASE_URL": "postgresql+psycopg://site:pa55word@db/act"}
    )
    assert "sekrit-form-value" not in repr(settings)
    assert "pa55word" not in repr(settings)
    assert "sekrit-form-value" not in str(settings)


def test_a_blank_database_url_is_refused_with_what_to_do() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL is empty: set it"):
        Settings.from_env({"DATABASE_URL": " "})


def test_workers_are_one_a_core_unless_set() -> None:
    assert Settings.from_env({}).workers == 0
    assert Settings.from_env({"WORKERS": "3"}).workers == 3
    with pytest.raises(SettingsError, match="WORKERS must be 0"):
        Settings.from_env({"WORKERS": "-1"})


def test_an_ipv6_host_gives_a_bracketed_public_address() -> None:
    assert Settings.from_env({"HOST": "::1", "PORT": "18860"}).public_base_url == "http://[::1]:18860"
    assert Settings.from_env({"HOST": "127.0.0.1", "PORT": "18860"}).public_base_url == "http://127.0.0.1:18860"
