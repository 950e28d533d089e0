"""Concerns per second the public app accepts durably, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.concern_throughput [--concerns 600] [--clients 8]

Starts the real site (uvicorn, one worker, as `python -m web serve` does) on a free port, then
clients each fetch a form token and send a complete concern (the check-your-answers post): the
site seals it, commits it (SQLite: WAL, synchronous=FULL; PostgreSQL: fsync on) and answers with the
confirmation page. Only confirmation pages with a reference number count. Writes bench/results/concern-throughput.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx2

from testing.forms import TOKEN, reference_on
from testing.live_server import live_server
from testing.postgres import new_database, postgres_server

ROOT = Path(__file__).resolve().parent.parent

ANSWERS = {
    "step": "check",
    "person_name": "Sam",
    "person_age": "13-17",
    "relationship": "parent",
    "worries": "He has started sharing violent videos and talks about an enemy. " * 5,
    "since_when": "weeks",
    "heard_about": "poster",
}


def run(base: str, concerns: int, clients: int) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    per_client = concerns // clients

    def client() -> None:
        nonlocal failures
        with httpx2.Client(base_url=base, timeout=30) as http:
            for _ in range(per_client):
                token = TOKEN.search(http.get("/en/share-a-concern/questions").text)
                assert token
                started = time.perf_counter()
                response = http.post("/en/share-a-concern", data={**ANSWERS, "token": token.group(1)})
                elapsed = time.perf_counter() - started
                with lock:
                    if response.status_code == 200 and reference_on(response.text):
                        latencies.append(elapsed)
                    else:
                        failures += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "accepted": len(latencies),
        "failed": failures,
        "seconds": wall,
        "per_second": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concerns", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, postgres_server() as server:
        databases = {"SQLite (WAL, synchronous=FULL)": f"sqlite:///{tmp}/bench.sqlite3"}
        if server is not None:
            databases["PostgreSQL (fsync on)"] = new_database(server)
        for name, url in databases.items():
            work = Path(tmp) / name.split()[0]
            work.mkdir()
            with live_server(work, DATABASE_URL=url, SUBMISSIONS_PER_HOUR="1000000") as base:
                run(base, 40, 4)  # warm up
                rows.append((name, run(base, args.concerns, args.clients)))
    lines = [
        "# Concerns accepted durably per second",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, 2 cores, by "
        f"`bench/concern_throughput.py --concerns {args.concerns} --clients {args.clients}`: one uvicorn worker; "
        "each concern is sealed and committed before its confirmation page. The clients run on the same 2 cores.",
        "",
        "| database | accepted | failed | concerns/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows:
        lines.append(
            f"| {name} | {row['accepted']:.0f} | {row['failed']:.0f} | {row['per_second']:.1f} | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} |"
        )
    out = ROOT / "bench" / "results" / "concern-throughput.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
