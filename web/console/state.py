"""What the console is made of, built once by `create_console_app`: settings, templates, the database, the
sign-in limit and delays, and the officers' keys (loaded again when the key file changes). Views reach it with
`console_of(request)`, typed, instead of `app.state`."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from nacl.public import PrivateKey, PublicKey
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.templating import Jinja2Templates

from web.console.throttling import FailedAddresses, RefusedSignIns, Turns
from web.http.limits import SubmissionLimiter
from web.sealing import load_private_keys, totp_key
from web.settings import Settings
from web.shell.assets import Assets

FileVersion = tuple[int, int, int]


def file_version(path: Path) -> FileVersion:
    status = os.stat(path)
    return status.st_ino, status.st_mtime_ns, status.st_size


@dataclass(frozen=True)
class ConsoleKeys:
    """The officers' keys, and what is derived from them: the current key first, then the retired ones
    (concerns and code secrets sealed before a rotation reached everything)."""

    private_keys: tuple[PrivateKey, ...]
    public_key: PublicKey  # seals officers' notes
    pending_key: bytes  # signs the pending sign-in cookie between the password and the code
    session_key: bytes  # keys the hash of each session's token: the public site cannot make one (auth.py)
    totp_keys: tuple[bytes, ...]  # open code secrets; the first seals new ones
    version: FileVersion  # of the key file they were read from

    @property
    def totp_key(self) -> bytes:
        return self.totp_keys[0]

    @classmethod
    def load(cls, private_file: Path) -> ConsoleKeys:
        version = file_version(private_file)
        private_keys = tuple(load_private_keys(private_file))
        current = private_keys[0]
        return cls(
            private_keys=private_keys,
            public_key=current.public_key,
            pending_key=hashlib.sha256(b"console-pending:" + bytes(current)).digest(),
            session_key=hashlib.sha256(b"console-session:" + bytes(current)).digest(),
            totp_keys=tuple(totp_key(key) for key in private_keys),
            version=version,
        )


@dataclass
class Console:
    settings: Settings
    assets: Assets
    templates: Jinja2Templates
    engine: Engine
    sign_in_limiter: SubmissionLimiter
    keys: ConsoleKeys  # replaced, whole, when the key file changes (web/console/app.py)
    failed_addresses: FailedAddresses = field(default_factory=FailedAddresses)  # web/console/throttling.py
    turns: Turns = field(default_factory=Turns)
    refused_sign_ins: RefusedSignIns = field(default_factory=RefusedSignIns)


def console_of(connection: HTTPConnection) -> Console:
    return console_of_app(connection.app)


def console_of_app(app: Starlette) -> Console:
    console = app.state.console
    assert isinstance(console, Console), "the app was not made by web.console.app.create_console_app"
    return console
