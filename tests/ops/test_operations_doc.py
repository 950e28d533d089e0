"""docs/operations.md cannot rot (issue 19, the procedure): every command in it is a real one and is run by a
test or marked untested; its systemd units pass `systemd-analyze verify`; its nginx configuration passes
`nginx -t` with TLS; its settings start a production server; its commands run, in order, on SQLite."""

from __future__ import annotations

import argparse
import io
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testing.nginx import nginx_binary
from web.cli import parser, run
from web.ops.export import PAGE_LOG, nginx_config
from web.settings import ROOT, Settings, start_problems

DOC = ROOT / "docs" / "operations.md"
SED = "sed -i 's/^    listen 80;$/    listen 443 ssl;/' /srv/act-early/export.nginx.conf"
RUN_HERE = {SED, "nginx -t"}  # what this module runs itself, beside the `python -m web` commands


def doc() -> str:
    return DOC.read_text()


def named_file(name: str) -> str:
    found = re.search(rf"<!-- file: {re.escape(name)} -->\n```\w+\n(.*?)```", doc(), flags=re.DOTALL)
    assert found, f"docs/operations.md has no block for {name}"
    return found.group(1)


def shell_lines() -> list[str]:
    blocks = re.findall(r"^ *```sh\n(.*?)^ *```", doc(), flags=re.DOTALL | re.MULTILINE)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def env_file(name: str, tmp_path: Path) -> dict[str, str]:
    """The settings an example file sets, its placeholders filled and its paths moved under `tmp_path`."""
    values = {}
    for line in named_file(name).splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    keys = tmp_path / "keys"
    keys.mkdir(exist_ok=True)
    for key in ("CONCERN_PUBLIC_KEY_FILE", "CONSOLE_PRIVATE_KEY_FILE"):
        if key in values:
            values[key] = str(keys / Path(values[key]).name)
            Path(values[key]).write_text("a key\n")
    if "FORM_SECRET" in values:
        values["FORM_SECRET"] = secrets.token_hex(32)  # as `openssl rand -hex 32`
    return {key: re.sub(r"<[^>]+>", "filled in", value) for key, value in values.items()}


def test_the_readme_links_the_procedure_and_keeps_its_first_screen_to_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_screen = readme.split("\n## ", 1)[0]
    commands = [line.strip().split("#")[0].strip() for line in first_screen.splitlines() if line.startswith("    ")]
    assert commands == ["make run", "make test"]
    assert "(docs/operations.md)" in first_screen


def test_every_command_in_the_procedure_is_real_and_run_by_a_test_or_marked_untested() -> None:
    lines = shell_lines()
    assert len(lines) >= 10
    for line in lines:
        if "# untested:" in line or line in RUN_HERE:
            continue
        command = line.split("| ", 1)[-1]
        assert command.startswith("python -m web "), f"neither run by a test nor marked untested: {line}"
        arguments = command.removeprefix("python -m web ").split()
        parser().parse_args(arguments)  # SystemExit for a command or option that does not exist
    for named in re.findall(r"`python -m web ([a-z]+(?: [a-z-]+)?)", doc()):
        assert is_a_command(named.split()), named


def is_a_command(words: list[str]) -> bool:
    """Whether `python -m web WORDS…` names a command (a second word counts only where there are subcommands)."""
    choices = subcommands(parser())
    if words[0] not in choices:
        return False
    inner = subcommands(choices[words[0]])
    return len(words) == 1 or not inner or words[1] in inner


def subcommands(command: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found = [action for action in command._actions if isinstance(action, argparse._SubParsersAction)]
    return dict(found[0].choices) if found else {}


def test_the_example_settings_start_production_servers(tmp_path: Path) -> None:
    site = Settings.from_env(env_file("site.env", tmp_path))
    console = Settings.from_env(env_file("console.env", tmp_path))
    assert site.production and console.production
    assert start_problems(site, "site") == []
    assert start_problems(console, "console") == []
    assert site.forwarded_allow_ips == ("127.0.0.1/32",)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize(
    "unit", ["act-early-site.service", "act-early-console.service", "act-early-import-log.service"]
)
def test_the_systemd_units_verify(tmp_path: Path, unit: str) -> None:
    srv, etc = tmp_path / "srv", tmp_path / "etc"
    (srv / ".venv" / "bin").mkdir(parents=True)
    (srv / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (etc / "keys").mkdir(parents=True)
    for name in ("site.env", "console.env"):
        (etc / name).write_text(named_file(name))
    text = named_file(unit).replace("/srv/act-early", str(srv)).replace("/etc/act-early", str(etc))
    (tmp_path / unit).write_text(text)
    checked = subprocess.run(["systemd-analyze", "verify", str(tmp_path / unit)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert unit not in checked.stderr, checked.stderr  # "Unknown key …" and the like are warnings only
    assert "ExecStart=/srv/act-early/.venv/bin/python -m web " in named_file(unit)


@pytest.mark.skipif(nginx_binary() is None or shutil.which("openssl") is None, reason="needs nginx and openssl")
def test_nginx_with_tls_in_front_of_the_site_and_the_console_passes_nginx_t(tmp_path: Path) -> None:
    certificate, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    self_signed = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=actearly.test"]
    subprocess.run(
        ["openssl", *self_signed, "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    export = tmp_path / "export"
    export.mkdir()
    example = tmp_path / "export.nginx.conf"  # beside the export, as `python -m web export` writes it
    example.write_text(nginx_config(export, https=True))
    subprocess.run(["sh", "-c", SED.replace("/srv/act-early/export", str(export))], check=True)
    assert "    listen 443 ssl;\n" in example.read_text()
    tls = (
        named_file("act-early-tls.conf")
        .replace("/etc/ssl/act-early/fullchain.pem", str(certificate))
        .replace("/etc/ssl/act-early/privkey.pem", str(key))
        .replace("/srv/act-early/export", str(export))
    )
    temp = "".join(f"    {kind}_temp_path {tmp_path / kind};\n" for kind in ("client_body", "proxy", "fastcgi"))
    temp += "".join(f"    {kind}_temp_path {tmp_path / kind};\n" for kind in ("uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'} warn;\nevents {{}}\n"
        f"http {{\n{temp}{tls}}}\n"
    )
    checked = subprocess.run(
        [str(nginx_binary()), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_procedure_s_commands_run_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """keys generate, migrate, officers add, backup, purge, restore into a new database (0600), on SQLite."""
    keys = tmp_path / "keys"
    settings = Settings(
        environment="production",
        database_url=f"sqlite:///{tmp_path / 'live.sqlite3'}",
        concern_public_key_file=keys / "concerns.pub",
        console_private_key_file=keys / "concerns.key",
    )
    assert run(settings, "keys", "generate") == 0
    assert run(settings, "migrate") == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long and memorable passphrase\n"))
    assert run(settings, "officers", "add", "alice", "--role", "admin", "--password-stdin") == 0
    assert run(settings, "backup", str(tmp_path / "backups")) == 0
    assert run(settings, "purge") == 0
    backup = next((tmp_path / "backups").glob("*.sqlite3"))
    rehearsal = Settings(
        environment="production",
        database_url=f"sqlite:///{tmp_path / 'rehearsal' / 'site.sqlite3'}",
        console_private_key_file=settings.console_private_key_file,
    )
    assert run(rehearsal, "restore", str(backup)) == 0
    assert (tmp_path / "rehearsal" / "site.sqlite3").stat().st_mode & 0o777 == 0o600
    assert "added alice as admin" in capsys.readouterr().out


def test_the_page_log_is_rotated_daily_and_the_day_just_rotated_imported() -> None:
    rotation = named_file("act-early-pages.logrotate")
    assert f"{PAGE_LOG} {{" in rotation  # the log the export's nginx block writes
    assert "delaycompress" in rotation  # so that the day just rotated (.1) is still plain text
    assert "systemctl start act-early-import-log.service" in rotation
    assert f"-m web figures import-log {PAGE_LOG}.1\n" in named_file("act-early-import-log.service")
