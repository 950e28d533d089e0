"""The access log, and log lines that request data cannot forge (web/http/access_log.py; issue 15, item 14)."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from testing.live_server import logged_site
from web.http.access_log import LOG_FORMAT, PrintableFormatter, log_config, printable

FORGED = "\n2025-01-01 00:00:00,000 INFO web.access GET /forged 200 0.1ms"


def test_printable_text_is_left_as_it_is() -> None:
    assert printable("/cy/arwyddion-i'w-gweld ✓ اردو 😀") == "/cy/arwyddion-i'w-gweld ✓ اردو 😀"


@pytest.mark.parametrize(
    ("text", "logged"),
    [
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("\x1b[2Jcleared", "\\x1b[2Jcleared"),
        ("nul\x00", "nul\\x00"),
        ("del\x7f c1\x85", "del\\x7f c1\\x85"),
        ("line\u2028paragraph\u2029", "line\\u2028paragraph\\u2029"),
        ("right-to-left \u202eoverride", "right-to-left \\u202eoverride"),
        ("already \\n escaped", "already \\\\n escaped"),
    ],
)
def test_control_characters_and_backslashes_are_escaped(text: str, logged: str) -> None:
    assert printable(text) == logged


def test_an_encoded_newline_in_a_path_cannot_write_a_line_of_its_own(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="web.access"):
        client.get("/en/x%0A2025-01-01%2000:00:00,000%20INFO%20web.access%20GET%20/forged%20200%1B[2J")
    [line] = [record.getMessage() for record in caplog.records if record.name == "web.access"]
    assert line.startswith("GET /en/x\\n2025-01-01 00:00:00,000 INFO web.access GET /forged 200\\x1b[2J 404 ")
    assert line.isprintable()


def record(message: str, *args: object, exc_info: bool = False) -> logging.LogRecord:
    return logging.LogRecord(
        "web.test", logging.ERROR, __file__, 1, message, args, sys.exc_info() if exc_info else None
    )


def test_every_record_is_one_line_whatever_its_arguments_hold() -> None:
    formatted = PrintableFormatter(LOG_FORMAT).format(record("unhandled error on %s %s", "GET", "/x" + FORGED))
    assert "\n" not in formatted and formatted.endswith(
        "ERROR web.test unhandled error on GET /x\\n2025-01-01 00:00:00,000 INFO web.access GET /forged 200 0.1ms"
    )


def test_a_line_the_access_log_escaped_is_not_escaped_again() -> None:
    line = printable("GET /x\n\\ 404")
    assert PrintableFormatter("%(message)s").format(record("%s", line)) == line == "GET /x\\n\\\\ 404"


def test_a_traceback_is_indented_so_no_line_of_it_passes_for_a_record() -> None:
    try:
        raise ValueError("bad input" + FORGED + "\x1b[2J")
    except ValueError:
        formatted = PrintableFormatter(LOG_FORMAT).format(record("failed", exc_info=True))
    first, *rest = formatted.split("\n")
    assert first.endswith("ERROR web.test failed") and rest
    assert all(line.startswith("    ") and line.isprintable() for line in rest)
    assert (
        "    ValueError: bad input" in formatted
        and "    2025-01-01 00:00:00,000 INFO web.access GET /forged" in formatted
    )


def test_the_servers_logging_config_formats_every_record_printable_uvicorns_too() -> None:
    config = log_config("warning")
    assert config["formatters"]["printable"]["()"] == "web.http.access_log.PrintableFormatter"
    assert config["root"] == {"handlers": ["stderr"], "level": "WARNING"}
    assert all(config["loggers"][name] == {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.access"))


def test_the_real_server_writes_no_forged_line(tmp_path: Path) -> None:
    """`python -m web serve`: an encoded newline and ESC in an address stay inside its own access-log line."""
    with logged_site(tmp_path, LOG_LEVEL="info") as site:
        for path in ("/en/x%0A2025-01-01%2000:00:00,000%20INFO%20web.access%20GET%20/forged%20200%1B[2J", "/en/next"):
            with pytest.raises(OSError):  # 404
                site.get(path)
        lines = logged_until(site.log, "GET /en/next 404")
    access = [line for line in lines if " web.access " in line and "/healthz" not in line]
    assert len(access) == 2 and all(line.isprintable() for line in lines)
    assert "web.access GET /en/x\\n2025-01-01 00:00:00,000 INFO web.access GET /forged 200\\x1b[2J 404 " in access[0]


def logged_until(log: Path, text: str) -> list[str]:
    """The log's lines, once one of them holds `text` (the server writes them a moment after it answers)."""
    deadline = time.monotonic() + 10
    while text not in (written := log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return written.splitlines()
