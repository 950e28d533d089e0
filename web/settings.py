"""Settings: the only module that reads the environment.

Every key is documented in `.env.example`; a test fails when one is not. The environment is read over the
file `.env` beside `.env.example` (when there is one): a variable set in the environment wins over the file.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent
DOTENV = ROOT / ".env"
# development: `make run` (keys and the form secret made when missing); production: refuses development
# defaults (`production_problems`); staging, the default from the environment: neither.
ENVIRONMENTS = ("development", "staging", "production")
MINIMUM_SECRET = 32


class SettingsError(ValueError):
    """A setting has a value the site cannot use."""


@dataclass(frozen=True)
class Settings:
    # Settings made in code (tests, benchmarks) are development's; from the environment they are staging's
    # unless ENVIRONMENT says otherwise (`from_env`).
    environment: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 0  # `python -m web serve`'s processes; 0: one a core
    # Never in a repr (a log line, a traceback): it may hold the database's password.
    database_url: str = field(default=f"sqlite:///{ROOT / 'var' / 'act-early.sqlite3'}", repr=False)
    content_dir: Path = ROOT / "content"
    static_dist_dir: Path = ROOT / "static" / "dist"
    exit_url: str = "https://www.bbc.co.uk/weather"
    public_base_url: str = "http://127.0.0.1:8000"
    debug: bool = False
    log_level: str = "info"
    concern_public_key_file: Path = ROOT / "var" / "keys" / "concerns.pub"
    console_private_key_file: Path = ROOT / "var" / "keys" / "concerns.key"
    form_secret: str = field(default="", repr=False)  # never in a repr: it signs every form
    form_secret_file: Path = ROOT / "var" / "keys" / "form-secret"
    retention_days: int = 90
    data_controller: str = ""  # who is responsible for the data, as the privacy notice names them
    data_protection_email: str = ""  # the data protection officer's address
    accessibility_email: str = ""  # where to report an accessibility problem
    submissions_per_hour: int = 10
    max_body_bytes: int = 65_536
    console_host: str = "127.0.0.1"
    console_port: int = 8001
    console_idle_minutes: int = 15
    console_max_hours: int = 8
    measurement: bool = True
    # The production server (uvicorn, in `python -m web serve`): see .env.example and web/http/slow_clients.py.
    max_connections: int = 2048
    backlog: int = 2048
    keep_alive_seconds: int = 5
    header_timeout_seconds: int = 10
    body_timeout_seconds: int = 30
    max_header_bytes: int = 16_384
    event_loop: str = "asyncio"
    # The proxies (addresses or networks) whose X-Forwarded-For names the client; none by default.
    forwarded_allow_ips: tuple[str, ...] = ()

    def deployment_contacts(self) -> dict[str, str]:
        """The contacts content shows ({{data_controller}} and the rest), as this deployment sets them."""
        return {
            "data_controller": self.data_controller,
            "data_protection_email": self.data_protection_email,
            "accessibility_email": self.accessibility_email,
        }

    @property
    def development(self) -> bool:
        """Whether keys and the form secret may be made when missing (`make run`); never anywhere else."""
        return self.environment == "development"

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, env_file: Path = DOTENV) -> Settings:
        """The settings from `environ`, or from the process's environment read over `env_file` (`.env`)."""
        env = _environment_over(env_file) if environ is None else environ
        defaults = cls()
        port = _int(env, "PORT", defaults.port)
        host = env.get("HOST", defaults.host)
        return cls(
            environment=_choice(env, "ENVIRONMENT", ENVIRONMENTS, "staging"),
            host=host,
            port=port,
            workers=_workers(env),
            database_url=_database_url(env, defaults.database_url),
            content_dir=Path(env.get("CONTENT_DIR", str(defaults.content_dir))),
            static_dist_dir=Path(env.get("STATIC_DIST_DIR", str(defaults.static_dist_dir))),
            exit_url=_https_url(env, "EXIT_URL", defaults.exit_url),
            public_base_url=env.get("PUBLIC_BASE_URL", f"http://{url_host(host)}:{port}").rstrip("/"),
            debug=_bool(env, "DEBUG", defaults.debug),
            log_level=env.get("LOG_LEVEL", defaults.log_level).lower(),
            concern_public_key_file=_path(env, "CONCERN_PUBLIC_KEY_FILE", defaults.concern_public_key_file),
            console_private_key_file=_path(env, "CONSOLE_PRIVATE_KEY_FILE", defaults.console_private_key_file),
            form_secret=env.get("FORM_SECRET", ""),
            form_secret_file=_path(env, "FORM_SECRET_FILE", defaults.form_secret_file),
            retention_days=_int(env, "RETENTION_DAYS", defaults.retention_days),
            data_controller=env.get("DATA_CONTROLLER", "").strip(),
            data_protection_email=env.get("DATA_PROTECTION_EMAIL", "").strip(),
            accessibility_email=env.get("ACCESSIBILITY_EMAIL", "").strip(),
            submissions_per_hour=_int(env, "SUBMISSIONS_PER_HOUR", defaults.submissions_per_hour),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", defaults.max_body_bytes),
            console_host=env.get("CONSOLE_HOST", defaults.console_host),
            console_port=_int(env, "CONSOLE_PORT", defaults.console_port),
            console_idle_minutes=_int(env, "CONSOLE_IDLE_MINUTES", defaults.console_idle_minutes),
            console_max_hours=_int(env, "CONSOLE_MAX_HOURS", defaults.console_max_hours),
            measurement=_bool(env, "MEASUREMENT", defaults.measurement),
            max_connections=_positive(env, "MAX_CONNECTIONS", defaults.max_connections),
            backlog=_positive(env, "BACKLOG", defaults.backlog),
            keep_alive_seconds=_positive(env, "KEEP_ALIVE_SECONDS", defaults.keep_alive_seconds),
            header_timeout_seconds=_positive(env, "HEADER_TIMEOUT_SECONDS", defaults.header_timeout_seconds),
            body_timeout_seconds=_positive(env, "BODY_TIMEOUT_SECONDS", defaults.body_timeout_seconds),
            max_header_bytes=_positive(env, "MAX_HEADER_BYTES", defaults.max_header_bytes),
            event_loop=_choice(env, "EVENT_LOOP", ("asyncio", "uvloop"), defaults.event_loop),
            forwarded_allow_ips=_networks(env, "FORWARDED_ALLOW_IPS"),
        )


def url_host(host: str) -> str:
    """`host` as it goes in a URL: an IPv6 address in brackets (`[::1]`), anything else as it is."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def start_problems(settings: Settings, server: str) -> list[str]:
    """Why `server` ("site" or "console") must not start with these settings: one line a problem, naming its
    setting. Outside development nothing is made when missing (a typo in a key's path would otherwise make a
    key pair); in production, no development default is accepted either."""
    if settings.development:
        return []
    problems = []
    key = ("CONCERN_PUBLIC_KEY_FILE", settings.concern_public_key_file)
    if server == "console":
        key = ("CONSOLE_PRIVATE_KEY_FILE", settings.console_private_key_file)
    if not key[1].is_file():
        problems.append(
            f"{key[0]}: there is no key file at {key[1]}; give the path of the key `python -m web keys generate`"
            " wrote (servers never make keys but in development)"
        )
    if (
        server == "site"
        and not settings.production
        and not settings.form_secret
        and not settings.form_secret_file.is_file()
    ):
        problems.append(
            f"FORM_SECRET is not set and FORM_SECRET_FILE ({settings.form_secret_file}) does not exist: set the"
            " same long random value on every server of the public site (`openssl rand -hex 32`)"
        )
    if settings.production:
        problems += _production_problems(settings, server)
    return problems


def _production_problems(settings: Settings, server: str) -> list[str]:
    problems = []
    if server == "site" and not settings.form_secret:  # a file may be one a server made for itself
        problems.append(
            "FORM_SECRET is not set: production takes the form secret from it alone, the same long random value"
            " on every server of the public site (`openssl rand -hex 32`)"
        )
    elif server == "site" and len(settings.form_secret) < MINIMUM_SECRET:
        problems.append(f"FORM_SECRET is shorter than {MINIMUM_SECRET} characters: use `openssl rand -hex 32`")
    base = settings.public_base_url
    host = base.split("://", 1)[-1].split("/", 1)[0]
    host = (host.partition("]")[0].lstrip("[") if host.startswith("[") else host.rsplit(":", 1)[0]).lower()
    if not base.startswith("https://"):
        problems.append(f"PUBLIC_BASE_URL must start with https:// in production, not {base!r}")
    if host in {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::"} or host.endswith(".localhost"):
        problems.append(f"PUBLIC_BASE_URL names this machine ({base!r}): give the address readers use")
    if server == "site":
        for name, value in settings.deployment_contacts().items():
            if not value:
                problems.append(f"{name.upper()} is not set: the privacy notice and accessibility statement show it")
    if settings.debug:
        problems.append("DEBUG is on: tracebacks would reach readers; set DEBUG=false")
    return problems


def process_environment() -> dict[str, str]:
    """The environment as `Settings.from_env` reads it: `.env`, with the process's environment over it (for
    settings of a part that reads its own, such as the console's notices)."""
    return _environment_over(DOTENV)


def _environment_over(env_file: Path) -> dict[str, str]:
    """`env_file`'s settings, with the process's environment over them (a variable set there wins)."""
    from_file = {key: value for key, value in dotenv_values(env_file).items() if value is not None}
    return {**from_file, **os.environ}


def _database_url(env: Mapping[str, str], default: str) -> str:
    raw = env.get("DATABASE_URL")
    if raw is None:
        return default
    if not raw.strip():
        raise SettingsError(
            "DATABASE_URL is empty: set it to the database's URL (see .env.example), or remove it for the"
            " development SQLite file"
        )
    return raw.strip()


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{key} must be a whole number, not {raw!r}") from None


def _workers(env: Mapping[str, str]) -> int:
    value = _int(env, "WORKERS", 0)
    if value < 0:
        raise SettingsError(f"WORKERS must be 0 (one a CPU core) or more, not {value}")
    return value


def _positive(env: Mapping[str, str], key: str, default: int) -> int:
    """A limit or a timeout: zero or less would turn a protection off or refuse every client."""
    value = _int(env, key, default)
    if value < 1:
        raise SettingsError(f"{key} must be at least 1, not {value}")
    return value


def _choice(env: Mapping[str, str], key: str, choices: tuple[str, ...], default: str) -> str:
    raw = env.get(key, "").strip().lower() or default
    if raw not in choices:
        raise SettingsError(f"{key} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def _networks(env: Mapping[str, str], key: str) -> tuple[str, ...]:
    """Addresses and networks, separated by commas: each one checked, since a typo would trust nobody and "*"
    (which uvicorn would take to mean everyone) would let any client choose the address it is counted under."""
    found = []
    for item in env.get(key, "").replace(",", " ").split():
        try:
            found.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingsError(f"{key} must list IP addresses or networks, not {item!r}") from None
    return tuple(found)


def _path(env: Mapping[str, str], key: str, default: Path) -> Path:
    raw = env.get(key, "")
    return Path(raw) if raw else default


def _bool(env: Mapping[str, str], key: str, default: bool) -> bool:
    raw = env.get(key, "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{key} must be true or false, not {raw!r}")


def _https_url(env: Mapping[str, str], key: str, default: str) -> str:
    raw = env.get(key, default)
    if not raw.startswith(("https://", "http://", "/")):
        raise SettingsError(f"{key} must be an http(s) URL or a path, not {raw!r}")
    return raw
