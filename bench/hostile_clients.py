"""Slow and hostile clients against the production server, while readers keep fetching advice.

    .venv/bin/python -m bench.hostile_clients [--before 15] [--attack 40] [--flood-seconds 30] [--after 10]
        [--rate 10] [--slowloris 500] [--slow-body 200] [--idle 1000] [--flood 2000]
                                                                    # writes bench/results/hostile-clients.md

Starts `python -m web serve` with the production settings (web/settings.py defaults: MAX_CONNECTIONS,
HEADER_TIMEOUT_SECONDS, BODY_TIMEOUT_SECONDS...) on a free port. Readers fetch /en/signs-to-spot at a
steady rate, each on a new connection as a new visitor would, with a 10-second patience: first alone
("before"); then while attackers (in a separate process, so that they do not slow the readers' own
timing) hold connections open, under MAX_CONNECTIONS ("attack"); then with a flood of idle connections
on top, over MAX_CONNECTIONS ("flood"); then after the attackers have gone ("after"). The attackers,
all persistent (a connection the server closes is opened again half a second later):
  slowloris  request headers sent one byte a second, never finished;
  slow body  a form post declaring a 60,000-byte body, then sending one byte a second;
  idle       connections that send nothing at all (the flood is more of them).
Reported: the readers' success rate and latency in each phase, how many attacker connections the
server closed (and what it answered), the server's peak memory (VmHWM) and open files, from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import multiprocessing
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.server import (
    ProductionServer,
    load_average,
    machine,
    percentile,
    production_server,
    server_settings,
    stamp,
    write_result,
)

ROOT = Path(__file__).resolve().parent.parent

PAGE = "/en/signs-to-spot"
READER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    "Accept": "text/html,application/xhtml+xml",
    "Accept-Encoding": "br, gzip",
}
READER_PATIENCE = 10.0  # seconds before a reader gives up: a failure
RECONNECT_AFTER = 0.5  # seconds before an attacker reopens a connection the server closed
TRICKLE_EVERY = 1.0  # seconds between the bytes slow attackers send


# --- Readers ---------------------------------------------------------------------------------------


@dataclass
class Reading:
    phase: str
    ok: bool
    seconds: float
    problem: str = ""


def read_page(port: int, phase: str) -> Reading:
    """One visit: a new connection, one page, as a browser arriving from a search engine."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=READER_PATIENCE)
    try:
        connection.request("GET", PAGE, headers=READER_HEADERS)
        response = connection.getresponse()
        body = response.read()
        ok = response.status == 200 and len(body) > 1000
        return Reading(phase, ok, time.perf_counter() - started, "" if ok else f"HTTP {response.status}")
    except OSError as error:
        return Reading(phase, False, time.perf_counter() - started, type(error).__name__)
    finally:
        connection.close()


class Readers:
    """Visits started at a steady rate, each on its own thread, whatever the earlier ones are doing."""

    def __init__(self, port: int, rate: float) -> None:
        self.port, self.rate = port, rate
        self.readings: list[Reading] = []
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=int(rate * READER_PATIENCE) + 8)

    def run(self, phase: str, seconds: float) -> None:
        next_at = time.monotonic()
        end = next_at + seconds
        while next_at < end:
            self.pool.submit(self._visit, phase)
            next_at += 1 / self.rate
            time.sleep(max(0.0, next_at - time.monotonic()))

    def _visit(self, phase: str) -> None:
        reading = read_page(self.port, phase)
        with self.lock:
            self.readings.append(reading)

    def finish(self) -> None:
        self.pool.shutdown(wait=True)

    def summary(self, phase: str) -> dict[str, Any]:
        found = [r for r in self.readings if r.phase == phase]
        good = [r.seconds * 1000 for r in found if r.ok]
        problems: dict[str, int] = defaultdict(int)
        for reading in found:
            if not reading.ok:
                problems[reading.problem] += 1
        return {
            "visits": len(found),
            "ok": len(good),
            "success": 100 * len(good) / len(found) if found else 0.0,
            "p50": statistics.median(good) if good else 0.0,
            "p95": percentile(good, 0.95),
            "max": max(good, default=0.0),
            "problems": ", ".join(f"{count} {name}" for name, count in sorted(problems.items())) or "none",
        }


# --- Attackers (a separate process) ----------------------------------------------------------------


@dataclass
class AttackStats:
    opened: int = 0
    open_now: int = 0
    peak_open: int = 0
    refused: int = 0  # the connection could not be opened at all
    closed_by_server: int = 0
    answers: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lifetimes: list[float] = field(default_factory=list)


def opening(kind: str, host: str, port: int) -> bytes:
    if kind == "slowloris":
        return f"GET /en/ HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: slowloris\r\n".encode()
    if kind == "slow body":
        return (
            f"POST /en/share-a-concern HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n"
        ).encode()
    return b""


async def hold(kind: str, host: str, port: int, stats: AttackStats, stop: asyncio.Event) -> None:
    """Keep one hostile connection open until `stop`, reopening it whenever the server closes it."""
    trickle = b"X-a: b\r\n" if kind == "slowloris" else b"a"
    while not stop.is_set():
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
        except (OSError, TimeoutError):
            stats.refused += 1
            await asyncio.sleep(RECONNECT_AFTER)
            continue
        stats.opened += 1
        stats.open_now += 1
        stats.peak_open = max(stats.peak_open, stats.open_now)
        opened_at = time.monotonic()
        sent = 0
        closed = False
        try:
            writer.write(opening(kind, host, port))
            while not stop.is_set():
                try:
                    data = await asyncio.wait_for(reader.read(4096), TRICKLE_EVERY)
                except TimeoutError:
                    if kind in ("slowloris", "slow body"):
                        writer.write(trickle[sent % len(trickle) : sent % len(trickle) + 1])
                        sent += 1
                        await writer.drain()
                    continue
                if not data:
                    closed = True
                    break
                if data.startswith(b"HTTP/1.1 "):
                    stats.answers[data[9:12].decode()] += 1
        except OSError:
            closed = True
        finally:
            stats.open_now -= 1
            writer.close()
        if closed:
            stats.closed_by_server += 1
            stats.lifetimes.append(time.monotonic() - opened_at)
            await asyncio.sleep(RECONNECT_AFTER)


async def attack(
    host: str, port: int, waves: list[dict[str, int]], seconds: list[float], started: Any
) -> dict[str, AttackStats]:
    """Open each wave's connections on top of the earlier ones and hold them for its seconds; then stop all."""
    stats = {kind: AttackStats() for wave in waves for kind in wave}
    stop = asyncio.Event()
    tasks = []
    began = time.monotonic()
    for wave, hold_for in zip(waves, seconds, strict=True):
        for kind, count in wave.items():
            for n in range(count):
                tasks.append(asyncio.create_task(hold(kind, host, port, stats[kind], stop)))
                if n % 100 == 99:
                    await asyncio.sleep(0.05)  # a ramp: a botnet's connections do not all arrive in one instant
        started.set()
        until = time.monotonic() + hold_for
        while time.monotonic() < until:
            await asyncio.sleep(min(5.0, until - time.monotonic()))
            line = "; ".join(f"{k}: {s.open_now} open, {s.closed_by_server} closed" for k, s in stats.items())
            print(f"  attackers at {time.monotonic() - began:4.0f} s: {line}", flush=True)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return stats


def attacker_process(port: int, waves: list[dict[str, int]], seconds: list[float], started: Any, results: Any) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = sum(sum(wave.values()) for wave in waves) + 256
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, wanted)), hard))
    stats = asyncio.run(attack("127.0.0.1", port, waves, seconds, started))
    results.put({kind: vars(s) | {"answers": dict(s.answers)} for kind, s in stats.items()})


# --- The run ---------------------------------------------------------------------------------------


class Sampler:
    """The server's memory and open files every half second, by phase."""

    def __init__(self, server: ProductionServer) -> None:
        self.server = server
        self.phase = "before"
        self.peaks: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.wait(0.5):
            try:
                status = self.server.status()
            except OSError:
                continue
            for name, value in status.items():
                self.peaks[self.phase][name] = max(self.peaks[self.phase][name], value)

    def stop(self) -> dict[str, int]:
        self.stopping.set()
        self.thread.join()
        return self.server.status()


PHASES = ("before", "attack", "flood", "after")


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    attack = {"slowloris": args.slowloris, "slow body": args.slow_body, "idle": args.idle}
    waves = [attack, {"flood (idle)": args.flood}]
    context = multiprocessing.get_context("spawn")
    results: Any = context.Queue()
    started: Any = context.Event()
    with production_server(work, f"sqlite:///{work / 'bench.sqlite3'}") as server:
        readers = Readers(server.port, args.rate)
        sampler = Sampler(server)
        seconds = [float(args.attack), float(args.flood_seconds)]
        attacker = context.Process(target=attacker_process, args=(server.port, waves, seconds, started, results))
        try:
            print(f"before: readers alone for {args.before} s", flush=True)
            readers.run("before", args.before)
            print(f"attack: {sum(attack.values())} attacker connections for {args.attack} s", flush=True)
            sampler.phase = "attack"
            attacker.start()
            started.wait(timeout=60)
            readers.run("attack", args.attack)
            print(f"flood: {args.flood} more idle connections for {args.flood_seconds} s", flush=True)
            sampler.phase = "flood"
            readers.run("flood", args.flood_seconds)
            attack_stats = results.get(timeout=120)
            attacker.join(timeout=30)
            sampler.phase = "after"
            print(f"after: readers alone again for {args.after} s", flush=True)
            readers.run("after", args.after)
            readers.finish()
        finally:
            if attacker.is_alive():
                attacker.kill()
                attacker.join()
        final = sampler.stop()
        log = {
            "limit": server.count_in_log("Exceeded concurrency limit"),
            "errors": server.errors(),
            "locked": server.count_in_log("database is locked"),
        }
    return {
        "readers": {phase: readers.summary(phase) for phase in PHASES},
        "attack": attack_stats,
        "peaks": {phase: dict(values) for phase, values in sampler.peaks.items()},
        "peak_rss": final.get("VmHWM", 0),
        "log": log,
        "counts": {**attack, "flood (idle)": args.flood},
    }


def command(args: argparse.Namespace) -> str:
    return (
        f"bench/hostile_clients.py --before {args.before} --attack {args.attack} --flood-seconds "
        f"{args.flood_seconds} --after {args.after} --rate {args.rate:g} --slowloris {args.slowloris} --slow-body "
        f"{args.slow_body} --idle {args.idle} --flood {args.flood}"
    )


def report(args: argparse.Namespace, found: dict[str, Any], seconds: float, loads: tuple[str, str]) -> list[str]:
    attack = args.slowloris + args.slow_body + args.idle
    lines = [
        "# Slow and hostile clients",
        "",
        f"Measured {stamp()} by `{command(args)}` on {machine()}; {seconds:.0f} s in all. Load average {loads[0]} at "
        f"the start, {loads[1]} at the end (attackers, readers and server share the 2 cores).",
        "",
        f"The server: `python -m web serve` (uvicorn, one worker) with the production defaults: {server_settings()}.",
        "",
        f"Phases: **before** (readers alone, {args.before} s); **attack** ({attack} attacker connections, under "
        f"MAX_CONNECTIONS, {args.attack} s: the timeouts close them); **flood** ({args.flood} more idle connections, "
        f"{attack + args.flood} in all, over MAX_CONNECTIONS, {args.flood_seconds} s: the longest-waiting connections "
        f"are closed to make room); **after** (attackers gone, {args.after} s). Every attacker reopens a connection "
        f"{RECONNECT_AFTER} s after the server closes it.",
        "",
        f"## Readers: `GET {PAGE}`, {args.rate:g} new visitors a second, each on a new connection, "
        f"{READER_PATIENCE:.0f} s patience",
        "",
        "| phase | visits | pages | success | p50 ms | p95 ms | slowest ms | failures |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for phase, row in found["readers"].items():
        lines.append(
            f"| {phase} | {row['visits']} | {row['ok']} | {row['success']:.1f}% | {row['p50']:.1f} | {row['p95']:.1f} "
            f"| {row['max']:.0f} | {row['problems']} |"
        )
    lines += [
        "",
        "## Attackers",
        "",
        "| attacker | connections | opened (reopened included) | peak open | closed by the server | answers seen "
        "| median seconds before the server closed it | could not connect |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for kind, row in found["attack"].items():
        answers = ", ".join(f"{count}× {status}" for status, count in sorted(row["answers"].items())) or "none"
        lifetime = statistics.median(row["lifetimes"]) if row["lifetimes"] else 0.0
        lines.append(
            f"| {kind} | {found['counts'][kind]} | {row['opened']} | {row['peak_open']} | {row['closed_by_server']} "
            f"| {answers} | {lifetime:.1f} | {row['refused']} |"
        )
    closed = sum(row["closed_by_server"] for row in found["attack"].values())
    peaks = found["peaks"]

    def peak(phase: str, name: str) -> int:
        return int(peaks.get(phase, {}).get(name, 0))

    lines += [
        "",
        "## The server",
        "",
        f"- Attacker connections the server closed: **{closed}**.",
        f"- Memory: peak RSS (VmHWM) **{found['peak_rss'] / 1024:.0f} MiB**; highest RSS sampled: "
        + ", ".join(f"{peak(phase, 'VmRSS') / 1024:.0f} MiB {phase}" for phase in PHASES)
        + ".",
        "- Open files (sockets included), highest sampled: "
        + ", ".join(f"{peak(phase, 'fds')} {phase}" for phase in PHASES)
        + ".",
        f'- Its log: {found["log"]["limit"]} "Exceeded concurrency limit" (503s), {found["log"]["locked"]} '
        f'"database is locked"; errors: {found["log"]["errors"]}.',
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=int, default=15, help="seconds of readers alone before the attack")
    parser.add_argument("--attack", type=int, default=40, help="seconds of attack under MAX_CONNECTIONS")
    parser.add_argument("--flood-seconds", type=int, default=30, help="seconds of attack over MAX_CONNECTIONS")
    parser.add_argument("--after", type=int, default=10, help="seconds of readers alone after the attack")
    parser.add_argument("--rate", type=float, default=10, help="reader visits a second")
    parser.add_argument("--slowloris", type=int, default=500)
    parser.add_argument("--slow-body", type=int, default=200)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--flood", type=int, default=2000, help="idle connections added for the flood")
    args = parser.parse_args()
    started, load_before = time.monotonic(), load_average()
    with tempfile.TemporaryDirectory() as tmp:
        found = run(args, Path(tmp))
    lines = report(args, found, time.monotonic() - started, (load_before, load_average()))
    write_result("hostile-clients.md", lines)


if __name__ == "__main__":
    main()
