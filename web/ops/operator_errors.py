"""What an operator is told, in one line with what to do, when a command or a server cannot start: the
database down or refusing the password, a database URL that is not one, a key that cannot be read, a
schema other than the code's. (`python -m web …` prints it instead of a traceback: web/cli.py.)"""

from __future__ import annotations

from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from web.sealing import KeyFileError
from web.storage.migrate import SchemaMismatch

OPERATOR_ERRORS = (OperationalError, ArgumentError, NoSuchModuleError, KeyFileError, SchemaMismatch, FileExistsError)


def explain(error: BaseException) -> str:
    if isinstance(error, OperationalError):
        cause = _first_line(str(error.orig or error))
        if "password authentication failed" in cause or "authentication failed" in cause:
            return f"the database refused DATABASE_URL's user or password ({cause}): correct DATABASE_URL"
        return (
            f"cannot use the database DATABASE_URL names ({cause}): check that the server is running and"
            " reachable from here, and that DATABASE_URL is right"
        )
    if isinstance(error, ArgumentError | NoSuchModuleError):
        return (
            f"DATABASE_URL is not a database URL this site can use ({_first_line(str(error))}): use"
            " postgresql+psycopg://user:password@host/name or sqlite:///path (see .env.example)"
        )
    return _first_line(str(error))


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"
