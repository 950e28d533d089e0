"""The pages nginx serves from the export are counted (issue 19, item 6): nginx logs them with no address and
no User-Agent, and `python -m web figures import-log` adds them to the daily totals once, however often it
is run on the same file."""

from __future__ import annotations

import datetime as dt
import gzip
import http.client
import http.server
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine

from testing.live_server import serving
from testing.nginx import nginx_binary, nginx_in_front
from testing.settings import settings_in
from web.cli import run
from web.content import ContentLibrary, load_library
from web.ops.page_log import IMPORTED, import_log, page_of, parse_line
from web.settings import Settings
from web.storage import create_database_engine
from web.storage.figures import counts_between
from web.storage.migrate import migrate

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
DAY = dt.date(2026, 12, 6)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_in(tmp_path)


@pytest.fixture
def engine(settings: Settings) -> Engine:
    made = create_database_engine(settings.database_url)
    migrate(made)
    return made


@pytest.fixture(scope="module")
def library() -> ContentLibrary:
    defaults = Settings()
    return load_library(defaults.content_dir, defaults.deployment_contacts())


def totals(engine: Engine, metric: str) -> dict[str, int]:
    return {f.key: f.count for f in counts_between(engine, DAY, DAY + dt.timedelta(days=1)) if f.metric == metric}


def line(path: str, status: int = 200, referrer: str = "-", fetch_site: str = "-", campaign: int = 0) -> str:
    return f"{DAY.isoformat()}T09:30:00+00:00\t{status}\tGET\t{path}\t{referrer}\t{fetch_site}\t{campaign}\n"


def test_a_line_names_a_page_as_the_app_counts_it(library: ContentLibrary) -> None:
    parsed = parse_line(line("/en/signs-to-spot", referrer="www.google.co.uk", fetch_site="cross-site"))
    assert parsed is not None and parsed.day == DAY and parsed.referrer_host == "www.google.co.uk"
    assert parse_line("127.0.0.1 - - [06/Dec/2026] GET /en/ 200") is None  # nginx's own format: not ours
    assert page_of("/", library) == page_of("/index.html", library) == "/en/"
    assert page_of("/en/signs-to-spot/index.html", library) == "/en/signs-to-spot"
    assert page_of("/cy/", library) == "/cy/"
    assert page_of("/en/signs-to-spot", library) == "/en/signs-to-spot"
    assert page_of("/en/films", library) == "/en/films"
    for not_a_page in ("/sw.js", "/en/no-such-page", "/assets/app.css", "/xx/", "/en/offline/pages.json"):
        assert page_of(not_a_page, library) is None, not_a_page


def test_importing_counts_views_and_sources_and_importing_again_adds_nothing(
    tmp_path: Path, engine: Engine, library: ContentLibrary
) -> None:
    log = tmp_path / "pages.log"
    log.write_text(
        line("/en/signs-to-spot", referrer="www.google.co.uk")
        + line("/en/signs-to-spot", fetch_site="same-origin")
        + line("/en/signs-to-spot", campaign=1)
        + line("/cy/", referrer="m.facebook.com")
        + line("/en/signs-to-spot", status=304)  # a revalidation: the app does not count it either
        + line("/sw.js")
        + "not a line of ours\n"
    )
    report = import_log(engine, library, log, "actearly.test")
    assert (report.read, report.counted, report.unreadable) == (6, 4, 1)
    assert totals(engine, "view") == {"/en/signs-to-spot": 3, "/cy/": 1}
    assert totals(engine, "source") == {"search": 1, "campaign": 1, "social": 1}
    again = import_log(engine, library, log, "actearly.test")
    assert (again.read, again.skipped, again.counted) == (0, 6, 0)
    assert totals(engine, "view") == {"/en/signs-to-spot": 3, "/cy/": 1}


def test_a_log_still_being_written_adds_only_its_new_lines_and_a_rotated_gzip_none(
    tmp_path: Path, engine: Engine, library: ContentLibrary
) -> None:
    log = tmp_path / "pages.log"
    log.write_text(line("/en/signs-to-spot"))
    import_log(engine, library, log, "actearly.test")
    with log.open("a") as more:
        more.write(line("/en/signs-to-spot") + line("/en/get-help"))
    assert import_log(engine, library, log, "actearly.test").counted == 2
    rotated = tmp_path / "pages.log.2.gz"
    rotated.write_bytes(gzip.compress(log.read_bytes()))
    assert import_log(engine, library, rotated, "actearly.test").counted == 0  # the same file, compressed
    assert totals(engine, "view") == {"/en/signs-to-spot": 2, "/en/get-help": 1}
    assert totals(engine, IMPORTED) == {next(iter(totals(engine, IMPORTED))): 3}


def test_the_command_imports_a_log_and_names_a_missing_one(
    tmp_path: Path, settings: Settings, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "pages.log"
    log.write_text(line("/en/signs-to-spot"))
    assert run(settings, "figures", "import-log", str(log)) == 0
    assert "1 page views added" in capsys.readouterr().out
    assert run(settings, "figures", "import-log", str(tmp_path / "nothing.log")) == 2
    assert "is not a file" in capsys.readouterr().err
    assert run(replace(settings, measurement=False), "figures", "import-log", str(log)) == 0
    assert "MEASUREMENT is off" in capsys.readouterr().out
    assert totals(engine, "view") == {"/en/signs-to-spot": 1}


class Upstream(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def get(port: int, path: str, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed (apt-get install nginx)")
def test_nginx_logs_a_persons_page_views_with_no_address_or_user_agent(
    tmp_path: Path, engine: Engine, library: ContentLibrary
) -> None:
    root = tmp_path / "export"
    (root / "en" / "signs-to-spot").mkdir(parents=True)
    (root / "en" / "signs-to-spot" / "index.html").write_text("<!doctype html><title>Signs</title>")
    work = tmp_path / "nginx"
    navigate = {"User-Agent": BROWSER, "Sec-Fetch-Dest": "document"}
    with serving(Upstream) as upstream, nginx_in_front(root, upstream.removeprefix("http://"), work) as port:
        assert get(port, "/en/signs-to-spot", {**navigate, "Referer": "https://me@www.google.com/search?q=x"}) == 200
        get(port, "/en/signs-to-spot?utm_source=poster&email=someone@example.org", navigate)
        get(port, "/en/signs-to-spot", {**navigate, "Sec-Fetch-Site": "same-origin"})
        get(port, "/en/signs-to-spot", {"User-Agent": "Googlebot/2.1 Mozilla/5.0", "Sec-Fetch-Dest": "document"})
        get(port, "/en/signs-to-spot", {"User-Agent": "curl/8.0"})
        get(port, "/en/signs-to-spot", {**navigate, "Sec-Purpose": "prefetch"})
        get(port, "/en/signs-to-spot", {**navigate, "HX-Request": "true"})
        get(port, "/en/signs-to-spot", {**navigate, "Sec-Fetch-Dest": "image"})
        get(port, "/en/search?q=knife", navigate)  # the app's: it counts it itself
    written = (work / "pages.log").read_text()
    assert len(written.splitlines()) == 3, written
    for private in ("127.0.0.1", "Mozilla", "Chrome", "someone", "poster", "q=", "me@", "/search"):
        assert private not in written, private
    import_log(engine, library, work / "pages.log", "actearly.test")
    today = dt.datetime.now(dt.UTC).date()
    figures = counts_between(engine, today - dt.timedelta(days=1), today)
    views = {f.key: f.count for f in figures if f.metric == "view"}
    sources = {f.key: f.count for f in figures if f.metric == "source"}
    assert views == {"/en/signs-to-spot": 3}
    assert sources == {"search": 1, "campaign": 1}
