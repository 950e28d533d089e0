"""Bad input, the long run: hostile requests against every form and query parameter of the public site.

    .venv/bin/python -m bench.fuzz [--requests 10000] [--postgres 1500] [--sockets 1500]

Three runs of requests drawn by the hypothesis strategies in testing/bad_input.py, each ending with its
sweep (every hostile kind on every target, one at a time: what the test suite sends every run), and
every answer checked against the same property: never a 5xx, never a traceback, every rejection a
complete page (an error summary when a form is shown again), the security headers, nothing from the
input unescaped, and valid posts with junk fields still accepted with nothing lost.

1. In-process (Starlette's TestClient, or straight to ASGI for raw bytes), on SQLite: `--requests`.
2. In-process on PostgreSQL, when it is installed: the forms and search, `--postgres` requests.
3. Over raw sockets against the real server (`python -m web serve`: uvicorn and its httptools parser)
   on a free port: `--sockets` drawn requests, sent byte for byte (raw query strings and header values
   included), then a fixed list of malformed requests that TestClient cannot send (bytes outside ASCII
   in the request line, broken framing). The server refuses some of those itself, before the app: they are
   counted apart (a plain-text answer, which must still carry the security headers), and the server's log
   is searched for unhandled errors.

Prints progress; writes bench/results/fuzz.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import socket
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from bench.server import production_server
from testing.bad_input import (
    Finding,
    Fuzzer,
    FuzzRequest,
    InProcess,
    Outcome,
    Prepared,
    Tally,
    decoded,
    fuzz_app,
    fuzz_settings,
    merged_headers,
    sweep,
    unclear,
)
from testing.postgres import new_database, postgres_server
from web.http.security_headers import HEADERS

ROOT = Path(__file__).resolve().parent.parent

OUT = ROOT / "bench" / "results" / "fuzz.md"
FORM_SECRET = "bench-fuzz-form-secret"
PROGRESS_EVERY = 500


def weight(target: str) -> float:
    """Relative effort: the forms most (they parse bodies and write to the database), then paths, search
    and the toolkit's choices; every other GET route's query string least."""
    if target.startswith("POST"):
        return (1.5 if "(valid + junk)" in target else 4.0) * (0.4 if "saved-count" in target else 1.0)
    if target.startswith("ANY"):
        return 4.0
    return 3.0 if "/search" in target else 2.0 if target.startswith("GET /toolkit ?") else 0.6


def shares(targets: list[str], total: int) -> dict[str, int]:
    """`total` requests split between targets by weight, at least 20 each."""
    weights = {target: weight(target) for target in targets}
    whole = sum(weights.values())
    return {target: max(20, round(total * value / whole)) for target, value in weights.items()}


class Progress:
    def __init__(self, label: str, total: int, tally: Tally) -> None:
        self.label, self.total, self.tally, self.done = label, total, tally, 0
        self.started = time.perf_counter()

    def add(self, request: FuzzRequest, outcome: Outcome, found: list[Finding]) -> None:
        self.tally.add(request, outcome, found)
        self.done += 1
        if self.done % PROGRESS_EVERY == 0 or self.done == self.total:
            seconds = time.perf_counter() - self.started
            kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.tally.findings.items())) or "no findings"
            print(f"{self.label}: {self.done}/{self.total} in {seconds:.0f} s ({kinds})", flush=True)


class Runs(Protocol):
    def run(self, request: FuzzRequest) -> tuple[Outcome, list[Finding]]: ...


def run_target(fuzzer: Runs, strategy: st.SearchStrategy[FuzzRequest], count: int, progress: Progress) -> None:
    """Send `count` requests drawn from `strategy`: generation only (nothing stops at a finding, nothing shrinks)."""
    sent = 0
    for _ in range(5):  # hypothesis may stop early when it runs out of new examples; try again a few times
        if sent >= count:
            return

        @settings(
            max_examples=count - sent,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def send(request: FuzzRequest) -> None:
            nonlocal sent
            if sent >= count:
                return
            outcome, found = fuzzer.run(request)
            sent += 1
            progress.add(request, outcome, found)

        send()


def in_process(
    label: str, directory: Path, database_url: str | None, total: int, keep: Callable[[str], bool]
) -> tuple[Tally, float]:
    """Fuzz the app in this process: every target `keep` accepts, `total` requests between them."""
    settings_ = fuzz_settings(directory)
    if database_url is not None:
        settings_ = replace(settings_, database_url=database_url)
    app = fuzz_app(settings_)
    tally = Tally()
    started = time.perf_counter()
    with TestClient(app, raise_server_exceptions=False) as client:
        fuzzer = Fuzzer(app, InProcess(client, app))
        counts = shares([target for target in fuzzer.targets if keep(target)], total)
        swept = [request for request in sweep(app) if keep(request.target)]
        progress = Progress(label, sum(counts.values()) + len(swept), tally)
        for target, count in counts.items():
            run_target(fuzzer, fuzzer.targets[target], count, progress)
        run_sweep(fuzzer, swept, progress)
    return tally, time.perf_counter() - started


def run_sweep(fuzzer: Runs, requests: list[FuzzRequest], progress: Progress) -> None:
    """The same sweep as the tests (testing/bad_input.py `sweep`): every hostile kind on every target."""
    for request in requests:
        outcome, found = fuzzer.run(request)
        progress.add(request, outcome, found)


# Over a socket, against the real server ---------------------------------------------------------------


class Socket:
    """HTTP/1.1 by hand, one connection a request: the bytes go out exactly as prepared."""

    def __init__(self, port: int) -> None:
        self.port = port

    def send(self, prepared: Prepared) -> Outcome:
        return exchange(self.port, serialise(prepared, self.port))


def serialise(prepared: Prepared, port: int) -> bytes:
    target = prepared.path.encode("ascii") + (b"?" + prepared.query if prepared.query else b"")
    headers = list(prepared.headers)
    if not any(name == b"host" for name, _ in headers):
        headers.insert(0, (b"host", f"127.0.0.1:{port}".encode()))
    if not any(name == b"accept-encoding" for name, _ in headers):
        headers.append((b"accept-encoding", b"identity"))
    body = b""
    if prepared.body is not None and prepared.transfer == "chunked":
        headers.append((b"transfer-encoding", b"chunked"))
        body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in _parts(prepared.body)) + b"0\r\n\r\n"
    elif prepared.body is not None:
        headers.append((b"content-length", str(len(prepared.body)).encode()))
        body = prepared.body
    head = b"".join(name + b": " + value + b"\r\n" for name, value in [*headers, (b"connection", b"close")])
    return prepared.method.encode("ascii") + b" " + target + b" HTTP/1.1\r\n" + head + b"\r\n" + body


def _parts(body: bytes) -> list[bytes]:
    size = max(1, len(body) // 3)
    return [part for part in (body[start : start + size] for start in range(0, len(body), size)) if part]


def exchange(port: int, raw: bytes, timeout: float = 20) -> Outcome:
    """Send raw bytes, read the answer to the end. Status 0: the server closed without answering."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        with suppress(BrokenPipeError, ConnectionResetError):  # it answered early (413) and closed: read on
            connection.sendall(raw)
        chunks = []
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
    return parse_response(b"".join(chunks))


def parse_response(data: bytes) -> Outcome:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ")[1])
    except (IndexError, ValueError):
        return Outcome(0, {}, data[:200].decode("latin-1"))
    headers = merged_headers((name, value) for name, _, value in (line.partition(b":") for line in lines[1:]))
    if headers.get("transfer-encoding") == "chunked":
        body = dechunk(body)
    return Outcome(status, headers, decoded(body, headers.get("content-encoding", "")))


def dechunk(body: bytes) -> bytes:
    out = []
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(rest[:size])
        body = rest[size + 2 :]
    return b"".join(out)


def from_app(outcome: Outcome) -> bool:
    """The app's own answer, not the server's refusal before the app (web/http/slow_clients.py: a plain-text 400,
    408 or 431 that closes the connection, or no answer at all)."""
    refused = (
        outcome.status in (400, 408, 431)
        and outcome.headers.get("content-type", "").startswith("text/plain")
        and outcome.headers.get("connection") == "close"
    )
    return outcome.status != 0 and not refused


# Malformed requests TestClient cannot send: what uvicorn does with them, and what the app does.
RAW_CASES: list[tuple[str, bytes]] = [
    ("bytes 0xFF 0xFE in the query string", b"GET /en/search?q=\xff\xfe%3Cscript%3E HTTP/1.1\r\nHost: h\r\n\r\n"),
    (
        "invalid UTF-8 in the query string of a form page",
        b"GET /toolkit?force=\xc3\x28&lang=\xed\xa0\x80 HTTP/1.1\r\n\r\n",
    ),
    ("bytes 0xFF 0xFE in the path", b"GET /\xff\xfe/share-a-concern HTTP/1.1\r\nHost: h\r\n\r\n"),
    ("%FF in the path", b"GET /%FF%FE/share-a-concern HTTP/1.1\r\nHost: h\r\n\r\n"),
    ("a raw `<script>` in the path", b"GET /en/<script>alert(1)</script> HTTP/1.1\r\nHost: h\r\n\r\n"),
    ("a raw space in the query string", b"GET /en/search?q=a b HTTP/1.1\r\nHost: h\r\n\r\n"),
    (
        "bytes 0xFF in Origin on a form post",
        b"POST /en/share-a-concern HTTP/1.1\r\nHost: h\r\nOrigin: \xff\xfe\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\nstep=",
    ),
    ("bytes 0xFF in Host", b"GET /en/ HTTP/1.1\r\nHost: \xff\xfe\r\n\r\n"),
    (
        "bytes 0xFF in User-Agent and Referer",
        b"GET /en/ HTTP/1.1\r\nHost: h\r\nUser-Agent: Mozilla/5.0 \xff\r\nReferer: https://\xff.example/\r\n\r\n",
    ),
    (
        "bytes 0xFF in Content-Type",
        b"POST /en/feedback HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; "
        b"boundary=\xff\r\nContent-Length: 4\r\n\r\n\xff\xff\xff\xff",
    ),
    ("NUL in a header value", b"GET /en/ HTTP/1.1\r\nHost: h\r\nX-Fuzz: a\x00b\r\n\r\n"),
    ("a header line without a colon", b"GET /en/ HTTP/1.1\r\nHost: h\r\nnot a header\r\n\r\n"),
    ("Content-Length: abc", b"POST /en/share-a-concern HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n"),
    ("Content-Length: -1", b"POST /en/share-a-concern HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"),
    (
        "Content-Length: 10^20",
        b"POST /en/share-a-concern HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n",
    ),
    (
        "two different Content-Lengths",
        b"POST /en/feedback HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    ),
    (
        "chunked and Content-Length",
        b"POST /en/feedback HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ),
    (
        "a broken chunk size",
        b"POST /en/feedback HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
    ),
    (
        "a chunked form over the body limit",
        b"POST /en/share-a-concern HTTP/1.1\r\nHost: h\r\nContent-Type: "
        b"application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"".join(b"8000\r\n" + b"x" * 0x8000 + b"\r\n" for _ in range(3))
        + b"0\r\n\r\n",
    ),
    ("a 20 KB address", b"GET /en/search?q=" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: h\r\n\r\n"),
    ("500 headers", b"GET /en/ HTTP/1.1\r\nHost: h\r\n" + b"".join(b"X-F%d: 1\r\n" % n for n in range(500)) + b"\r\n"),
    ("HTTP/1.0 without Host", b"GET /en/ HTTP/1.0\r\n\r\n"),
    ("an absolute address", b"GET http://evil.example/en/ HTTP/1.1\r\nHost: h\r\n\r\n"),
    ("OPTIONS *", b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"),
    ("an unknown method", b"FUZZ /en/ HTTP/1.1\r\nHost: h\r\n\r\n"),
    ("a lower-case method", b"get /en/ HTTP/1.1\r\nHost: h\r\n\r\n"),
    ("HTTP/9.9", b"GET /en/ HTTP/9.9\r\nHost: h\r\n\r\n"),
    ("a tab in the request line", b"GET\t/en/ HTTP/1.1\r\nHost: h\r\n\r\n"),
    ("bare LF line endings", b"GET /en/ HTTP/1.1\nHost: h\n\n"),
    ("no request at all", b"\r\n\r\n"),
    ("binary noise", bytes(range(256)) * 4),
]


def raw_cases(port: int) -> list[tuple[str, Outcome, list[Finding]]]:
    """Each malformed request once: the answer, and what is wrong with it if the app gave it."""
    results = []
    for name, raw in RAW_CASES:
        if b"\r\nHost:" not in raw and b" HTTP/1.1\r\n" in raw:
            raw = raw.replace(b" HTTP/1.1\r\n", b" HTTP/1.1\r\nHost: 127.0.0.1\r\n", 1)
        outcome = exchange(port, raw.replace(b"Host: h\r\n", f"Host: 127.0.0.1:{port}\r\n".encode()))
        found = server_findings(outcome) if from_app(outcome) else refusal_findings(outcome)
        results.append((name, outcome, found))
        print(f"raw: {name}: {outcome.status} {'app' if from_app(outcome) else 'server'}", flush=True)
    return results


def server_findings(outcome: Outcome) -> list[Finding]:
    """What is wrong with an answer the app gave to a request that was never drawn (no request to check it by)."""
    found = [Finding("server error", f"status {outcome.status}")] if outcome.status >= 500 else []
    return found + unclear("GET", outcome)


def refusal_findings(outcome: Outcome) -> list[Finding]:
    """The server's own refusals are plain text, but carry the security headers as every answer does."""
    missing = [name for name, value in HEADERS.items() if outcome.status and outcome.headers.get(name) != value]
    return [Finding("headers", f"{outcome.status} without {', '.join(missing)}")] if missing else []


@dataclass
class SocketRun:
    tally: Tally
    seconds: float
    refused: dict[str, int]  # the server's own answers to drawn requests, by status and text
    raw: list[tuple[str, Outcome, list[Finding]]]  # the malformed requests
    errors: list[str] = field(default_factory=list)  # ERROR and Traceback lines in the server's log


def over_sockets(work: Path, total: int) -> SocketRun:
    """Drawn requests and malformed ones against the real server; its refusals before the app counted apart."""
    database = f"sqlite:///{work / 'server.sqlite3'}"
    with production_server(work, database, FORM_SECRET=FORM_SECRET, SUBMISSIONS_PER_HOUR="1000000000") as server:
        port, log = server.port, server.log
        local = replace(  # the server's secret and keys, so that the tokens made here are valid there
            fuzz_settings(work / "local"),
            form_secret=FORM_SECRET,
            concern_public_key_file=work / "keys" / "concerns.pub",
            console_private_key_file=server.private_key,
            public_base_url=server.base_url,
        )
        app = fuzz_app(local)
        fuzzer = ServerRefusals(Fuzzer(app, Socket(port)))
        tally = Tally()
        started = time.perf_counter()
        # Not the valid posts: over a socket their concerns go to the server's database, not to this one.
        counts = shares([target for target in fuzzer.fuzzer.targets if "(valid + junk)" not in target], total)
        swept = [request for request in sweep(app) if request.expect is None]
        progress = Progress("sockets", sum(counts.values()) + len(swept), tally)
        for target, count in counts.items():
            run_target(fuzzer, fuzzer.fuzzer.targets[target], count, progress)
        run_sweep(fuzzer, swept, progress)
        run = SocketRun(tally, time.perf_counter() - started, fuzzer.refused, raw_cases(port))
    run.errors = [
        line for line in log.read_text(errors="replace").splitlines() if "ERROR" in line or "Traceback" in line
    ]
    return run


class ServerRefusals:
    """Runs a Fuzzer, setting apart the answers the server gives before the app: plain text, not the app's pages."""

    def __init__(self, fuzzer: Fuzzer) -> None:
        self.fuzzer = fuzzer
        self.refused: dict[str, int] = {}

    def run(self, request: FuzzRequest) -> tuple[Outcome, list[Finding]]:
        prepared = self.fuzzer.prepare(request)
        outcome = self.fuzzer.transport.send(prepared)
        if from_app(outcome):
            return outcome, self.fuzzer.check(request, prepared, outcome)
        key = f"{outcome.status} {outcome.text.strip()[:60]!r}" if outcome.status else "closed without an answer"
        self.refused[key] = self.refused.get(key, 0) + 1
        return outcome, refusal_findings(outcome)


# The report ---------------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.machine(),
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def table(label: str, tally: Tally) -> list[str]:
    rows = []
    for target in sorted(tally.requests):
        statuses = ", ".join(f"{status}×{count}" for status, count in sorted(tally.statuses[target].items()))
        rows.append(f"| {label} | `{target}` | {tally.requests[target]} | {statuses} |")
    return rows


def report(
    args: argparse.Namespace, runs: list[tuple[str, Tally, float]], sockets: SocketRun | None, wall: float
) -> str:
    raw = sockets.raw if sockets else []
    total = sum(sum(tally.requests.values()) for _, tally, _ in runs) + len(raw)
    findings: dict[str, int] = {}
    for _, tally, _ in runs:
        for kind, count in tally.findings.items():
            findings[kind] = findings.get(kind, 0) + count
    for _, _, found in raw:
        for finding in found:
            findings[finding.kind] = findings.get(finding.kind, 0) + 1
    seconds = sum(time_taken for _, _, time_taken in runs)
    lines = [
        "# Bad input: hostile requests against every form and query parameter",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}, by `bench/fuzz.py --requests "
        f"{args.requests} --postgres {args.postgres} --sockets {args.sockets}`. Requests are drawn by the "
        "hypothesis strategies in `testing/bad_input.py`, and each run ends with its sweep (every hostile kind on "
        "every target, as the tests send it); every answer is checked for the property described there. "
        f"The whole run took {wall:.0f} s.",
        "",
        f"**{total} requests: {findings.get('server error', 0)} server errors (5xx), "
        f"{findings.get('unclear', 0)} unclear rejections, {findings.get('unescaped', 0)} with input unescaped, "
        f"{findings.get('headers', 0)} without the security headers, {findings.get('traceback', 0)} with a "
        f"traceback, {findings.get('lost', 0)} valid posts lost.** Sending and checking took {seconds:.0f} s.",
        "",
        "| run | requests | seconds | findings |",
        "|---|---:|---:|---|",
    ]
    for label, tally, time_taken in runs:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(tally.findings.items())) or "none"
        lines.append(f"| {label} | {sum(tally.requests.values())} | {time_taken:.0f} | {kinds} |")
    lines += [
        "",
        "## Requests and statuses by target",
        "",
        "| run | target | requests | statuses |",
        "|---|---|---:|---|",
    ]
    for label, tally, _ in runs:
        lines += table(label, tally)
    refused = sockets.refused if sockets else {}
    lines += [
        "",
        "## Refused by the server before the app",
        "",
        "uvicorn's parser (with web/http/slow_clients.py's limits) refuses requests that are not HTTP before the app "
        "sees them: a plain-text 400, 408 or 431 with the site's security headers, or it closes the connection. "
        "A proxy in front (nginx.conf.example) refuses them the same way. Drawn requests refused so:",
        "",
    ]
    lines += [f"- {count}× {key}" for key, count in sorted(refused.items(), key=lambda item: -item[1])] or ["- none"]
    lines += [
        "",
        "## Malformed requests over a raw socket",
        "",
        "| request | status | answered by | findings |",
        "|---|---:|---|---|",
    ]
    for name, outcome, found in raw:
        by = "app" if from_app(outcome) else "server"
        status = outcome.status or "closed"
        lines.append(f"| {name} | {status} | {by} | {', '.join(f.kind for f in found) or 'none'} |")
    errors = sockets.errors if sockets else []
    lines += ["", f"Errors in the server's log: {len(errors)}."]
    lines += [f"    {line[:160]}" for line in errors[:10]]
    examples = [example for _, tally, _ in runs for example in tally.examples]
    if examples:
        lines += ["", "## Findings (first of each kind)", ""]
        lines += [
            f"- {target}: {finding.kind}: {finding.detail[:200]} — `{summary[:300]}`"
            for target, summary, finding in examples
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000, help="in-process, on SQLite")
    parser.add_argument("--postgres", type=int, default=1_500, help="in-process on PostgreSQL: the forms and search")
    parser.add_argument("--sockets", type=int, default=1_500, help="over raw sockets against uvicorn")
    args = parser.parse_args()
    started = time.perf_counter()
    runs: list[tuple[str, Tally, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tally, seconds = in_process("in-process, SQLite", work / "sqlite", None, args.requests, lambda _: True)
        runs.append(("in-process, SQLite", tally, seconds))
        if args.postgres:
            with postgres_server() as server:
                if server is None:
                    print("PostgreSQL is not installed: the PostgreSQL run is left out", flush=True)
                else:
                    forms_and_search = lambda target: target.startswith("POST") or "search" in target  # noqa: E731
                    tally, seconds = in_process(
                        "in-process, PostgreSQL", work / "pg", new_database(server), args.postgres, forms_and_search
                    )
                    runs.append(("in-process, PostgreSQL", tally, seconds))
        sockets = None
        if args.sockets:
            (work / "server").mkdir()
            sockets = over_sockets(work / "server", args.sockets)
            runs.append(("sockets", sockets.tally, sockets.seconds))
    text = report(args, runs, sockets, time.perf_counter() - started)
    OUT.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
