"""Headers, caching, cookies, sessions and CSRF on both apps, against OWASP ASVS 4.0.3 level 2.

Every route of both apps is requested once (test_every_route_is_probed fails when a route has no
request): on the public site every sitemap page, the forms (their pages, a valid post, a refused
post), search, the sent page, errors (400, 403, 404, 405, 413, 304), assets, icons, /sw.js, the web
manifest, /exit, the toolkit and its downloads, the films' files and an old LTAI address; on the
console every route signed out and signed in with the right role, each step of signing in, and its
errors. Then each ASVS item is one test, its id starting with the requirement number, and looks at
those responses or does what the item needs (sign in, sign out, replay a code, forge a form).

tests/test_asvs.py runs the checks; bench/security_matrix.py writes the same table to bench/results/.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.routing import Match
from starlette.testclient import TestClient
from starlette.types import Message

from testing.access_matrix import (
    CASES,
    FORMS,
    Row,
    concrete,
    locked_out_attempt,
    matrix_rows,
    only,
    replayed_code_attempts,
    run_cell,
)
from testing.forms import answers_for
from testing.security_world import (
    CONCERN_MARKER,
    CONSOLE_URL,
    PASSWORD,
    PENDING,
    SESSION,
    World,
)
from testing.settings import settings_in
from web.app import create_app
from web.console import auth
from web.console.app import SIGN_INS_PER_HOUR
from web.console.state import console_of_app
from web.content.forces import load_forces
from web.http.cache import HttpCacheMiddleware
from web.http.form_tokens import FormTokens
from web.ops.backup import backup
from web.public.feedback import current_token
from web.sealing import open_totp_secret
from web.settings import Settings
from web.shell.assets import IMMUTABLE
from web.shell.critical import style_hash
from web.shell.site import Site as PublicSite
from web.shell.site import site_of_app
from web.storage import officers as store
from web.storage.tables import concerns, feedback_comments, figures

SITE_URL = "https://actearly.test"
SAME_ORIGIN = {"Origin": SITE_URL, "Sec-Fetch-Site": "same-origin"}
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"}
EVIL = "https://evil.example"
# Where what a reader types or is told goes: never stored by a browser or a cache.
PERSONAL = re.compile(r"/share-a-concern|/search|/feedback|^/exit$|^/healthz$|/offline/saved-count|/what-did-you-think")
# Error pages are the same for everyone (no answers in them): they need no caching rule.
GENERIC_ERRORS = frozenset({400, 403, 404, 405, 413})
HASHED = ("/assets/", "/icons/", "/films/media/")
UNUSED_METHODS = ("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")
T = TypeVar("T")


@dataclass(frozen=True)
class Exchange:
    app: str  # "site" or "console"
    response: Response
    note: str = ""  # "method" for the V14.5.1 probes

    @property
    def method(self) -> str:
        return self.response.request.method

    @property
    def path(self) -> str:
        return self.response.request.url.path

    @property
    def label(self) -> str:
        query = self.response.request.url.query
        suffix = f"?{query.decode() if isinstance(query, bytes) else query}" if query else ""
        return f"{self.app}: {self.method} {self.path}{suffix} → {self.response.status_code}"

    def header(self, name: str) -> str:
        return self.response.headers.get(name, "")

    @property
    def media_type(self) -> str:
        return self.header("content-type").split(";")[0].strip().lower()

    @property
    def hashed(self) -> bool:
        return self.path.startswith(HASHED)

    @property
    def sensitive(self) -> bool:
        """Console: everything but hashed assets. Site: what a reader sent or asked, errors aside."""
        if self.app == "console":
            return not self.hashed
        return bool(PERSONAL.search(self.path)) and self.response.status_code not in GENERIC_ERRORS


# Requests ---------------------------------------------------------------------------------------


class Site:
    """Both apps on one database, and every response the probes got from them."""

    def __init__(self, directory: Path) -> None:
        self.settings = settings_in(directory)
        self.world = World(self.settings)
        self.app: Starlette = create_app(self.settings)
        self.client = self.world.client(self.app, SITE_URL)
        self.exchanges = [*site_exchanges(self), *console_exchanges(self.world)]
        self.exchanges += method_exchanges(self)

    def close(self) -> None:
        self.world.__exit__(None, None, None)

    def of(self, app: str) -> list[Exchange]:
        return [exchange for exchange in self.exchanges if exchange.app == app]

    def counts(self) -> tuple[int, int, int]:
        """Concerns stored, figures counted, comments kept: what a forged form would change."""
        with self.world.engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(concerns)).scalar_one()
            counted = connection.execute(select(func.coalesce(func.sum(figures.c["count"]), 0))).scalar_one()
            comments = connection.execute(select(func.count()).select_from(feedback_comments)).scalar_one()
        return int(stored), int(counted), int(comments)


def site_exchanges(site: Site) -> list[Exchange]:
    app, client = site.app, site.client
    done: list[Exchange] = []

    def get(path: str, **headers: str) -> Response:
        response = client.get(path, headers=headers, follow_redirects=False)
        done.append(Exchange("site", response))
        return response

    def post(path: str, data: dict[str, str] | None, headers: Mapping[str, str], content: bytes | None = None) -> None:
        response = client.post(path, data=data, content=content, headers=headers, follow_redirects=False)
        done.append(Exchange("site", response))

    home = get("/")
    get("/", **{"If-None-Match": home.headers.get("etag", "")})
    for path in ("/robots.txt", "/healthz", "/exit", "/sw.js", "/toolkit", "/ltai/what-is-prevent"):
        get(path)
    sitemap = get("/sitemap.xml").text
    for location in re.findall(r"<loc>([^<]+)</loc>", sitemap):
        get(urlsplit(location).path)
    for name in sorted(site_of_app(app).assets.files):
        get(f"/assets/{name}")
    for icon in json.loads(get("/manifest.webmanifest").text)["icons"]:
        get(icon["src"])
    force = next(iter(load_forces(site.settings.content_dir / "forces.yaml")))
    get(f"/toolkit?force={force}&lang=en")
    get(f"/toolkit/{force}/en/poster.pdf")
    get(f"/toolkit/{force}/cy/social.png")
    built = site_of_app(app).films.manifest().get("files", [])
    for suffix in (".vtt", ".png", ".mp4"):
        name = next((name for name in built if name.endswith(suffix)), f"not-built{suffix}")
        get(f"/films/media/{name}", Range="bytes=0-99")
    tokens: FormTokens = site_of_app(app).form_tokens
    for lang in site_of_app(app).library.languages:
        for path in ("", "/", "/share-a-concern", "/share-a-concern/questions", "/share-a-concern/callback"):
            get(f"/{lang}{path}")
        for path in ("/search", "/search?q=prevent", "/offline", "/offline/saved", "/offline/pages.json", "/films"):
            get(f"/{lang}{path}")
        get(f"/{lang}/search?q=prevent", **{"HX-Request": "true"})
        get(f"/{lang}/feedback/thanks?page=home")
        post(f"/{lang}/share-a-concern", {"token": tokens.issue(), "step": "danger", "danger": "no"}, SAME_ORIGIN)
        post(f"/{lang}/share-a-concern", {"token": tokens.issue(), "step": "nonsense"}, SAME_ORIGIN)
        post(f"/{lang}/share-a-concern", {"step": "danger", "danger": "no"}, SAME_ORIGIN)
        post(f"/{lang}/share-a-concern/callback", {"token": tokens.issue()}, SAME_ORIGIN)
        feedback = {"token": current_token(site_of_app(app).feedback_tokens), "page": "home", "useful": "yes"}
        post(f"/{lang}/feedback", feedback, SAME_ORIGIN)
        post(f"/{lang}/offline/saved-count", None, {**SAME_ORIGIN, **BROWSER})
        launch_token = site_of_app(app).feedback_tokens.issue()  # web/launch/: partners, figures, soft launch
        for path in ("/partners", "/partners/feedback", "/partners/feedback/thanks", "/what-did-you-think"):
            get(f"/{lang}{path}")
        for path in (
            "/what-did-you-think/thanks",
            "/how-this-site-is-measured",
            "/how-this-site-is-measured/figures.csv",
        ):
            get(f"/{lang}{path}")
        post(f"/{lang}/partners", {"token": launch_token, "links": "ltai.info/channel"}, SAME_ORIGIN)
        post(f"/{lang}/what-did-you-think", {"token": launch_token, "answer": "satisfied"}, SAME_ORIGIN)
        partner = {"token": launch_token, "organisation": "other", "works": "ASVS"}
        post(f"/{lang}/partners/feedback", partner, SAME_ORIGIN)
    send = {"token": tokens.issue(), "step": "check", "danger": "no", **answers_for("ASVS-SENT")}
    post("/en/share-a-concern", send, SAME_ORIGIN)  # Send answers with the confirmation page
    get("/en/no-such-page")
    get("/zz/")
    get("/en/", Origin=EVIL)
    too_large = b"x" * (site.settings.max_body_bytes + 1)
    post("/en/share-a-concern", None, {"Content-Type": "application/x-www-form-urlencoded"}, too_large)
    return done


def console_exchanges(world: World) -> list[Exchange]:
    """Every route signed out, then signed in with a role it allows; each step of signing in; errors."""
    done: list[Exchange] = []

    def keep(response: Response) -> Response:
        done.append(Exchange("console", response))
        return response

    rows = [row for row in matrix_rows() if row.rule.served]
    for row in rows:
        keep(world.request(row.method, concrete(world, row.path), {}, {} if row.method == "POST" else None))
    for row in (row for row in rows if not row.rule.public):
        world.reset()
        credentials = world.session(world.officers[next(r for r in store.ROLES if r in row.rule.roles)])
        form = {**FORMS.get(row.path, {}), "csrf": credentials.csrf} if row.method == "POST" else None
        keep(world.request(row.method, concrete(world, row.path), {SESSION: credentials.token}, form))
    for name in sorted(console_of_app(world.app).assets.files):
        keep(world.request("GET", f"/assets/{name}", {}))
    world.reset()
    officer, browser, moment = world.add_officer("officer"), world.browser(), time.time()
    keep(world.password_step(browser, officer, "not the password"))
    keep(world.password_step(browser, officer))
    keep(browser.get("/sign-in/code"))
    keep(world.code_step(browser, world.wrong_code(officer, moment)))
    keep(world.code_step(browser, world.code(officer, moment)))
    officer_session = world.session(world.officers["officer"])
    keep(world.request("GET", "/accounts", {SESSION: officer_session.token}))
    bad_status = {"status": "lost", "csrf": officer_session.csrf}
    keep(world.request("POST", f"/concerns/{world.concern}", {SESSION: officer_session.token}, bad_status))
    keep(world.request("GET", "/no-such-page", {}))
    too_large = b"x" * (world.settings.max_body_bytes + 1)
    response = world.probe.post(
        "/sign-in", content=too_large, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    keep(response)
    world.reset()
    return done


def route_of(app: Starlette, method: str, path: str) -> tuple[str, str] | None:
    """The (path, method) of the route that serves the request, as test_access_control names routes."""
    scope = {"type": "http", "path": path, "root_path": "", "method": method}
    for route in app.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return getattr(route, "path_format", path), method
    return None


def method_exchanges(site: Site) -> list[Exchange]:
    """V14.5.1: each route, once, with every method the apps do not use."""
    done = []
    for app_name, app, client in (("site", site.app, site.client), ("console", site.world.app, site.world.probe)):
        seen: dict[str, str] = {}
        answered = sorted(site.of(app_name), key=lambda exchange: exchange.response.status_code != 200)
        for exchange in answered:  # a path each route answers (not an old LTAI address, which redirects)
            key = route_of(app, exchange.method, exchange.path)
            if key is not None:
                seen.setdefault(key[0], exchange.path)
        for path in seen.values():
            for method in UNUSED_METHODS:
                response = client.request(method, path, headers={"Origin": EVIL}, follow_redirects=False)
                done.append(Exchange(app_name, response, note="method"))
    return done


# Findings --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    checked: int  # responses, cookies or attempts looked at
    problems: tuple[str, ...] = ()


ResponseRule = Callable[[Exchange], str | None]  # a problem with one response, or None


def per_response(item: str, app: str, rule: ResponseRule) -> Callable[[Site], Finding]:
    def run(site: Site) -> Finding:
        looked = site.of(app)
        problems = tuple(f"{exchange.label}: {problem}" for exchange in looked if (problem := rule(exchange)))
        return Finding(len(looked), problems)

    return run


# V14.4: headers on every response -----------------------------------------------------------------

SAFE_REFERRERS = frozenset({"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"})
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")
INLINE = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)
HSTS_MINIMUM = 15_724_800  # ASVS's example: six months


def directives(policy: str) -> dict[str, list[str]]:
    parsed = (part.strip().split() for part in policy.split(";") if part.strip())
    return {words[0].lower(): words[1:] for words in parsed}


def content_type_problem(exchange: Exchange) -> str | None:
    if not exchange.response.content:
        return None
    kind = exchange.media_type
    if not kind:
        return "no Content-Type"
    textual = kind.startswith("text/") or kind == "application/xml" or kind.endswith("+xml")
    if textual and "charset=" not in exchange.header("content-type").lower():
        return f"{kind} without a charset"
    return None


def api_disposition_problem(exchange: Exchange) -> str | None:
    api = exchange.media_type in ("application/json", "text/csv") and exchange.response.status_code == 200
    if api and not exchange.header("content-disposition").startswith("attachment"):
        return f"{exchange.media_type} without Content-Disposition: attachment"
    return None


def csp_problem(exchange: Exchange) -> str | None:
    policy = directives(exchange.header("content-security-policy"))
    if not policy:
        return "no Content-Security-Policy"
    if policy.get("default-src") not in (["'none'"], ["'self'"]):
        return "default-src is not 'none' or 'self'"
    for name in ("default-src", "script-src", "style-src"):
        if any(source in UNSAFE_SOURCES for source in policy.get(name, [])):
            return f"{name} allows {policy[name]}"
    missing = [name for name in ("base-uri", "form-action", "frame-ancestors") if name not in policy]
    if missing:
        return f"no {', '.join(missing)}"
    if exchange.media_type == "text/html":
        # A page's own CSS inline (ADR 22) is allowed when the policy names its sha256 hash, and only then.
        allowed = set(policy.get("style-src", []))
        text = STYLE_ELEMENT.sub(
            lambda found: "" if style_hash(found[1]) in allowed else found[0], exchange.response.text
        )
        if inline := INLINE.search(text):
            return f"inline script or style the policy would block: {inline.group()!r}"
    return None


def nosniff_problem(exchange: Exchange) -> str | None:
    value = exchange.header("x-content-type-options")
    return None if value.lower() == "nosniff" else f"X-Content-Type-Options is {value!r}"


def hsts_problem(exchange: Exchange) -> str | None:
    value = exchange.header("strict-transport-security").lower()
    age = re.search(r"max-age=(\d+)", value)
    if age is None or int(age[1]) < HSTS_MINIMUM or "includesubdomains" not in value:
        return f"Strict-Transport-Security is {value!r}"
    return None


def referrer_problem(exchange: Exchange) -> str | None:
    value = exchange.header("referrer-policy")
    return None if value in SAFE_REFERRERS else f"Referrer-Policy is {value!r}"


def framing_problem(exchange: Exchange) -> str | None:
    ancestors = directives(exchange.header("content-security-policy")).get("frame-ancestors")
    frame_options = exchange.header("x-frame-options").upper()
    if ancestors not in (["'none'"], ["'self'"]) or frame_options not in ("DENY", "SAMEORIGIN"):
        return f"frame-ancestors {ancestors}, X-Frame-Options {frame_options!r}"
    return None


def cors_problem(exchange: Exchange) -> str | None:
    allowed = exchange.header("access-control-allow-origin")
    return f"Access-Control-Allow-Origin: {allowed}" if allowed else None


RESPONSE_RULES: dict[str, tuple[str, str, ResponseRule]] = {
    "V14.4.1": (
        "content-type",
        "a Content-Type on every response with a body; a charset on text/*, XML",
        content_type_problem,
    ),
    "V14.4.2": ("api-content-disposition", "JSON and CSV responses are attachments", api_disposition_problem),
    "V14.4.3": (
        "csp",
        "a strict CSP (default-src none or self, nothing unsafe, base-uri, form-action, frame-ancestors); "
        "no inline script, style or handler in HTML",
        csp_problem,
    ),
    "V14.4.4": ("nosniff", "X-Content-Type-Options: nosniff", nosniff_problem),
    "V14.4.5": ("hsts", f"Strict-Transport-Security with max-age ≥ {HSTS_MINIMUM} and includeSubDomains", hsts_problem),
    "V14.4.6": (
        "referrer-policy",
        "Referrer-Policy no-referrer, same-origin or strict-origin(-when-cross-origin)",
        referrer_problem,
    ),
    "V14.4.7": (
        "frame-ancestors",
        "CSP frame-ancestors 'none' or 'self' and X-Frame-Options DENY or SAMEORIGIN",
        framing_problem,
    ),
    "V14.5.3": ("no-cors", "no Access-Control-Allow-Origin, even to a request from another origin", cors_problem),
}


def unused_methods(app: str) -> Callable[[Site], Finding]:
    def run(site: Site) -> Finding:
        tried = [exchange for exchange in site.of(app) if exchange.note == "method"]
        problems = []
        for exchange in tried:
            allowed = {method.strip() for method in exchange.header("allow").split(",") if method.strip()}
            if exchange.response.status_code != 405 or not allowed <= {"GET", "HEAD", "POST"}:
                problems.append(f"{exchange.label}: Allow {sorted(allowed)}")
        return Finding(len(tried), tuple(problems))

    return run


# V8: caching ----------------------------------------------------------------------------------------


def no_store(app: str) -> Callable[[Site], Finding]:
    def run(site: Site) -> Finding:
        looked = [exchange for exchange in site.of(app) if exchange.sensitive and exchange.note != "method"]
        problems = tuple(
            f"{exchange.label}: Cache-Control {exchange.header('cache-control')!r}"
            for exchange in looked
            if "no-store" not in exchange.header("cache-control")
        )
        return Finding(len(looked), problems)

    return run


def explicit_caching(site: Site) -> Finding:
    """Hashed files are immutable; every other public 200 says how to cache it (no heuristic caching)."""
    problems, looked = [], 0
    for exchange in site.exchanges:
        if exchange.response.status_code not in (200, 206):
            continue
        looked += 1
        rule = exchange.header("cache-control")
        if exchange.hashed and rule != IMMUTABLE:
            problems.append(f"{exchange.label}: a hashed file with Cache-Control {rule!r}")
        elif not rule:
            problems.append(f"{exchange.label}: no Cache-Control")
    return Finding(looked, tuple(problems))


def find_middleware(app: Starlette, kind: type[T]) -> T:
    layer: object = app.middleware_stack
    while layer is not None and not isinstance(layer, kind):
        layer = getattr(layer, "app", None)
    assert isinstance(layer, kind), f"no {kind.__name__} in the app"
    return layer


def kept_digests(app: Starlette) -> set[str]:
    """The hashes of every body the app keeps: HttpCacheMiddleware's compressed bodies and, on the public site,
    the pages rendered once (web/shell/rendered.py)."""
    kept = {digest for digest, _ in find_middleware(app, HttpCacheMiddleware).cache.entries}
    if isinstance(getattr(app.state, "site", None), PublicSite):
        kept |= {entry.digest for entry in site_of_app(app).rendered.entries.values()}
    return kept


def not_in_shared_caches(site: Site) -> Finding:
    """Never `public`, and never kept by the app's own caches (HttpCacheMiddleware, the pages rendered once)."""
    problems, looked = [], 0
    for exchange in (exchange for exchange in site.exchanges if exchange.sensitive):
        looked += 1
        if "public" in exchange.header("cache-control"):
            problems.append(f"{exchange.label}: Cache-Control {exchange.header('cache-control')!r}")
    for app_name, app in (("site", site.app), ("console", site.world.app)):
        kept = kept_digests(app)
        for exchange in site.of(app_name):
            digest = hashlib.sha256(exchange.response.content).hexdigest()[:20]
            if exchange.sensitive and digest in kept:
                problems.append(f"{exchange.label}: its body is kept in the app's memory")
    public_page = hashlib.sha256(site.client.get("/en/").content).hexdigest()[:20]
    if public_page not in kept_digests(site.app):
        problems.append("control: a public page is not in the cache either, so this check sees nothing")
    return Finding(looked, tuple(problems))


def no_cookies_on_the_site(site: Site) -> Finding:
    problems = tuple(f"{e.label}: sets {e.header('set-cookie')!r}" for e in site.of("site") if e.header("set-cookie"))
    return Finding(len(site.of("site")), problems)


# V3: the console's cookies and sessions ---------------------------------------------------------------


@dataclass(frozen=True)
class SetCookie:
    step: str
    name: str
    value: str
    attributes: dict[str, str] = field(default_factory=dict)  # lower-case names; flags map to ""

    @classmethod
    def parse(cls, step: str, header: str) -> SetCookie:
        first, *rest = header.split(";")
        name, _, value = first.strip().partition("=")
        attributes = {}
        for part in rest:
            key, _, attribute = part.strip().partition("=")
            attributes[key.lower()] = attribute
        return cls(step, name, value.strip('"'), attributes)

    @property
    def deletes(self) -> bool:
        return self.attributes.get("max-age") == "0" or "1970" in self.attributes.get("expires", "")

    def __str__(self) -> str:
        return f"{self.step}: {self.name}"


def set_cookies(step: str, response: Response) -> list[SetCookie]:
    return [SetCookie.parse(step, header) for header in response.headers.get_list("set-cookie")]


def signed_in_browser(world: World, role: str = "officer") -> tuple[TestClient, list[SetCookie]]:
    """A browser through both steps of signing in, and every cookie the console set on the way."""
    officer, browser, moment = world.add_officer(role), world.browser(), time.time()
    cookies = set_cookies("password step", world.password_step(browser, officer))
    cookies += set_cookies("code step", world.code_step(browser, world.code(officer, moment)))
    assert SESSION in browser.cookies, "the control sign-in failed"
    return browser, cookies


def session_csrf(world: World, token: str) -> str:
    session = store.get_session(world.engine, auth.token_hash(world.session_key, token))
    assert session is not None
    return session.csrf_token


def sign_out(world: World, browser: TestClient) -> Response:
    return browser.post(
        "/sign-out", data={"csrf": session_csrf(world, browser.cookies[SESSION])}, follow_redirects=False
    )


def console_cookies(world: World) -> list[SetCookie]:
    """Every Set-Cookie of a sign-in and a sign-out, deletions included (a browser ignores a
    deletion of a __Host- cookie that lacks Secure or Path=/)."""
    world.reset()
    browser, cookies = signed_in_browser(world)
    cookies += set_cookies("sign-out", sign_out(world, browser))
    assert {cookie.name for cookie in cookies} == {SESSION, PENDING}, [str(cookie) for cookie in cookies]
    return cookies


def cookie_check(rule: Callable[[SetCookie], str | None]) -> Callable[[Site], Finding]:
    def run(site: Site) -> Finding:
        cookies = console_cookies(site.world)
        return Finding(len(cookies), tuple(f"{cookie}: {problem}" for cookie in cookies if (problem := rule(cookie))))

    return run


def secure_problem(cookie: SetCookie) -> str | None:
    return None if "secure" in cookie.attributes else "no Secure"


def httponly_problem(cookie: SetCookie) -> str | None:
    return None if "httponly" in cookie.attributes else "no HttpOnly"


def samesite_problem(cookie: SetCookie) -> str | None:
    value = cookie.attributes.get("samesite", "").lower()
    return None if value in ("strict", "lax") else f"SameSite={value!r}"


def host_prefix_problem(cookie: SetCookie) -> str | None:
    if not cookie.name.startswith("__Host-"):
        return "no __Host- prefix"
    if cookie.attributes.get("path") != "/" or "domain" in cookie.attributes or "secure" not in cookie.attributes:
        return f"__Host- needs Path=/, Secure and no Domain: {cookie.attributes}"
    return None


def opaque_values(site: Site) -> Finding:
    """V8.2.2: the console's cookies hold a random token or a signed number, nothing about the officer."""
    world = site.world
    cookies = [cookie for cookie in console_cookies(world) if not cookie.deletes]
    problems = []
    for cookie in cookies:
        pattern = r"[A-Za-z0-9_-]{43}" if cookie.name == SESSION else r"\d+\.\d+\.[0-9a-f]{64}"
        said = [word for word in (PASSWORD, *store.ROLES, "officer-") if word in cookie.value]
        if not re.fullmatch(pattern, cookie.value) or said:
            problems.append(f"{cookie}: {cookie.value!r}")
    return Finding(len(cookies), tuple(problems))


def token_not_in_urls(site: Site) -> Finding:
    """V3.1.1: no session token in a Location, a URL or a page, for any response that was sent one."""
    problems, looked = [], 0
    for exchange in site.of("console"):
        tokens = re.findall(rf"{SESSION}=([^;]+)", exchange.response.request.headers.get("cookie", ""))
        for token in tokens:
            looked += 1
            shown = (exchange.header("location"), str(exchange.response.request.url), exchange.response.text)
            if any(token in text for text in shown):
                problems.append(f"{exchange.label}: the session token is in the response or the URL")
    return Finding(looked, tuple(problems))


def new_token_at_sign_in(site: Site) -> Finding:
    """V3.2.1: signing in sets a new token, whatever the browser held: an attacker's chosen value is
    never adopted, and a session the browser already had ends."""
    world = site.world
    world.reset()
    problems = []
    held = world.session(world.officers["admin"]).token
    for label, before in (("a value chosen by an attacker", secrets.token_urlsafe(32)), ("a live session", held)):
        browser = world.browser()
        browser.cookies.set(SESSION, before, domain=urlsplit(CONSOLE_URL).hostname or "")
        officer, moment = world.add_officer("officer"), time.time()
        world.password_step(browser, officer)
        cookies = set_cookies("code step", world.code_step(browser, world.code(officer, moment)))
        issued = [cookie.value for cookie in cookies if cookie.name == SESSION and not cookie.deletes]
        if len(issued) != 1 or issued[0] == before:
            problems.append(f"{label}: the code step set {issued}")
        if world.session_exists(before):
            problems.append(f"{label}: still a session after signing in again")
    return Finding(2, tuple(problems))


def token_entropy(site: Site) -> Finding:
    """V3.2.2: session and CSRF tokens of 256 random bits (43 base64url characters), never repeated."""
    world = site.world
    world.reset()
    tokens = []
    for _ in range(3):
        browser, _ = signed_in_browser(world)
        token = browser.cookies[SESSION]
        tokens += [token, session_csrf(world, token)]
    problems = [
        f"{token[:6]}…: {len(token)} characters" for token in tokens if not re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    ]
    if len(set(tokens)) != len(tokens):
        problems.append("a token repeated")
    return Finding(len(tokens), tuple(problems))


def sign_out_ends_the_session(site: Site) -> Finding:
    """V3.3.1: signing out deletes the cookie in the browser and ends the session on the server: the
    token then opens nothing (the back button gets the sign-in page, not the concern)."""
    world = site.world
    world.reset()
    browser, _ = signed_in_browser(world)
    token = browser.cookies[SESSION]
    response = sign_out(world, browser)
    problems = []
    deletions = [cookie for cookie in set_cookies("sign-out", response) if cookie.name == SESSION and cookie.deletes]
    if len(deletions) != 1:
        problems.append(f"sign-out does not delete the session cookie: {response.headers.get_list('set-cookie')}")
    if world.session_exists(token):
        problems.append("the session is still in the database")
    again = world.request("GET", f"/concerns/{world.concern}", {SESSION: token})
    if again.headers.get("location") != "/sign-in" or CONCERN_MARKER in again.text:
        problems.append(f"the old token still opens the concern ({again.status_code})")
    return Finding(3, tuple(problems))


def expiry_ends_the_session(site: Site) -> Finding:
    """V3.3.1: a session past either limit is refused and deleted, not just refused."""
    world = site.world
    world.reset()
    now, problems = auth.now_utc(), []
    stale = {
        "idle": world.session(world.officers["officer"], created=now - world.idle - dt.timedelta(minutes=1)),
        "absolute": world.session(
            world.officers["officer"], created=now - world.maximum - dt.timedelta(minutes=1), last_seen=now
        ),
    }
    for label, credentials in stale.items():
        response = world.request("GET", "/concerns", {SESSION: credentials.token})
        if response.headers.get("location") != "/sign-in" or world.session_exists(credentials.token):
            problems.append(f"{label}: {response.status_code}, still stored: {world.session_exists(credentials.token)}")
    return Finding(len(stale), tuple(problems))


def timeouts(site: Site) -> Finding:
    """V3.3.2 (level 2: 12 hours, or 30 minutes idle): the defaults are within it, and the console
    keeps to its limits (the matrix's control, idle and absolute cases on GET /concerns)."""
    defaults, problems = Settings(), []
    if defaults.console_idle_minutes > 30 or defaults.console_max_hours > 12:
        problems.append(f"defaults: {defaults.console_idle_minutes} min idle, {defaults.console_max_hours} h")
    row = Row("/concerns", "GET", only("officer"))
    cells = [
        run_cell(site.world, row, case) for case in CASES if case.name in ("control", "idle-expired", "max-age-expired")
    ]
    problems += [
        f"{cell.case}: expected {cell.expected}, got {cell.outcome} ({cell.detail})" for cell in cells if not cell.ok
    ]
    site.world.reset()
    return Finding(len(cells) + 1, tuple(problems))


def pending_cookie_is_tamper_proof(site: Site) -> Finding:
    """V3.5.3: the signed pending cookie (password right, code awaited) resists tampering: another
    officer's number, a later expiry, a changed signature or an expired value all go back to sign-in."""
    world = site.world
    world.reset()
    browser, moment = world.browser(), time.time()
    world.password_step(browser, world.add_officer("officer"))
    real = browser.cookies[PENDING]
    number, expires, signature = real.split(".")
    key: bytes = console_of_app(world.app).keys.pending_key
    variants = {
        "another officer's number": f"{world.officers['admin'].id}.{expires}.{signature}",
        "a later expiry": f"{number}.{int(expires) + 3600}.{signature}",
        "a changed signature": f"{number}.{expires}.{signature[::-1]}",
        "no signature": f"{number}.{expires}.",
        "expired": auth.pending_value(key, int(number), now=moment - auth.PENDING_SECONDS - 1),
    }
    problems = []
    if world.request("GET", "/sign-in/code", {PENDING: real}).status_code != 200:
        problems.append("control: the real pending cookie is refused, so this check sees nothing")
    for label, value in variants.items():
        response = world.request("GET", "/sign-in/code", {PENDING: value})
        if response.headers.get("location") != "/sign-in":
            problems.append(f"{label}: {response.status_code}")
    return Finding(len(variants) + 1, tuple(problems))


def fails_securely(site: Site) -> Finding:
    """V4.1.5: odd values at each access decision (the session cookie, the CSRF token, the pending
    cookie, the code) are refused like any wrong value: never a server error, never let in."""
    world = site.world
    world.reset()
    credentials = world.session(world.officers["officer"])
    browser = world.browser()
    world.password_step(browser, world.add_officer("officer"))
    pending = browser.cookies[PENDING]
    odd = ("é" * 43, "²" * 6, "", "=", ".", "..", "\x00", "9" * 4000)
    tries: list[tuple[str, str, str, dict[str, str], dict[str, str] | None]] = []
    for value in odd:
        shown = repr(value[:8])
        tries += [
            (f"session cookie {shown}", "GET", "/concerns", {SESSION: value}, None),
            (f"pending cookie {shown}", "GET", "/sign-in/code", {PENDING: value}, None),
            (f"code {shown}", "POST", "/sign-in/code", {PENDING: pending}, {"code": value}),
            (
                f"CSRF token {shown}",
                "POST",
                f"/concerns/{world.concern}",
                {SESSION: credentials.token},
                {"status": "closed", "csrf": value},
            ),
        ]
    problems = []
    for label, method, path, cookies, form in tries:
        before = world.state()
        response = world.request(method, path, cookies, form)
        refused = response.status_code in (401, 403) or response.headers.get("location") == "/sign-in"
        if not refused or world.state() != before:
            problems.append(f"{label}: {response.status_code} {response.headers.get('location', '')}")
        world.reset()
    return Finding(len(tries), tuple(problems))


# V2: the code -----------------------------------------------------------------------------------------


def otp_secrets_sealed(site: Site) -> Finding:
    """V2.8.2: every officer's TOTP secret is sealed in the database with a key derived from the officers'
    private key (kept apart): each opens with the console's key, and none is in clear in the database's
    files or in a backup."""
    world = site.world
    officers = store.all_officers(world.engine)
    opened = {
        officer.username: open_totp_secret(console_of_app(world.app).keys.totp_key, officer.totp_secret)
        for officer in officers
    }
    problems = [f"{name}: not sealed with the console's key" for name, secret in opened.items() if secret is None]
    database = Path(str(make_url(site.settings.database_url).database))
    files = {path.name: path.read_bytes() for path in database.parent.glob(database.name + "*")}
    copy = backup(world.engine, database.parent / "asvs-backups")
    files[copy.name] = copy.read_bytes()
    for name, secret in opened.items():
        problems += [
            f"{name}'s secret in clear in {file}" for file, data in files.items() if secret and secret.encode() in data
        ]
    return Finding(len(officers) * (1 + len(files)), tuple(problems))


def code_once(site: Site) -> Finding:
    """V2.8.4: a code signs in once (see tests/test_access_control.py's totp-replayed case)."""
    world = site.world
    world.reset()
    attempts = replayed_code_attempts(world, "officer", csrf="")
    problems = tuple(
        f"{a.label}: {a.let_in or 'a session cookie'}" for a in attempts if a.let_in or SESSION in a.cookies
    )
    return Finding(len(attempts), problems)


def code_lifetime(site: Site) -> Finding:
    """V2.8.1: a code lives for its 30-second step and one either side; two steps old, it is refused."""
    world = site.world
    world.reset()
    problems = []
    for age, accepted in ((30, True), (65, False)):
        officer, browser = world.add_officer("officer"), world.browser()
        world.password_step(browser, officer)
        answer = world.code_step(browser, world.code(officer, time.time() - age))
        if (answer.status_code == 303) != accepted:
            problems.append(f"a code {age} s old: {answer.status_code}")
    return Finding(2, tuple(problems))


def anti_automation(site: Site) -> Finding:
    """V2.2.1: five wrong passwords lock the account; five wrong codes lock it too (the right code
    after them is refused); more than SIGN_INS_PER_HOUR sign-ins an hour from one address get 429."""
    world = site.world
    world.reset()
    problems = []
    officer, browser = world.add_officer("officer"), world.browser()
    for _ in range(auth.MAX_FAILURES):
        world.password_step(browser, officer, "not the password")
    if world.password_step(browser, officer).status_code != 401:
        problems.append("the right password after five wrong ones went on to the code")
    locked = locked_out_attempt(world, "officer", csrf="")
    if locked.let_in or SESSION in locked.cookies:
        problems.append(f"code lockout: {locked.let_in}")
    world.reset()
    answers = [
        world.password_step(world.browser(), officer, "x" * 12).status_code for _ in range(SIGN_INS_PER_HOUR + 1)
    ]
    if answers[-1] != 429 or 429 in answers[:-1]:
        problems.append(f"sign-in throttle: {answers}")
    world.reset()
    return Finding(3, tuple(problems))


async def _held_code_posts(app: Starlette, pending: str, codes: list[str]) -> list[str]:
    """POST /sign-in/code once per code, all at once, each body held back until every request is in
    the console; then the bodies go in order, the last only once the others are answered. Each
    answer as "status location"."""
    releases = [asyncio.Event() for _ in codes]
    answers = [""] * len(codes)
    waiting = 0

    async def call(index: int) -> None:
        body = urlencode({"code": codes[index]}).encode()
        delivered = False

        async def receive() -> Message:
            nonlocal delivered, waiting
            if delivered:
                await asyncio.Event().wait()  # no disconnect: wait until the response is done
            waiting += 1
            await releases[index].wait()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                location = dict(message["headers"]).get(b"location", b"").decode()
                answers[index] = f"{message['status']} {location}".strip()

        headers = [
            (b"host", b"console.test"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
            (b"cookie", f"{PENDING}={pending}".encode()),
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "https",
            "path": "/sign-in/code",
            "raw_path": b"/sign-in/code",
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 5000 + index),
            "server": ("console.test", 443),
        }
        await app(scope, receive, send)

    tasks = [asyncio.create_task(call(index)) for index in range(len(codes))]
    async with asyncio.timeout(10):
        while waiting < len(codes):  # until every request is in the console, waiting for its body
            await asyncio.sleep(0.01)
    for release in releases[:-1]:
        release.set()
    await asyncio.gather(*tasks[:-1])
    releases[-1].set()
    await tasks[-1]
    return answers


def lockout_under_parallel_guesses(site: Site) -> Finding:
    """V11.1.6: guesses sent together, bodies held open, are counted one by one: after five wrong
    codes the account is locked, and the right code sent with them does not sign in."""
    world = site.world
    world.reset()
    officer, browser, moment = world.add_officer("officer"), world.browser(), time.time()
    world.password_step(browser, officer)
    wrong = [world.wrong_code(officer, moment)] * (auth.MAX_FAILURES + 2)
    codes = [*wrong, world.code(officer, moment)]
    answers = asyncio.run(_held_code_posts(world.app, browser.cookies[PENDING], codes))
    after = store.officer_by_id(world.engine, officer.id)
    expected = ["401"] * auth.MAX_FAILURES + ["303 /sign-in"] * (len(codes) - auth.MAX_FAILURES)
    problems = []
    if after is None or after.locked_until is None:
        problems.append(f"not locked after {len(wrong)} wrong codes in parallel")
    if answers != expected:
        problems.append(f"answers {answers}, not {expected} (the last is the right code)")
    stale = store.officer_by_id(world.engine, world.add_officer("officer").id)
    assert stale is not None
    for _ in range(2):  # two workers that read the account before either wrote
        auth.record_failure(world.engine, stale, auth.now_utc())
    counted = store.officer_by_id(world.engine, stale.id)
    if counted is None or counted.failed_sign_ins != 2:
        problems.append("two failures counted from the same read of the account do not count as two")
    world.reset()
    return Finding(len(answers) + 1, tuple(problems))


# V4.2.2: cross-site request forgery ---------------------------------------------------------------------

POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)


def console_csrf(site: Site) -> Finding:
    """Every signed-in POST refuses a missing or wrong token and changes nothing (the matrix's
    csrf cases, on every POST route); every form a signed-in page shows carries the session's token."""
    world, problems = site.world, []
    rows = [row for row in matrix_rows() if row.method == "POST" and row.rule.served and not row.rule.public]
    cells = [run_cell(world, row, case) for row in rows for case in CASES if case.post_only]
    problems += [f"{cell.row} / {cell.case}: {cell.outcome} ({cell.detail})" for cell in cells if not cell.ok]
    forms = 0
    for exchange in site.of("console"):
        cookie = re.search(rf"{SESSION}=([^;]+)", exchange.response.request.headers.get("cookie", ""))
        if cookie is None or not world.session_exists(cookie[1]) or exchange.media_type != "text/html":
            continue
        for form in POST_FORM.findall(exchange.response.text):
            forms += 1
            if f'name="csrf" value="{session_csrf(world, cookie[1])}"' not in form:
                problems.append(f"{exchange.label}: a POST form without the session's CSRF token")
    if forms == 0:
        problems.append("no signed-in page with a form was seen")
    world.reset()
    return Finding(len(cells) + forms, tuple(problems))


def site_csrf(site: Site) -> Finding:
    """The public forms: a missing, forged or other form's token, a cross-site or foreign origin,
    are each refused with 403 and store nothing; the same post with a valid token from the site is
    accepted. Every POST form on the site's pages carries a token."""
    app, client = site.app, site.client
    tokens: FormTokens = site_of_app(app).form_tokens
    concern = {"step": "check", "danger": "no", **answers_for("ASVS-CSRF")}
    callback = {"callback_phone": "07700 900 982", "callback_times": "after 6pm", "voicemail_ok": "no"}
    feedback = {"page": "home", "useful": "no", "comment": "ASVS"}
    Issue = Callable[[], str]
    forms: dict[str, tuple[dict[str, str], Issue, Issue]] = {
        "/en/share-a-concern": (concern, tokens.issue, lambda: current_token(site_of_app(app).feedback_tokens)),
        "/en/share-a-concern/callback": (
            callback,
            tokens.issue,
            lambda: current_token(site_of_app(app).feedback_tokens),
        ),
        "/en/feedback": (feedback, lambda: current_token(site_of_app(app).feedback_tokens), tokens.issue),
    }
    problems, tried = [], 0
    for path, (fields, valid, other_kind) in forms.items():
        real = valid()
        refusals = {
            "no token": ({}, SAME_ORIGIN),
            "a forged token": ({"token": real[:-4] + "AAAA"}, SAME_ORIGIN),
            "another form's token": ({"token": other_kind()}, SAME_ORIGIN),
            "a cross-site post": ({"token": real}, {"Sec-Fetch-Site": "cross-site", "Origin": EVIL}),
            "another origin, no Sec-Fetch-Site": ({"token": real}, {"Origin": EVIL}),
            "a null origin": ({"token": real}, {"Origin": "null"}),
        }
        for label, (token, headers) in refusals.items():
            tried += 1
            before = site.counts()
            response = client.post(
                path, data={**fields, **token}, headers={**headers, **BROWSER}, follow_redirects=False
            )
            if response.status_code != 403 or site.counts() != before:
                problems.append(f"POST {path}, {label}: {response.status_code}, stored {before} → {site.counts()}")
        before = site.counts()
        accepted = client.post(
            path, data={**fields, "token": valid()}, headers={**SAME_ORIGIN, **BROWSER}, follow_redirects=False
        )
        if accepted.status_code not in (200, 303) or site.counts() == before:  # a concern 200, feedback 303
            problems.append(f"control: POST {path} with a valid token: {accepted.status_code}, nothing stored")
    saved = client.post("/en/offline/saved-count", headers={"Sec-Fetch-Site": "cross-site", **BROWSER})
    tried += 1
    if saved.status_code != 403:
        problems.append(f"POST /en/offline/saved-count cross-site: {saved.status_code}")
    for exchange in site.of("site"):
        if exchange.media_type == "text/html":
            for form in POST_FORM.findall(exchange.response.text):
                tried += 1
                if 'name="token"' not in form:
                    problems.append(f"{exchange.label}: a POST form without a form token")
    return Finding(tried, tuple(problems))


# The list ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AsvsCheck:
    item: str  # the ASVS 4.0.3 requirement
    slug: str
    what: str  # what is checked, for bench/results/security-matrix.md
    run: Callable[[Site], Finding]

    @property
    def id(self) -> str:
        return f"{self.item}-{self.slug}"


def _checks() -> list[AsvsCheck]:
    checks = []
    for item, (slug, what, rule) in RESPONSE_RULES.items():
        for app in ("site", "console"):
            checks.append(
                AsvsCheck(item, f"{slug}-{app}", f"{what} ({app}: every response)", per_response(item, app, rule))
            )
    for app in ("site", "console"):
        what = f"PUT, DELETE, PATCH, OPTIONS and TRACE answer 405 with Allow GET/HEAD/POST only ({app}: every route)"
        checks.append(AsvsCheck("V14.5.1", f"unused-methods-{app}", what, unused_methods(app)))
    checks += [
        AsvsCheck(
            "V8.2.1",
            "no-store-site",
            "Cache-Control: no-store on the forms, search, feedback, exit and health",
            no_store("site"),
        ),
        AsvsCheck(
            "V8.2.1",
            "no-store-console",
            "Cache-Control: no-store on every console response but hashed assets",
            no_store("console"),
        ),
        AsvsCheck(
            "V8.2.1",
            "explicit-caching",
            "hashed files immutable; every other 200 has a Cache-Control",
            explicit_caching,
        ),
        AsvsCheck(
            "V8.1.1",
            "not-in-shared-caches",
            "no personal response is public, or kept by the app's page cache",
            not_in_shared_caches,
        ),
        AsvsCheck("V8.2.2", "no-cookies-site", "no public response sets a cookie", no_cookies_on_the_site),
        AsvsCheck(
            "V8.2.2",
            "opaque-cookies-console",
            "console cookies hold a random token or a signed number only",
            opaque_values,
        ),
        AsvsCheck(
            "V3.4.1", "secure", "Secure on every console Set-Cookie, deletions included", cookie_check(secure_problem)
        ),
        AsvsCheck("V3.4.2", "httponly", "HttpOnly on every console Set-Cookie", cookie_check(httponly_problem)),
        AsvsCheck(
            "V3.4.3", "samesite", "SameSite=Strict or Lax on every console Set-Cookie", cookie_check(samesite_problem)
        ),
        AsvsCheck(
            "V3.4.4",
            "host-prefix",
            "__Host- name, Path=/, Secure, no Domain on every console Set-Cookie",
            cookie_check(host_prefix_problem),
        ),
        AsvsCheck("V3.1.1", "token-not-in-urls", "no session token in a Location, URL or page", token_not_in_urls),
        AsvsCheck(
            "V3.2.1",
            "new-token-at-sign-in",
            "sign-in sets a new token; a chosen one is not adopted, an old one ends",
            new_token_at_sign_in,
        ),
        AsvsCheck("V3.2.2", "token-entropy", "session and CSRF tokens: 256 random bits, never repeated", token_entropy),
        AsvsCheck(
            "V3.3.1",
            "sign-out",
            "sign-out deletes the cookie and the session; the old token opens nothing",
            sign_out_ends_the_session,
        ),
        AsvsCheck(
            "V3.3.1",
            "expiry",
            "a session past its idle or absolute limit is refused and deleted",
            expiry_ends_the_session,
        ),
        AsvsCheck(
            "V3.3.2", "timeouts", "defaults within 30 min idle and 12 h; the console keeps to its limits", timeouts
        ),
        AsvsCheck(
            "V3.5.3",
            "pending-cookie",
            "the signed pending cookie refuses another number, expiry or signature",
            pending_cookie_is_tamper_proof,
        ),
        AsvsCheck("V2.8.1", "code-lifetime", "a code one step old works; two steps old it does not", code_lifetime),
        AsvsCheck(
            "V2.8.2",
            "otp-secrets-sealed",
            "TOTP secrets sealed: none in clear in the database or a backup",
            otp_secrets_sealed,
        ),
        AsvsCheck(
            "V2.8.4", "code-once", "a used code never signs in again, from any browser, within its step", code_once
        ),
        AsvsCheck("V2.2.1", "anti-automation", "password lockout, code lockout, sign-in throttle", anti_automation),
        AsvsCheck(
            "V11.1.6",
            "lockout-race",
            "parallel wrong codes, bodies held open, still lock the account",
            lockout_under_parallel_guesses,
        ),
        AsvsCheck(
            "V4.1.5", "fails-securely", "odd cookies, CSRF tokens and codes are refused, never a 500", fails_securely
        ),
        AsvsCheck(
            "V4.2.2",
            "csrf-console",
            "every signed-in POST needs the session's CSRF token; every form has it",
            console_csrf,
        ),
        AsvsCheck(
            "V4.2.2",
            "csrf-site",
            "public forms need a signed token and a same-origin post; every form has one",
            site_csrf,
        ),
    ]
    return checks


CHECKS = _checks()
