"""Soft-launch figures without tracking: page views, where visitors came from, campaign tags and saves
for offline use, counted in aggregate, in memory, and added to the database every few seconds.

What is kept is a count per UTC day, metric and key, nothing else: no cookie, no IP address, no user
agent, no identifier. The User-Agent header is read in memory only to leave out known bots and
scripts; the Referer header only for its host, to put a visit in a category (search, social, another
site). Only successful GETs of real pages are counted, by the page's own path (never the query
string), so junk addresses cannot add rows. Counting happens after the page is rendered and costs an
in-memory increment: the database write happens in a background task (`flushing`), off the request.

A followed "Let's Talk About It" address (the 301 web/http/redirects.py answers) is counted the same way,
under the same rules (a person's browser, a GET, not a prefetch): the old address as the redirect matched
it, and the referring site as the host of the Referer alone, lower case ("none" without one, "this site"
for the site's own). Hosts are bounded: a key at most MAX_HOST characters of a host name, and at most
REFERRERS_A_DAY different hosts a day in one process, the rest counted as "other", so made-up Referer
headers cannot fill the figures table.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.clock import utc_today
from web.content import ContentLibrary
from web.content.forces import load_forces
from web.content.names import DEFAULT_LANGUAGE, HOME, SLUG
from web.http.redirects import FOLLOWED, OLD_HOSTS
from web.http.same_origin import is_same_origin
from web.shell.navigation import page_url
from web.shell.site import language_of, site_of, site_of_app
from web.storage.figures import LTAI_ADDRESS, LTAI_REFERRER, FigureCounter

log = logging.getLogger("web.public.measurement")

VIEW, SOURCE, CAMPAIGN, OFFLINE_SAVE = "view", "source", "campaign", "offline-save"
SOURCES = ("campaign", "search", "social", "other-site", "direct")
CAMPAIGN_SOURCES = ("poster", "social")  # what the toolkit's QR codes carry as utm_source
FLUSH_SECONDS = 10.0
NO_REFERRER, THIS_SITE, OTHER_SITE = "none", "this site", "other"  # referring-site keys that are not hosts
MAX_HOST, REFERRERS_A_DAY = 100, 500
HOST_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,98}[a-z0-9])?$")  # at most MAX_HOST characters
OFFLINE_SAVES_PER_HOUR = 30
# Pages that are not Markdown pages, by route name: their path with the reader's language. Their
# handlers answer 200 only for a real page (a film's page: a film that exists in that language).
ROUTE_PAGES = {
    "search": "/{lang}/search",
    "concern_start": "/{lang}/share-a-concern",
    "callback_form": "/{lang}/share-a-concern/callback",
    "toolkit_page": "/toolkit",
    "films_page": "/{lang}/films",
    "film_page": "/{lang}/films/{slug}",
    "partners_page": "/{lang}/partners",
    "partner_feedback_form": "/{lang}/partners/feedback",
    "satisfaction_form": "/{lang}/what-did-you-think",
    "measured_page": "/{lang}/how-this-site-is-measured",
}
# Real browsers all start their User-Agent with "Mozilla/"; these words mark crawlers, previews and checkers.
BOT_WORDS = (
    "bot", "crawl", "spider", "slurp", "archiver", "preview", "headless", "lighthouse", "pagespeed", "inspection",
    "pingdom", "uptime", "monitor", "facebookexternalhit", "embedly", "python", "curl", "wget", "scan",
)  # fmt: skip
# The only request headers counting reads (the User-Agent only to leave out bots: it is not kept).
READ_HEADERS = frozenset(
    {
        b"host",
        b"user-agent",
        b"referer",
        b"sec-fetch-dest",
        b"sec-fetch-site",
        b"sec-purpose",
        b"purpose",
        b"hx-request",
    }
)
SEARCH_ENGINES = ("google", "bing", "yahoo", "duckduckgo", "ecosia", "yandex", "baidu", "startpage", "qwant", "ask")
SEARCH_HOSTS = ("search.brave.com", "search.aol.com")
SOCIAL_NAMES = ("facebook", "instagram", "twitter", "linkedin", "reddit", "tiktok", "youtube", "whatsapp", "pinterest")
SOCIAL_HOSTS = (
    "t.co", "x.com", "fb.com", "fb.me", "lnkd.in", "youtu.be", "wa.me", "t.me", "telegram.org", "threads.net",
    "bsky.app", "snapchat.com", "nextdoor.co.uk", "nextdoor.com", "mastodon.social", "tumblr.com", "discord.com",
    "messenger.com",
)  # fmt: skip


def is_browser(user_agent: str) -> bool:
    """A person's browser, as far as the User-Agent can tell (it is read here and then forgotten)."""
    if not user_agent.startswith("Mozilla/"):
        return False
    lower = user_agent.lower()
    return not any(word in lower for word in BOT_WORDS)


def is_page_view(headers: Mapping[str, str]) -> bool:
    """A navigation to the page: not an htmx swap, a service worker's fetch or a prefetch."""
    if "hx-request" in headers:
        return False
    destination = headers.get("sec-fetch-dest")
    if destination is not None and destination != "document":
        return False
    purpose = headers.get("sec-purpose", headers.get("purpose", ""))
    return "prefetch" not in purpose.lower()


def _host(address: str) -> str:
    """The host name in an address, lower case; "" when there is none or the address is malformed."""
    try:
        return (urlsplit(address).hostname or "").lower()
    except ValueError:
        return ""


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def referrer_category(host: str) -> str:
    labels = host.split(".")[:-1]  # not the top-level domain: google.co.uk and google.com are both Google
    if any(name in labels for name in SEARCH_ENGINES) or any(_under(host, h) for h in SEARCH_HOSTS):
        return "search"
    if any(name in labels for name in SOCIAL_NAMES) or any(_under(host, h) for h in SOCIAL_HOSTS):
        return "social"
    return "other-site"


def arrival_source(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """Where a visit came from, as a category; None for a step from one of the site's pages to another.

    The site's own pages send no Referer (Referrer-Policy: no-referrer), so a step within the site is
    told apart by Sec-Fetch-Site; other sites' pages send at least their origin.
    """
    if query.get("utm_source") or query.get("utm_campaign"):
        return "campaign"
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site == "same-origin":
        return None
    referrer = _host(headers.get("referer", ""))
    if referrer:
        return None if referrer == _host("//" + headers.get("host", "")) else referrer_category(referrer)
    return "other-site" if fetch_site in ("cross-site", "same-site") else "direct"


def referring_site(referer: str, own_hosts: frozenset[str]) -> str:
    """The referring site as counted: its host name only, lower case, or one of the words for no host."""
    host = _host(referer)
    if not host:
        return NO_REFERRER
    if host in own_hosts:
        return THIS_SITE
    return host if HOST_NAME.match(host) else OTHER_SITE


class DailyKeys:
    """The first `limit` different keys a day that this process counts; after them, OTHER_SITE."""

    def __init__(self, limit: int = REFERRERS_A_DAY) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._day: dt.date | None = None
        self._seen: set[str] = set()

    def admit(self, day: dt.date, key: str) -> str:
        with self._lock:
            if day != self._day:
                self._day, self._seen = day, set()
            if key in self._seen or len(self._seen) < self.limit:
                self._seen.add(key)
                return key
        return OTHER_SITE


def campaign_key(query: Mapping[str, str], forces: Mapping[str, object]) -> str | None:
    """`<force slug>/<poster|social>`; any value outside the toolkit's lists is counted as "other"."""
    source = query.get("utm_source", "").strip().lower()
    campaign = query.get("utm_campaign", "").strip().lower()
    if not source and not campaign:
        return None
    force = campaign if campaign in forces else ("other" if campaign else "none")
    medium = source if source in CAMPAIGN_SOURCES else ("other" if source else "none")
    return f"{force}/{medium}"


def page_key(route_name: str | None, path_params: Mapping[str, Any], library: ContentLibrary) -> str | None:
    """The page's own path, from the route that answered: only real pages have one."""
    lang = str(path_params.get("lang", DEFAULT_LANGUAGE))
    if route_name in ("home", "language_home", "advice_page"):
        slug = str(path_params.get("slug", HOME))
        return page_url(lang, slug) if library.get(lang, slug) is not None else None
    slug = str(path_params.get("slug", ""))
    if route_name in ROUTE_PAGES and lang in library.languages and (not slug or SLUG.match(slug)):
        return ROUTE_PAGES[route_name].format(lang=lang, slug=slug)
    return None


class CountingMiddleware:
    """Count successful GETs of the site's HTML pages, once rendered. Counting off: counter=None."""

    def __init__(self, app: ASGIApp, *, counter: FigureCounter | None = None, views: PageViews | None = None) -> None:
        self.app = app
        self.views = views if views is not None else PageViews(counter)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.views.counter is None or scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.views.answered(scope, message)
            await send(message)

        await self.app(scope, receive, counting_send)


class PageViews:
    """What `CountingMiddleware` counts of one answer; the pages remembered in front of it
    (web/shell/remembered.py) are counted by the same object, so both ways count alike."""

    def __init__(self, counter: FigureCounter | None) -> None:
        self.counter = counter
        self._forces: Mapping[str, object] | None = None
        self._referrers = DailyKeys()

    def answered(self, scope: Scope, start: Message) -> None:
        """Count an answer to a GET by its first message: a page view (200), or an old address followed (301)."""
        if self.counter is None or start["status"] not in (200, 301):
            return
        try:
            if start["status"] == 200:
                self._count(scope, start)
            elif FOLLOWED in scope:
                self._count_followed(scope)
        except Exception as error:  # noqa: BLE001 - counting never breaks a page
            log.warning("could not count a page view (%s)", type(error).__name__)

    def _count_followed(self, scope: Scope) -> None:
        """A redirect from an old "Let's Talk About It" address: which one, and from which site."""
        assert self.counter is not None
        headers = {name.decode(): value.decode("latin-1") for name, value in scope["headers"] if name in READ_HEADERS}
        if not is_page_view(headers) or not is_browser(headers.get("user-agent", "")):
            return
        base = _host(site_of_app(scope["app"]).settings.public_base_url)
        own = frozenset({base, _host("//" + headers.get("host", ""))} - {"", *OLD_HOSTS})
        day = utc_today()
        self.counter.add(LTAI_ADDRESS, str(scope[FOLLOWED]), day)
        site = referring_site(headers.get("referer", ""), own)
        self.counter.add(LTAI_REFERRER, self._referrers.admit(day, site), day)

    def _count(self, scope: Scope, start: Message) -> None:
        assert self.counter is not None
        content_type = next((value for name, value in start["headers"] if name == b"content-type"), b"")
        if not content_type.startswith(b"text/html"):
            return
        headers = {name.decode(): value.decode("latin-1") for name, value in scope["headers"] if name in READ_HEADERS}
        if not is_page_view(headers) or not is_browser(headers.get("user-agent", "")):
            return
        site = site_of_app(scope["app"])
        page = page_key(getattr(scope.get("route"), "name", None), scope.get("path_params", {}), site.library)
        if page is None:
            return
        day = utc_today()
        self.counter.add(VIEW, page, day)
        raw_query = scope.get("query_string", b"")
        query = QueryParams(raw_query) if raw_query else QueryParams()
        source = arrival_source(headers, query)
        if source is not None:
            self.counter.add(SOURCE, source, day)
        if not raw_query:
            return
        if self._forces is None:
            self._forces = load_forces(site.settings.content_dir / "forces.yaml")
        campaign = campaign_key(query, self._forces)
        if campaign is not None:
            self.counter.add(CAMPAIGN, campaign, day)


async def offline_saved_count(request: Request) -> Response:
    """POST /{lang}/offline/saved-count, no body: the offline code saved advice on the device."""
    lang = language_of(request)
    if not is_same_origin(request.headers, request.headers.get("host", "")):
        raise HTTPException(status_code=403)
    site = site_of(request)
    counter = site.figure_counter
    if (
        counter is not None
        and is_browser(request.headers.get("user-agent", ""))
        and await site.offline_save_limiter.check(request)
    ):
        counter.add(OFFLINE_SAVE, lang)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


async def _flush_every(counter: FigureCounter, engine: Engine, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        await asyncio.to_thread(counter.flush, engine)


Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


def flushing(
    counter: FigureCounter | None, engine: Engine, *, inner: Lifespan, seconds: float = FLUSH_SECONDS
) -> Lifespan:
    """A lifespan around `inner` that adds `counter`'s figures to the database every `seconds` and at shutdown."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with inner(app):
            if counter is None:
                yield
                return
            task = asyncio.create_task(_flush_every(counter, engine, seconds))
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                await asyncio.to_thread(counter.flush, engine)

    return lifespan
