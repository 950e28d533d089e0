"""The production server for the reliability benchmarks: start, kill, restart, stop and measure it.

Shared by bench/kill_restart.py, bench/hostile_clients.py and bench/load.py so that each runs the site
exactly as production does: `python -m web serve` (uvicorn with the settings in web/settings.py) in its
own process group on a free port, with its standard error kept in a log file that the benchmark reads
afterwards ("database is locked", unhandled errors). Nothing here is imported by the site.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testing.live_server import SERVE, free_port, site_environment, wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "bench" / "results"
WRK_PATHS = ROOT / "bench" / "wrk" / "paths.lua"
# A log record starts with a timestamp (web's logging.basicConfig) or a level name (uvicorn's own loggers).
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")
RECORD_START = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|[A-Z]+:\s)", re.MULTILINE)


@dataclass
class ProductionServer:
    """One site, restartable on the same port, database and keys: as a crashed server comes back."""

    work: Path
    database_url: str
    environment: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    tree: Path = ROOT  # the checkout whose `web` runs: a `git worktree` of an earlier commit, for "before"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.work / "server.log"

    @property
    def private_key(self) -> Path:
        return self.work / "keys" / "concerns.key"

    @property
    def form_secret_file(self) -> Path:
        return self.work / "keys" / "form-secret"

    def env(self) -> dict[str, str]:
        return site_environment(self.work, self.port, DATABASE_URL=self.database_url, **self.environment)

    def start(self, timeout: float = 60) -> float:
        """Start `python -m web serve` and wait for /healthz; return the seconds it took."""
        self.work.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with self.log.open("ab") as log:
            # A session of its own: killing its process group reaches anything it starts, and nothing else.
            self.process = subprocess.Popen(
                SERVE,
                cwd=self.tree,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        wait_until_healthy(self.base_url, self.process, seconds=timeout, log=str(self.log))
        return time.monotonic() - started

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a pulled plug would: no shutdown code runs."""
        self._signal(signal.SIGKILL)
        self._reap(10)

    def stop(self) -> None:
        """SIGTERM (uvicorn's graceful shutdown), then SIGKILL if it takes over 15 seconds."""
        if self.process is None:
            return
        self._signal(signal.SIGTERM)
        if not self._reap(15):
            self._signal(signal.SIGKILL)
            self._reap(10)

    def _signal(self, number: signal.Signals) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)

    def _reap(self, timeout: float) -> bool:
        if self.process is None:
            return True
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        self.process = None
        return True

    def status(self) -> dict[str, int]:
        """VmRSS and VmHWM (peak RSS) in KiB, and open file descriptors, from /proc."""
        if self.process is None:
            return {}
        pid = self.process.pid
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
        found: dict[str, int] = {name: int(fields[name].split()[0]) for name in ("VmRSS", "VmHWM") if name in fields}
        with suppress(OSError):
            found["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
        return found

    def cpu_seconds(self) -> float:
        """User and system CPU time used so far by the server's processes (its process group: the workers too).
        Steadier than requests/s on a busy machine: other work takes turns on the cores, not this CPU time."""
        if self.process is None:
            return 0.0
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.process.pid:  # the process group: start_new_session made it the pid
                    total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def log_records(self) -> list[str]:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        starts = [match.start() for match in RECORD_START.finditer(text)] + [len(text)]
        return [text[a:b] for a, b in itertools.pairwise(starts)]

    def count_in_log(self, needle: str) -> int:
        """Log records (a traceback counts once, with its record) that mention `needle`."""
        return sum(needle in record for record in self.log_records())

    def errors(self) -> str:
        """The ERROR records in the log, by first line (timestamp left out), most frequent first."""
        firsts = (TIMESTAMP.sub("", record.splitlines()[0]) for record in self.log_records())
        found = Counter(line for line in firsts if line.startswith(("ERROR ", "ERROR:", "CRITICAL")))
        return "; ".join(f"{count}× `{line[:120]}`" for line, count in found.most_common(5)) or "none"


@contextmanager
def production_server(
    work: Path, database_url: str, *, tree: Path = ROOT, **environment: str
) -> Iterator[ProductionServer]:
    """A started server that is always stopped (its whole process group) when the block ends."""
    server = ProductionServer(work, database_url, environment, tree=tree)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextmanager
def nginx(root: Path, work: Path, upstreams: list[str], port: int | None = None) -> Iterator[str]:
    """Debian's nginx in the foreground with the example configuration of `python -m web export` (files from
    `root`, the rest proxied to `upstreams` in turn), on `port` or a free one of 127.0.0.1; its address.
    Everything it writes is under `work`; it is stopped when the block ends."""
    from testing.nginx import nginx_binary
    from web.ops.export import standalone_nginx_config

    binary = nginx_binary()
    if binary is None:
        raise SystemExit("nginx is not installed: apt-get install nginx (as root)")
    port = port or free_port()
    work.mkdir(parents=True, exist_ok=True)
    config = standalone_nginx_config(root, work, listen=f"127.0.0.1:{port}", upstream=upstreams[0])
    first = f"    server {upstreams[0]};\n"
    assert config.count(first) == 1, "the example's upstream block changed"
    # fail_timeout: how long nginx leaves an instance alone after it failed (nginx's default, said here).
    servers = "".join(f"    server {upstream} max_fails=1 fail_timeout=10s;\n" for upstream in upstreams)
    (work / "nginx.conf").write_text(config.replace(first, servers))
    process = subprocess.Popen([binary, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: see {work / 'error.log'}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def databases(work: Path, wanted: list[str]) -> Iterator[dict[str, str]]:
    """SQLAlchemy URLs by name ("sqlite", "postgresql"); PostgreSQL is a throwaway server (testing/postgres.py)."""
    from testing.postgres import new_database, postgres_server

    urls = {}
    if "sqlite" in wanted:
        urls["sqlite"] = f"sqlite:///{work / 'bench.sqlite3'}"
    if "postgresql" not in wanted:
        yield urls
        return
    with postgres_server() as server:
        if server is None:
            raise SystemExit("PostgreSQL is not installed (apt-get install postgresql), so --database postgresql fails")
        urls["postgresql"] = new_database(server)
        yield urls


DATABASE_LABELS = {"sqlite": "SQLite (WAL, synchronous=FULL)", "postgresql": "PostgreSQL 15 (fsync on)"}


def stored_concerns(database_url: str, private_key: Path) -> list[dict[str, Any]]:
    """Every stored concern, opened with the officers' private key as the console does."""
    from sqlalchemy import select

    from web.sealing import load_private_key, unseal
    from web.storage import create_database_engine
    from web.storage.tables import concerns

    key = load_private_key(private_key)
    engine = create_database_engine(database_url)
    query = select(concerns.c.reference, concerns.c.idempotency_key, concerns.c.sealed).order_by(concerns.c.id)
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    finally:
        engine.dispose()
    return [{"reference": ref, "idempotency_key": nonce, **unseal(key, sealed)} for ref, nonce, sealed in rows]


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), platform.machine())
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory = next((line.split()[1] for line in meminfo if line.startswith("MemTotal")), "0")
    return (
        f"{cpu}, {os.cpu_count()} cores, {int(memory) / 1024 / 1024:.0f} GiB, {platform.system()} {platform.release()},"
        f" Python {platform.python_version()}"
    )


def server_settings() -> str:
    """The production server's settings (web/settings.py defaults, which every run here uses)."""
    from web.settings import Settings

    settings = Settings.from_env({})
    return (
        f"EVENT_LOOP={settings.event_loop}, MAX_CONNECTIONS={settings.max_connections}, BACKLOG={settings.backlog}, "
        f"KEEP_ALIVE_SECONDS={settings.keep_alive_seconds}, HEADER_TIMEOUT_SECONDS={settings.header_timeout_seconds}, "
        f"BODY_TIMEOUT_SECONDS={settings.body_timeout_seconds}, MAX_HEADER_BYTES={settings.max_header_bytes}"
    )


def wrk(
    url: str,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
    *,
    paths: list[str] | None = None,
    pause_ms: float = 0,
    work: Path | None = None,
    cpu: str = "",
) -> dict[str, float]:
    """One wrk run (one thread) of GETs of `url`, or of `paths` in turn on its server, each connection pausing
    `pause_ms` before each request; requests/s, p50, p95, p99 and slowest in ms, non-2xx/3xx answers and socket
    errors (bench/wrk/report.lua), and the 1-minute load average as it ended. `cpu`: the CPUs wrk runs on (taskset)."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (as root)")
    listed = ""
    if paths:
        assert work is not None, "paths need a folder for their file"
        listed = str(work / f"paths-{time.monotonic_ns()}.txt")
        Path(listed).write_text("\n".join(paths) + "\n")
    flags = [item for name, value in (headers or {}).items() for item in ("-H", f"{name}: {value}")]
    command = [
        *(["taskset", "-c", cpu] if cpu else []),
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "-s",
        str(WRK_PATHS),
    ]
    done = subprocess.run([*command, *flags, url, "--", listed, f"{pause_ms:g}"], capture_output=True, text=True)
    found = re.search(r"^RESULT (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"wrk said:\n{done.stdout}{done.stderr}")
    fields = dict(pair.split("=", 1) for pair in found[1].split())
    errors = sum(int(fields[name]) for name in ("connect", "read", "write", "timeout"))
    return {
        "requests": int(fields["requests"]),
        "rps": int(fields["requests"]) / (int(fields["us"]) / 1_000_000),
        **{name: int(fields[name]) / 1000 for name in ("p50", "p95", "p99", "max")},
        "non_2xx": int(fields["status"]),
        "errors": errors,
        "load": os.getloadavg()[0],
    }


def load_average() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def stamp() -> str:
    return f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of `values` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def write_result(name: str, lines: list[str]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / name
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return out


def merge_sections(name: str, header: list[str], sections: dict[str, list[str]]) -> Path:
    """Write `header` and `sections` (by title, each starting "## title"), keeping the sections of an earlier
    run that this one did not redo: a run on one database leaves the other's latest figures in place."""
    out = RESULTS / name
    kept: dict[str, list[str]] = {}
    current = None
    for line in out.read_text().splitlines() if out.exists() else []:
        if line.startswith("## "):
            current = line[3:].split(":")[0]
            kept[current] = []
        if current is not None:
            kept[current].append(line)
    kept.update(sections)
    order = list(DATABASE_LABELS.values())
    titles = sorted(kept, key=lambda title: order.index(title) if title in order else len(order))
    return write_result(name, header + [line for title in titles for line in kept[title]])
