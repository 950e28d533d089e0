"""The audit log under a sign-in flood: how fast the admin's pages are, and whether real events stay in view.

    .venv/bin/python -m bench.audit_flood [--posts 300] [--requests 31]

In-process, on SQLite: an officer signs in and opens a concern (the real events), then an attacker sends
`--posts` sign-ins with made-up usernames (past the per-address limit, most are throttled). Before and
after, an admin loads the dashboard and the accounts page (with the audit log) `--requests` times each;
the median of each, and how many of the real events the audit page's first page still shows, go to
bench/results/audit-flood.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path

from httpx2 import ASGITransport, AsyncClient
from sqlalchemy import func, select
from starlette.testclient import TestClient
from starlette.types import ASGIApp

from testing.console import add, sign_in
from testing.forms import sent_reference, submit_concern
from testing.settings import settings_in
from web.app import create_app
from web.console.app import create_console_app
from web.console.state import console_of_app
from web.storage.tables import audit_log

ROOT = Path(__file__).resolve().parent.parent
REAL_ACTORS = ("olive", "ada")  # the officer and the admin: their actions are the real events


def median_ms(client: TestClient, path: str, requests: int) -> float:
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings)


async def flood(app: ASGIApp, cookies: dict[str, str], posts: int) -> tuple[float, dict[int, int]]:
    """`posts` sign-ins with made-up usernames, eight at a time, while the admin keeps loading the
    dashboard: the dashboard's median ms meanwhile, and the answers the attacker got."""
    transport = ASGITransport(app=app, client=("198.51.100.7", 40000))
    statuses: dict[int, int] = {}
    timings: list[float] = []
    numbers = iter(range(posts))
    async with (
        AsyncClient(transport=transport, base_url="https://console.test") as attacker,
        AsyncClient(transport=transport, base_url="https://console.test", cookies=cookies) as admin,
    ):

        async def attack() -> None:
            for number in numbers:
                data = {"username": f"guess-{number}", "password": "x" * 12}
                answer = await attacker.post("/sign-in", data=data)
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

        async def watch(attacks: asyncio.Future[list[None]]) -> None:
            while not attacks.done():
                started = time.perf_counter()
                response = await admin.get("/dashboard")
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code

        attacks = asyncio.gather(*(attack() for _ in range(8)))
        await asyncio.gather(attacks, watch(attacks))
    return statistics.median(timings), statuses


def real_events_shown(admin: TestClient) -> int:
    """Rows of the audit table on the accounts page whose actor is the officer or the admin."""
    page = admin.get("/accounts").text
    audit = page.split("audit", 1)[-1]
    cells = re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', audit)
    return sum(1 for cell in cells if cell in REAL_ACTORS)


def run(posts: int, requests: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as directory:
        settings = settings_in(Path(directory))
        with (
            TestClient(create_app(settings)) as site,
            TestClient(create_console_app(settings), base_url="https://console.test") as officer,
        ):
            admin = TestClient(officer.app, base_url="https://console.test")
            reference = sent_reference(submit_concern(site, "MARKER-FLOOD"))
            sign_in(officer, "olive", add(officer, "olive", "officer"))
            for _ in range(5):
                officer.get("/concerns")
                officer.get(f"/concerns/{reference}")
            sign_in(admin, "ada", add(officer, "ada", "admin"))
            shown_before = real_events_shown(admin)
            before = {path: median_ms(admin, path, requests) for path in ("/dashboard", "/accounts")}
            cookies = dict(admin.cookies.items())
            during, statuses = asyncio.run(flood(officer.app, cookies, posts))
            shown_after = real_events_shown(admin)
            after = {path: median_ms(admin, path, requests) for path in ("/dashboard", "/accounts")}
            engine = console_of_app(officer.app).engine  # type: ignore[arg-type]
            with engine.connect() as connection:
                rows = connection.execute(select(func.count()).select_from(audit_log)).scalar_one()
    return {
        "before": before,
        "after": after,
        "during": during,
        "shown_before": shown_before,
        "shown_after": shown_after,
        "statuses": statuses,
        "audit_rows": rows,
    }


def shown_during(result: dict[str, object], path: str) -> str:
    during = result["during"]
    return f"{during:.1f}" if path == "/dashboard" and isinstance(during, float) else "—"


def report(result: dict[str, object], posts: int, requests: int) -> str:
    before, after = result["before"], result["after"]
    assert isinstance(before, dict) and isinstance(after, dict)
    lines = [
        "# The audit log under a sign-in flood",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.processor() or platform.machine()},"
        f" Python {platform.python_version()}, by `bench/audit_flood.py --posts {posts} --requests {requests}`:"
        " in-process on SQLite; an officer's and an admin's real events, then the flood from one address,"
        " eight sign-ins at a time while the admin reloads the dashboard.",
        "",
        "| page (admin) | median ms before | median ms during the flood | median ms after |",
        "|---|---:|---:|---:|",
        *(f"| `{path}` | {before[path]:.1f} | {shown_during(result, path)} | {after[path]:.1f} |" for path in before),
        "",
        f"Answers to the flood: {result['statuses']}; audit rows afterwards: {result['audit_rows']}.",
        f"Real events (the officer's and the admin's) on the accounts page's first audit page,"
        f" just before and just after the flood: {result['shown_before']} before,"
        f" {result['shown_after']} after.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--requests", type=int, default=31)
    args = parser.parse_args()
    result = run(args.posts, args.requests)
    text = report(result, args.posts, args.requests)
    (ROOT / "bench" / "results" / "audit-flood.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
