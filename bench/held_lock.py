"""A held write lock against the production server: what a reader and a person pressing Send see.

    .venv/bin/python -m bench.held_lock [--short 3] [--long 8] [--reads 20] [--database sqlite|postgresql|both]

Starts `python -m web serve`, then holds the concerns' write lock from another connection
(testing/held_lock.py), as a long backup, a key rotation of a large database or a stuck writer would:
- for `--short` seconds (under the site's 5 s wait): a concern is sent, and 0.3 s later `GET /en/faq`;
  how long the page took is how long one database call froze every reader;
- for `--long` seconds (over the wait): what Send answered (status, seconds, whether the answers are on the
  page, ready to send again), then, after the lock goes, the same post again as a person
  pressing the button again, and a reload of that: how many concerns were stored for the one form.
Writes bench/results/held-lock.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx2

from bench.concern_throughput import ANSWERS
from bench.server import (
    DATABASE_LABELS,
    databases,
    load_average,
    machine,
    merge_sections,
    production_server,
    stamp,
    stored_concerns,
)
from testing.forms import TOKEN, reference_on
from testing.held_lock import write_lock_held

CHECK_PAGE = 'name="step" value="check"'  # the check-your-answers page's form, ready to send again
MARKER = "HELD-LOCK-MARKER"
READ_AFTER = 0.3  # seconds between Send and the reader's GET


def faq_seconds(http: httpx2.Client) -> float:
    started = time.perf_counter()
    response = http.get("/en/faq")
    assert response.status_code == 200, response.status_code
    return time.perf_counter() - started


def concern_form(http: httpx2.Client) -> dict[str, str]:
    """The check-your-answers post of a fresh form, with a marker in the answers."""
    token = TOKEN.search(http.get("/en/share-a-concern/questions").text)
    assert token
    return {**ANSWERS, "worries": ANSWERS["worries"] + MARKER, "token": token.group(1)}


def send_during_lock(base: str, url: str, hold: float) -> dict[str, Any]:
    """Send a concern while the lock is held for `hold` s; read /en/faq 0.3 s after, and again until it goes."""
    sent: dict[str, Any] = {}
    with httpx2.Client(base_url=base, timeout=60) as reader, httpx2.Client(base_url=base, timeout=60) as sender:
        data = concern_form(sender)

        def send() -> None:
            started = time.perf_counter()
            response = sender.post("/en/share-a-concern", data=data)
            sent.update(response=response, seconds=time.perf_counter() - started)

        with write_lock_held(url, at_most=hold) as lock:
            thread = threading.Thread(target=send)
            thread.start()
            time.sleep(READ_AFTER)
            first = faq_seconds(reader)
            during = [first]
            while not lock.released.is_set():
                during.append(faq_seconds(reader))
                time.sleep(0.1)
            thread.join()
        response = sent["response"]
        retried = sender.post("/en/share-a-concern", data={**data, "token": _token(response, data)})
        reloaded = sender.post("/en/share-a-concern", data=data)
    nonce = data["token"].split(".")[0]
    return {
        "first_read": first,
        "slowest_read": max(during),
        "reads": len(during),
        "status": response.status_code,
        "send_seconds": sent["seconds"],
        "answers_kept": MARKER in response.text and CHECK_PAGE in response.text,
        "retry": retried.status_code,
        "same_reference": reference_on(retried.text) is not None
        and reference_on(retried.text) == reference_on(reloaded.text),
        "nonce": nonce,
    }


def _token(response: httpx2.Response, data: dict[str, str]) -> str:
    """The token the answer gave its form (a person pressing the button again), else the one sent."""
    found = TOKEN.search(response.text)
    return found.group(1) if found else data["token"]


def kept(held: dict[str, Any]) -> str:
    """Whether an answer other than the confirmation kept the answers, ready to send again."""
    return "(sent)" if held["status"] == 200 else ("yes" if held["answers_kept"] else "no")


def run(name: str, url: str, work: Path, args: argparse.Namespace) -> list[str]:
    with production_server(work / name, url) as server, httpx2.Client(base_url=server.base_url, timeout=30) as http:
        faq_seconds(http)
        quiet = statistics.median(faq_seconds(http) for _ in range(args.reads))
        short = send_during_lock(server.base_url, url, args.short)
        long = send_during_lock(server.base_url, url, args.long)
        errors = server.errors()
        stored = stored_concerns(url, server.private_key)
    count = {held["nonce"]: sum(row["idempotency_key"] == held["nonce"] for row in stored) for held in (short, long)}
    rows = []
    for label, held in ((f"{args.short:g} s (under the wait)", short), (f"{args.long:g} s (over the wait)", long)):
        rows.append(
            f"| {label} | {held['first_read']:.3f} | {held['slowest_read']:.3f} ({held['reads']} reads)"
            f" | {held['status']} in {held['send_seconds']:.2f} s | {kept(held)}"
            f" | {held['retry']}"
            f" | {'yes' if held['same_reference'] else 'no'} | {count[held['nonce']]} |"
        )
    return [
        f"## {DATABASE_LABELS[name]}",
        "",
        f"`GET /en/faq` with no lock: median {quiet * 1000:.1f} ms of {args.reads} (load average {load_average()}).",
        "",
        "| lock held | first `GET /en/faq` s | slowest s | Send answered | answers kept, ready to send again"
        " | Send again | same reference on reload | stored |",
        "|---|---:|---:|---|---|---:|---|---:|",
        *rows,
        "",
        f"Errors in the server's log: {errors}.",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--short", type=float, default=3.0)
    parser.add_argument("--long", type=float, default=8.0)
    parser.add_argument("--reads", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    wanted = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    sections = {}
    with tempfile.TemporaryDirectory() as tmp, databases(Path(tmp), wanted) as urls:
        for name, url in urls.items():
            sections[DATABASE_LABELS[name]] = run(name, url, Path(tmp), args)
            print("\n".join(sections[DATABASE_LABELS[name]]))
    header = [
        "# A held write lock: readers and senders",
        "",
        f"Measured {stamp()} on {machine()}, by `bench/held_lock.py --short {args.short:g} --long {args.long:g}`:"
        " `python -m web serve`, one worker; the concerns' write lock held from another connection"
        " (testing/held_lock.py); a concern sent, and `GET /en/faq` 0.3 s later and then until the lock goes; after"
        " it goes, the same post again with the token its answer gave, and a reload of the first post. The site"
        " waits 5 s for a lock (web/storage/database.py).",
        "",
    ]
    merge_sections("held-lock.md", header, sections)


if __name__ == "__main__":
    main()
