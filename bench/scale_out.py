"""Scale-out, proven: two app instances behind nginx on one PostgreSQL (issue 17).

    .venv/bin/python -m bench.scale_out [--seconds 8] [--connections 16] [--views 400] [--concerns 240]
        [--clients 8]                                                # writes bench/results/scale_out.txt

Needs Debian's nginx, wrk and PostgreSQL (apt-get install nginx wrk postgresql); under 3 minutes. It starts a
throwaway PostgreSQL (testing/postgres.py), two `python -m web serve` (one worker each, each on its own port,
FORWARDED_ALLOW_IPS=127.0.0.1: nginx's address; the same keys and form secret, as two machines of one
deployment share them) and nginx in front (the example configuration `python -m web export` writes, with the
upstream naming both instances), then shows:

1. throughput of a page through nginx with one instance in the upstream and with two (wrk);
2. limits hold across both: one client (one loopback address) sends twice its allowance of concerns and more
   through nginx, which sends them to the two instances in turn; exactly its allowance is accepted in total;
3. figures add up: N browser page views through nginx, then both instances stopped (their last flush): the
   figures the dashboard reads (web/storage/figures.py `counts_between`) count exactly N;
4. a stream of concerns (each from a loopback address of its own, as people are) posted through nginx while
   one instance is SIGKILLed and later started again: every confirmation's reference is in the database
   (0 lost) and no concern is stored twice (0 duplicated: the form token is the idempotency key).

Each figure comes with os.getloadavg() at the time it was measured: rerun on a quiet machine for clean figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx2

from bench.kill_restart import Browser, GaveUp, Tally
from bench.server import ProductionServer, machine, nginx, stamp, stored_concerns, write_result, wrk
from testing.forms import ARRIVE, answers_for, reference_on, token_in
from testing.live_server import free_port
from testing.nginx import request_from
from testing.postgres import new_database, postgres_server
from web.storage import create_database_engine
from web.storage.figures import counts_between

PAGE = "/en/myths-and-facts"  # an advice page (rendered once, served from memory)
SEARCH = "/en/search?q=online+radicalisation"  # rendered per request
VIEWED = "/en/faq"  # the page whose views are counted (no other part of this script sends browser views to it)
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
ALLOWANCE = 10  # SUBMISSIONS_PER_HOUR: each person's concerns an hour
CLIENT = "127.0.0.77"  # the one client of the limits check


def loads() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def empty(work: Path) -> Path:
    """An export with nothing in it: nginx sends every request to the instances."""
    (work / "export").mkdir(parents=True, exist_ok=True)
    return work / "export"


def throughput(port: int, upstreams: list[str], work: Path, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    with nginx(empty(work), work, upstreams, port) as base:
        results = {}
        for name, path in (("page", PAGE), ("search", SEARCH)):
            gzip = {"Accept-Encoding": "gzip"}
            wrk(base + path, 2, args.connections, gzip)  # warm up: both instances render and compress once
            results[name] = wrk(base + path, args.seconds, args.connections, gzip)
        return results


def send_concern(source: str, port: int, marker: str) -> int:
    """A whole concern from the loopback address `source` through nginx: 200 (with a reference) when stored."""
    status, page = request_from(source, port, "GET", "/en/share-a-concern/questions")
    assert status == 200, page[:300]
    form = {"token": token_in(page), "step": "check", "danger": "no", **answers_for(marker)}
    status, page = request_from(source, port, "POST", "/en/share-a-concern", form=form, headers=SAME_SITE)
    assert (status == 200) == (reference_on(page) is not None), (status, page[:300])
    return status


def limits(base_port: int, servers: list[ProductionServer]) -> dict[str, Any]:
    """One client sends 2 × its allowance + 2 concerns through nginx; what was accepted, and by whom."""
    before = [server.cpu_seconds() for server in servers]
    statuses = [send_concern(CLIENT, base_port, f"LIMIT-{n}") for n in range(2 * ALLOWANCE + 2)]
    other = send_concern("127.0.0.78", base_port, "LIMIT-OTHER")
    return {
        "statuses": statuses,
        "accepted": statuses.count(200),
        "refused": statuses.count(429),
        "cpu": [server.cpu_seconds() - was for server, was in zip(servers, before, strict=True)],
        "other_client": other,
        "load": os.getloadavg()[0],
    }


def page_views(base: str, servers: list[ProductionServer], views: int) -> dict[str, Any]:
    """`views` browser page views of VIEWED through nginx, from 8 threads; the CPU each instance spent."""
    before = [server.cpu_seconds() for server in servers]

    def view(_: int) -> int:
        return httpx2.get(base + VIEWED, headers=ARRIVE, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(view, range(views)))
    return {
        "ok": statuses.count(200),
        "cpu": [server.cpu_seconds() - was for server, was in zip(servers, before, strict=True)],
        "load": os.getloadavg()[0],
    }


def counted_views(database_url: str) -> int:
    """Views of VIEWED today, as the dashboard reads them (both instances added to the same rows)."""
    engine = create_database_engine(database_url)
    try:
        today = dt.datetime.now(dt.UTC).date()
        figures = counts_between(engine, today - dt.timedelta(days=1), today + dt.timedelta(days=1))
    finally:
        engine.dispose()
    return sum(f.count for f in figures if f.metric == "view" and f.key == VIEWED)


class LoopbackBrowser(Browser):
    """A person's browser on an address of its own (so each person has their own allowance), through nginx."""

    def __init__(self, base: str, tally: Tally, address: str) -> None:
        super().__init__(base, tally)
        self.http.close()
        transport = httpx2.HTTPTransport(local_address=address)
        self.http = httpx2.Client(base_url=base, timeout=10, follow_redirects=False, transport=transport)


def address(n: int) -> str:
    """The n-th person's loopback address: 127.1.0.0 and up (all of 127/8 is this machine's)."""
    return f"127.{1 + n // 65536}.{n // 256 % 256}.{n % 256}"


def stream_with_a_kill(base: str, victim: ProductionServer, args: argparse.Namespace) -> dict[str, Any]:
    """`args.concerns` concerns from `args.clients` threads; `victim` SIGKILLed a third of the way, restarted at
    two thirds. Returns what the clients were told."""
    run_id = uuid.uuid4().hex[:8]
    markers = iter(enumerate(f"KR-{run_id}-{n:06d}" for n in range(args.concerns)))
    tally, lock = Tally(), threading.Lock()

    def client() -> None:
        while True:
            with lock:
                item = next(markers, None)
            if item is None:
                return
            n, marker = item
            browser = LoopbackBrowser(base, tally, address(n))
            try:
                reference = browser.share_a_concern(marker)
            except GaveUp as error:
                with tally.lock:
                    tally.gave_up.append(f"{marker}: {error}")
                continue
            finally:
                browser.close()
            with tally.lock:
                tally.confirmed[marker] = reference

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    events = {}
    for share, action in ((1 / 3, "killed"), (2 / 3, "restarted")):
        while len(tally.confirmed) + len(tally.gave_up) < args.concerns * share and any(t.is_alive() for t in threads):
            time.sleep(0.02)
        events[action] = (len(tally.confirmed), time.monotonic() - began)
        if action == "killed":
            victim.kill()
        else:
            victim.start()
    for thread in threads:
        thread.join()
    return {"tally": tally, "events": events, "seconds": time.monotonic() - began, "load": os.getloadavg()[0]}


def verify(database_url: str, private_key: Path, tally: Tally) -> dict[str, Any]:
    """Every stored concern opened with the officers' key, by the marker in its answers."""
    by_marker: dict[str, list[str]] = {}
    for concern in stored_concerns(database_url, private_key):
        found = re.search(r"\bKR-[0-9a-f]{8}-\d{6}\b", concern["answers"].get("worries", ""))
        if found:
            by_marker.setdefault(found.group(0), []).append(concern["reference"])
    confirmed = tally.confirmed
    return {
        "confirmed": len(confirmed),
        "stored": sum(len(refs) for refs in by_marker.values()),
        "lost": sorted(m for m, ref in confirmed.items() if ref not in by_marker.get(m, [])),
        "duplicated": sorted(m for m, refs in by_marker.items() if len(refs) > 1),
        "stored_unconfirmed": sorted(m for m in by_marker if m not in confirmed),
    }


def report(args: argparse.Namespace, found: dict[str, Any]) -> list[str]:
    one, two = found["one"], found["two"]
    lim, views, kill, check = found["limits"], found["views"], found["kill"], found["verify"]
    tally: Tally = kill["tally"]
    lines = [
        "Scale-out: two app instances behind nginx on one PostgreSQL (issue 17)",
        "",
        f"Measured {stamp()} by `.venv/bin/python -m bench.scale_out --seconds {args.seconds} --connections"
        f" {args.connections} --views {args.views} --concerns {args.concerns} --clients {args.clients}`"
        f" on {machine()}.",
        f"{loads()} at the end ({found['load_start']} at the start). The machine was shared with other work unless"
        " the load average says otherwise: the throughput figures move with it; the counts below do not.",
        "Deployment: nginx (1 worker, the example configuration of `python -m web export`, upstream naming both"
        " instances, round robin) -> 2 x `python -m web serve` (WORKERS=1 each, FORWARDED_ALLOW_IPS=127.0.0.1) ->"
        " PostgreSQL 15 (fsync on). Everything on one 127.0.0.1, so the two instances share the machine's cores"
        " with nginx, wrk and PostgreSQL.",
        "",
        f"1. Throughput through nginx (wrk -t1 -c{args.connections} -d{args.seconds}s, Accept-Encoding: gzip)",
        "",
        "   request                       instances  requests/s  p50 ms  p99 ms   failed  load (1 min)",
    ]
    for name, label in (("page", f"advice page {PAGE}"), ("search", "search results")):
        for count, rows in (("1", one), ("2", two)):
            row = rows[name]
            lines.append(
                f"   {label:<30}{count:>9}  {row['rps']:>10.0f}  {row['p50']:>6.2f}  {row['p99']:>6.2f}"
                f"  {row['non_2xx'] + row['errors']:>7.0f}  {row['load']:>12.2f}"
            )
    for name in ("page", "search"):
        lines.append(f"   {name}: two instances give {two[name]['rps'] / one[name]['rps']:.2f}x one instance")
    cpu = ", ".join(f"{seconds:.2f} s" for seconds in lim["cpu"])
    lines += [
        "",
        f"2. Limits across both instances (SUBMISSIONS_PER_HOUR={ALLOWANCE}; load {lim['load']:.2f})",
        "",
        f"   one client ({CLIENT}) sent {len(lim['statuses'])} concerns through nginx: {lim['accepted']} accepted,"
        f" {lim['refused']} refused (429); expected exactly {ALLOWANCE} accepted:"
        f" {'PASS' if lim['accepted'] == ALLOWANCE and lim['refused'] == len(lim['statuses']) - ALLOWANCE else 'FAIL'}",
        f"   answers in order: {' '.join(str(status) for status in lim['statuses'])}",
        f"   CPU each instance spent meanwhile: {cpu} (both served); a concern from another client afterwards:"
        f" {lim['other_client']}",
        "",
        f"3. Figures add up (load {views['load']:.2f})",
        "",
        f"   {args.views} browser page views of {VIEWED} sent through nginx, {views['ok']} answered 200; CPU each"
        f" instance spent: {', '.join(f'{s:.2f} s' for s in views['cpu'])}",
        f"   after both instances stopped (SIGTERM: each flushes what it counted): {found['counted']} views counted"
        f" in the figures table, as the dashboard reads it: {'PASS' if found['counted'] == views['ok'] else 'FAIL'}",
        "",
        f"4. One instance SIGKILLed during a stream of concerns (load {kill['load']:.2f})",
        "",
        f"   {args.concerns} concerns, each from its own loopback address, walked through the form (7 requests each)"
        f" by {args.clients} threads through nginx in {kill['seconds']:.1f} s;",
        f"   instance B SIGKILLed after {kill['events']['killed'][0]} confirmations"
        f" ({kill['events']['killed'][1]:.1f} s)"
        f" and started again after {kill['events']['restarted'][0]} ({kill['events']['restarted'][1]:.1f} s)",
        f"   confirmed (200 with a reference): {check['confirmed']}; stored: {check['stored']}",
        f"   lost (a confirmed reference not in the database): {len(check['lost'])};"
        f" duplicated (stored more than once): {len(check['duplicated'])}:"
        f" {'PASS' if not check['lost'] and not check['duplicated'] else 'FAIL'}",
        f"   requests sent again after a connection error or a 5xx: {sum(tally.retries.values())}"
        f" ({', '.join(f'{c} {w}' for w, c in tally.retries.most_common()) or 'none'});"
        f" answers that were not expected: {', '.join(f'{c}x {w}' for w, c in tally.statuses.most_common()) or 'none'}",
        f"   final posts in doubt (sent, answer lost): {len({key for _, key in tally.in_doubt})};"
        f" clients that gave up: {len(tally.gave_up)}; stored but never confirmed: {len(check['stored_unconfirmed'])}",
        f"   errors in the instances' logs: A {found['errors'][0]}; B {found['errors'][1]}",
    ]
    if check["lost"] or check["duplicated"] or tally.gave_up:
        lines.append(f"   lost {check['lost'][:5]}; duplicated {check['duplicated'][:5]}; gave up {tally.gave_up[:3]}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--views", type=int, default=400)
    parser.add_argument("--concerns", type=int, default=240)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    found: dict[str, Any] = {"load_start": loads()}
    with tempfile.TemporaryDirectory() as tmp, postgres_server() as pg, ExitStack() as stack:
        if pg is None:
            raise SystemExit("PostgreSQL is not installed: apt-get install postgresql")
        work, url = Path(tmp), new_database(pg)
        nginx_port = free_port()
        keys = work / "keys"
        shared = {
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "SUBMISSIONS_PER_HOUR": str(ALLOWANCE),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{nginx_port}",
            "CONCERN_PUBLIC_KEY_FILE": str(keys / "concerns.pub"),
            "CONSOLE_PRIVATE_KEY_FILE": str(keys / "concerns.key"),
            "FORM_SECRET_FILE": str(keys / "form-secret"),
            "LOG_LEVEL": "warning",
        }
        servers = [ProductionServer(work / name, url, dict(shared)) for name in ("a", "b")]
        for server in servers:  # one after the other: the first makes the keys both use
            stack.callback(server.stop)
            server.start()
        upstreams = [f"127.0.0.1:{server.port}" for server in servers]
        print("throughput ...", flush=True)
        found["one"] = throughput(nginx_port, upstreams[:1], work / "nginx-one", args)
        found["two"] = throughput(nginx_port, upstreams, work / "nginx-two", args)
        with nginx(empty(work / "nginx"), work / "nginx", upstreams, nginx_port) as base:
            print("limits, figures ...", flush=True)
            found["limits"] = limits(nginx_port, servers)
            found["views"] = page_views(base, servers, args.views)
            for server in servers:
                server.stop()
            found["counted"] = counted_views(url)
            for server in servers:
                server.start()
            print("a stream of concerns, one instance killed ...", flush=True)
            found["kill"] = stream_with_a_kill(base, servers[1], args)
        found["errors"] = [server.errors() for server in servers]
        found["verify"] = verify(url, keys / "concerns.key", found["kill"]["tally"])
    write_result("scale_out.txt", report(args, found))


if __name__ == "__main__":
    main()
