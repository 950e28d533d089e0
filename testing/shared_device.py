"""A shared device, after the fact: one person reads advice, saves it for offline, searches, asks for a
call back, shares a concern and leaves with "Exit this page"; someone presses Back; the browser closes; then
everything Chromium kept on disk is searched for what they typed.

Chromium runs as people have it, with the back/forward cache on (Playwright turns it off by default), so
Back after Exit shows what a real browser would bring back (issue 13).

Used by a11y_tests/test_shared_device.py (the checks) and bench/shared_device.py (the figures). The
browser is Debian's Chromium with the tests' flags, in a persistent profile (`launch_persistent_context`),
so History, Web Data (autofill), the session files, the HTTP and code caches, the service worker's
database and Cache Storage, and Local/Session Storage and IndexedDB are real files that can be read.

Raw bytes show only what is stored as written. Three stores are not: response bodies in the HTTP disk
cache (kept compressed, as sent), compacted LevelDB tables (Snappy) and `Sessions_Encrypted` (encrypted
with the OS key). So the disk cache is judged by the addresses it holds, LevelDB stores by asking a
relaunched browser what the site still has and by the site's address in their files, and the encrypted
session files by their plain twins in `Sessions/`, written from the same tabs, which are searched.
"""

from __future__ import annotations

import re
import secrets
import shutil
import sqlite3
import struct
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

from playwright.sync_api import BrowserContext, Page, Playwright, ViewportSize, expect
from playwright.sync_api import Error as PlaywrightError

from testing.browser import launch_options
from testing.offline import CONTROLLED
from testing.slow_proxy import SlowProxy

VIEWPORT = ViewportSize(width=1280, height=900)
ADVICE = ("/en/signs-to-spot", "/en/what-is-prevent", "/en/staying-safe-online")
# How each exit is made, and from where. The first three leave from the confirmation page; "from-check-page"
# leaves from "Check your answers" before Send, with every answer on the page; "slow-network" leaves while the
# network's answer to a saved page is still on its way (it lands after Exit). "no-exit" closes the browser on
# the confirmation page: the control run, which shows the inspection finds the worker, its caches, the disk
# cache and a page Back restores when they are there.
VARIANTS = ("click", "shift-three-times", "no-javascript", "from-check-page", "slow-network", "no-exit")
LATE = 6.0  # seconds the network holds back the saved page in "slow-network": past the worker's 3-second wait
# Everything a page shows: its text, and what is typed into its fields (not in the HTML).
SHOWN = """() => [document.title, document.body ? document.body.innerText : '',
    ...Array.from(document.querySelectorAll('input, textarea'), (field) => field.value)].join('\\n')"""
ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "UTF-8": lambda text: text.encode(),
    "UTF-16-LE": lambda text: text.encode("utf-16-le"),  # Blink's strings: page state, form state
    "form-encoded": lambda text: quote_plus(text).encode(),  # a posted form kept with a history entry
    "percent-encoded": lambda text: quote(text, safe="").encode(),  # an address
    # Phone numbers as autofill may store them: 07700912345 and +447700912345 both hold 7700912345.
    "compact": lambda text: text.replace(" ", "").lstrip("0").encode(),
}
SITE_STORAGE = """async () => ({
    registrations: (await navigator.serviceWorker.getRegistrations()).map((registration) => registration.scope),
    caches: await caches.keys(),
    localStorage: Object.keys(localStorage),
    indexedDB: (await indexedDB.databases()).map((database) => database.name),
})"""
# Where a site's storage lives in a profile: a file here that names the site is storage the site still has.
STORES = tuple(
    f"Default/{store}/"
    for store in (
        "Local Storage",
        "Session Storage",
        "IndexedDB",
        "File System",
        "WebStorage",
        "Service Worker/CacheStorage",
        "Service Worker/ScriptCache",
        "Cache",
    )
)
QUOTA_INDEX = "Default/WebStorage/QuotaManager"  # the index of storage buckets: see `quota_buckets`
TEXT_FIELDS = "form input:not([type=hidden]):not([type=radio]):not([type=checkbox]), form textarea"
SESSION_LOG = re.compile(r"(^|/)Sessions/Session_\d+$")
UPDATE_TAB_NAVIGATION = 6  # Chromium's components/sessions: kCommandUpdateTabNavigation
DISK_CACHE_MAGIC = 0xFCFB6D1BA7725C30
DISK_CACHE_HEADER = struct.Struct("<QIII4x")  # magic, version, key length, key hash, padding


def new_markers() -> dict[str, str]:
    """A unique value for every free-text answer of both forms, new each run, so any copy is found."""
    token = secrets.token_hex(3).upper()

    def digits() -> str:
        return f"{secrets.randbelow(100_000):05d}"

    phone, callback_phone = digits(), digits()
    words = {
        name: f"ZQ{token}-{name.upper().replace('_', '')}"
        for name in (
            "person_name",
            "person_area",
            "worries",
            "your_name",
            "safe_times",
            "preferred_language",
            "access_other",
            "callback_times",
            "callback_language",
            "search_phrase",
            "search_more",
        )
    }
    return {
        **words,
        "contact_phone": f"07700 9{phone[:2]} {phone[2:]}",
        "contact_email": f"zq{token.lower()}@example.org",
        "callback_phone": f"07700 9{callback_phone[:2]} {callback_phone[2:]}",
    }


@dataclass(frozen=True)
class FieldSeen:
    """A text field of a form page, as the browser was told to treat it."""

    page: str
    name: str
    autocomplete: str | None
    form_autocomplete: str | None


@dataclass(frozen=True)
class SiteStorage:
    """What the site has in the browser, as the site's own JavaScript would see it. (Not sessionStorage:
    a new tab has its own, always empty; `ProfileScan.site_stores` looks for it on disk.)"""

    registrations: list[str]
    caches: list[str]
    local_storage: list[str]
    indexed_db: list[str]

    @property
    def empty(self) -> bool:
        return not (self.registrations or self.caches or self.local_storage or self.indexed_db)


@dataclass(frozen=True)
class Hit:
    file: str  # relative to the profile
    marker: str
    encoding: str
    count: int


@dataclass(frozen=True)
class HistoryEntry:
    url: str
    title: str
    visits: int


@dataclass
class ProfileScan:
    """Everything found in a closed profile."""

    files: int
    bytes: int
    hits: list[Hit]  # in every file; in a session log, in the commands a restore uses
    superseded: list[Hit]  # in a session log's commands that a later one replaced (see `session_in_effect`)
    history: list[HistoryEntry]  # the site's addresses in History
    disk_cache: list[str]  # the site's addresses in the HTTP disk cache
    code_cache: list[str]  # the site's scripts in the code cache (compiled public JavaScript)
    autofill_rows: int  # Web Data: single-field autofill entries, any site
    autofill_profiles: int  # Web Data: saved addresses (names, phones, emails), any site
    worker_files: list[str]  # Service Worker: Cache Storage and script cache entries
    mentions: dict[str, int]  # file -> how often it names the site (its address), whatever the reason
    site_stores: list[str]  # the site's storage on disk: folders named after it, store files that name it
    # QuotaManager's records of the site's storage buckets. A record holds no data; after Exit one may be
    # made again, empty, when the worker's own clean-up touches Cache Storage just after Clear-Site-Data.
    quota_buckets: list[str]
    encrypted: list[str]  # files that cannot be searched: encrypted with the OS key
    compressed: list[str]  # LevelDB tables (.ldb), Snappy-compressed

    def occurrences(self, markers: Iterable[str], *, outside: tuple[str, ...] = ()) -> list[Hit]:
        wanted = set(markers)
        return [hit for hit in self.hits if hit.marker in wanted and not hit.file.startswith(outside)]


@dataclass(frozen=True)
class BackView:
    """What Back showed after Exit: every address the tab went through, and what the page showed at the end."""

    addresses: list[str]
    shown: str
    refused: str = ""  # Chromium's own error instead of a page (a POST it will not send again unasked)


@dataclass
class Visit:
    """One run of the scenario: what was typed, what the browser was told, and what it kept."""

    variant: str
    markers: dict[str, str]
    references: list[str] = field(default_factory=list)
    fields: list[FieldSeen] = field(default_factory=list)
    before_exit: SiteStorage | None = None
    back: BackView | None = None  # Back pressed after Exit (for "no-exit": after leaving for another page)
    scan: ProfileScan | None = None
    after: SiteStorage | None = None
    seconds: float = 0.0

    @property
    def answers(self) -> list[str]:
        return list(self.markers.values())


def run(
    playwright: Playwright,
    base_url: str,
    exit_url: str,
    profile: Path,
    variant: str,
    *,
    proxy: SlowProxy | None = None,
) -> Visit:
    """The whole scenario in a fresh profile: visit, leave, go Back, close, inspect the files, relaunch and
    ask the site. "slow-network" needs `proxy` (testing/slow_proxy.py) in front of the site."""
    started = time.monotonic()
    visit = Visit(variant, new_markers())
    javascript = variant != "no-javascript"
    if variant == "slow-network":
        assert proxy is not None, "the slow-network run needs a proxy in front of the site"
        base_url = proxy.url
    context = launch(playwright, profile, javascript=javascript)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        read_and_save(page, base_url, javascript=javascript)
        landed = None
        if variant == "slow-network":
            assert proxy is not None
            landed = proxy.hold(ADVICE[1], LATE)
            page.goto(base_url + ADVICE[1])  # the saved copy, after the worker's wait: the network is late
        else:
            if javascript:
                search_live(page, base_url, visit)
            visit.references.append(ask_for_a_call_back(page, base_url, visit))
            reference = share_a_concern(page, base_url, visit, send=variant != "from-check-page")
            visit.references += [reference] if reference else []
        if javascript:
            visit.before_exit = site_storage(context, base_url)
        leave(page, variant, exit_url)
        if landed is not None:
            assert landed.wait(LATE + 10), "the late answer never landed"
            page.wait_for_timeout(1000)  # time for a worker still running to write what it received
        visit.back = back_after_exit(page, base_url) if variant != "no-exit" else back_after_leaving(page, base_url)
    finally:
        context.close()  # Chromium writes its databases and session files as it closes
    visit.scan = scan_profile(profile, [*visit.answers, *visit.references], base_url)
    visit.after = relaunched_site_storage(playwright, profile, base_url)
    visit.seconds = time.monotonic() - started
    return visit


def launch(playwright: Playwright, profile: Path, *, javascript: bool = True) -> BrowserContext:
    """Chromium on a profile directory that outlives it, with the tests' executable and flags."""
    return playwright.chromium.launch_persistent_context(
        str(profile),
        viewport=VIEWPORT,
        java_script_enabled=javascript,
        ignore_default_args=["--disable-back-forward-cache"],  # on, as in every real Chrome
        **launch_options(),  # type: ignore[arg-type]
    )


def read_and_save(page: Page, base_url: str, *, javascript: bool) -> None:
    """Read a few advice pages; with JavaScript, save all advice, so the worker and its caches exist."""
    for path in ADVICE:
        page.goto(base_url + path)
        # The first page registers the worker and is claimed by it; a page opened while it was still
        # installing would stay uncontrolled, so the next ones wait for it.
        if javascript and path == ADVICE[0]:
            controlled = page.evaluate(CONTROLLED)
            assert controlled is True, f"no service worker took control within 20 s: {controlled}"
    if javascript:
        page.get_by_role("button", name=re.compile(r"^Save all \d+ advice pages for offline use")).click()
        status = page.locator("[data-offline-save-status]")
        expect(status).to_have_text(re.compile("^Saved on this device"), timeout=30_000)


def ask_for_a_call_back(page: Page, base_url: str, visit: Visit) -> str:
    page.goto(base_url + "/en/share-a-concern/callback")
    record_fields(page, "callback", visit)
    page.locator("#callback_phone").fill(visit.markers["callback_phone"])
    page.locator("#callback_times").fill(visit.markers["callback_times"])
    page.locator("#voicemail_ok-2").check()
    page.locator("#callback_language").fill(visit.markers["callback_language"])
    go_on(page)
    return confirmed_reference(page)


def search_live(page: Page, base_url: str, visit: Visit) -> None:
    """Type a search a word at a time, pausing as people do, so live results (htmx) come in after each."""
    page.goto(base_url + "/en/search")
    page.wait_for_function("() => window.htmx !== undefined")
    box = page.locator("input[name=q]")
    for words in (
        "my son",
        f" {visit.markers['search_phrase']}",
        f" is being groomed by {visit.markers['search_more']}",
    ):
        box.press_sequentially(words, delay=20)
        page.wait_for_timeout(900)  # past the 400 ms pause after which the results are fetched
    expect(page.locator("#search-status")).to_contain_text(visit.markers["search_more"])


def share_a_concern(page: Page, base_url: str, visit: Visit, *, send: bool = True) -> str | None:
    """The online form as a person walks it, from the start page to the reference number (or, without
    `send`, to "Check your answers", every answer on the page)."""
    markers = visit.markers
    page.goto(base_url + "/en/share-a-concern")
    go_on(page, "a.govuk-button--start")
    page.locator("#danger-2").check()  # no one is in danger right now
    go_on(page)
    record_fields(page, "person", visit)
    page.locator("#person_name").fill(markers["person_name"])
    page.locator("#person_age-2").check()
    page.locator("#person_area").fill(markers["person_area"])
    page.locator("#relationship").check()
    go_on(page)
    record_fields(page, "worry", visit)
    page.locator("#worries").fill(f"He shares violent videos and says {markers['worries']} to me.")
    page.locator("#since_when-2").check()
    go_on(page)
    record_fields(page, "you", visit)
    for name in ("your_name", "contact_phone", "contact_email", "safe_times", "preferred_language"):
        page.locator(f"#{name}").fill(markers[name])
    page.locator("#safe_to_contact").check()
    page.locator("#access_needs-3").check()
    page.locator("#access_other").fill(markers["access_other"])
    go_on(page)
    page.locator("#heard_about").check()
    go_on(page)
    assert markers["worries"] in page.locator("main").inner_text(), "the check page does not show the answers"
    if not send:
        return None
    go_on(page, "button[name='send']")
    return confirmed_reference(page)


def go_on(page: Page, button: str = "form button.govuk-button") -> None:
    """Press the button and wait until the next page has loaded and its scripts have run, as a person would."""
    with page.expect_navigation(wait_until="load"):
        page.locator(button).click()


def confirmed_reference(page: Page) -> str:
    """The reference number on the confirmation page, the answer to Send, once that page has loaded."""
    reference = page.locator(".app-reference")
    expect(reference).to_be_visible()
    page.wait_for_load_state()
    return reference.inner_text().strip()


def record_fields(page: Page, where: str, visit: Visit) -> None:
    fields = page.locator(TEXT_FIELDS)
    for index in range(fields.count()):
        element = fields.nth(index)
        form = element.locator("xpath=ancestor::form")
        seen = FieldSeen(
            where,
            element.get_attribute("name") or "",
            element.get_attribute("autocomplete"),
            form.get_attribute("autocomplete"),
        )
        visit.fields.append(seen)


def leave(page: Page, variant: str, exit_url: str) -> None:
    if variant in ("click", "no-javascript", "from-check-page", "slow-network"):
        # A button with JavaScript; without it, a link that does not claim to be one (ADR 15).
        region = page.get_by_role("region", name="Leave this site quickly")
        way_out = region.get_by_role("link" if variant == "no-javascript" else "button", name="Exit this page")
        way_out.click()
    elif variant == "shift-three-times":
        page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
        page.locator("h1").click()
        for _ in range(3):
            page.keyboard.press("Shift")
    else:
        return
    page.wait_for_url(exit_url)
    # The worker forgets on its own time after the page has gone (static/js/offline.mjs): let it finish,
    # as it would while the person goes on reading the neutral site.
    page.wait_for_timeout(1000)


def back_after_exit(page: Page, base_url: str) -> BackView:
    """Someone else picks up the device and presses Back: what the tab goes through and what it shows."""
    addresses: list[str] = []
    page.on("framenavigated", lambda frame: addresses.append(frame.url) if frame == page.main_frame else None)
    refused = ""
    try:
        # A page restored from the back/forward cache fires no load event: wait only for the commit.
        page.go_back(wait_until="commit", timeout=15_000)
    except PlaywrightError as error:  # e.g. net::ERR_CACHE_MISS: a POST that Chromium will not resend unasked
        refused = str(error).splitlines()[0]
    page.wait_for_timeout(2000)  # a restored page that leaves again does so at once
    return BackView(addresses, _shown(page), refused)


def back_after_leaving(page: Page, base_url: str) -> BackView:
    """The control: leave the confirmation page for an advice page (no Exit), then Back."""
    page.goto(base_url + ADVICE[0])
    return back_after_exit(page, base_url)


def _shown(page: Page) -> str:
    try:
        return str(page.evaluate(SHOWN))
    except PlaywrightError:  # an error page of Chromium's own, or a page still changing
        return page.content()


def site_storage(context: BrowserContext, base_url: str) -> SiteStorage:
    """Ask the site itself, from a page that runs none of its scripts."""
    page = context.new_page()
    try:
        page.goto(base_url + "/robots.txt")
        found = page.evaluate(SITE_STORAGE)
    finally:
        page.close()
    return SiteStorage(found["registrations"], found["caches"], found["localStorage"], found["indexedDB"])


def relaunched_site_storage(playwright: Playwright, profile: Path, base_url: str) -> SiteStorage:
    """The same question in the browser opened again on the same profile: what survived on disk."""
    context = launch(playwright, profile)
    try:
        return site_storage(context, base_url)
    finally:
        context.close()


def scan_profile(profile: Path, markers: Iterable[str], base_url: str) -> ProfileScan:
    """Search every file of a closed profile for each marker, and read the stores that name the site."""
    origin = base_url.rstrip("/")
    needles = _needles(markers)
    address = origin.lower().encode()
    mentions: dict[str, int] = {}
    hits: list[Hit] = []
    superseded: list[Hit] = []
    files = size = 0
    encrypted: list[str] = []
    compressed: list[str] = []
    for path in sorted(p for p in profile.rglob("*") if p.is_file()):
        relative = path.relative_to(profile).as_posix()
        raw = path.read_bytes()
        data = (session_in_effect(raw) if SESSION_LOG.search(relative) else raw).lower()
        files += 1
        size += len(raw)
        if "_Encrypted/" in relative:
            encrypted.append(relative)
        if relative.endswith(".ldb"):
            compressed.append(relative)
        if count := data.count(address) + data.count(origin.lower().encode("utf-16-le")):
            mentions[relative] = count
        for (marker, encoding), needle in needles.items():
            if count := data.count(needle):
                hits.append(Hit(relative, marker, encoding, count))
            if len(data) < len(raw) and (count := raw.lower().count(needle) - data.count(needle)):
                superseded.append(Hit(relative, marker, encoding, count))
    default = profile / "Default"
    worker = default / "Service Worker"
    host = urlsplit(origin)
    named = f"{host.scheme}_{host.hostname}_{host.port}"
    return ProfileScan(
        files=files,
        bytes=size,
        hits=hits,
        superseded=superseded,
        history=_history(default / "History", origin),
        disk_cache=_cached_addresses(default / "Cache" / "Cache_Data", origin),
        code_cache=_cached_addresses(default / "Code Cache" / "js", origin),
        autofill_rows=_count_rows(default / "Web Data", "autofill"),
        autofill_profiles=_count_rows(default / "Web Data", "addresses"),
        worker_files=sorted(
            p.relative_to(profile).as_posix()
            for p in [*(worker / "CacheStorage").rglob("*"), *(worker / "ScriptCache").glob("*_0")]
            if p.is_file() and p.name not in ("index", "index.txt", "the-real-index")
        ),
        mentions=mentions,
        site_stores=sorted(
            {p.relative_to(profile).as_posix() for p in profile.rglob(f"*{named}*")}
            | {file for file in mentions if file.startswith(STORES) and not file.startswith(QUOTA_INDEX)}
        ),
        quota_buckets=[
            str(key) for (key,) in _rows(profile / QUOTA_INDEX, "buckets", "storage_key") if str(key).startswith(origin)
        ],
        encrypted=encrypted,
        compressed=compressed,
    )


def session_in_effect(data: bytes) -> bytes:
    """The commands of a session log that restoring it still uses.

    A session file ("SNSS", then commands: a 16-bit size, an 8-bit id, a pickled payload) only grows: each
    change to a tab's history entry appends the whole entry again, and a restore keeps the last copy per
    tab and entry. So of those, the last; every other command whole. A copy that a later one replaced stays
    on disk until Chromium rewrites the file.
    """
    if data[:4] != b"SNSS":
        return data
    latest: dict[bytes, bytes] = {}
    others: list[bytes] = []
    offset = 8  # "SNSS" and a 32-bit version
    while offset + 2 < len(data):
        size = int.from_bytes(data[offset : offset + 2], "little")
        command = data[offset + 2 : offset + 2 + size]
        offset += 2 + size
        if command[:1] == bytes([UPDATE_TAB_NAVIGATION]) and len(command) >= 13:
            entry = command[5:13]  # after the id and the pickle's size: the tab's id and the entry's index
            latest.pop(entry, None)
            latest[entry] = command
        else:
            others.append(command)
    return b"".join([*others, *latest.values()])


def _needles(markers: Iterable[str]) -> dict[tuple[str, str], bytes]:
    """Each marker in each encoding a browser may store it in, once each (lower case: search is blind to case)."""
    needles: dict[tuple[str, str], bytes] = {}
    for marker in markers:
        seen: set[bytes] = set()
        for encoding, encode in ENCODINGS.items():
            needle = encode(marker).lower()
            if needle not in seen:
                seen.add(needle)
                needles[marker, encoding] = needle
    return needles


def _copy_of(database: Path) -> Path | None:
    """A copy of an SQLite file to read (never the browser's own file)."""
    if not database.exists():
        return None
    copy = Path(tempfile.mkdtemp()) / database.name
    shutil.copy(database, copy)
    return copy


def _query(database: Path, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    copy = _copy_of(database)
    if copy is None:
        return []
    try:
        with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as connection:
            return list(connection.execute(sql, parameters))
    finally:
        shutil.rmtree(copy.parent)


def _history(database: Path, origin: str) -> list[HistoryEntry]:
    rows = _query(database, "SELECT url, title, visit_count FROM urls WHERE url LIKE ? ORDER BY id", origin + "/%")
    return [HistoryEntry(str(url), str(title), int(str(visits))) for url, title, visits in rows]


def _rows(database: Path, table: str, columns: str) -> list[tuple[object, ...]]:
    """The table's rows, or none when this Chromium has no such table."""
    tables = {str(name) for (name,) in _query(database, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    return _query(database, f"SELECT {columns} FROM {table}") if table in tables else []


def _count_rows(database: Path, table: str) -> int:
    rows = _rows(database, table, "count(*)")
    return int(str(rows[0][0])) if rows else 0


def _cached_addresses(directory: Path, origin: str) -> list[str]:
    """The site's addresses a Chromium "simple cache" directory holds (the HTTP cache, the code cache).

    An entry file starts with a header, then the key: the address, with the cache's partitioning
    around it (`1/0/_dk_<site> <site> <address>`, `_key<address> \n<site>`).
    """
    addresses = []
    for entry in sorted(directory.glob("*_0")) if directory.exists() else []:
        data = entry.read_bytes()
        if len(data) < DISK_CACHE_HEADER.size:
            continue
        magic, _, key_length, _ = DISK_CACHE_HEADER.unpack_from(data)
        if magic != DISK_CACHE_MAGIC:
            continue
        key = data[DISK_CACHE_HEADER.size : DISK_CACHE_HEADER.size + key_length].decode("utf-8", "replace")
        addresses += [address.removeprefix(origin) for address in re.findall(rf"{re.escape(origin)}/\S*", key)[-1:]]
    return addresses
