"""An access log with nothing personal in it (no IP address, no query string, no user agent), and log
lines that request data cannot forge.

The path is logged as uvicorn decoded it, so `%0A` in an address was a newline in the log, and a line
of the attacker's own followed; ESC went to the operator's terminal as it was. `printable` escapes
them, here and, through `PrintableFormatter`, in every record the server logs (`log_config`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("web.access")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
TRACEBACK_INDENT = "    "


def printable(text: str, *, backslashes: bool = True) -> str:
    """`text` on one line, as a terminal shows it: every character that is not printable (control and
    format characters, line and paragraph separators) escaped as Python writes it (`\\n`, `\\x1b`,
    `\\u2028`), and backslashes doubled, so that an escape in the log always stands for what was sent."""
    if text.isprintable() and (not backslashes or "\\" not in text):
        return text
    return "".join(
        char if char.isprintable() and (char != "\\" or not backslashes) else char.encode("unicode_escape").decode()
        for char in text
    )


class PrintableFormatter(logging.Formatter):
    """Each record's line made `printable`, whatever request data its message holds; the lines of a
    traceback (an exception's message may hold request data too) indented and escaped, so that no line
    of it can pass for a record of its own. Backslashes are left single: the access log has escaped its
    own line already, and escaping it again would double them."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record), backslashes=False)

    def formatException(self, ei: Any) -> str:
        return indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return indented(super().formatStack(stack_info))


def indented(text: str) -> str:
    return "\n".join(TRACEBACK_INDENT + printable(line, backslashes=False) for line in text.split("\n"))


def log_config(level: str) -> dict[str, Any]:
    """Logging for the servers (`python -m web serve`, `python -m web console`), as uvicorn's `log_config`,
    so that every worker process has it too: one handler, on stderr, through PrintableFormatter; uvicorn's
    own loggers hand their records to it instead of keeping handlers of their own."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"printable": {"()": f"{__name__}.PrintableFormatter", "fmt": LOG_FORMAT}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "printable", "stream": "ext://sys.stderr"}
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.access")},
    }


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            log_request(scope, status, started)


def log_request(scope: Scope, status: int, started: float) -> None:
    """One access-log line: the method, the path (no query string), the status and the time since `started`
    (a `time.perf_counter()`)."""
    if log.isEnabledFor(logging.INFO):
        elapsed = (time.perf_counter() - started) * 1000
        log.info("%s %s %d %.1fms", printable(scope["method"]), printable(scope["path"]), status, elapsed)
