"""Key rotation: how long `keys rotate` takes, and what a public server sending concerns meanwhile sees.

    .venv/bin/python -m bench.key_rotation [--concerns 10000] [--officers 20] [--sample 200]
        [--database sqlite|postgresql|both]

Fills a database (SQLite, then PostgreSQL) with sealed concerns, each with a note, and
officers with sealed code secrets; then rotates the key pair (web/ops/key_rotation.py) while a writer keeps
storing concerns as the public site does. The rotation holds its rows (PostgreSQL) or SQLite's write lock
for its whole transaction, so the writer's slowest store shows how long a person pressing Send waited, and
a failed store (SQLite's busy timeout is 5 s) what a larger database would cost. Then a random sample is
opened with the new key, and none opens with the old one. Writes bench/results/key-rotation.md.
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

from nacl.exceptions import CryptoError

from bench.backup_rehearsal import fill
from bench.server import DATABASE_LABELS, databases
from web.console.auth import hash_password, new_totp_secret
from web.ops.key_rotation import rotate
from web.sealing import generate_key_pair, load_private_key, load_public_key, seal, seal_totp_secret, totp_key, unseal
from web.storage import create_database_engine
from web.storage.concerns import get_concern, set_status, store_concern
from web.storage.officers import add_officer

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    database: str
    concerns: int
    resealed: int
    notes: int
    secrets: int
    seconds: float
    stored_meanwhile: int
    slowest_store: float
    failed_stores: int
    opened_new: int
    opened_old: int
    sample: int


def prepare(url: str, keys: Path, concerns: int, officers: int) -> list[str]:
    markers = fill(url, concerns, keys / "concerns.pub")
    engine = create_database_engine(url)
    private = load_private_key(keys / "concerns.key")
    try:
        for reference in markers:
            set_status(engine, reference, "contacted", seal(private.public_key, {"note": "called"}), dt.date.today())
        password_hash = hash_password("a long bench password")
        for number in range(officers):
            secret = seal_totp_secret(totp_key(private), new_totp_secret())
            add_officer(engine, f"officer-{number}", password_hash, secret, "officer")
    finally:
        engine.dispose()
    return list(markers)


def writer(url: str, public_key_file: Path, stop: threading.Event, times: list[float], failures: list[str]) -> None:
    """Stores concerns as the public site does, with the public key it started with."""
    engine = create_database_engine(url)
    public_key = load_public_key(public_key_file)
    try:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                store_concern(
                    engine,
                    idempotency_key=uuid.uuid4().hex,
                    route="form",
                    sealed=seal(public_key, {"worries": "sent during the rotation"}),
                    language="en",
                    heard_about=None,
                )
            except Exception as error:  # noqa: BLE001 - every failure is a finding to report
                failures.append(type(error).__name__)
            else:
                times.append(time.perf_counter() - started)
            time.sleep(0.05)
    finally:
        engine.dispose()


def run(name: str, url: str, work: Path, args: argparse.Namespace) -> Run:
    keys = work / "keys"
    generate_key_pair(keys / "concerns.pub", keys / "concerns.key")
    old = load_private_key(keys / "concerns.key")
    references = prepare(url, keys, args.concerns, args.officers)
    engine = create_database_engine(url, statement_timeout_ms=None)
    stop, times, failures = threading.Event(), [], []
    thread = threading.Thread(target=writer, args=(url, keys / "concerns.pub", stop, times, failures))
    thread.start()
    time.sleep(0.5)
    before = len(times)
    started = time.perf_counter()
    try:
        done = rotate(engine, keys / "concerns.pub", keys / "concerns.key")
    finally:
        seconds = time.perf_counter() - started
        time.sleep(0.5)
        stop.set()
        thread.join()
    new = load_private_key(keys / "concerns.key")
    sample = random.sample(references, min(args.sample, len(references)))
    opened_new = opened_old = 0
    for reference in sample:
        stored = get_concern(engine, reference)
        assert stored is not None
        opened_new += "worries" in unseal(new, stored.sealed)
        try:
            unseal(old, stored.sealed)
            opened_old += 1
        except CryptoError:
            pass
    engine.dispose()
    return Run(
        name,
        args.concerns,
        done.concerns,
        done.notes,
        done.secrets,
        seconds,
        len(times) - before,
        max(times[before:], default=0.0),
        len(failures),
        opened_new,
        opened_old,
        len(sample),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concerns", type=int, default=10_000)
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    runs = []
    wanted = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    with tempfile.TemporaryDirectory() as tmp, databases(Path(tmp), wanted) as urls:
        for name, url in urls.items():
            work = Path(tmp) / name
            work.mkdir()
            runs.append(run(DATABASE_LABELS[name], url, work, args))
            print(runs[-1], flush=True)
    lines = [
        "# Key rotation",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, 2 cores, by "
        f"`bench/key_rotation.py --concerns {args.concerns} --officers {args.officers} --sample {args.sample} "
        f"--database {args.database}`: "
        "every concern has a note; a writer stores a concern every 50 ms throughout, with the old public key.",
        "",
        "| database | concerns | resealed (concerns / notes / code secrets) | rotation s | stored meanwhile | "
        "slowest store s | failed stores | sample opened with the new key | with the old key |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r.database} | {r.concerns:,} | {r.resealed:,} / {r.notes:,} / {r.secrets} | {r.seconds:.2f} | "
            f"{r.stored_meanwhile} | {r.slowest_store:.2f} | {r.failed_stores} | {r.opened_new}/{r.sample} | "
            f"{r.opened_old}/{r.sample} |"
        )
    lines += [
        "",
        "Concerns the writer stored during the rotation are sealed with the old public key, as an outdated "
        "public server's would be: the console opens them with the retired key until `keys reseal`.",
        "",
    ]
    out = ROOT / "bench" / "results" / "key-rotation.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(out)


if __name__ == "__main__":
    main()
