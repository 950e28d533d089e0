"""A backup and restore rehearsal: on SQLite and PostgreSQL, restored on a clean directory, then read.

    .venv/bin/python -m bench.backup_rehearsal [--concerns 10000] [--sample 200]

Fills a database with sealed concerns (the site's own sealing, each with a unique marker), takes a
backup while writers keep adding concerns (the site stays up during a backup), restores it into a
new SQLite file in a new folder, and opens a random sample with the private key. Reports the time
and size of each step, the rows restored, the sample opened, and that the backup holds no marker in
plaintext. Writes bench/results/backup-rehearsal.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from testing.postgres import new_database, postgres_server
from web.ops.backup import backup, restore
from web.sealing import generate_key_pair, load_private_key, load_public_key, seal, unseal
from web.storage import create_database_engine
from web.storage.concerns import get_concern, store_concern
from web.storage.migrate import migrate

ROOT = Path(__file__).resolve().parent.parent


def fill(url: str, count: int, public_key_file: Path) -> dict[str, str]:
    """`count` sealed concerns; returns reference -> marker."""
    public_key = load_public_key(public_key_file)
    engine = create_database_engine(url)
    migrate(engine)
    markers: dict[str, str] = {}
    try:
        for _ in range(count):
            marker = f"MARKER-{uuid.uuid4().hex}"
            sealed = seal(public_key, {"worries": f"{marker} has changed since the summer.", "person_name": "Sam"})
            reference = store_concern(
                engine, idempotency_key=uuid.uuid4().hex, route="form", sealed=sealed, language="en", heard_about=None
            )
            markers[reference] = marker
    finally:
        engine.dispose()
    return markers


@dataclass(frozen=True)
class Rehearsal:
    database: str
    concerns: int
    written_during_backup: int
    backup_seconds: float
    backup_bytes: int
    restored: int
    restore_seconds: float
    sample: int
    opened: int
    markers_in_backup: int


def rehearse(name: str, url: str, work: Path, count: int, sample: int) -> Rehearsal:
    keys = work / "keys"
    generate_key_pair(keys / "concerns.pub", keys / "concerns.key")
    markers = fill(url, count, keys / "concerns.pub")

    engine = create_database_engine(url)
    stop = threading.Event()
    written_during: list[int] = []

    def writer() -> None:  # the site goes on taking concerns while the backup runs
        public_key = load_public_key(keys / "concerns.pub")
        while not stop.is_set():
            store_concern(
                engine,
                idempotency_key=uuid.uuid4().hex,
                route="form",
                sealed=seal(public_key, {"worries": "written during the backup"}),
                language="en",
                heard_about=None,
            )
            written_during.append(1)

    thread = threading.Thread(target=writer)
    thread.start()
    started = time.perf_counter()
    try:
        backup_file = backup(engine, work / "backups")
    finally:
        stop.set()
        thread.join()
        engine.dispose()
    backup_seconds = time.perf_counter() - started
    data = backup_file.read_bytes()
    plaintext = sum(marker.encode() in data for marker in random.sample(list(markers.values()), sample))

    clean = work / "clean-directory"
    clean.mkdir()
    restored_engine = create_database_engine(f"sqlite:///{clean / 'restored.sqlite3'}")
    started = time.perf_counter()
    try:
        counts = restore(restored_engine, backup_file)
        restore_seconds = time.perf_counter() - started
        private_key = load_private_key(keys / "concerns.key")
        opened = 0
        for reference in random.sample(list(markers), sample):
            concern = get_concern(restored_engine, reference)
            if concern and markers[reference] in str(unseal(private_key, concern.sealed)):
                opened += 1
    finally:
        restored_engine.dispose()
    return Rehearsal(
        name,
        count,
        len(written_during),
        backup_seconds,
        len(data),
        counts["concerns"],
        restore_seconds,
        sample,
        opened,
        plaintext,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concerns", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, postgres_server() as server:
        databases = {"SQLite": f"sqlite:///{tmp}/live/site.sqlite3"}
        if server is not None:
            databases["PostgreSQL"] = new_database(server)
        for name, url in databases.items():
            work = Path(tmp) / name
            work.mkdir()
            print(f"{name}: {args.concerns} concerns, backup while writing, restore on a clean directory…", flush=True)
            rows.append(rehearse(name, url, work, args.concerns, args.sample))
    lines = [
        "# Backup and restore rehearsal",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, 2 cores, by "
        f"`bench/backup_rehearsal.py --concerns {args.concerns} --sample {args.sample}`. Each backup is taken "
        "while a writer keeps adding concerns; each restore goes into a new SQLite file in a new folder; "
        "the sample is opened with the private key and matched to the marker sealed into it.",
        "",
        "| source | concerns | written during backup | backup s | backup size | restored | restore s "
        "| sample opened | markers in the backup file |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.database} | {row.concerns:,} | {row.written_during_backup:,} | {row.backup_seconds:.2f} | "
            f"{row.backup_bytes / 1e6:.1f} MB | {row.restored:,} | {row.restore_seconds:.2f} | "
            f"{row.opened}/{row.sample} | {row.markers_in_backup} |"
        )
    out = ROOT / "bench" / "results" / "backup-rehearsal.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
