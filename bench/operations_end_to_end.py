"""docs/operations.md followed end to end, on a clean temporary folder, with PostgreSQL and nginx with TLS.

    .venv/bin/python -m bench.operations_end_to_end [--reuse-venv] [--keep]

What an operator does, in the procedure's order, each step timed: install the runtime lock file into a
fresh virtual environment (`--reuse-venv` uses .venv instead, for a machine without the network), the key
ceremony (`keys generate` on the console's side; the public key copied to the site's), `migrate`, the first
officer, the export and its nginx block made to listen with TLS, the site (`serve`, two workers) and the
console started in `production` from settings shaped as the procedure's site.env and console.env, nginx
(`nginx -t`, then started) with a certificate made here by openssl, in front of both with the procedure's
own TLS block. Then through nginx: a page, a concern shared with the online form (over TLS, as a reader
without JavaScript), the officer signing in to the console with password and code, and the concern read
there. Then `backup`, `restore` into a new empty database with a second console reading the concern from
it, `keys rotate` (the site given the new public key and restarted), a second concern shared, `keys
reseal`, both concerns read in the running console, and the page log imported into the figures.

The commands run in this checkout (the procedure's /srv/act-early); everything they write (keys, export,
backups, logs, the databases) is in the temporary folder. Writes bench/results/operations_end_to_end.txt.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pyotp

from testing.live_server import free_port
from testing.nginx import nginx_binary
from testing.postgres import new_database, postgres_server

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "operations.md"
RESULT = ROOT / "bench" / "results" / "operations_end_to_end.txt"
PASSWORD = "a long and memorable passphrase for the rehearsal"
HOST = "actearly.test"
ANSWERS = {
    "step": "check",
    "person_name": "Sam",
    "person_age": "13-17",
    "relationship": "parent",
    "since_when": "weeks",
    "heard_about": "poster",
}


class Failed(RuntimeError):
    """A step of the procedure did not do what the procedure says."""


class Procedure:
    def __init__(self, work: Path, python: Path) -> None:
        self.work = work
        self.python = python
        self.steps: list[tuple[str, float]] = []
        self.processes: list[subprocess.Popen[bytes]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        print(f"… {name}", flush=True)
        started = time.perf_counter()
        yield
        self.steps.append((name, time.perf_counter() - started))
        print(f"  {name}: {self.steps[-1][1]:.1f} s", flush=True)

    def web(self, env: dict[str, str], *args: str, stdin: str | None = None) -> str:
        """`python -m web ARGS…` as the procedure types it, from the checkout, with `env` as its settings."""
        done = subprocess.run(
            [str(self.python), "-m", "web", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise Failed(f"python -m web {' '.join(args)}: exit {done.returncode}\n{done.stdout}{done.stderr}")
        return done.stdout

    def start(self, env: dict[str, str], name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.work / "logs" / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [str(self.python), "-m", "web", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            self.stop(process)


def named_file(name: str) -> str:
    """A file the procedure shows (`<!-- file: NAME -->`), as it shows it."""
    found = re.search(rf"<!-- file: {re.escape(name)} -->\n```\w+\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    if found is None:
        raise Failed(f"docs/operations.md has no block for {name}")
    return found.group(1)


def wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failed(f"{url}: the server exited ({process.returncode}); see its log")
        try:
            if httpx2.get(url, timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.2)
    raise Failed(f"{url} was not healthy within {seconds:.0f} s")


def environments(work: Path, database: str, site_port: int, console_port: int) -> tuple[dict[str, str], dict[str, str]]:
    """site.env and console.env as the procedure gives them, filled in with this folder's paths and ports."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "TZ": "UTC"}
    site = {
        **base,
        "ENVIRONMENT": "production",
        "HOST": "127.0.0.1",
        "PORT": str(site_port),
        "WORKERS": "2",
        "PUBLIC_BASE_URL": f"https://{HOST}",
        "DATABASE_URL": database,
        "CONCERN_PUBLIC_KEY_FILE": str(work / "site" / "keys" / "concerns.pub"),
        "FORM_SECRET": secrets.token_hex(32),
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "DATA_CONTROLLER": "The rehearsal police force",
        "DATA_PROTECTION_EMAIL": "dpo@force.example",
        "ACCESSIBILITY_EMAIL": "access@force.example",
    }
    console = {
        **base,
        "ENVIRONMENT": "production",
        "CONSOLE_HOST": "127.0.0.1",
        "CONSOLE_PORT": str(console_port),
        "PUBLIC_BASE_URL": f"https://{HOST}",
        "DATABASE_URL": database,
        "CONSOLE_PRIVATE_KEY_FILE": str(work / "console" / "keys" / "concerns.key"),
        # Where `keys generate` and `keys rotate` write the public key on the console's server (its default is
        # the checkout's var/keys/, which here is the developer's): the procedure then copies it to the site.
        "CONCERN_PUBLIC_KEY_FILE": str(work / "console" / "keys" / "concerns.pub"),
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    return site, console


def certificate(work: Path) -> tuple[Path, Path]:
    chain, key = work / "tls" / "fullchain.pem", work / "tls" / "privkey.pem"
    chain.parent.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=DNS:{HOST}", "-keyout", str(key), "-out", str(chain)],
        check=True, capture_output=True,
    )  # fmt: skip
    return chain, key


def nginx_conf(work: Path, export: Path, chain: Path, key: Path, ports: dict[str, int]) -> Path:
    """nginx.conf: the procedure's TLS block (which includes the export's block) in an http block, its ports,
    paths and log moved into this folder, nginx run in the foreground as this user."""
    block = export.with_name(export.name + ".nginx.conf")
    text = block.read_text()
    if "    listen 443 ssl;\n" not in text:
        raise Failed("the export's block does not listen with TLS after the procedure's sed")
    text = text.replace("    listen 443 ssl;\n", f"    listen 127.0.0.1:{ports['site_tls']} ssl;\n")
    text = text.replace("/var/log/nginx/act-early-pages.log", str(work / "logs" / "act-early-pages.log"))
    block.write_text(text)
    tls = (
        named_file("act-early-tls.conf")
        .replace("/etc/ssl/act-early/fullchain.pem", str(chain))
        .replace("/etc/ssl/act-early/privkey.pem", str(key))
        .replace("/srv/act-early/export", str(export))
        .replace("listen 80;", f"listen 127.0.0.1:{ports['plain']};")
        .replace("listen 8443 ssl;", f"listen 127.0.0.1:{ports['console_tls']} ssl;")
        .replace("http://127.0.0.1:8001", f"http://127.0.0.1:{ports['console']}")
    )
    temp = "".join(f"    {kind}_temp_path {work / 'nginx' / kind};\n" for kind in ("client_body", "proxy", "fastcgi"))
    temp += "".join(f"    {kind}_temp_path {work / 'nginx' / kind};\n" for kind in ("uwsgi", "scgi"))
    (work / "nginx").mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = work / "nginx" / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\npid {work / 'nginx' / 'nginx.pid'};\n"
        f"error_log {work / 'logs' / 'nginx-error.log'} warn;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n{temp}{tls}}}\n"
    )
    return conf


def tls_client(chain: Path, port: int) -> httpx2.Client:
    """A client of nginx at 127.0.0.1:`port` that trusts the rehearsal's certificate (its name is HOST)."""
    context = ssl.create_default_context(cafile=str(chain))
    context.check_hostname = False  # the certificate names HOST; the connection is to 127.0.0.1
    return httpx2.Client(
        base_url=f"https://127.0.0.1:{port}", verify=context, timeout=30, headers={"Host": f"{HOST}:{port}"}
    )


def share_concern(chain: Path, port: int, marker: str) -> str:
    """The online form through nginx, as a browser without JavaScript sends it: its reference."""
    with tls_client(chain, port) as http:
        token = re.search(r'name="token" value="([^"]+)"', http.get("/en/share-a-concern/questions").text)
        if token is None:
            raise Failed("the concern form has no token through nginx")
        answers = {**ANSWERS, "worries": f"He has started sharing violent videos. {marker}", "token": token.group(1)}
        sent = http.post("/en/share-a-concern", data=answers)
        found = re.search(r'<strong class="app-reference">([A-Z0-9]{4}-[A-Z0-9]{4})</strong>', sent.text)
        if sent.status_code != 200 or found is None:
            raise Failed(f"the concern was not sent through nginx: {sent.status_code} {sent.text[:300]}")
        return found.group(1)


def sign_in(http: httpx2.Client, username: str, secret: str) -> None:
    """Password, then the authenticator's code (a code used once is refused: the next one is waited for)."""
    for attempt in range(2):
        signed = http.post("/sign-in", data={"username": username, "password": PASSWORD})
        if signed.status_code != 303 or not signed.headers["location"].endswith("/sign-in/code"):
            raise Failed(f"sign-in refused: {signed.status_code} {signed.text[:300]}")
        coded = http.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
        if coded.status_code == 303:
            return
        if attempt == 0:
            time.sleep(30.5 - time.time() % 30)  # the next code
    raise Failed(f"the code was refused: {coded.status_code} {coded.text[:300]}")


def give_areas(http: httpx2.Client, admin_secret: str, username: str, area: str) -> None:
    """The administrator gives an officer their area on the accounts page, as the procedure's admin does."""
    sign_in(http, "alice", admin_secret)
    accounts = http.get("/accounts").text
    officer = re.search(rf'href="/accounts\?areas=(\d+)[^"]*"[^>]*>(?:(?!</a>).)*{username}', accounts, re.DOTALL)
    ids = re.findall(r"/accounts\?areas=(\d+)", accounts)
    officer_id = officer.group(1) if officer else (ids[0] if len(ids) == 1 else None)
    if officer_id is None:
        raise Failed(f"no areas link for {username} on the accounts page")
    csrf = re.search(r'name="csrf" value="([^"]+)"', http.get(f"/accounts?areas={officer_id}").text)
    if csrf is None:
        raise Failed("the areas form has no CSRF token")
    changed = http.post(f"/accounts/{officer_id}", data={"csrf": csrf.group(1), "action": "areas", "area": area})
    if changed.status_code != 303:
        raise Failed(f"the areas were not set: {changed.status_code} {changed.text[:300]}")


def read_in_console(http: httpx2.Client, secret: str, concerns: dict[str, str]) -> None:
    """The officer signs in with password and code, and finds each concern's words on its page."""
    sign_in(http, "bob", secret)
    for reference, marker in concerns.items():
        page = http.get(f"/concerns/{reference}")
        if page.status_code != 200 or marker not in page.text:
            raise Failed(f"concern {reference} not readable in the console: {page.status_code} {page.text[:300]}")


def install(work: Path, reuse: bool) -> tuple[Path, str]:
    if reuse:
        return ROOT / ".venv" / "bin" / "python", "reused .venv (--reuse-venv)"
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run([*pip, "-r", str(ROOT / "requirements.lock")], capture_output=True, text=True)
    if done.returncode != 0:
        raise Failed(f"pip install -r requirements.lock failed (offline? use --reuse-venv):\n{done.stderr[-2000:]}")
    return venv / "bin" / "python", "a fresh venv, `pip install -r requirements.lock` (from PyPI)"


def rehearse(work: Path, server: str, reuse: bool, notes: list[str]) -> Procedure:
    for folder in ("logs", "site/keys", "console/keys", "backups"):
        (work / folder).mkdir(parents=True)
    started = Procedure(work, Path(sys.executable))
    with started.step("install from the lock file"):
        python, how = install(work, reuse)
    notes.append(f"install: {how}")
    procedure = Procedure(work, python)
    procedure.steps = started.steps
    try:
        _rehearse(procedure, server, notes)
    finally:
        procedure.stop_all()
    return procedure


def _rehearse(procedure: Procedure, server: str, notes: list[str]) -> None:
    work = procedure.work
    ports = {name: free_port() for name in ("site", "console", "site_tls", "console_tls", "plain")}
    database = new_database(server)
    site, console = environments(work, database, ports["site"], ports["console"])
    with procedure.step("key ceremony: keys generate, public key copied to the site"):
        procedure.web(console, "keys", "generate")
        shutil.copyfile(console["CONCERN_PUBLIC_KEY_FILE"], site["CONCERN_PUBLIC_KEY_FILE"])
    with procedure.step("migrate"):
        procedure.web(console, "migrate")
    with procedure.step("first accounts: officers add alice --role admin, bob --role officer"):
        admin = procedure.web(
            console, "officers", "add", "alice", "--role", "admin", "--password-stdin", stdin=PASSWORD
        )
        added = procedure.web(
            console, "officers", "add", "bob", "--role", "officer", "--password-stdin", stdin=PASSWORD
        )
        admin_secret = re.search(r"authenticator secret: (\S+)", admin)
        secret = re.search(r"authenticator secret: (\S+)", added)
        if secret is None or admin_secret is None:
            raise Failed(f"officers add printed no secret: {added}")
    export = work / "export"
    with procedure.step("export, its nginx block made to listen with TLS"):
        procedure.web(site, "export", str(export))
        block = export.with_name("export.nginx.conf")
        block.write_text(block.read_text().replace("    listen 80;\n", "    listen 443 ssl;\n"))  # the procedure's sed
    with procedure.step("site (serve, 2 workers) and console started"):
        site_process = procedure.start(site, "site", "serve")
        console_process = procedure.start(console, "console", "console")
        wait_healthy(f"http://127.0.0.1:{ports['site']}/healthz", site_process)
        wait_healthy(f"http://127.0.0.1:{ports['console']}/healthz", console_process)
    with procedure.step("nginx with TLS (self-signed certificate by openssl): nginx -t, started"):
        chain, key = certificate(work)
        conf = nginx_conf(work, export, chain, key, ports)
        nginx = str(nginx_binary())
        checked = subprocess.run(
            [nginx, "-t", "-p", str(work / "nginx"), "-c", str(conf)], capture_output=True, text=True
        )
        if checked.returncode != 0:
            raise Failed(f"nginx -t: {checked.stderr}")
        procedure.processes.append(
            subprocess.Popen([nginx, "-p", str(work / "nginx"), "-c", str(conf), "-g", "daemon off;"])
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with tls_client(chain, ports["site_tls"]) as http:
                    page = http.get("/en/")
                break
            except httpx2.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        if page.status_code != 200 or "strict-transport-security" not in page.headers:
            raise Failed(f"the home page through nginx: {page.status_code}, {dict(page.headers)}")
    first = {}
    with procedure.step("a concern shared through nginx (TLS)"):
        marker = f"marker-{uuid.uuid4().hex[:12]}"
        first[share_concern(chain, ports["site_tls"], marker)] = marker
    with (
        procedure.step("the admin gives the officer the national triage area (console, through nginx)"),
        tls_client(chain, ports["console_tls"]) as http,
    ):
        give_areas(http, admin_secret.group(1), "bob", "national")
    with (
        procedure.step("an officer signs in through nginx (TLS) and reads it in the console"),
        tls_client(chain, ports["console_tls"]) as http,
    ):
        read_in_console(http, secret.group(1), first)
    backups = work / "backups"
    with procedure.step("backup"):
        procedure.web(console, "backup", str(backups))
    with procedure.step("restore into a new empty database; a console on it reads the concern, through nginx"):
        backup = next(path for path in backups.iterdir() if not path.name.endswith(".sha256"))
        rehearsal = {**console, "DATABASE_URL": new_database(server)}
        procedure.web(rehearsal, "restore", str(backup))
        # The rehearsal's console takes the live one's place behind nginx for a moment (its cookies are
        # `__Host-` and Secure: it is reached over TLS, as the rehearsal machine's would be).
        procedure.stop(console_process)
        restored = procedure.start(rehearsal, "console-rehearsal", "console")
        wait_healthy(f"http://127.0.0.1:{ports['console']}/healthz", restored)
        with tls_client(chain, ports["console_tls"]) as http:
            try:
                read_in_console(http, secret.group(1), first)
            except Failed as failed:
                if "404" in str(failed):
                    raise Failed(
                        "the restored console shows the officer no concern: the backup lost the officers'"
                        " areas (web/storage/backup.py TABLES lacks officer_areas)"
                    ) from failed
                raise
        procedure.stop(restored)
        console_process = procedure.start(console, "console-again", "console")
        wait_healthy(f"http://127.0.0.1:{ports['console']}/healthz", console_process)
    second = {}
    with procedure.step("keys rotate; new public key to the site, site restarted; a concern; keys reseal"):
        procedure.web(console, "keys", "rotate")
        shutil.copyfile(console["CONCERN_PUBLIC_KEY_FILE"], site["CONCERN_PUBLIC_KEY_FILE"])
        procedure.stop(site_process)
        site_process = procedure.start(site, "site-after-rotation", "serve")
        wait_healthy(f"http://127.0.0.1:{ports['site']}/healthz", site_process)
        marker = f"marker-{uuid.uuid4().hex[:12]}"
        second[share_concern(chain, ports["site_tls"], marker)] = marker
        procedure.web(console, "keys", "reseal")
    with (
        procedure.step("both concerns read in the running console through nginx"),
        tls_client(chain, ports["console_tls"]) as http,
    ):
        read_in_console(http, secret.group(1), {**first, **second})
    with procedure.step("the page log imported into the figures"):
        log = work / "logs" / "act-early-pages.log"
        with tls_client(chain, ports["site_tls"]) as http:
            http.get("/en/signs-to-spot", headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"})
        time.sleep(0.2)
        imported = procedure.web(site, "figures", "import-log", str(log))
        notes.append(f"page log: {imported.strip().replace(str(work), '…')}")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    options.add_argument("--reuse-venv", action="store_true", help="use .venv instead of installing a fresh one")
    options.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = options.parse_args()
    if nginx_binary() is None or shutil.which("openssl") is None:
        raise SystemExit("needs nginx and openssl (apt-get install nginx openssl)")
    work = Path(tempfile.mkdtemp(prefix="act-early-operations-"))
    if os.geteuid() == 0:
        os.chmod(work, 0o755)
    notes: list[str] = []
    began = time.perf_counter()
    try:
        with postgres_server() as server:
            if server is None:
                raise SystemExit("needs PostgreSQL (apt-get install postgresql) or TEST_DATABASE_URL")
            procedure = rehearse(work, server, args.reuse_venv, notes)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - began
    load = os.getloadavg()
    lines = [
        "docs/operations.md end to end: PostgreSQL, nginx with TLS (self-signed), site and console in production",
        "command: .venv/bin/python -m bench.operations_end_to_end" + (" --reuse-venv" if args.reuse_venv else ""),
        f"machine: {platform.platform()}, {os.cpu_count()} cores, load average at the end {load[0]:.1f} (shared)",
        *notes,
        "",
        *(f"{seconds:8.1f} s  {name}" for name, seconds in procedure.steps),
        f"{total:8.1f} s  in all (with starting and stopping PostgreSQL)",
        "",
        "every step passed",
    ]
    RESULT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
