"""The officers' console at national scale: how long the concern list and one concern take with 10,000 stored.

    .venv/bin/python -m bench.console_scale --label before|after [--concerns 10000] [--lists 60] [--opens 200]
        [--database sqlite|postgresql|both]

Fills a database (SQLite, then PostgreSQL) with sealed concerns as the public site stores them (answers of a
typical size, received over the last year, a mix of statuses, a third with a sealed note), then asks the
console in-process (Starlette's test client: the whole view, with its session check, audit row and page
rendering, but no network) for the concern list as an officer first sees it (`GET /concerns`) and for
concerns picked at random (`GET /concerns/REF`). Reports the median, p95 and largest time of each and the
size of the list page. Writes bench/results/console-scale.md, one section per label and database, keeping
the sections of other runs (so "before" stays beside "after").
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shlex
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from starlette.testclient import TestClient

from bench.server import DATABASE_LABELS, databases, load_average, machine, merge_sections, percentile, stamp
from testing.console import add, sign_in
from testing.settings import settings_in
from web.concern.areas import forces
from web.console.app import create_console_app
from web.console.state import console_of_app
from web.sealing import generate_key_pair, load_public_key, seal
from web.storage import create_database_engine
from web.storage.concerns import new_reference
from web.storage.migrate import migrate
from web.storage.officers import NATIONAL
from web.storage.tables import concerns

STATUSES = (("new", 0.2), ("contacted", 0.15), ("referred", 0.15), ("closed", 0.5))
ANSWERS = {
    "danger": "no",
    "person_name": "Sam",
    "person_age": "13-17",
    "relationship": "parent",
    "since_when": "weeks",
    "worries": "He has started sharing violent videos and talks about people online he calls his brothers. " * 6,
    "contact_name": "A parent",
    "contact_phone": "07700 900000",
    "safe_times": "weekday evenings",
    "heard_about": "poster",
}


@dataclass(frozen=True)
class Timing:
    database: str
    concerns: int
    open_listed: int
    list_bytes: int
    list_median: float
    list_p95: float
    list_max: float
    open_median: float
    open_p95: float
    open_max: float
    list_cpu: float
    open_cpu: float


def fill(url: str, public_key_file: Path, count: int, seed: int = 20) -> list[str]:
    """`count` sealed concerns in one transaction; their references."""
    chance = random.Random(seed)
    public_key = load_public_key(public_key_file)
    areas = list(forces())  # spread over the 45 forces' areas, as a national site's would be
    today = dt.date.today()
    rows, references = [], set[str]()
    while len(references) < count:  # distinct: references are drawn from about 117 million
        references.add(new_reference())
    for number, reference in enumerate(sorted(references, key=lambda _: chance.random())):
        status = chance.choices([name for name, _ in STATUSES], [share for _, share in STATUSES])[0]
        received = today - dt.timedelta(days=chance.randrange(365))
        payload = {
            "route": "form",
            "language": "en",
            "submitted_at": f"{received.isoformat()} 10:00",
            "answers": {**ANSWERS, "worries": f"{ANSWERS['worries']} MARKER-{number}"},
        }
        rows.append(
            {
                "reference": reference,
                "idempotency_key": uuid.uuid4().hex,
                "route": chance.choice(("form", "form", "form", "callback")),
                "received_on": received,
                "heard_about": "poster",
                "language": chance.choice(("en", "en", "en", "cy", "ur")),
                "area": areas[number % len(areas)],
                "sealed": seal(public_key, payload),
                "status": status,
                "note_sealed": seal(public_key, {"note": "Called back, spoke to the parent."})
                if number % 3 == 0
                else None,
                "closed_on": received + dt.timedelta(days=3) if status == "closed" else None,
            }
        )
    engine = create_database_engine(url)
    try:
        migrate(engine)
        with engine.begin() as connection:
            connection.execute(insert(concerns), rows)
    finally:
        engine.dispose()
    return [str(row["reference"]) for row in rows]


def timed(console: TestClient, path: str) -> tuple[float, int, float]:
    """Wall time, the page's size, and the CPU time this process spent on it (the client's and the console's:
    less moved than wall time by other work on the machine)."""
    cpu, started = time.process_time(), time.perf_counter()
    response = console.get(path)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return seconds, len(response.content), cpu


def run(name: str, url: str, work: Path, args: argparse.Namespace) -> Timing:
    settings = settings_in(work, database_url=url)
    generate_key_pair(settings.concern_public_key_file, settings.console_private_key_file)
    references = fill(url, settings.concern_public_key_file, args.concerns)
    chance = random.Random(7)
    with TestClient(create_console_app(settings), base_url="https://console.test") as console:
        sign_in(console, "olive", add(console, "olive", "officer", (args.area,)))
        if args.area != NATIONAL:  # an area's officer opens only its concerns (fill gives area number % 45)
            areas = list(forces())
            references = [ref for number, ref in enumerate(references) if areas[number % len(areas)] == args.area]
        for _ in range(3):  # warm the caches and the pool: a console that has served a page before
            timed(console, "/concerns")
            timed(console, f"/concerns/{chance.choice(references)}")
        lists = [timed(console, "/concerns") for _ in range(args.lists)]
        opened = [timed(console, f"/concerns/{chance.choice(references)}") for _ in range(args.opens)]
        listed = console.get("/concerns").text.count('<tr class="govuk-table__row">') - 1
        console_of_app(console.app).engine.dispose()  # type: ignore[arg-type]
    list_times = [seconds for seconds, _, _ in lists]
    opens = [seconds for seconds, _, _ in opened]
    return Timing(
        name,
        args.concerns,
        listed,
        lists[-1][1],
        statistics.median(list_times),
        percentile(list_times, 0.95),
        max(list_times),
        statistics.median(opens),
        percentile(opens, 0.95),
        max(opens),
        statistics.median(cpu for _, _, cpu in lists),
        statistics.median(cpu for _, _, cpu in opened),
    )


def section(label: str, run: Timing, args: argparse.Namespace) -> list[str]:
    ms = 1000
    return [
        f"## {label}, {run.database}",
        "",
        f"Measured {stamp()} by `python -m bench.console_scale --label {shlex.quote(label)} --concerns {args.concerns} "
        f"--lists {args.lists} --opens {args.opens} --database {args.database} --area {args.area}` "
        f"(load average {load_average()} at the end; other work shared the machine).",
        "",
        "| | median ms | p95 ms | largest ms | CPU ms (median) |",
        "|---|---:|---:|---:|---:|",
        f"| the list (`GET /concerns`, {run.open_listed:,} rows shown, {run.list_bytes / 1024:,.0f} KiB) | "
        f"{run.list_median * ms:.1f} | {run.list_p95 * ms:.1f} | {run.list_max * ms:.1f} | {run.list_cpu * ms:.1f} |",
        f"| one concern opened (`GET /concerns/REF`) | {run.open_median * ms:.1f} | {run.open_p95 * ms:.1f} | "
        f"{run.open_max * ms:.1f} | {run.open_cpu * ms:.1f} |",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="before or after (the code measured)")
    parser.add_argument("--concerns", type=int, default=10_000)
    parser.add_argument("--lists", type=int, default=60)
    parser.add_argument("--opens", type=int, default=200)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--area", default=NATIONAL, help="the officer's area: national (every concern) or a force's")
    args = parser.parse_args()
    wanted = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    sections = {}
    with tempfile.TemporaryDirectory() as tmp, databases(Path(tmp), wanted) as urls:
        for name, url in urls.items():
            work = Path(tmp) / name
            work.mkdir()
            timing = run(DATABASE_LABELS[name], url, work, args)
            print(timing, flush=True)
            sections[f"{args.label}, {timing.database}"] = section(args.label, timing, args)
    header = [
        "# The console at national scale",
        "",
        f"On {machine()}. 10,000 concerns as the public site seals them, received over a year: 20% new, 15% "
        "contacted, 15% referred, 50% closed; a third with a sealed note. Times are the whole view in-process "
        "(session check, database, audit row, opening the sealed answers where the page does, rendering), "
        "without the network. Issue 20's target: list p95 at most 100 ms, one concern at most 50 ms.",
        "",
        '"before" is the console as it was (every open concern on one page, each row with its sealed '
        "answers): the first run before any change, then again from a copy of that commit (`git archive`) just "
        'before the "after" run, under the same load. "after" is the paged list (50 a page, only the columns '
        "it shows) and the concern's page with its work (who has it, status and outcome, handover, history). "
        "CPU ms is this process's CPU time for the request (the test client's and the console's), which other "
        "work on the machine moves far less than wall time.",
        "",
    ]
    merge_sections("console-scale.md", header, sections)


if __name__ == "__main__":
    main()
