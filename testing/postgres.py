"""A throwaway PostgreSQL server for the tests, when Debian's PostgreSQL is installed.

`TEST_DATABASE_URL` (a server you run) wins; otherwise the tests start their own cluster in a
temporary folder, on a Unix socket, and stop it at the end. As root, the server runs as the
`postgres` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_server() -> Iterator[str | None]:
    """Yield a server URL (without a database name), or None when no PostgreSQL is available."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield configured.rsplit("/", 1)[0]
        return
    binaries = postgres_bin()
    if binaries is None:
        yield None
        return
    root = Path(tempfile.mkdtemp(prefix="act-early-pg-"))
    data, socket_dir = root / "data", root / "socket"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(socket_dir, "postgres")

    def run(*args: object) -> None:
        subprocess.run(_as_postgres([str(a) for a in args]), check=True, capture_output=True)

    run(binaries / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-k {socket_dir} -c listen_addresses='' -c fsync=on -c max_connections=50"
    run(binaries / "pg_ctl", "-D", data, "-o", options, "-w", "-l", root / "log", "start")
    try:
        yield f"postgresql+psycopg://postgres@/?host={socket_dir}"
    finally:
        subprocess.run(
            _as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def new_database(server: str) -> str:
    """Create an empty database on the server and return its SQLAlchemy URL."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    base, _, query = server.partition("?")
    dsn = base.replace("postgresql+psycopg://", "postgresql://") + "postgres" + (f"?{query}" if query else "")
    for attempt in range(20):
        try:
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            break
        except psycopg.OperationalError:
            if attempt == 19:
                raise
            time.sleep(0.25)
    return f"{base}{name}" + (f"?{query}" if query else "")
