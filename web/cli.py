"""`python -m web …`: serve the site, build its assets, check its content."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web.settings import ROOT, Settings, SettingsError, start_problems, url_host

Command = Callable[[Settings, argparse.Namespace], int]


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    command: Command = args.run
    from web.ops.operator_errors import OPERATOR_ERRORS, explain

    try:
        return command(settings, args)
    except OPERATOR_ERRORS as error:  # one line with what to do, never a traceback
        print(f"error: {explain(error)}", file=sys.stderr)
        return 1


def run(settings: Settings, *argv: str) -> int:
    """One command with these settings, as `python -m web ARGV…` would run it with settings from the environment."""
    args = parser().parse_args(argv)
    command: Command = args.run
    return command(settings, args)


def parser() -> argparse.ArgumentParser:
    """Every command, each with its own function (`run`)."""
    top = argparse.ArgumentParser(prog="python -m web", description="ACT Early web")
    commands = top.add_subparsers(dest="command", required=True)

    def command(
        name: str, run: Command, help: str, parent: argparse._SubParsersAction[argparse.ArgumentParser] = commands
    ) -> argparse.ArgumentParser:
        found: argparse.ArgumentParser = parent.add_parser(name, help=help)
        found.set_defaults(run=run)
        return found

    command("serve", serve, "run the public site (HOST, PORT from the environment)").add_argument(
        "--workers", type=int, default=None, help="processes (default: WORKERS, or one a core)"
    )
    console_command = command("console", console, "run the officers' console (CONSOLE_HOST, CONSOLE_PORT), one process")
    console_commands = console_command.add_subparsers(dest="console_command")
    command("notify", notify, "email each team mailbox whose queue changed (run by a timer)", console_commands)
    command("migrate", migrate_database, "bring the database's schema up to date (before starting new code)")
    command("build", build, "build the CSS, JavaScript and icons into static/dist")
    command("export", export, "write a static copy of every public page, with an nginx example").add_argument(
        "directory", type=Path, help="an empty folder, or an earlier export to replace"
    )
    content = commands.add_parser("content", help="work with the Markdown content")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    command("check", check_content, "check every content file; exit 1 on a problem", content_commands).add_argument(
        "--strict", action="store_true", help="also fail when a translation is out of date"
    )
    keys = commands.add_parser("keys", help="the officers' key pair that seals concerns")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    command("generate", generate_keys, "a new key pair (refuses to replace one)", key_commands).add_argument(
        "--force", action="store_true", help="replace an existing key pair"
    )
    command("rotate", rotate_keys, "a new pair, with everything sealed again under it", key_commands)
    command("reseal", reseal_keys, "seal again under the current key what a retired key sealed", key_commands)
    officers = commands.add_parser("officers", help="console accounts")
    officer_commands = officers.add_subparsers(dest="officers_command", required=True)
    add = command("add", add_officer, "create an account; prints its authenticator secret", officer_commands)
    add.add_argument("username")
    add.add_argument("--role", choices=["officer", "comms", "admin"], required=True)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument(
        "--area",
        action="append",
        default=[],
        metavar="AREA",
        help="an area whose concerns the officer sees: a force's slug (content/forces.yaml) or national (repeatable)",
    )
    command("purge", purge, "delete concerns closed more than RETENTION_DAYS ago")
    command("backup", backup, "copy the database, consistently, into a file in a folder").add_argument(
        "directory", type=Path, help="where to write the backup and its checksum"
    )
    command("restore", restore, "load a backup into DATABASE_URL (an empty database)").add_argument(
        "file", type=Path, help="a file written by `python -m web backup`"
    )
    films = commands.add_parser("films", help="the stand-in films made from content/films/*.yaml")
    film_commands = films.add_subparsers(dest="films_command", required=True)
    command("build", build_films, "build them into var/films (skipped when up to date)", film_commands).add_argument(
        "--force", action="store_true", help="build even when nothing has changed"
    )
    figures = commands.add_parser("figures", help="the daily figures the comms dashboard shows")
    figure_commands = figures.add_subparsers(dest="figures_command", required=True)
    command(
        "import-log", import_page_log, "add the pages nginx served from the export (its page log)", figure_commands
    ).add_argument("file", type=Path, help="the export's page log, e.g. /var/log/nginx/act-early-pages.log.1")
    command("translations", translations, "the gettext catalogues of interface text").add_argument(
        "action", choices=["extract", "update", "compile"]
    )
    return top


def serve(settings: Settings, args: argparse.Namespace) -> int:
    """The public site: checked, its database migrated once (before the workers, which then only check the
    schema), then one worker a core unless WORKERS or --workers says otherwise."""
    if refused := _refusals(settings, "site"):
        return refused
    _prepare_site(settings)
    https = settings.public_base_url.startswith("https://")
    workers = args.workers or settings.workers or os.cpu_count() or 1
    return run_server(
        "web.app:create_app", "ACT Early web", settings.host, settings.port, settings, workers=workers, https=https
    )


def console(settings: Settings, args: argparse.Namespace) -> int:
    """The console, built here (so that a missing key or an unreachable database is one line, not a
    traceback), in one process: its record of failed sign-ins is the process's own."""
    if refused := _refusals(settings, "console"):
        return refused
    from web.console.app import create_console_app
    from web.sealing import load_private_key

    load_private_key(settings.console_private_key_file)  # a KeyFileError naming the file, before anything else
    return run_server(
        create_console_app(settings),
        "ACT Early console",
        settings.console_host,
        settings.console_port,
        settings,
        https=True,  # as web/console/app.py's headers
    )


def notify(settings: Settings, args: argparse.Namespace) -> int:
    """The console's notices (web/console/notices.py): a count and a link to each mailbox whose queue changed."""
    from web.console.notices import NoticeSettings, NoticeSettingsError, send_due
    from web.settings import process_environment
    from web.storage import create_database_engine
    from web.storage.migrate import check_schema

    try:
        notices = NoticeSettings.from_environ(process_environment())
    except NoticeSettingsError as error:
        print(f"error: {error} (docs/operations.md)", file=sys.stderr)
        return 2
    engine = create_database_engine(settings.database_url, statement_timeout_ms=None)
    try:
        check_schema(engine)
        sent = send_due(notices, engine)
    finally:
        engine.dispose()
    print(f"notices sent: {', '.join(sent) if sent else 'none'}")
    return 0


def _refusals(settings: Settings, server: str) -> int:
    """Exit status 2, with one line a problem, when `server` must not start with these settings."""
    problems = start_problems(settings, server)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print(
            f"error: {server} not started (ENVIRONMENT={settings.environment}; see docs/operations.md)", file=sys.stderr
        )
    return 2 if problems else 0


def _prepare_site(settings: Settings) -> None:
    """Before the site's workers start, once: the schema up to date, the key and form secret readable (made
    when missing in development alone: two workers would race to make them)."""
    from web.sealing import ensure_development_keys, load_or_create_secret, load_public_key
    from web.storage import create_database_engine
    from web.storage.migrate import migrate

    development = settings.development
    ensure_development_keys(
        settings.concern_public_key_file, settings.console_private_key_file, development=development
    )
    load_public_key(settings.concern_public_key_file)
    load_or_create_secret(settings.form_secret, settings.form_secret_file, create=development)
    engine = create_database_engine(settings.database_url, statement_timeout_ms=None)
    try:
        migrate(engine)
    finally:
        engine.dispose()


def migrate_database(settings: Settings, args: argparse.Namespace) -> int:
    from web.storage import create_database_engine
    from web.storage.migrate import migrate, schema_version
    from web.storage.officers import record

    engine = create_database_engine(settings.database_url, statement_timeout_ms=None)
    try:
        before = schema_version(engine)
        migrate(engine)
        after = schema_version(engine)
        if after != before:
            record(engine, "cli", "migrated", detail=f"schema {before or 'none'} to {after}")
        print(f"the database's schema is at version {after}")
    finally:
        engine.dispose()
    return 0


def backup(settings: Settings, args: argparse.Namespace) -> int:
    from web.ops.backup import backup_command

    return backup_command(settings, args.directory)


def restore(settings: Settings, args: argparse.Namespace) -> int:
    from web.ops.backup import restore_command

    return restore_command(settings, args.file)


def import_page_log(settings: Settings, args: argparse.Namespace) -> int:
    """The export's page log into the daily figures; importing a file again adds only its new lines."""
    from urllib.parse import urlsplit

    from web.content import load_library
    from web.ops.page_log import import_log
    from web.storage import create_database_engine
    from web.storage.migrate import check_schema

    if not args.file.is_file():
        print(f"error: {args.file} is not a file: name the export's page log (docs/operations.md)", file=sys.stderr)
        return 2
    if not settings.measurement:
        print("MEASUREMENT is off: nothing imported (the site counts nothing either)")
        return 0
    library = load_library(settings.content_dir, settings.deployment_contacts())
    engine = create_database_engine(settings.database_url, statement_timeout_ms=None)
    try:
        check_schema(engine)
        report = import_log(engine, library, args.file, urlsplit(settings.public_base_url).hostname or "")
    finally:
        engine.dispose()
    print(report.summary(args.file))
    return 0


def build_films(settings: Settings, args: argparse.Namespace) -> int:
    from web.films.build import run

    return run(force=args.force)


def run_server(
    factory: str | Any, name: str, host: str, port: int, settings: Settings, *, workers: int = 1, https: bool = False
) -> int:
    """Serve `factory` (an import string, or an app already made: one worker) with uvicorn as production needs
    it: bounded connections, timeouts for slow clients.

    MAX_CONNECTIONS, HEADER_TIMEOUT_SECONDS and MAX_HEADER_BYTES apply to each worker; the body timeout
    is the app's (web/http/slow_clients.py explains why uvicorn's own settings are not enough). The client's
    address is the connection's, or the one in X-Forwarded-For when the connection comes from a proxy named
    in FORWARDED_ALLOW_IPS (never from anyone else): the limits count clients by it (web/http/limits.py).
    """
    import logging.config

    import uvicorn

    from web.http.access_log import log_config
    from web.http.slow_clients import allow_open_files, guarded_protocol

    logging.config.dictConfig(log_config(settings.log_level))
    wanted = settings.max_connections + 256  # the database, log and content files besides the connections
    if allow_open_files(wanted) < wanted:
        logging.getLogger("web.cli").warning(
            "the open-file limit is below MAX_CONNECTIONS=%d: raise it (ulimit -n, LimitNOFILE)",
            settings.max_connections,
        )
    print(f"{name} on http://{url_host(host)}:{port}, {workers} worker{'s' if workers > 1 else ''}", flush=True)
    uvicorn.run(
        factory,
        factory=isinstance(factory, str),
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # uvicorn's access log records IP addresses; web.http.access_log does not
        server_header=False,
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=list(settings.forwarded_allow_ips) or None,  # None: unused, as proxy_headers is off
        log_level=settings.log_level,
        log_config=log_config(settings.log_level),  # every worker's lines escaped (web/http/access_log.py)
        loop=settings.event_loop,
        http=guarded_protocol(
            header_timeout=settings.header_timeout_seconds,
            max_header_bytes=settings.max_header_bytes,
            https=https,
        ),
        limit_concurrency=settings.max_connections,
        backlog=settings.backlog,
        timeout_keep_alive=settings.keep_alive_seconds,
        h11_max_incomplete_event_size=settings.max_header_bytes,  # the same limit, were h11 ever chosen
    )
    return 0


def translations(settings: Settings, args: argparse.Namespace) -> int:
    from web.shell import catalogues

    if args.action == "extract":
        print(f"{len(catalogues.write_template())} messages in {catalogues.TEMPLATE}")
    elif args.action == "update":
        catalogues.update()
        for lang in catalogues.po_files():
            print(f"{lang}: {len(catalogues.untranslated(lang))} messages to translate")
    else:
        for path in catalogues.compile_all():
            print(f"compiled {path}")
    return 0


def generate_keys(settings: Settings, args: argparse.Namespace) -> int:
    from web.sealing import generate_key_pair

    public, private = settings.concern_public_key_file, settings.console_private_key_file
    if (public.exists() or private.exists()) and not args.force:
        print(
            f"error: {public} or {private} exists; --force replaces them (old concerns become unreadable and "
            "every officer must be added again); `keys rotate` changes the pair and keeps them",
            file=sys.stderr,
        )
        return 1
    generate_key_pair(public, private, replace=args.force)
    print(f"public key:  {public}\n  copy it to every server of the public site (CONCERN_PUBLIC_KEY_FILE)")
    print(
        f"private key: {private}\n  keep it ONLY on the console's server (CONSOLE_PRIVATE_KEY_FILE), readable by"
        " the console's user alone, with an offline backup: without it no stored concern can be read"
    )
    return 0


def rotate_keys(settings: Settings, args: argparse.Namespace) -> int:
    """`keys rotate`: a new pair, everything sealed again under it."""
    return _rotate_or_reseal(settings, "rotate")


def reseal_keys(settings: Settings, args: argparse.Namespace) -> int:
    """`keys reseal`: what arrived under a retired key, sealed again under the current one."""
    return _rotate_or_reseal(settings, "reseal")


def _rotate_or_reseal(settings: Settings, action: str) -> int:
    from web.ops.key_rotation import RotationError, reseal, rotate
    from web.sealing import KeyFileError
    from web.storage import create_database_engine
    from web.storage.migrate import migrate
    from web.storage.officers import record

    engine = create_database_engine(settings.database_url, statement_timeout_ms=None)
    try:
        migrate(engine)
        if action == "reseal":
            done = reseal(engine, settings.console_private_key_file)
            resealed = f"{done.concerns} concerns, {done.notes} notes, {done.secrets} code secrets"
            record(engine, "cli", "keys-resealed", detail=resealed)
            print(f"resealed under the current key: {done.concerns} concerns, {done.notes} notes")
            return 0
        done = rotate(engine, settings.concern_public_key_file, settings.console_private_key_file)
        retired = done.retired.name if done.retired else "none"
        detail = f"{done.concerns} concerns, {done.notes} notes, {done.secrets} code secrets; retired key {retired}"
        record(
            engine,
            "cli",
            "keys-rotated",
            detail=("finished an interrupted rotation; " if done.resumed else "") + detail,
        )
    except (RotationError, KeyFileError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if done.resumed:
        print("finished a rotation that was interrupted after the database had been resealed")
    else:
        print(f"resealed under the new pair: {done.concerns} concerns, {done.notes} notes, {done.secrets} code secrets")
    print(
        "a running console loads the new key by itself\n"
        f"public key:  {settings.concern_public_key_file}\n  copy it to every public server and restart them; "
        "then run `python -m web keys reseal` here\n"
        f"retired key: {done.retired}\n  the console opens concerns sealed under it until they are resealed; "
        "keep it offline while backups sealed with it are kept, or destroy it now if it leaked"
    )
    return 0


def add_officer(settings: Settings, args: argparse.Namespace) -> int:
    import getpass

    import pyotp

    from web.concern.areas import forces
    from web.console.auth import hash_password, new_totp_secret
    from web.sealing import KeyFileError, load_private_key, seal_totp_secret, totp_key
    from web.storage import create_database_engine
    from web.storage.migrate import migrate
    from web.storage.officers import NATIONAL, record
    from web.storage.officers import add_officer as store_officer

    username, role, areas = args.username, args.role, frozenset(args.area)
    unknown = sorted(areas - {NATIONAL, *forces()})
    if unknown:
        print(
            f"error: not an area: {', '.join(unknown)} (a force's slug in content/forces.yaml, or {NATIONAL})",
            file=sys.stderr,
        )
        return 2
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    try:
        password_hash = hash_password(password)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:  # the officer's TOTP secret is sealed with a key from the officers' private key
        key = totp_key(load_private_key(settings.console_private_key_file))
    except KeyFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    engine = create_database_engine(settings.database_url)
    secret = new_totp_secret()
    try:
        migrate(engine)
        store_officer(engine, username, password_hash, seal_totp_secret(key, secret), role, tuple(sorted(areas)))
        record(
            engine,
            "cli",
            "account-added",
            detail=f"{username} as {role}" + "".join(f" {area}" for area in sorted(areas)),
        )
    finally:
        engine.dispose()
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="ACT Early console")
    where = f" in {', '.join(sorted(areas))}" if areas else ""
    if not areas and role == "officer":
        where = " (no area yet: they see no concern until they have one)"
    print(f"added {username} as {role}{where}\nauthenticator secret: {secret}\nor scan: {uri}")
    return 0


def purge(settings: Settings, args: argparse.Namespace) -> int:
    from web.clock import utc_today
    from web.storage import create_database_engine
    from web.storage.concerns import purge_closed
    from web.storage.migrate import migrate
    from web.storage.officers import record

    engine = create_database_engine(settings.database_url, statement_timeout_ms=None)
    try:
        migrate(engine)
        references = purge_closed(engine, older_than_days=settings.retention_days, today=utc_today())
        for reference in references:
            record(engine, "purge", "purged", reference, detail=f"closed over {settings.retention_days} days ago")
        record(engine, "cli", "purge-run", detail=f"{len(references)} closed over {settings.retention_days} days ago")
    finally:
        engine.dispose()
    print(f"purged {len(references)} concerns closed more than {settings.retention_days} days ago")
    return 0


def export(settings: Settings, args: argparse.Namespace) -> int:
    from web.ops.export import ExportError, export_site

    try:
        report = export_site(settings, args.directory)
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def build(settings: Settings, args: argparse.Namespace) -> int:
    from web.shell.assets import AssetError, build_assets
    from web.shell.catalogues import compile_all

    compile_all()
    try:
        manifest = build_assets(settings.static_dist_dir)
    except AssetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for name, hashed in manifest.items():
        print(f"{name:>12} -> {hashed}")
    return 0


def check_content(settings: Settings, args: argparse.Namespace) -> int:
    from web.content.check import check_content as run_check
    from web.content.readability import MAXIMUM_AVERAGE_GRADE, MAXIMUM_GRADE

    report = run_check(settings.content_dir, ROOT / "templates")
    print(
        f"Reading grade (Flesch-Kincaid; at most {MAXIMUM_GRADE:.0f} a page, {MAXIMUM_AVERAGE_GRADE:.0f} on average):"
    )
    for slug, grade in sorted(report.grades.items(), key=lambda item: -item[1]):
        print(f"  {grade:4.1f}  {slug}")
    print(f"  {report.average_grade:4.1f}  average of {len(report.grades)} English pages")
    counts = ", ".join(f"{lang}: {count}" for lang, count in sorted(report.pages_per_language.items()))
    print(f"Pages per language: {counts}")
    for title, lines in (
        ("Translations out of date", report.out_of_date),
        ("Translations awaiting a translator's review", report.awaiting_review),
    ):
        print(f"{title}: {len(lines)}")
        for line in lines:
            print(f"  {line}")
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    if report.passed(strict=args.strict):
        print("Content check passed.")
        return 0
    print(
        f"Content check failed: {len(report.errors)} errors"
        + (f", {len(report.out_of_date)} translations out of date" if args.strict else ""),
        file=sys.stderr,
    )
    return 1
