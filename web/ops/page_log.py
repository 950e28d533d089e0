"""The pages nginx serves from the export, counted as the app counts its own (issue 19, item 6).

    python -m web figures import-log /var/log/nginx/act-early-pages.log.1

The export's nginx example logs a page it serves from a file in `LOG_FORMAT`, and only when the app would
have counted it: a GET from a person's browser (the User-Agent read by nginx and never written), a
navigation, not a prefetch or an htmx swap. A line holds no client address and no User-Agent: the time, the
status, the method, the path without its query string, the host of the Referer alone, Sec-Fetch-Site (one
of four words) and whether the address carried a campaign tag (1 or 0, never the tag). Pages nginx sends to
the app (forms, search, films) are counted by the app, never logged, so nothing is counted twice.

`import_log` adds each successful line's view of a page and where the visit came from to the same daily
totals (web/storage/figures.py), by the same rules (web/public/measurement.py). A campaign is counted as a
source; which force's poster it was is known to the app alone (the log keeps no tag).

Importing is idempotent: with the counts, in the same transaction, it adds how many lines of each day it
read from this log file (metric `IMPORTED`, the file known by its first line), and the next import of the
same file skips them. A file still being written can be imported again later: only its new lines count.
Run one import at a time (logrotate's postrotate runs it once a day).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from web.content import ContentLibrary
from web.content.names import DEFAULT_LANGUAGE, HOME, SLUG
from web.public.measurement import BOT_WORDS, ROUTE_PAGES, SOURCE, VIEW, arrival_source
from web.shell.navigation import page_url
from web.storage.figures import add_counts, counts_between

IMPORTED = "log-lines-imported"  # per day and log file: how many of that day's lines are in the totals
LOG_NAME = "act_early_pages"
FETCH_SITES = ("same-origin", "same-site", "cross-site", "none")
# A line as LOG_FORMAT writes it: tab-separated (nginx escapes a tab or a quote in a value as \x09, \x22).
LINE = re.compile(
    r"^(?P<time>\S+)\t(?P<status>\d{3})\t(?P<method>[A-Z]+)\t(?P<path>/[^\t]*)\t(?P<referrer>[^\t]*)"
    r"\t(?P<fetch_site>[^\t]*)\t(?P<campaign>[01])$"
)


def nginx_log_settings() -> str:
    """The `map`s and the `log_format` (for nginx's http block) that LINE reads: no address, no User-Agent."""
    bots = "|".join(re.escape(word) for word in BOT_WORDS)
    sites = "".join(f"    {site} {site};\n" for site in FETCH_SITES)
    return f"""# The pages served from the export, counted as the app counts its own (python -m web figures import-log):
# a person's browser (the User-Agent read here, never written), a navigation, not a prefetch or an htmx swap.
map $http_user_agent $act_early_browser {{
    "~*({bots})" 0;
    "~^Mozilla/" 1;
    default 0;
}}

map "$request_method:$http_sec_fetch_dest:$http_sec_purpose$http_purpose:$http_hx_request:$act_early_browser"
    $act_early_counted {{
    "~*prefetch" 0;
    "~^GET:(document)?:[^:]*::1$" 1;
    default 0;
}}

# The host of the Referer alone (never its path, nor a user name before an @).
map $http_referer $act_early_referrer {{
    "~*^[a-z][a-z0-9+.-]*://([^/?#@]*@)?(?<act_early_referrer_host>[^/?#@:]+)" $act_early_referrer_host;
    default "";
}}

map $http_sec_fetch_site $act_early_fetch_site {{
{sites}    default "";
}}

map "$arg_utm_source$arg_utm_campaign" $act_early_campaign {{
    "" 0;
    default 1;
}}

log_format {LOG_NAME} escape=default
    "$time_iso8601\\t$status\\t$request_method\\t$uri\\t$act_early_referrer\\t$act_early_fetch_site\\t$act_early_campaign";
"""


@dataclass(frozen=True)
class LogLine:
    day: dt.date  # in UTC
    status: int
    method: str
    path: str
    referrer_host: str
    fetch_site: str
    campaign: bool


def parse_line(line: str) -> LogLine | None:
    """One line of the log, or None when it is not one LOG_FORMAT wrote."""
    found = LINE.match(line.rstrip("\n"))
    if found is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(found["time"])
    except ValueError:
        return None
    day = (moment.astimezone(dt.UTC) if moment.tzinfo else moment).date()
    blank = ("", "-")
    return LogLine(
        day=day,
        status=int(found["status"]),
        method=found["method"],
        path=found["path"],
        referrer_host="" if found["referrer"] in blank else found["referrer"].lower(),
        fetch_site="" if found["fetch_site"] in blank else found["fetch_site"],
        campaign=found["campaign"] == "1",
    )


def page_of(path: str, library: ContentLibrary) -> str | None:
    """The page a path names, as the app counts it (`/` is the home page), or None when it names no page.
    nginx logs a page served as its file (`/en/faq/index.html`, `/index.html`): the file names the page."""
    path = path.removesuffix("index.html")
    if path == "/":
        return page_url(DEFAULT_LANGUAGE, HOME)
    parts = path.strip("/").split("/")
    lang, rest = parts[0], "/".join(parts[1:])
    if lang not in library.languages:
        return None
    if not rest:
        return page_url(lang, HOME)
    if SLUG.match(rest) and library.get(lang, rest) is not None:
        return page_url(lang, rest)
    fixed = {template.format(lang=lang, slug="") for template in ROUTE_PAGES.values() if "{slug}" not in template}
    return path.rstrip("/") if path.rstrip("/") in fixed else None


def counts_of(line: LogLine, library: ContentLibrary, own_host: str) -> list[tuple[str, str]]:
    """What one line adds: a view of its page and where the visit came from, as the app would count them."""
    page = page_of(line.path, library) if line.status == 200 and line.method == "GET" else None
    if page is None:
        return []
    headers = {"host": own_host}
    if line.fetch_site:
        headers["sec-fetch-site"] = line.fetch_site
    if line.referrer_host:
        headers["referer"] = f"https://{line.referrer_host}/"
    source = arrival_source(headers, {"utm_source": "log"} if line.campaign else {})
    return [(VIEW, page), *([(SOURCE, source)] if source is not None else [])]


@dataclass(frozen=True)
class ImportReport:
    read: int  # new lines read
    skipped: int  # lines an earlier import of this file had read
    counted: int  # views added
    unreadable: int  # lines not in LOG_FORMAT

    def summary(self, path: Path) -> str:
        return (
            f"{path}: {self.read} new lines, {self.counted} page views added"
            f" ({self.skipped} lines imported before, {self.unreadable} not in the log's format)"
        )


def _lines(path: Path) -> list[str]:
    """The log's lines; a rotated log compressed by logrotate (.gz) too."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as compressed:
            return compressed.readlines()
    with path.open(encoding="utf-8", errors="replace") as lines:
        return lines.readlines()


def import_log(engine: Engine, library: ContentLibrary, path: Path, own_host: str) -> ImportReport:
    """Add the page views in the log at `path` to the daily totals, but for the lines imported before."""
    lines = _lines(path)
    if not lines:
        return ImportReport(0, 0, 0, 0)
    file_key = "nginx:" + hashlib.sha256(lines[0].encode()).hexdigest()[:32]
    parsed = [parse_line(line) for line in lines]
    days = sorted({line.day for line in parsed if line is not None})
    done: Counter[dt.date] = Counter()
    if days:
        for figure in counts_between(engine, days[0], days[-1]):
            if figure.metric == IMPORTED and figure.key == file_key:
                done[figure.day] += figure.count
    seen: Counter[dt.date] = Counter()
    increments: Counter[tuple[dt.date, str, str]] = Counter()
    read = skipped = counted = 0
    for line in parsed:
        if line is None:
            continue
        seen[line.day] += 1
        if seen[line.day] <= done[line.day]:
            skipped += 1
            continue
        read += 1
        increments[(line.day, IMPORTED, file_key)] += 1
        for metric, key in counts_of(line, library, own_host):
            increments[(line.day, metric, key)] += 1
            counted += metric == VIEW
    add_counts(engine, increments)  # the counts and the lines they came from, in one transaction
    return ImportReport(read, skipped, counted, sum(line is None for line in parsed))
