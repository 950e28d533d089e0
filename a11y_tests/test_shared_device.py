"""A shared device after "Exit this page": nothing the person typed, and none of the site's storage, is
left in the browser's profile on disk (issue 9, "sensitive bytes left = 0").

Each run (testing/shared_device.py) uses a fresh persistent Chromium profile with the back/forward cache
on, as in every real Chrome (Playwright turns it off by default): it reads three advice pages, saves all
advice for offline (so the service worker and its caches exist), types a search that live results follow,
asks for a call back, shares a concern through every page of the online form to its reference number, with
a unique marker in every free-text answer and search phrase, then leaves: by the exit button, by Shift
pressed three times, by the button with JavaScript off, from "Check your answers" before Send, while a
saved page's network answer is still on its way (it lands after Exit), or not at all (the control run).
Then someone presses Back. The browser closes, every file of the profile is searched for every marker
(UTF-8, UTF-16-LE, form- and percent-encoded, and phone numbers without spaces), History and Web Data are
read with sqlite3, the disk and code caches by their keys, and the browser is opened again on the profile
to ask what the site still has (workers, caches, storage).

What it found, and what now prevents it:
- The session log (`Sessions/`: restoring tabs, "Reopen closed tab", Back) kept every posted page of the
  form with its POST body, so the whole concern, and Back posted it again. static/js/forms.mjs now
  replaces each form page's history entry with a plain visit of its address (Back and Reload open the
  start page instead). The log only grows, so the test reads it as a restore would (the last copy of
  each entry); a copy replaced within tens of milliseconds can still be on disk after a rare save in
  between, which the non-strict expected failure below reports.
- Web Data kept the sender's name, phone and email as autofill entries, and the tab's history kept typed
  text as form state. Every text field and every form now says autocomplete="off" (templates/concern/),
  except the sender's own name, phone and email, which say what they are (WCAG 1.3.5, Identify Input
  Purpose, is AA and not negotiable): static/js/forms.mjs turns each "off" as soon as it is typed in,
  and nothing typed reaches autofill. Turning them off only as the form is sent was too late: Chromium
  still saved them (tried on 2026-11-26). Without JavaScript they stay (a strict
  expected failure below, with the session log's).
- The confirmation page's address (/en/share-a-concern/sent/<reference>) carried the reference number into
  History, Favicons, the session log and ukm_db. "Send" now answers with the confirmation page itself
  (web/concern/routes.py, ADR 4), so no address carries it.
- Still there, as a strict expected failure below: the answers in the session log without JavaScript.
  History itself keeps the pages visited (addresses and titles, no answers; the confirmation page's
  title says a concern was received); no site can remove them, and /en/staying-safe-online tells people how.

Issue 13 found three more ways, each now tested here:
- Back after Exit brought the whole page back from the back/forward cache: the answers on "Check your
  answers", the reference on the confirmation page. Once an exit has started, static/js/modules/exit.mjs
  empties the page as it is hidden, and a page restored by Back goes straight to /exit again.
- Live search wrote every half-typed phrase into History (`hx-replace-url`); it no longer changes the address.
- A saved page's network answer that landed after Exit made the worker's cache again (`caches.open` creates
  what it opens); the worker now writes nothing once told to forget, and never creates a cache to read it.

What headless Chromium shows, and what it cannot:
- It writes History, Favicons, Web Data, the HTTP and code caches, Local/Session Storage, the worker's
  database and Cache Storage, and the session log as desktop Chromium does, so all of these are
  observed; it saves single-field autofill entries on submit without asking (it did, before the fix).
- It saved no address profile even before the fix: desktop Chromium asks first, in a bubble headless
  does not show. The autocomplete check stands in for it.
- `Sessions_Encrypted/` is encrypted with the OS key and cannot be searched; its plain twins in
  `Sessions/`, written from the same tabs, are. Compressed bytes cannot be searched either: bodies in
  the HTTP cache (judged by the addresses cached instead) and compacted LevelDB tables (by asking the
  relaunched browser, and by the site's address in the stores' files).
- Outside the profile it sees nothing: the phone keyboard's learned words, the OS's swap and crash
  dumps, the app switcher's screenshot, a synced account's copy of the history, or the back/forward
  cache in memory while the tab stays open (Back, pressed by the test, is how that copy is seen).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Playwright

from testing import shared_device
from testing.live_server import live_server
from testing.shared_device import Visit
from testing.slow_proxy import slow_proxy

EXITS = ["click", "shift-three-times", "no-javascript", "from-check-page", "slow-network"]
SENT = ["click", "shift-three-times", "no-javascript"]  # the variants that send a concern before leaving
WITH_FORMS = [*SENT, "from-check-page"]
WITH_JAVASCRIPT = ["click", "shift-three-times", "from-check-page", "slow-network"]
SENT_HEADING = "We have received your concern"  # the confirmation page's heading: never in a title
FORM_PAGES = "/share-a-concern"
SESSION_FILES = ("Default/Sessions/",)  # tabs to restore and "Reopen closed tab": the tab's history
AUTOFILL = "Default/Web Data"
OWN = {"your_name": "name", "contact_phone": "tel", "contact_email": "email", "callback_phone": "tel"}  # WCAG 1.3.5


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory: pytest.TempPathFactory, exit_url: str) -> Iterator[str]:
    """The site on its own port: the session's site is at its limit of submissions from this address."""
    with live_server(tmp_path_factory.mktemp("shared-device"), EXIT_URL=exit_url, SUBMISSIONS_PER_HOUR="100") as url:
        yield url


@pytest.fixture(scope="module")
def visit(
    playwright: Playwright, shared_site: str, exit_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Visit]:
    """`visit(variant)`: that run of the scenario, made once for the module."""
    done: dict[str, Visit] = {}

    def visit_for(variant: str) -> Visit:
        if variant not in done:
            profile = tmp_path_factory.mktemp(variant) / "profile"
            with slow_proxy(shared_site) as proxy:
                done[variant] = shared_device.run(playwright, shared_site, exit_url, profile, variant, proxy=proxy)
        return done[variant]

    return visit_for


def test_every_text_field_asks_the_browser_not_to_remember_it(visit: Callable[[str], Visit]) -> None:
    """Protects against autofill keeping answers (and suggesting them to the next person on the device)
    and against typed text being kept with the tab's history; and WCAG 1.3.5: the sender's own name, phone
    and email say what they are until typed in (static/js/forms.mjs then turns them off)."""
    fields = visit("click").fields
    assert {seen.page for seen in fields} == {"callback", "person", "worry", "you"}, fields
    purposes = {seen.name: seen.autocomplete for seen in fields if seen.name in OWN}
    assert purposes == OWN, purposes
    remembered = [
        seen
        for seen in fields
        if (seen.autocomplete != "off" and seen.name not in OWN) or seen.form_autocomplete != "off"
    ]
    assert not remembered, remembered


@pytest.mark.parametrize("variant", EXITS)
def test_after_exit_nothing_typed_is_left_on_the_device(visit: Callable[[str], Visit], variant: str) -> None:
    """Protects every answer of both forms, in every file of the profile ("sensitive bytes left = 0"), and
    in the session log every command a restore, "Reopen closed tab" or Back would use.

    Without JavaScript the session log still holds the posted forms (a strict expected failure below); with
    it, a rare replaced copy can outlive its replacement in the log (reported below, not strict)."""
    done = visit(variant)
    assert done.scan is not None
    outside = SESSION_FILES if variant == "no-javascript" else ()
    hits = done.scan.occurrences(done.answers, outside=outside)
    if variant == "no-javascript":  # the sender's own details in autofill: a strict expected failure below
        own = {done.markers[name] for name in OWN}
        hits = [hit for hit in hits if not (hit.file == AUTOFILL and hit.marker in own)]
    assert not hits, "\n".join(f"{hit.file}: {hit.marker} ({hit.encoding}) ×{hit.count}" for hit in hits)
    if variant != "no-javascript":
        assert done.scan.autofill_rows == 0, "Web Data keeps autofill entries"
    assert done.scan.autofill_profiles == 0, "Web Data keeps an address profile"


@pytest.mark.xfail(
    strict=True,
    reason="WCAG 1.3.5 (a non-negotiable AA criterion) needs the sender's own name, phone and email to say what "
    "they are, and then Chromium keeps them as autofill entries when the form is sent. static/js/forms.mjs "
    "turns each off once typed in, which keeps them out; without JavaScript nothing can (ADR 10).",
)
def test_without_javascript_autofill_keeps_none_of_the_senders_own_details(visit: Callable[[str], Visit]) -> None:
    done = visit("no-javascript")
    assert done.scan is not None
    assert done.scan.autofill_rows == 0, "Web Data keeps autofill entries"


@pytest.mark.parametrize("variant", EXITS)
def test_after_exit_the_site_keeps_no_worker_cache_or_storage(visit: Callable[[str], Visit], variant: str) -> None:
    """Protects the promise of ADR 3 and ADR 6: the worker, its caches, the HTTP cache and any storage of
    the site are gone after Exit, as the relaunched browser and the files both show."""
    done = visit(variant)
    assert done.scan is not None and done.after is not None
    if variant != "no-javascript":
        assert done.before_exit is not None
        assert done.before_exit.registrations and done.before_exit.caches, "nothing to forget: the run is wrong"
    assert done.after.empty, done.after
    assert done.scan.worker_files == [], "the worker's Cache Storage or scripts are still on disk"
    assert done.scan.disk_cache == [], "the HTTP cache still holds pages of the site"
    assert done.scan.site_stores == [], "storage of the site is still on disk"


@pytest.mark.parametrize("variant", WITH_FORMS)
def test_history_of_the_form_pages_carries_no_answers(visit: Callable[[str], Visit], variant: str) -> None:
    """Protects against answers in the addresses or titles the browser's History keeps: the form posts,
    so its pages' addresses have no query string, and titles are the questions, not the answers; and no
    title says that a concern was sent (the confirmation page has the start page's title: ADR 11)."""
    done = visit(variant)
    assert done.scan is not None
    form_pages = [entry for entry in done.scan.history if FORM_PAGES in urlsplit(entry.url).path]
    assert form_pages, "History has no form page: the run did not reach it"
    with_query = [entry for entry in form_pages if "?" in entry.url]
    assert not with_query, with_query
    with_answers = [
        entry
        for entry in form_pages
        if any(marker.lower() in (entry.url + entry.title).lower() for marker in done.answers)
    ]
    assert not with_answers, with_answers
    telling = [entry for entry in done.scan.history if SENT_HEADING.lower() in entry.title.lower()]
    assert not telling, telling


@pytest.mark.parametrize("variant", ["click", "shift-three-times", "from-check-page"])
def test_history_keeps_no_search_phrase(visit: Callable[[str], Visit], variant: str) -> None:
    """Protects what a reader typed into search: live results never change the address, so History holds
    `/en/search` at most, never a phrase, half-typed or whole (issue 13)."""
    done = visit(variant)
    assert done.scan is not None
    searches = [entry for entry in done.scan.history if urlsplit(entry.url).path == "/en/search"]
    assert searches, "History has no search page: the run did not reach it"
    phrases = [done.markers["search_phrase"].lower(), done.markers["search_more"].lower()]
    with_phrase = [entry for entry in done.scan.history if any(p in entry.url.lower() for p in phrases)]
    assert not with_phrase, with_phrase
    assert not [entry for entry in searches if urlsplit(entry.url).query], searches


@pytest.mark.parametrize("variant", EXITS)
def test_back_after_exit_brings_nothing_back(visit: Callable[[str], Visit], variant: str, exit_url: str) -> None:
    """Protects against the back/forward cache: Back after Exit shows none of the answers, the reference or
    the search, whatever the page left was. With JavaScript the restored page goes straight to /exit, and on
    to the neutral site; without it, the form's page is a POST that Chromium will not send again unasked."""
    done = visit(variant)
    assert done.back is not None
    secrets = [*done.answers, *done.references]
    shown = [secret for secret in secrets if secret.lower() in done.back.shown.lower()]
    assert not shown, f"Back showed {len(shown)} of what was typed: {done.back.addresses}"
    if variant in WITH_JAVASCRIPT:
        assert done.back.addresses and done.back.addresses[-1] == exit_url, done.back


def test_without_exit_back_restores_the_page_so_the_check_can_see_it(visit: Callable[[str], Visit]) -> None:
    """The control for the test above: without Exit, Back from an advice page restores the confirmation page
    from the back/forward cache, reference and all. So the cache is on, and what Back shows is seen."""
    done = visit("no-exit")
    assert done.back is not None
    assert done.references[-1] in done.back.shown, done.back


@pytest.mark.xfail(
    reason="Without JavaScript, each page of the form is the answer to a POST, and Chromium keeps the posted "
    "answers with the tab's history, in its session files (restoring tabs, 'Reopen closed tab', Back). Only "
    "static/js/forms.mjs drops them; without JavaScript it takes a server change (each step redirecting "
    "to a GET that carries no answers): docs/adr/0010-no-javascript-drafts.md decided against it, and the "
    "form's pages say so."
)
def test_without_javascript_the_tab_history_keeps_no_answers(visit: Callable[[str], Visit]) -> None:
    """Protects the tab's history without JavaScript. It also shows the search finds markers when they are
    there: should it ever pass by accident, strict xfail makes it fail."""
    done = visit("no-javascript")
    assert done.scan is not None
    assert not done.scan.occurrences(done.answers)


@pytest.mark.xfail(
    strict=False,
    reason="A race in Chromium, not in the site: it saves its session log on a timer, and a save "
    "that falls in the tens of milliseconds between a form page arriving and static/js/forms.mjs replacing "
    "its history entry keeps one superseded copy of that page's post in the log (about 1 walk in 25 here). "
    "No restore uses it, and it goes when Chromium rewrites the file; pausing on each page did not avoid it.",
)
def test_no_replaced_copy_of_a_posted_page_is_left_in_the_session_log(visit: Callable[[str], Visit]) -> None:
    """Protects the raw bytes of the session log, beyond what a restore uses. Not strict: it fails now and
    then, by the race described, and says so in the report instead of failing the run."""
    for variant in ("click", "shift-three-times", "no-exit"):
        done = visit(variant)
        assert done.scan is not None
        superseded = [hit for hit in done.scan.superseded if hit.marker in done.answers]
        assert not superseded, f"{variant}: {superseded}"


@pytest.mark.parametrize("variant", WITH_FORMS)
def test_the_reference_number_is_not_kept_on_the_device(visit: Callable[[str], Visit], variant: str) -> None:
    """Protects the reference number, which tells whoever reads History that a concern was shared, and
    which a caller quotes to talk about it. It was in the confirmation page's address, so History,
    Favicons, the session files and ukm_db kept it; Send now answers with the confirmation page itself."""
    done = visit(variant)
    assert done.scan is not None and len(done.references) == (2 if variant in SENT else 1), done.references
    hits = done.scan.occurrences(done.references)
    assert not hits, "\n".join(f"{hit.file}: {hit.marker} ({hit.encoding}) ×{hit.count}" for hit in hits)


def test_without_exit_the_inspection_finds_what_the_site_keeps(visit: Callable[[str], Visit]) -> None:
    """The control run: without Exit, the worker, its caches and saved advice in the HTTP cache are found,
    so their absence above means something. Form pages are never in the HTTP cache (`no-store`), and with
    JavaScript nothing typed is left even without Exit."""
    done = visit("no-exit")
    assert done.scan is not None and done.after is not None
    assert done.after.registrations and done.after.caches, done.after
    assert done.scan.worker_files, "no Cache Storage on disk: the inspection cannot see it"
    assert done.scan.site_stores, "no store of the site on disk: the inspection cannot see them"
    assert set(shared_device.ADVICE) & set(done.scan.disk_cache), done.scan.disk_cache
    assert not [address for address in done.scan.disk_cache if FORM_PAGES in address], done.scan.disk_cache
    assert not done.scan.occurrences(done.answers)
