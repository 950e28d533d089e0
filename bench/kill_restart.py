"""No confirmed concern lost: thousands of concerns sent while the server is killed and restarted.

    .venv/bin/python -m bench.kill_restart [--concerns 2000] [--clients 8] [--database sqlite|postgresql|both]
        [--min-up 0.5] [--max-up 3]                                  # writes bench/results/kill-restart.md

Starts `python -m web serve` on a free port and, from several client threads, walks the online form as a
browser does, once a concern: the first question (a fresh form token), each step posted with the answers
so far and the token the previous page gave, then the final "check your answers" post, which the
confirmation page answers. Every concern's text carries a unique marker. Meanwhile the server is killed with SIGKILL (no
shutdown code runs) a random 0.5-3 s after each time it comes up, and restarted at once.

A client whose request fails with a connection error sends the same request again, as a browser does on
reload or when a person presses the button again: the final post goes with the same token, which the
exactly-once design must recognise. A concern counts as confirmed only when the client has seen the
confirmation page, the answer to that post, with its reference number.

At the end the database is opened with the officers' private key, as the console does, and every sealed
concern is decrypted to find its marker. Lost (confirmed but not stored) and duplicated (stored more
than once) must both be 0.
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from bench.concern_throughput import ANSWERS
from bench.server import (
    DATABASE_LABELS,
    ProductionServer,
    databases,
    load_average,
    machine,
    merge_sections,
    server_settings,
    stamp,
    stored_concerns,
)
from testing.forms import TOKEN, reference_on

ROOT = Path(__file__).resolve().parent.parent

MARKER = re.compile(r"\bKR-[0-9a-f]{8}-\d{6}\b")
RETRY_AFTER = 0.25  # seconds: a person pressing reload
GIVE_UP_AFTER = 120.0  # seconds of failed attempts at one request


class GaveUp(Exception):
    """A request kept failing for GIVE_UP_AFTER seconds, or had an answer no retry can change."""


@dataclass
class Tally:
    """What the clients saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    confirmed: dict[str, str] = field(default_factory=dict)  # marker -> reference on the confirmation page
    retries: Counter[str] = field(default_factory=Counter)  # which request was sent again
    # Final posts that failed after they were sent (the server may have stored them): when, and their key.
    in_doubt: list[tuple[float, str]] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)  # unexpected answers (then retried)
    gave_up: list[str] = field(default_factory=list)

    def add(self, counter: str, what: str) -> None:
        with self.lock:
            getattr(self, counter)[what] += 1


class Browser:
    """One person's browser: resends a request that failed to connect or lost its answer."""

    def __init__(self, base: str, tally: Tally) -> None:
        self.http = httpx2.Client(base_url=base, timeout=10, follow_redirects=False)
        self.tally = tally

    def send(
        self, what: str, method: str, url: str, expect: int, data: dict[str, str] | None = None
    ) -> httpx2.Response:
        began = time.monotonic()
        while True:
            try:
                response = self.http.request(method, url, data=data)
            except httpx2.TransportError as error:
                if what == "final post" and data and not isinstance(error, httpx2.ConnectError):
                    with self.tally.lock:  # the token's nonce is the concern's idempotency key
                        self.tally.in_doubt.append((time.monotonic(), data["token"].split(".")[0]))
                problem = "connection"
            else:
                if response.status_code == expect:
                    return response
                if response.status_code < 500:  # 403, 422, 429: a resend would get the same answer
                    raise GaveUp(f"{what}: HTTP {response.status_code}")
                problem = f"HTTP {response.status_code}"
                self.tally.add("statuses", f"{what}: {problem}")
            if time.monotonic() - began > GIVE_UP_AFTER:
                raise GaveUp(f"{what}: {problem} for {GIVE_UP_AFTER:.0f} s")
            self.tally.add("retries", what)
            time.sleep(RETRY_AFTER)

    def share_a_concern(self, marker: str) -> str:
        """Walk the form and send it; return the reference the confirmation page shows."""
        page = self.send("first question", "GET", "/en/share-a-concern/questions", 200)
        data = {"token": token(page)}
        for step, adds in steps(marker):
            data.update(adds)
            page = self.send("step", "POST", "/en/share-a-concern", 200, {**data, "step": step})
            data["token"] = token(page)
        confirmation = self.send("final post", "POST", "/en/share-a-concern", 200, {**data, "step": "check"})
        reference = reference_on(confirmation.text)
        if reference is None:
            raise GaveUp(f"final post: not the confirmation page: {confirmation.text[:300]}")
        return reference

    def close(self) -> None:
        self.http.close()


def steps(marker: str) -> list[tuple[str, dict[str, str]]]:
    """The form's pages in order, with what a person enters on each; every post also carries the answers
    so far (the form's hidden fields)."""
    return [
        ("danger", {"danger": "no"}),
        ("person", {key: ANSWERS[key] for key in ("person_name", "person_age", "relationship")}),
        ("worry", {"worries": f"{ANSWERS['worries']}Marker {marker}.", "since_when": ANSWERS["since_when"]}),
        ("you", {}),
        ("heard", {"heard_about": ANSWERS["heard_about"]}),
    ]


def token(page: httpx2.Response) -> str:
    found = TOKEN.search(page.text)
    if found is None:
        raise GaveUp("a form page without a token")
    return found.group(1)


def clients(base: str, markers: list[str], count: int, tally: Tally) -> list[threading.Thread]:
    queue = iter(markers)
    lock = threading.Lock()

    def client() -> None:
        browser = Browser(base, tally)
        try:
            while True:
                with lock:
                    marker = next(queue, None)
                if marker is None:
                    return
                try:
                    reference = browser.share_a_concern(marker)
                except GaveUp as error:
                    with tally.lock:
                        tally.gave_up.append(f"{marker}: {error}")
                    continue
                with tally.lock:
                    tally.confirmed[marker] = reference
        finally:
            browser.close()

    return [threading.Thread(target=client, name=f"client-{n}") for n in range(count)]


def kill_and_restart(
    server: ProductionServer, threads: list[threading.Thread], up: tuple[float, float], tally: Tally, total: int
) -> dict[str, Any]:
    """SIGKILL the server a random time after each start, restart it, until every client has finished.

    While it is down, the idempotency keys stored so far are noted: a final post in doubt whose key was
    already stored when the server died was answered, after the restart, by the exactly-once check.
    """
    kills, restarts, snapshots = 0, [], []
    began = time.monotonic()
    while any(thread.is_alive() for thread in threads):
        deadline = time.monotonic() + random.uniform(*up)
        while time.monotonic() < deadline and any(thread.is_alive() for thread in threads):
            time.sleep(0.05)
        if not any(thread.is_alive() for thread in threads):
            break
        killed_at = time.monotonic()
        server.kill()
        kills += 1
        snapshots.append((killed_at, stored_keys(server.database_url)))
        restarts.append(server.start())
        with tally.lock:
            done = len(tally.confirmed) + len(tally.gave_up)
        if kills % 10 == 0:
            print(
                f"  {time.monotonic() - began:5.0f} s: {kills} kills, {done}/{total} concerns done, "
                f"{sum(tally.retries.values())} requests sent again",
                flush=True,
            )
    return {"kills": kills, "restarts": restarts, "seconds": time.monotonic() - began, "snapshots": snapshots}


def stored_keys(database_url: str) -> set[str]:
    """The idempotency keys in the database, read without the site's engine (which takes SQLite's write lock)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {str(key) for key in connection.execute(text("SELECT idempotency_key FROM concerns")).scalars()}
    finally:
        engine.dispose()


def stored_before_retry(in_doubt: list[tuple[float, str]], snapshots: list[tuple[float, set[str]]]) -> int:
    """Concerns whose final post failed after the server had stored it (the kill just before the failure)."""
    found = set()
    for failed_at, key in in_doubt:
        before = [keys for killed_at, keys in snapshots if killed_at <= failed_at]
        if before and key in before[-1]:
            found.add(key)
    return len(found)


def verify(server: ProductionServer, tally: Tally) -> dict[str, Any]:
    """Open every stored concern and compare it with what the clients were told."""
    stored = stored_concerns(server.database_url, server.private_key)
    by_marker: dict[str, list[str]] = {}
    unmarked = 0
    for concern in stored:
        found = MARKER.search(concern["answers"].get("worries", ""))
        if found is None:
            unmarked += 1
            continue
        by_marker.setdefault(found.group(0), []).append(concern["reference"])
    confirmed = tally.confirmed
    return {
        "confirmed": len(confirmed),
        "stored": len(stored),
        "lost": sorted(m for m in confirmed if m not in by_marker),
        "duplicated": sorted(m for m, refs in by_marker.items() if len(refs) > 1),
        "wrong_reference": sorted(m for m, ref in confirmed.items() if m in by_marker and ref not in by_marker[m]),
        "stored_unconfirmed": sorted(m for m in by_marker if m not in confirmed),
        "unmarked": unmarked,
        "integrity": integrity(server.database_url),
    }


def integrity(database_url: str) -> str:
    """SQLite's own check of the file after all the kills ("ok"); PostgreSQL has its WAL replay."""
    if not database_url.startswith("sqlite"):
        return "n/a"
    import sqlite3

    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def run(database: str, url: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    markers = [f"KR-{run_id}-{n:06d}" for n in range(args.concerns)]
    tally = Tally()
    server = ProductionServer(work, url, {"SUBMISSIONS_PER_HOUR": "1000000"})
    try:
        first_start = server.start()
        threads = clients(server.base_url, markers, args.clients, tally)
        print(f"{database}: {args.concerns} concerns from {args.clients} clients", flush=True)
        for thread in threads:
            thread.start()
        chaos = kill_and_restart(server, threads, (args.min_up, args.max_up), tally, args.concerns)
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    found = verify(server, tally)
    return {
        **chaos,
        **found,
        "first_start": first_start,
        "retries": tally.retries,
        "in_doubt": len({key for _, key in tally.in_doubt}),
        "deduplicated": stored_before_retry(tally.in_doubt, chaos["snapshots"]),
        "statuses": tally.statuses,
        "gave_up": tally.gave_up,
        "locked": server.count_in_log("database is locked"),
        "errors": server.errors(),
    }


def section(database: str, row: dict[str, Any], args: argparse.Namespace, loads: tuple[str, str]) -> list[str]:
    restarts = sorted(row["restarts"])
    verdict = "PASS" if not row["lost"] and not row["duplicated"] and not row["wrong_reference"] else "FAIL"
    retries = ", ".join(f"{count} {what}" for what, count in row["retries"].most_common()) or "none"
    statuses = ", ".join(f"{count}× {what}" for what, count in row["statuses"].most_common()) or "none"
    lines = [
        f"## {DATABASE_LABELS[database]}: {verdict}",
        "",
        f"Measured {stamp()} by `bench/kill_restart.py --concerns {args.concerns} --clients {args.clients} "
        f"--database {database} --min-up {args.min_up:g} --max-up {args.max_up:g}` on {machine()}: "
        f"{row['seconds']:.0f} s of sending and killing; load average {loads[0]} at the start, {loads[1]} at the end.",
        "",
        "| confirmed | stored | lost | duplicated | wrong reference | kills | requests sent again | concerns in "
        "doubt | of which stored before the resend |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {row['confirmed']} | {row['stored']} | **{len(row['lost'])}** | **{len(row['duplicated'])}** | "
        f"{len(row['wrong_reference'])} | {row['kills']} | {sum(row['retries'].values())} | {row['in_doubt']} | "
        f"{row['deduplicated']} |",
        "",
        f"- Sent again after a connection error or a 5xx: {retries}.",
        '- "In doubt": concerns whose final post failed after it had been sent (the server died before it '
        'answered), so it may already have stored them; each was sent again with the same token. "Stored before '
        'the resend": the concern was in the database, read while the server was down, so the resend was answered '
        "by the exactly-once check with the first reference rather than stored again.",
        f"- Unexpected answers (each then sent again): {statuses}. Clients that gave up: {len(row['gave_up'])}"
        + (f" ({'; '.join(row['gave_up'][:3])})" if row["gave_up"] else "")
        + ".",
        f"- Stored but never confirmed (the client gave up): {len(row['stored_unconfirmed'])}; stored without a "
        f"marker: {row['unmarked']}."
        + (f" SQLite's integrity_check after the kills: {row['integrity']}." if database == "sqlite" else ""),
        f"- Restarts: {row['kills']}, median {restarts[len(restarts) // 2] if restarts else 0:.1f} s to answer "
        f"/healthz again (slowest {max(restarts, default=0):.1f} s); the server was up a random {args.min_up:g}-"
        f"{args.max_up:g} s each time.",
        f'- Server log: {row["locked"]} "database is locked"; errors: {row["errors"]}.',
    ]
    if row["lost"] or row["duplicated"] or row["wrong_reference"]:
        lines.append(
            f"- Lost: {row['lost'][:10]}; duplicated: {row['duplicated'][:10]}; wrong: {row['wrong_reference'][:10]}"
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concerns", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--min-up", type=float, default=0.5, help="fewest seconds the server runs before a kill")
    parser.add_argument("--max-up", type=float, default=3.0, help="most seconds the server runs before a kill")
    args = parser.parse_args()
    wanted = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    sections: dict[str, list[str]] = {}
    failed = False
    with tempfile.TemporaryDirectory() as tmp, databases(Path(tmp), wanted) as urls:
        for database, url in urls.items():
            load_before = load_average()
            row = run(database, url, Path(tmp) / database, args)
            sections[DATABASE_LABELS[database]] = section(database, row, args, (load_before, load_average()))
            failed = failed or bool(row["lost"] or row["duplicated"] or row["wrong_reference"])
    header = [
        "# No confirmed concern lost: SIGKILL and restart while concerns are sent",
        "",
        "`bench/kill_restart.py` (its docstring says how): concerns sent through the whole online form by several "
        f"clients while `python -m web serve` ({server_settings()}) is killed with SIGKILL and restarted; then every "
        "stored concern is "
        "decrypted with the officers' key and matched to what the clients were told. Lost and duplicated must be 0. "
        "Each database's section is from its latest run.",
        "",
    ]
    merge_sections("kill-restart.md", header, sections)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
