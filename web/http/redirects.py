"""Redirects: the move from "Let's Talk About It", and an address with a slash too many or too few.

Old addresses answer 301 with the page that replaces them.

`LetsTalkAboutItRedirects` is ASGI middleware. It redirects every request whose Host is an old host
name, and every request under the test prefix (`/ltai/what-is-prevent`), so the move can be tried on
one host. The map is `content/redirects.yaml`; an old address it does not know goes to the home page,
never to an error. Each Location carries `?from=ltai`: the page it lands on shows a notice that the
site has moved (`templates/transition/_ltai_notice.html`). The notice is shown once because nothing
else carries the parameter: no cookie, nothing stored, and the page's canonical link and all its
links are built without a query string.

Each redirect it answers leaves the old address it stood for in the request's scope (`FOLLOWED`: a
known old page or section of the map, else "other"), for the counting around it
(web/public/measurement.py) to add to the daily figures: the comms team sees which old addresses are
still followed. Nothing else of the request is kept here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from web.settings import ROOT

REDIRECTS_FILE = ROOT / "content" / "redirects.yaml"
OLD_HOSTS = ("www.ltai.info", "ltai.info")
NOTICE_PARAMETER, NOTICE_VALUE = "from", "ltai"
HOME = "/en/"
FOLLOWED = "act_early.ltai_followed"  # the scope key the counting reads: the old address as counted
OTHER = "other"  # an old address the map does not know, counted as one
MAX_OLD_ADDRESS = 100  # characters: an old address is a key of the figures (at most 120)
DEFAULT_SITE = "https://actearly.uk"
CACHE_CONTROL = "public, max-age=86400"  # a day, not for ever: the map may still improve
_ENDING = re.compile(r"(?:/index)?(?:\.(?:html?|php|aspx))?/*$")
_TARGET = re.compile(r"^/en/(?:[a-z0-9]+(?:-[a-z0-9]+)*)?$")


class RedirectsFileError(ValueError):
    """content/redirects.yaml is not as documented at its top."""


def normalise(path: str) -> str:
    """An old address as the map writes it: lower case, no trailing slash, no .html or /index ending."""
    bare = _ENDING.sub("", path.lower())
    return bare if bare.startswith("/") else f"/{bare}"


@dataclass(frozen=True)
class RedirectMap:
    pages: dict[str, str]
    sections: dict[str, str]

    def target(self, old_path: str) -> str:
        """The new address for an old one: the exact page, else the longest section it is under, else home."""
        path = normalise(old_path)
        if path in self.pages:
            return self.pages[path]
        for section in sorted(self.sections, key=len, reverse=True):
            if path == section or path.startswith(f"{section}/"):
                return self.sections[section]
        return HOME

    def counted_as(self, old_path: str) -> str:
        """The old address as the figures count it: the page or section of the map it matched, else OTHER.
        Only the map's own entries (or OTHER) can be a key, so what a visitor types never is."""
        path = normalise(old_path)
        if path in self.pages:
            return path
        for section in sorted(self.sections, key=len, reverse=True):
            if path == section or path.startswith(f"{section}/"):
                return section
        return OTHER

    def targets(self) -> set[str]:
        return {*self.pages.values(), *self.sections.values()}


def load_redirects(path: Path = REDIRECTS_FILE) -> RedirectMap:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    parts: dict[str, dict[str, str]] = {"pages": {}, "sections": {}}
    for part, entries in parts.items():
        for old, mapping in (data.get(part) or {}).items():
            if not isinstance(old, str) or normalise(old) != old:
                raise RedirectsFileError(f"{path}: {part}: write {old!r} as {normalise(str(old))!r}")
            if len(old) > MAX_OLD_ADDRESS:
                raise RedirectsFileError(f"{path}: {part}: {old} is longer than {MAX_OLD_ADDRESS} characters")
            new = mapping[0] if isinstance(mapping, list) and mapping else mapping  # [new address, evidence]
            if not isinstance(new, str) or not _TARGET.match(new):
                raise RedirectsFileError(f"{path}: {part}: {old} must go to /en/ or /en/<slug>, not {new!r}")
            entries[old] = new
    return RedirectMap(pages=parts["pages"], sections=parts["sections"])


def with_notice(target: str) -> str:
    return f"{target}?{NOTICE_PARAMETER}={NOTICE_VALUE}"


def ltai_notice(request: Request) -> bool:
    """Whether this page is where a Let's Talk About It address landed, so it shows the notice."""
    return request.query_params.get(NOTICE_PARAMETER) == NOTICE_VALUE


class LetsTalkAboutItRedirects:
    def __init__(
        self,
        app: ASGIApp,
        *,
        public_base_url: str = DEFAULT_SITE,
        old_hosts: tuple[str, ...] = OLD_HOSTS,
        prefix: str = "/ltai",
        redirects_file: Path = REDIRECTS_FILE,
    ) -> None:
        self.app = app
        self.site = (public_base_url or DEFAULT_SITE).rstrip("/")
        self.old_hosts = frozenset(host.lower() for host in old_hosts)
        self.prefix = prefix.rstrip("/")
        self.map = load_redirects(redirects_file)

    def old_path(self, scope: Scope) -> tuple[str, bool] | None:
        """The old site's path this request asks for, and whether it came by the old host name."""
        host = Headers(scope=scope).get("host", "").rsplit(":", 1)[0].lower()
        path: str = scope["path"]
        if host in self.old_hosts:
            return path, True
        if self.prefix and (path == self.prefix or path.startswith(f"{self.prefix}/")):
            return path[len(self.prefix) :] or "/", False
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        old = self.old_path(scope) if scope["type"] == "http" else None
        if old is None:
            await self.app(scope, receive, send)
            return
        path, by_host = old
        scope[FOLLOWED] = self.map.counted_as(path)
        location = with_notice(self.map.target(path))
        if by_host:  # another host: the Location must name this site
            location = self.site + location
        response = RedirectResponse(location, status_code=301, headers={"Cache-Control": CACHE_CONTROL})
        await response(scope, receive, send)


class TrailingSlashRedirects:
    """A GET or HEAD for an address with a trailing slash too many or too few, when the other form is a
    route: 301 to it, by a Location relative to this site.

    Starlette's router does this itself (`redirect_slashes`), but from the Host header and with a 307:
    `Host: evil.example` on `/en/signs-to-spot/` answered `Location: http://evil.example/en/signs-to-spot`,
    and on `/en/share-a-concern/` the 307 had a browser post the form to that host. So the apps turn the
    router's off (`app.router.redirect_slashes = False`) and put this just in front of it. Any other
    method goes on to the router's 404: the site's forms post to addresses the site wrote.
    """

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute], remembered: int = 4096) -> None:
        self.app = app
        self.routes = routes
        self.remembered = remembered
        self.known: dict[str, bool] = {}  # path -> whether a route answers a GET of it (bounded, as routing.py's)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        location = self.location(scope) if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") else None
        if location is None:
            await self.app(scope, receive, send)
            return
        await RedirectResponse(location, status_code=301)(scope, receive, send)

    def location(self, scope: Scope) -> str | None:
        """Where this request's address, with a slash more or less, is a route; None if it is one already."""
        path: str = scope["path"]
        if path == "/" or self.is_route(scope, path):
            return None
        other = path.rstrip("/") if path.endswith("/") else f"{path}/"
        if not other or not self.is_route(scope, other):
            return None
        query: bytes = scope.get("query_string", b"")
        # One leading slash: to a browser, `//host/…` (and `/\host/…`, which RedirectResponse encodes) is another site.
        return "/" + other.lstrip("/") + (f"?{query.decode('latin-1')}" if query else "")

    def is_route(self, scope: Scope, path: str) -> bool:
        known = self.known.get(path)
        if known is None:
            probe = {**scope, "path": path, "method": "GET"}
            known = any(route.matches(probe)[0] is not Match.NONE for route in self.routes)
            if len(self.known) >= self.remembered:
                self.known.clear()
            self.known[path] = known
        return known
