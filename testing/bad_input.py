"""Hostile input for every form and query parameter of the public site, and what every answer must be.

Shared by tests/test_bad_input.py (the sweep and a few hundred examples in every test run) and
bench/fuzz.py (the long run: ten thousand requests and more, in-process and against uvicorn), so both
prove the same property.

What is attacked comes from the app itself: its POST routes (each needs a `FormSpec` here, or
`uncovered` names it and the tests fail), its GET routes, and the query parameters and request headers
its own source reads (`names_read`). Requests are plain data (`FuzzRequest`), drawn by hypothesis
(`strategies`) or listed one hostile kind at a time (`sweep`); form tokens are made only when a request
is sent (`Token`), so an example replays exactly.

The property, checked on every answer by `Fuzzer.check`: never a 5xx; never a traceback; every
rejection (any 4xx) and every page a complete HTML page in a language (<html lang>, an <h1>), with the
GOV.UK error summary when a form is shown again (422); the site's security headers on every answer;
nothing from the input unescaped (no script, event-handler attribute or javascript: address that the
site did not write); and a valid form with junk fields added is still accepted, with nothing lost (what
is stored equals what was sent).
"""

from __future__ import annotations

import ast
import enum
import gzip
import html.parser
import importlib
import json
import random
import re
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import brotli
from hypothesis import assume
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

import web
from testing.forms import reference_on
from testing.settings import change_site, settings_in
from web.app import create_app
from web.concern import questions
from web.content.forces import load_forces
from web.http.form_tokens import TOKEN_LIFETIME, FormTokens
from web.http.forms import clean_text, remove_personal_details
from web.http.limits import SubmissionLimiter
from web.http.security_headers import HEADERS
from web.launch import partner_feedback, satisfaction
from web.launch.forms import MAX_COMMENT as LAUNCH_MAX_COMMENT
from web.offline.icons import icon_name
from web.public.feedback import MAX_COMMENT, current_token
from web.sealing import load_private_key, unseal
from web.settings import Settings
from web.shell.site import site_of_app
from web.storage.concerns import get_concern
from web.storage.tables import feedback_comments
from web.toolkit import posters

WEB = Path(web.__file__).resolve().parent
CANARY = "fz7q"  # in every script the fuzzer sends, to find it again in a page
BOUNDARY = "----fz7qBoundary0"

# Attacks --------------------------------------------------------------------------------------------

SCRIPTS = (
    f"<script>alert('{CANARY}')</script>",
    f'"><svg onload=alert("{CANARY}")>',
    f"'><img src=x onerror=alert('{CANARY}')>",
    f"</textarea></title><script>{CANARY}()</script>",
    f'" autofocus onfocus="alert(1)" x="{CANARY}',
    f"<a href=javascript:alert('{CANARY}')>{CANARY}</a>",
    f"<iframe src=//evil.example/{CANARY}></iframe>",
    "{{ 7*7 }}{% include 'base.html' %}",
    "%(limit)d %s %(query)s {0} ${7*7}",
)
SQL = (
    "' OR 1=1 --",
    "'; DROP TABLE concerns; --",
    '" OR ""="',
    "1; SELECT pg_sleep(10); --",
    "') UNION SELECT password_hash FROM officers --",
    "\\'; DELETE FROM figures; --",
    '"a" NEAR "b" OR * ^ : -',  # FTS5 syntax
    "a & !b | c:* <-> d",  # tsquery syntax
)
ODDITIES = (
    "\x00",
    "\x01\x02\x03",
    "\x07\x08",
    "\x1b[31m",
    "\x7f",
    "\r\n",
    "\r",
    "\x85",
    "\u2028\u2029",
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "\u200d",
    "\u2066",
    "\ufeff",
    "\ufffd",
    "\ud800",  # lone surrogates: percent-encoded as the invalid UTF-8 %ED%A0%80
    "\udfff",
    "\U0001f600",
    "e\u0301",
    "\u0958",  # NFC makes it two characters
    "ﷺ",
    "İ",
    "\U000e0041",
    "\U0010ffff",
    "..\\..\\",
    "../../etc/passwd",
    "%00",
    "%FF",
    "%",
)
ATTACKS = SCRIPTS + SQL + ODDITIES
# Written by people: long answers in several scripts (Urdu is 2 bytes a letter, emoji 4).
LONG_UNITS = ("a", "Mae fy mab ", "میرا بیٹا ", "ی", "\U0001f600", "e\u0301", "<", "%", "\x00")
# Bytes that no UTF-8 decoder accepts, and percent-escapes of them, and broken escapes.
DAMAGE = {
    "invalid utf-8": b"\xff\xfe\xc3\x28\xed\xa0\x80",
    "escaped invalid utf-8": b"%FF%FE%C3%28%ED%A0%80",
    "broken escape": b"%G1%",
    "separators": b"&&==&;",
    "nul": b"\x00",
    "truncate": b"",
}
CHARSETS = (
    "",
    "utf-8",
    "latin-1",
    "utf-16",
    "utf-7",
    "unicode_escape",
    "raw_unicode_escape",
    "undefined",
    "idna",
    "punycode",
    "zlib",
    "rot13",
    "nonsense",
)
WEIRD_TYPES = (
    "application/x-www-form-urlencoded; charset=utf-16",
    "APPLICATION/X-WWW-FORM-URLENCODED",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    'multipart/form-data; boundary="',
    f"multipart/form-data; boundary={BOUNDARY}; boundary=other",
    f"multipart/mixed; boundary={BOUNDARY}",
    "text/html",
    "*/*",
    ";;;",
    "application/x-www-form-urlencoded; charset",
    "",
)
ENCODINGS = (
    *("urlencoded",) * 6,
    *("multipart",) * 3,
    "raw-urlencoded",
    "json",
    "text",
    "octet",
    "untyped",
    "weird-type",
    "absent",
)
# Field names the site reads: junk must not use them (a junk `token` is an attack, not junk).
ANSWER_NAMES = frozenset({*questions.ALL_FIELDS, "page", "useful", "comment"})
KNOWN_NAMES = frozenset(
    {
        *questions.ALL_FIELDS,
        "token",
        "step",
        "change",
        "back_to_check",
        "leave_blank",
        "send",
        "danger",
        "back",
        "changing",
    }
    | {"page", "useful", "comment"}
    | {"links", "answer", "organisation", "works"}  # the launch's forms (web/launch/)
)
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|sqlalchemy\.exc|psycopg\.")


class Token(enum.Enum):
    """A form token, made when the request is sent: tokens are random and expire, examples must not be."""

    VALID = "valid"
    EXPIRED = "expired"  # signed, but older than TOKEN_LIFETIME
    FORGED = "forged"  # the right shape, the wrong signature
    FOREIGN = "foreign"  # the other form's token: a feedback token on the concern form and back
    TAMPERED = "tampered"  # a valid token with a letter of its signature changed to one outside ASCII


Value = str | Token
Answers = tuple[tuple[str, str | tuple[str, ...]], ...]


@dataclass(frozen=True)
class Accepted:
    """What a valid post must lead to: "page" (the next page, every answer on it), "sent" and "callback"
    (stored, sealed, with exactly these answers), "feedback" (stored), "saved" (counted)."""

    kind: str
    answers: Answers = ()


@dataclass(frozen=True, repr=False)
class FuzzRequest:
    target: str  # what is attacked, as the report names it: "POST /{lang}/feedback"
    method: str
    path: str  # percent-encoded ASCII, no query string
    query: bytes = b""  # exactly as sent: may hold %FF, raw bytes (raw requests only), broken escapes
    fields: tuple[tuple[str, Value], ...] = ()
    encoding: str = "absent"  # how `fields` become the body: one of ENCODINGS
    charset: str = ""  # declared on multipart bodies
    content_type: str | None = None  # replaces the encoding's own
    headers: tuple[tuple[bytes, bytes], ...] = ()
    damage: tuple[tuple[str, int], ...] = ()  # (a DAMAGE kind, where in the body per mille)
    padding: int = 0  # one more field this many bytes long: huge bodies
    many: int = 0  # this many more `fzN=1` fields: many fields
    transfer: str = "length"  # "length", "chunked"; raw only: "short" or "long" (Content-Length lies)
    raw: bool = False  # straight to the ASGI app: bytes TestClient cannot send
    tokens: str = ""  # whose tokens: "concern", "feedback", or "" (none)
    texts: tuple[str, ...] = ()  # what else was sent (query values, path segments), for the escaping check
    expect: Accepted | None = None

    def __repr__(self) -> str:
        """The request, short enough for a failure message (values cut at 80 characters)."""
        fields = [(name[:40], value if isinstance(value, Token) else value[:80]) for name, value in self.fields[:30]]
        headers = [(name[:40], value[:80]) for name, value in self.headers]
        return (
            f"FuzzRequest({self.target!r}, {self.method} {self.path[:200]}?{self.query[:300]!r} "
            f"encoding={self.encoding} charset={self.charset!r} type={self.content_type!r} transfer={self.transfer} "
            f"raw={self.raw} padding={self.padding} many={self.many} damage={self.damage} headers={headers} "
            f"fields={fields} ({len(self.fields)}) expect={self.expect and self.expect.kind})"
        )

    summary = __repr__


@dataclass(frozen=True)
class Prepared:
    """A FuzzRequest with its tokens made and its body encoded: the bytes that go to the server."""

    method: str
    path: str
    query: bytes
    headers: tuple[tuple[bytes, bytes], ...]  # without Content-Length and Transfer-Encoding
    body: bytes | None  # None: no body at all
    transfer: str
    raw: bool
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    status: int
    headers: dict[str, str]  # lower-case names
    text: str


@dataclass(frozen=True)
class Finding:
    kind: str  # "server error", "traceback", "unclear", "headers", "unescaped", "lost"
    detail: str


class Transport(Protocol):
    def send(self, prepared: Prepared) -> Outcome: ...


# What the site has, from the app ---------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    languages: tuple[str, ...]
    slugs: dict[str, tuple[str, ...]]  # advice pages by language
    forces: tuple[str, ...]
    films: tuple[str, ...]
    assets: tuple[str, ...]
    query_parameters: tuple[str, ...]
    request_headers: tuple[str, ...]
    max_body: int

    @classmethod
    def of(cls, app: Starlette) -> Site:
        library = site_of_app(app).library
        return cls(
            languages=tuple(library.languages),
            slugs={lang: tuple(page.slug for page in library.in_language(lang)) for lang in library.languages},
            forces=tuple(load_forces(site_of_app(app).settings.content_dir / "forces.yaml")),
            films=tuple(film.slug for film in site_of_app(app).films.films),
            assets=tuple(sorted(site_of_app(app).assets.files))[:3],
            query_parameters=tuple(sorted(names_read("query"))),
            request_headers=tuple(sorted(names_read("headers"))),
            max_body=site_of_app(app).settings.max_body_bytes,
        )


_LOOKED_UP_ON = {
    "query": re.compile(r"(?:^|\.)(?:query_params|query)$"),
    "headers": re.compile(r"(?:^|\.)headers$|^Headers\(.*\)$"),
}


def names_read(kind: str) -> frozenset[str]:
    """The query parameters (kind "query") or request headers ("headers") the site's own code looks up,
    found in its source, so a parameter added later is fuzzed without anyone listing it here."""
    pattern = _LOOKED_UP_ON[kind]
    found: set[str] = set()
    for path in sorted(WEB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            key = _lookup_key(node, pattern)
            module = ".".join(path.relative_to(WEB.parent).with_suffix("").parts)
            name = _constant(key, module) if key is not None else None
            if name:
                found.add(name.lower() if kind == "headers" else name)
    return frozenset(found)


def _lookup_key(node: ast.AST, pattern: re.Pattern[str]) -> ast.expr | None:
    """The key in `x.get(key)`, `x[key]` or `key in x`, when x is a query or headers object."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "getlist"):
        return node.args[0] if node.args and pattern.search(ast.unparse(node.func.value)) else None
    if isinstance(node, ast.Subscript):
        return node.slice if pattern.search(ast.unparse(node.value)) else None
    if isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In | ast.NotIn):
        return node.left if pattern.search(ast.unparse(node.comparators[0])) else None
    return None


def _constant(key: ast.expr, module: str) -> str | None:
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    if isinstance(key, ast.Name):  # a module constant, such as redirects.NOTICE_PARAMETER
        value = getattr(importlib.import_module(module), key.id, None)
        return value if isinstance(value, str) else None
    return None


def routes(app: Starlette, method: str) -> dict[str, str]:
    """Route name -> path format, for every route of the app that answers `method`."""
    return {
        route.name: route.path_format
        for route in app.routes
        if isinstance(route, Route) and route.methods is not None and method in route.methods
    }


def path_values(site: Site, route: str, param: str) -> tuple[str, ...]:
    """Real values for a route's path parameter, so that its query string reaches the handler."""
    toolkit = route.startswith("toolkit_")
    values: dict[str, tuple[str, ...]] = {
        "lang": posters.LANGUAGES if toolkit else site.languages,
        "force": site.forces[:3],
        "reference": ("ABCD-EFGH",),
        "slug": site.films if route == "film_page" else site.slugs[site.languages[0]][:4],
    }
    if param == "name":
        names = {"asset": site.assets, "icon": (icon_name(192),), "film_file": ("missing.mp4",)}
        values["name"] = names.get(route, ())
    found = values.get(param, ())
    if not found:
        raise LookupError(f"no sample value for {{{param}}} in route {route}: add one to testing/bad_input.py")
    return found


def concrete_paths(site: Site, route: str, path_format: str) -> tuple[str, ...]:
    """The route's path with real values: one for each value of its first parameter."""
    params = re.findall(r"{(\w+)}", path_format)
    if not params:
        return (path_format,)
    first = path_values(site, route, params[0])
    rest = {param: path_values(site, route, param)[0] for param in params[1:]}
    return tuple(path_format.format(**{params[0]: value, **rest}) for value in first)


# Strategies -----------------------------------------------------------------------------------------


def nasty_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Text a form should never choke on: attacks, control and format characters, surrogates, anything."""
    piece = st.one_of(
        st.sampled_from(ATTACKS),
        st.text(max_size=12),
        st.text(st.characters(categories=("Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Mn")), max_size=6),
    )
    return st.one_of(st.lists(piece, max_size=5).map("".join), st.text(max_size=max_size))


def long_text() -> st.SearchStrategy[str]:
    """Very long values, cheaply: a unit repeated (hypothesis is slow to write 50,000 characters itself)."""
    return st.builds(lambda unit, count: unit * count, st.sampled_from(LONG_UNITS), st.integers(300, 40_000))


TYPED = st.characters(categories=("L", "M", "N", "P", "S", "Zs"))


@st.composite
def typed_text(draw: st.DrawFn, spec: questions.Field) -> str:
    """What a person might type in a text field, within its limit, already as the form cleans it: a
    script or SQL (a worried parent may quote what they saw), any text, or a long answer in a script of
    several bytes a letter, often right at the limit (odds as written: see hostile_posts)."""
    chance = draw(st.randoms(use_true_random=True))
    multiline = spec.kind == "textarea"
    kind = chance.choice(("quoted", "typed", "long"))
    if kind == "quoted":
        value = chance.choice(SCRIPTS + SQL)
    elif kind == "long":
        count = spec.max_length if chance.random() < 0.5 else chance.randint(1, spec.max_length)
        value = (chance.choice(LONG_UNITS[1:6]) * count)[: spec.max_length]
    else:
        alphabet = st.one_of(TYPED, st.just("\n")) if multiline else TYPED
        value = draw(st.text(alphabet, min_size=1, max_size=min(spec.max_length, 80)))
    cleaned = clean_text(value, multiline=multiline)
    assume(0 < len(cleaned) <= spec.max_length)
    return cleaned


def answer(spec: questions.Field) -> st.SearchStrategy[str | tuple[str, ...]]:
    """A valid answer to one question."""
    choices = tuple(value for value, _ in spec.choices)
    if spec.kind == "checkboxes":
        return st.lists(st.sampled_from(choices), unique=True).map(tuple)
    chosen: st.SearchStrategy[str]
    if spec.kind in ("radios", "select"):
        chosen = st.sampled_from(choices)
    elif spec.kind == "phone":
        chosen = st.from_regex(r"\+?0[0-9]{4} ?[0-9]{3} ?[0-9]{3}", fullmatch=True)
    elif spec.kind == "email":
        chosen = st.from_regex(r"[a-z0-9._+-]{1,20}@[a-z0-9-]{1,20}\.[a-z]{2,6}", fullmatch=True)
    else:
        chosen = typed_text(spec)
    return chosen if spec.required else st.one_of(st.just(""), chosen)


def answers(names: Sequence[str]) -> st.SearchStrategy[Answers]:
    """A valid answer to each question, as (name, answer) pairs in the form's order."""
    return st.tuples(*(st.tuples(st.just(name), answer(questions.ALL_FIELDS[name])) for name in names))


def as_fields(given: Answers) -> list[tuple[str, Value]]:
    """Answers as a browser posts them: one field per checked box."""
    return [(name, one) for name, value in given for one in (value if isinstance(value, tuple) else (value,))]


@dataclass(frozen=True)
class ValidPost:
    fields: tuple[tuple[str, Value], ...]
    expect: Accepted


@st.composite
def concern_post(draw: st.DrawFn, site: Site, lang: str) -> ValidPost:
    """Any page of the online form, every answer valid: the next page, or the concern sent."""
    step = draw(st.sampled_from((*questions.STEP_NAMES, questions.CHECK)))
    given = draw(answers(questions.FORM_FIELDS))
    fields: list[tuple[str, Value]] = [("token", Token.VALID), ("leave_blank", ""), ("step", step)]
    if step == "danger":
        fields.append(("danger", "no"))
    if step != questions.CHECK and draw(st.booleans()):
        fields.append(("back_to_check", "1"))
    fields += as_fields(given)
    if step == questions.CHECK:
        fields.append(("send", "1"))
    return ValidPost(tuple(fields), Accepted("sent" if step == questions.CHECK else "page", given))


@st.composite
def callback_post(draw: st.DrawFn, site: Site, lang: str) -> ValidPost:
    given = draw(answers(tuple(spec.name for spec in questions.CALLBACK.fields)))
    fields: list[tuple[str, Value]] = [("token", Token.VALID), ("leave_blank", ""), *as_fields(given)]
    return ValidPost(tuple(fields), Accepted("callback", given))


COMMENT = questions.Field("comment", "", "textarea", max_length=MAX_COMMENT)


@st.composite
def feedback_post(draw: st.DrawFn, site: Site, lang: str) -> ValidPost:
    page = draw(st.sampled_from(site.slugs[lang]))
    useful = draw(st.sampled_from(("yes", "no")))
    comment = draw(st.one_of(st.just(""), typed_text(COMMENT)))
    fields: tuple[tuple[str, Value], ...] = (("token", Token.VALID), ("page", page), ("comment", comment))
    given = (("page", page), ("useful", useful), ("comment", comment))
    return ValidPost((*fields, ("useful", useful)), Accepted("feedback", given))


LAUNCH_COMMENT = questions.Field("comment", "", "textarea", max_length=LAUNCH_MAX_COMMENT)


@st.composite
def checker_post(draw: st.DrawFn, site: Site, lang: str) -> ValidPost:
    """The LTAI checker: any text with an old address in it is answered with the text kept in the form."""
    links = draw(typed_text(LAUNCH_COMMENT))[: LAUNCH_MAX_COMMENT - 30] + "\nltai.info/what-is-prevent"
    return ValidPost((("token", Token.VALID), ("links", links)), Accepted("page", (("links", links),)))


@st.composite
def satisfaction_post(draw: st.DrawFn, site: Site, lang: str) -> ValidPost:
    answer = draw(st.sampled_from(tuple(satisfaction.ANSWERS)))
    comment = draw(st.one_of(st.just(""), typed_text(LAUNCH_COMMENT)))
    fields = (("token", Token.VALID), ("answer", answer), ("comment", comment))
    return ValidPost(fields, Accepted("launch", (("comment", comment),)))


@st.composite
def partner_feedback_post(draw: st.DrawFn, site: Site, lang: str) -> ValidPost:
    organisation = draw(st.sampled_from(tuple(partner_feedback.ORGANISATIONS)))
    works = draw(typed_text(LAUNCH_COMMENT))
    change = draw(st.one_of(st.just(""), typed_text(LAUNCH_COMMENT)))
    fields = (("token", Token.VALID), ("organisation", organisation), ("works", works), ("change", change))
    comment = partner_feedback.comment_of(works, change)
    return ValidPost(fields, Accepted("launch", (("comment", comment),)))


def saved_post(site: Site, lang: str) -> st.SearchStrategy[ValidPost]:
    return st.just(ValidPost((), Accepted("saved")))


@dataclass(frozen=True)
class FormSpec:
    tokens: str  # whose tokens the form takes: "concern", "feedback" or "" (none)
    max_fields: int  # the handler's own limit: junk within it must not lose anything
    valid: Callable[[Site, str], st.SearchStrategy[ValidPost]]
    plain: tuple[tuple[str, Value], ...] = ()  # one valid post, written out, for `sweep` to change
    accepts: str = "saved"  # what the plain post leads to (an Accepted kind)


PERSON = (("person_name", "Sam"), ("person_age", "13-17"), ("relationship", "parent"))
# Every POST route of the public app, by route name. A new form fails `uncovered` until it is added here.
FORMS = {
    "concern_answer": FormSpec(
        "concern",
        100,
        concern_post,
        (
            ("token", Token.VALID),
            ("step", "worry"),
            ("worries", "He shares violent videos."),
            ("since_when", "weeks"),
            *PERSON,
        ),
        "page",
    ),
    "callback_send": FormSpec(
        "concern",
        100,
        callback_post,
        (
            ("token", Token.VALID),
            ("callback_phone", "07700 900 982"),
            ("callback_times", "After 6pm"),
            ("voicemail_ok", "no"),
        ),
        "callback",
    ),
    "feedback_send": FormSpec(
        "feedback",
        10,
        feedback_post,
        (("token", Token.VALID), ("page", "home"), ("comment", "Clear"), ("useful", "no")),
        "feedback",
    ),
    "offline_saved_count": FormSpec("", 100, saved_post),
    "partners_check": FormSpec(
        "feedback", 5, checker_post, (("token", Token.VALID), ("links", "See ltai.info/channel")), "page"
    ),
    "satisfaction_send": FormSpec(
        "feedback",
        10,
        satisfaction_post,
        (("token", Token.VALID), ("answer", "satisfied"), ("comment", "Clear")),
        "launch",
    ),
    "partner_feedback_send": FormSpec(
        "feedback",
        10,
        partner_feedback_post,
        (("token", Token.VALID), ("organisation", "council"), ("works", "The advice"), ("change", "More Urdu")),
        "launch",
    ),
}


def uncovered(app: Starlette) -> list[str]:
    """POST routes with no FormSpec and GET path parameters with no sample value: what would go unfuzzed."""
    site = Site.of(app)
    missing = [
        f"POST {path} ({name}): add a FormSpec" for name, path in routes(app, "POST").items() if name not in FORMS
    ]
    for name, path in routes(app, "GET").items():
        try:
            concrete_paths(site, name, path)
        except LookupError as error:
            missing.append(str(error))
    return missing


def junk_name() -> st.SearchStrategy[str]:
    return st.one_of(st.text(min_size=1, max_size=20), st.sampled_from(ATTACKS)).filter(
        lambda name: name not in KNOWN_NAMES
    )


def interleave(draw: st.DrawFn, base: Sequence[tuple[str, Value]], extra: Sequence[tuple[str, Value]]) -> list[Any]:
    """`extra` inserted at random places; `base` keeps its order."""
    merged = list(base)
    for item in extra:
        merged.insert(draw(st.integers(0, len(merged))), item)
    return merged


BROWSER_HEADERS: tuple[tuple[tuple[bytes, bytes], ...], ...] = (
    (),
    ((b"origin", b"http://testserver"), (b"sec-fetch-site", b"same-origin")),
    ((b"sec-fetch-site", b"same-origin"), (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")),
)
HOSTILE_HEADERS: tuple[tuple[tuple[bytes, bytes], ...], ...] = (
    *BROWSER_HEADERS,
    ((b"origin", b"https://evil.example"),),
    ((b"sec-fetch-site", b"cross-site"),),
    ((b"origin", b"null"),),
    ((b"hx-request", b"true"),),
    ((b"hx-request", b"true"), (b"hx-history-restore-request", b"true")),
    ((b"host", b"www.ltai.info"),),
    ((b"if-none-match", b"*"),),
)
HEADER_VALUES = (
    b"true",
    b"same-origin",
    b"cross-site",
    b"none",
    b"null",
    b"http://testserver",
    b"https://evil.example",
    b"on",
    b"*",
    b'W/"x", "y"',
    b"br;q=abc, gzip;q=-1",
    b"Mozilla/5.0",
    b"https://www.google.co.uk/",
    b"partial",
    b"document",
    b"prefetch",
)
ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


def header_value(raw: bool) -> st.SearchStrategy[bytes]:
    """Any header value a server could pass on; raw requests also get obs-text bytes (0x80-0xFF)."""
    ascii_values = st.one_of(
        st.sampled_from(HEADER_VALUES), st.text(ASCII, max_size=40).map(str.encode), st.just(b"x" * 8000)
    )
    if not raw:
        return ascii_values
    obs_text = st.binary(max_size=30).map(lambda data: bytes(b for b in data if b == 9 or (b >= 0x20 and b != 0x7F)))
    return st.one_of(ascii_values, obs_text, st.sampled_from(DAMAGE["invalid utf-8"].split(b"\xc3")))


@st.composite
def header_set(draw: st.DrawFn, site: Site, raw: bool, base: Sequence[tuple[tuple[bytes, bytes], ...]]) -> Any:
    names = st.one_of(
        st.sampled_from(site.request_headers).filter(lambda name: name not in ("content-length", "transfer-encoding")),
        st.sampled_from(("content-type", "cookie", "accept-language", "x-forwarded-for", "accept-encoding")),
    )
    extra = draw(st.lists(st.tuples(names.map(str.encode), header_value(raw)), max_size=3))
    return (*draw(st.one_of(st.sampled_from(BROWSER_HEADERS), st.sampled_from(base))), *extra)


@st.composite
def accepted_posts(draw: st.DrawFn, site: Site, target: str, path_format: str, form: FormSpec) -> FuzzRequest:
    """A valid post, as a browser sends it, with junk fields mixed in: it must still be accepted."""
    lang = draw(st.sampled_from(site.languages))
    post = draw(form.valid(site, lang))
    room = min(form.max_fields - len(post.fields) - 1, 30)
    junk = draw(st.lists(st.tuples(junk_name(), nasty_text(30)), max_size=max(room, 0)))
    return FuzzRequest(
        target=target,
        method="POST",
        path=path_format.format(lang=lang),
        fields=tuple(interleave(draw, post.fields, junk)),
        encoding=draw(st.sampled_from(("urlencoded", "urlencoded", "multipart"))),
        headers=draw(st.sampled_from(BROWSER_HEADERS)),
        tokens=form.tokens,
        expect=post.expect,
    )


MUTATIONS = (
    *("value",) * 3,
    *("token",) * 3,  # the form's gate: attacked as often as all the answers together
    *("drop", "repeat", "junk", "step", "honeypot", "long", "name"),
)


def mutate(draw: st.DrawFn, chance: random.Random, kind: str, fields: list[tuple[str, Value]]) -> list[Any]:
    """One hostile change to a form's fields, any of them alike."""
    index = chance.randrange(len(fields)) if fields else 0
    if kind == "value" and fields:
        fields[index] = (fields[index][0], draw(nasty_text()))
    elif kind == "drop" and fields:
        del fields[index]
    elif kind == "repeat" and fields:
        fields.insert(chance.randint(0, len(fields)), (fields[index][0], draw(nasty_text())))
    elif kind == "junk":
        fields = interleave(draw, fields, draw(st.lists(st.tuples(junk_name(), nasty_text(20)), max_size=50)))
    elif kind == "token":
        token = chance.choice((*Token, "text", None))
        fields = [item for item in fields if item[0] != "token"]
        if token is not None:
            fields.insert(0, ("token", draw(nasty_text(120)) if token == "text" else token))
    elif kind == "step":
        step = chance.choice((*questions.STEP_NAMES, questions.CHECK, "callback", "text"))
        fields.append((chance.choice(("step", "change")), draw(nasty_text()) if step == "text" else step))
    elif kind == "honeypot":
        fields.append(("leave_blank", draw(nasty_text()).strip() or "x"))
    elif kind == "long" and fields:
        fields[index] = (fields[index][0], draw(long_text()))
    elif kind == "name" and fields:
        fields[index] = (draw(nasty_text(20)), fields[index][1])
    return fields


@st.composite
def hostile_posts(draw: st.DrawFn, site: Site, target: str, path_format: str, form: FormSpec) -> FuzzRequest:
    """A valid post with one to three hostile changes, sent in any encoding, size and framing.

    The choices between kinds are made at the odds written here, by `chance`: a Random seeded by
    hypothesis, so an example still replays. Hypothesis's own choices favour the first item of a list,
    0 and 0.0, so rare kinds (a multipart body in another character set, a chunked body over the limit)
    would hardly appear in a few hundred examples, and "rare" ones would be common.
    """
    chance = draw(st.randoms(use_true_random=True))
    lang = draw(st.sampled_from(site.languages))
    fields = list(draw(form.valid(site, lang)).fields)
    for kind in chance.choices(MUTATIONS, k=chance.randint(1, 3)):
        fields = mutate(draw, chance, kind, fields)
    raw = chance.random() < 0.25
    encoding = chance.choice(ENCODINGS)
    damage = [(chance.choice(tuple(DAMAGE)), chance.randint(0, 1000)) for _ in range(chance.choice((0, 0, 0, 1, 2)))]
    return FuzzRequest(
        target=target,
        method=chance.choice(("POST",) * 20 + ("PUT", "PATCH", "DELETE", "GET", "OPTIONS")),
        path=path_format.format(lang=draw(path_segment()) if chance.random() < 0.125 else lang),
        fields=tuple(fields),
        encoding=encoding,
        charset=chance.choice(CHARSETS) if encoding == "multipart" else "",
        content_type=chance.choice(WEIRD_TYPES) if encoding == "weird-type" else None,
        headers=draw(header_set(site, raw, HOSTILE_HEADERS)),
        damage=tuple(damage),
        padding=chance.randint(site.max_body - 3000, site.max_body * 3) if chance.random() < 0.17 else 0,
        many=chance.randint(90, 5000) if chance.random() < 0.11 else 0,
        transfer=chance.choice(("length",) * 3 + ("chunked",) + (("short", "long") if raw else ())),
        raw=raw,
        tokens=form.tokens,
    )


def path_segment() -> st.SearchStrategy[str]:
    """A hostile path segment, percent-encoded as a client would send it."""
    return nasty_text(30).map(lambda text: quote(text) or "%FF")


def quote(text: str) -> str:
    return urllib.parse.quote(text, safe="", encoding="utf-8", errors="surrogatepass")


def query_value(site: Site) -> st.SearchStrategy[str]:
    known = (*site.languages, *site.forces[:3], *site.slugs[site.languages[0]][:3], "ltai", "poster", "social", "")
    return st.one_of(st.sampled_from(known), nasty_text(), long_text().map(lambda text: text[:3000]))


@st.composite
def query_requests(draw: st.DrawFn, site: Site, target: str, paths: tuple[str, ...]) -> FuzzRequest:
    """A GET of a real page with hostile query parameters: the ones the site reads, and others."""
    chance = draw(st.randoms(use_true_random=True))  # odds as written (see hostile_posts)
    raw = chance.random() < 0.3
    names = st.one_of(st.sampled_from(site.query_parameters), nasty_text(15))
    pairs = draw(st.lists(st.tuples(names, query_value(site)), max_size=6))
    pairs += [(f"fz{number}", "1") for number in range(3000 if chance.random() < 0.08 else 0)]
    query = b"&".join(_query_pair(name, value, raw and chance.random() < 0.5) for name, value in pairs)
    for _ in range(chance.choice((0, 0, 1, 2))):
        kind = chance.choice(tuple(DAMAGE))
        if raw or kind not in ("invalid utf-8", "nul"):
            query = _damaged(query, kind, chance.randint(0, 1000))
    return FuzzRequest(
        target=target,
        method=chance.choice(("GET",) * 6 + ("HEAD",)),
        path=draw(st.sampled_from(paths)),
        query=query,
        headers=draw(header_set(site, raw, HOSTILE_HEADERS)),
        raw=raw,
        texts=tuple(value for _, value in pairs[:6]),
    )


def _query_pair(name: str, value: str, unescaped: bool) -> bytes:
    """name=value, percent-encoded; or as raw UTF-8 bytes (surrogates included), which only a raw request carries."""
    if unescaped:
        return name.encode("utf-8", "surrogatepass") + b"=" + value.encode("utf-8", "surrogatepass")
    return f"{quote(name)}={quote(value)}".encode("ascii")


@st.composite
def path_requests(draw: st.DrawFn, site: Site, target: str, routes_by_name: dict[str, str]) -> FuzzRequest:
    """Any route with a hostile path segment, any method; and the old Let's Talk About It addresses."""
    name = draw(st.sampled_from(sorted(routes_by_name)))
    segment = draw(path_segment())
    parts = re.findall(r"{(\w+)}", routes_by_name[name])
    chosen = draw(st.sampled_from(parts)) if parts else None
    values = {param: segment if param == chosen else path_values(site, name, param)[0] for param in parts}
    path = routes_by_name[name].format(**values) if parts else draw(st.sampled_from(("/ltai/", "/ltai", "/"))) + segment
    return FuzzRequest(
        target=target,
        method=draw(st.sampled_from(("GET",) * 6 + ("HEAD", "POST", "PUT", "DELETE", "OPTIONS"))),
        path=path,
        headers=draw(header_set(site, False, HOSTILE_HEADERS)),
        texts=(urllib.parse.unquote(segment),),
    )


# Routes whose own rejections are not pages, by design: not fuzzed by path, and why.
PLAIN_REJECTIONS = {
    "asset": "a missing /assets/ file answers a plain 404 (web/shell/assets.py): pages ask for assets, people do not",
}


def strategies(app: Starlette) -> dict[str, st.SearchStrategy[FuzzRequest]]:
    """Every target of the app and the strategy that attacks it: each form twice (accepted, hostile),
    each GET route's query string, and hostile paths."""
    site = Site.of(app)
    found: dict[str, st.SearchStrategy[FuzzRequest]] = {}
    for name, path in routes(app, "POST").items():
        form = FORMS[name]
        found[f"POST {path} (valid + junk)"] = accepted_posts(site, f"POST {path} (valid + junk)", path, form)
        found[f"POST {path}"] = hostile_posts(site, f"POST {path}", path, form)
    for name, path in routes(app, "GET").items():
        found[f"GET {path} ?query"] = query_requests(site, f"GET {path} ?query", concrete_paths(site, name, path))
    fuzzed_paths = {name: path for name, path in routes(app, "GET").items() if name not in PLAIN_REJECTIONS}
    found["ANY /{path}"] = path_requests(site, "ANY /{path}", fuzzed_paths)
    return found


def sweep(app: Starlette) -> list[FuzzRequest]:
    """Every hostile kind the strategies draw, each at least once on every target, one change at a time.

    Hypothesis explores combinations, but a few hundred of its examples may miss a kind altogether (it
    reuses what it drew before); this list does not, so the test suite catches a regression of any kind
    on any form every time.
    """
    site = Site.of(app)
    found = []
    for name, path in routes(app, "POST").items():
        found += sweep_form(site, f"POST {path}", path.format(lang=site.languages[0]), FORMS[name])
    for name, path in routes(app, "GET").items():
        found += sweep_query(site, f"GET {path} ?query", concrete_paths(site, name, path)[0])
    return found


def sweep_form(site: Site, target: str, path: str, form: FormSpec) -> list[FuzzRequest]:
    """The form's plain post, changed in one way at a time: each token, attack, encoding, size, framing."""
    plain = FuzzRequest(target, "POST", path, fields=form.plain, encoding="urlencoded", tokens=form.tokens)
    text = next((name for name, _ in form.plain if name == "comment" or _kind(name) in ("text", "textarea")), "fz")
    tokens: list[Value | None] = [*Token, None, "a.1.é", "x.²." + "A" * 24, "..", "a" * 101]
    changed = [with_value(plain, "token", token) for token in tokens]
    changed += [with_value(plain, text, value) for value in (*ATTACKS, *(unit * 5000 for unit in LONG_UNITS))]
    changed += [with_value(plain, name, "\ud800\x00<script>") for name, _ in form.plain]
    changed += [replace(plain, encoding=encoding) for encoding in dict.fromkeys(ENCODINGS)]
    changed += [replace(with_value(plain, text, "\ud800 é"), encoding="multipart", charset=c) for c in CHARSETS]
    changed += [replace(plain, encoding="weird-type", content_type=kind) for kind in WEIRD_TYPES]
    changed += [
        replace(plain, damage=((kind, where),), raw=raw)
        for kind in DAMAGE
        for where in (0, 500)
        for raw in (False, True)
    ]
    changed += [replace(plain, transfer=transfer, raw=True) for transfer in ("chunked", "short", "long")]
    changed += [replace(plain, padding=site.max_body, transfer=transfer) for transfer in ("length", "chunked")]
    changed += [replace(plain, many=count) for count in (101, 5000)]
    changed += [replace(plain, headers=headers) for headers in HOSTILE_HEADERS]
    changed += [replace(plain, method=method) for method in ("PUT", "PATCH", "DELETE", "GET", "OPTIONS")]
    changed += [
        replace(plain, path=path.replace(f"/{site.languages[0]}/", f"/{quote(bad)}/", 1)) for bad in SCRIPTS[:2]
    ]
    changed += [replace(plain, fields=(*form.plain, (name, "1"))) for name in ("leave_blank", "change", "step")]
    return changed + sweep_accepted(plain, form, text)


def sweep_accepted(plain: FuzzRequest, form: FormSpec, text: str) -> list[FuzzRequest]:
    """The plain post must be accepted: as it is, with junk fields, and with its text answer at its limit
    in each script (Urdu is 6 bytes a letter once percent-encoded, an emoji 12)."""
    given = tuple((name, value) for name, value in form.plain if isinstance(value, str) and name in ANSWER_NAMES)
    accepted = replace(plain, expect=Accepted(form.accepts, given))
    room = min(form.max_fields - len(form.plain) - 1, 20)
    junk = tuple((f"fz-{number}{attack[:20]}", attack) for number, attack in enumerate(ATTACKS[:room]))
    found = [accepted, replace(accepted, fields=(*junk[: room // 2], *form.plain, *junk[room // 2 :]))]
    spec = questions.ALL_FIELDS.get(text, COMMENT if text == "comment" else None)
    if spec is None:
        return found
    for unit in LONG_UNITS[1:6]:
        value = clean_text((unit * spec.max_length)[: spec.max_length], multiline=spec.kind == "textarea")
        answers = tuple((name, value if name == text else old) for name, old in given)
        found.append(replace(with_value(accepted, text, value), expect=Accepted(form.accepts, answers)))
    return found


def _kind(name: str) -> str:
    spec = questions.ALL_FIELDS.get(name)
    return spec.kind if spec is not None else ""


def with_value(request: FuzzRequest, name: str, value: Value | None) -> FuzzRequest:
    """The request with field `name` set to `value` (None: without it), added when it was not there."""
    kept = [(field, old) for field, old in request.fields if field != name]
    return replace(request, fields=tuple(kept if value is None else [*kept, (name, value)]))


def sweep_query(site: Site, target: str, path: str) -> list[FuzzRequest]:
    """Every query parameter the site reads at once, set to each attack, escaped and as raw bytes."""
    plain = FuzzRequest(target, "GET", path)
    changed = [
        replace(plain, query=b"&".join(_query_pair(name, value, raw) for name in site.query_parameters), raw=raw)
        for value in (*SCRIPTS[:3], SQL[0], "\x00\ud800", "ی" * 3000)
        for raw in (False, True)
    ]
    more = (b"q=\xff\xfe&force=\xc3\x28&page=%FF%G1%", b"&".join(b"fz%d=1" % n for n in range(3000)))
    changed += [replace(plain, query=query, raw=True) for query in more]
    changed += [
        replace(plain, method="HEAD", query=more[0], raw=True),
        replace(plain, headers=((b"hx-request", b"true"),)),
    ]
    return [
        replace(request, texts=tuple(dict(urllib.parse.parse_qsl(request.query.decode("latin-1"))).values()))
        for request in changed
    ]


# Sending --------------------------------------------------------------------------------------------


def encode_body(fields: Sequence[tuple[str, str]], encoding: str, charset: str) -> tuple[bytes | None, str | None]:
    """The body and its Content-Type, as `encoding` says (see ENCODINGS)."""
    if encoding == "absent":
        return None, None
    if encoding == "multipart":
        return _multipart(fields, charset), f"multipart/form-data; boundary={BOUNDARY}" + (
            f"; charset={charset}" if charset else ""
        )
    if encoding == "json":
        return json.dumps(dict(fields)).encode("utf-8", "surrogatepass"), "application/json"
    if encoding == "text":
        text = "\r\n".join(f"{name}={value}" for name, value in fields)
        return text.encode("utf-8", "surrogatepass"), "text/plain; charset=utf-8"
    if encoding == "raw-urlencoded":
        body = b"&".join(_query_pair(name, value, unescaped=True) for name, value in fields)
    else:
        body = "&".join(f"{quote(name)}={quote(value)}" for name, value in fields).replace("%20", "+").encode()
    types = {"octet": "application/octet-stream", "untyped": None}
    return body, types.get(encoding, "application/x-www-form-urlencoded")


def _multipart(fields: Sequence[tuple[str, str]], charset: str) -> bytes:
    """multipart/form-data as a browser writes it: names escaped as the HTML standard says, values in `charset`."""
    parts = []
    for name, value in fields:
        safe = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{safe}"\r\n\r\n'
        parts.append(head.encode("utf-8", "surrogatepass") + _encoded(value, charset) + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _encoded(value: str, charset: str) -> bytes:
    try:
        encoded = value.encode(charset or "utf-8", "surrogatepass")
    except (LookupError, UnicodeError, TypeError, ValueError):
        return value.encode("utf-8", "surrogatepass")
    return encoded if isinstance(encoded, bytes) else value.encode("utf-8", "surrogatepass")


def _damaged(body: bytes, kind: str, where: int) -> bytes:
    at = len(body) * where // 1000
    return body[:at] if kind == "truncate" else body[:at] + DAMAGE[kind] + body[at:]


class Fuzzer:
    """Sends FuzzRequests to the site and checks every answer against the property."""

    def __init__(self, app: Starlette, transport: Transport) -> None:
        self.app = app
        self.site = Site.of(app)
        self.transport = transport
        self.private_key = load_private_key(site_of_app(app).settings.console_private_key_file)
        self.targets = strategies(app)

    def token(self, tokens: str, mode: Token) -> str:
        concern: FormTokens = site_of_app(self.app).form_tokens
        feedback: FormTokens = site_of_app(self.app).feedback_tokens
        own, other = (feedback, concern) if tokens == "feedback" else (concern, feedback)
        nonce = "feedback" if tokens == "feedback" else None
        if mode is Token.EXPIRED:
            return own.issue(nonce, now=time.time() - TOKEN_LIFETIME - 3600)
        if mode is Token.FOREIGN:
            return current_token(other) if other is feedback else other.issue()
        made = current_token(own) if own is feedback else own.issue()
        if mode is Token.TAMPERED:
            return made[:-1] + "é"
        return made[:-2] + ("AA" if made[-2:] != "AA" else "BB") if mode is Token.FORGED else made

    def prepare(self, request: FuzzRequest) -> Prepared:
        fields = [
            (name, self.token(request.tokens, value) if isinstance(value, Token) else value)
            for name, value in request.fields
        ]
        fields += [(f"fz{number}", "1") for number in range(request.many)]
        if request.padding:
            fields.append(("fzpadding", "x" * request.padding))
        body, content_type = encode_body(fields, request.encoding, request.charset)
        for kind, where in request.damage:
            body = _damaged(body or b"", kind, where)
        content_type = request.content_type if request.content_type is not None else content_type
        headers = ((b"content-type", content_type.encode()),) if content_type is not None else ()
        return Prepared(
            method=request.method,
            path=request.path,
            query=request.query,
            headers=(*headers, *request.headers),
            body=body,
            transfer=request.transfer,
            raw=request.raw,
            texts=(*(value for _, value in fields[:200]), *request.texts),
        )

    def run(self, request: FuzzRequest) -> tuple[Outcome, list[Finding]]:
        prepared = self.prepare(request)
        outcome = self.transport.send(prepared)
        return outcome, self.check(request, prepared, outcome)

    def check(self, request: FuzzRequest, prepared: Prepared, outcome: Outcome) -> list[Finding]:
        """Everything wrong with one answer: [] when it keeps the property."""
        found = [Finding("server error", f"status {outcome.status}")] if outcome.status >= 500 else []
        if TRACEBACK.search(outcome.text):
            found.append(Finding("traceback", TRACEBACK.search(outcome.text).group()))  # type: ignore[union-attr]
        found += unclear(request.method, outcome)
        missing = [name for name, value in HEADERS.items() if _policy(name, outcome.headers.get(name)) != value]
        if missing:
            found.append(Finding("headers", f"{outcome.status} without {', '.join(missing)}"))
        if "html" in outcome.headers.get("content-type", ""):
            found += unescaped(outcome.text, prepared.texts)
        if request.expect is not None and not found:
            found += self.lost(request, prepared, outcome)
        return found

    def lost(self, request: FuzzRequest, prepared: Prepared, outcome: Outcome) -> list[Finding]:
        """A valid post must be accepted, with every answer kept (or be over the body limit: 413)."""
        assert request.expect is not None
        if len(prepared.body or b"") > self.site.max_body:
            return [] if outcome.status == 413 else [Finding("lost", f"{outcome.status} for a body over the limit")]
        kind, given = request.expect.kind, dict(request.expect.answers)
        wanted = {"feedback": 303, "launch": 303, "saved": 204}.get(kind, 200)
        if outcome.status != wanted:
            return [Finding("lost", f"{kind}: status {outcome.status}, not {wanted}: {_problems(outcome.text)}")]
        if kind == "page":
            missing = [
                name for name, value in given.items() if isinstance(value, str) and escape(value) not in outcome.text
            ]
            return [Finding("lost", f"answers not on the next page: {missing}")] if missing else []
        if kind in ("sent", "callback"):
            return self._stored_concern(outcome, given)
        if kind == "feedback":
            return self._stored_feedback(request, outcome, given)
        if kind == "launch":
            return self._stored_launch_feedback(request, outcome, given)
        return []

    def _stored_concern(self, outcome: Outcome, given: dict[str, Any]) -> list[Finding]:
        reference = reference_on(outcome.text)
        if reference is None:
            return [Finding("lost", f"not answered with the confirmation page: {_problems(outcome.text)}")]
        stored = get_concern(site_of_app(self.app).engine, reference)
        if stored is None:
            return [Finding("lost", f"nothing stored for {reference}")]
        opened = unseal(self.private_key, stored.sealed)["answers"]
        expected = {name: list(value) if isinstance(value, tuple) else value for name, value in given.items()}
        differ = {name: (opened.get(name), value) for name, value in expected.items() if opened.get(name) != value}
        return [Finding("lost", f"stored answers differ (stored, sent): {differ}")] if differ else []

    def _stored_launch_feedback(self, request: FuzzRequest, outcome: Outcome, given: dict[str, Any]) -> list[Finding]:
        return _stored_launch_comment(self, request, outcome, given)

    def _stored_feedback(self, request: FuzzRequest, outcome: Outcome, given: dict[str, Any]) -> list[Finding]:
        lang = request.path.split("/")[1]
        thanks = f"/{lang}/feedback/thanks?page={given['page']}"
        if outcome.headers.get("location") != thanks:
            return [Finding("lost", f"feedback went to {outcome.headers.get('location')!r}, not {thanks}")]
        if not given["comment"]:
            return []
        query = select(feedback_comments.c.comment).order_by(feedback_comments.c.id.desc()).limit(1)
        with site_of_app(self.app).engine.connect() as connection:
            stored = connection.execute(query).scalar()
        wanted = remove_personal_details(given["comment"])
        return [] if stored == wanted else [Finding("lost", f"comment stored as {stored!r}, sent {wanted!r}")]


def _stored_launch_comment(
    fuzzer: Fuzzer, request: FuzzRequest, outcome: Outcome, given: dict[str, Any]
) -> list[Finding]:
    """ "What did you think of this site?" and partners' feedback (web/launch/): the thanks page, the comment kept."""
    thanks = f"{request.path}/thanks"
    if outcome.headers.get("location") != thanks:
        return [Finding("lost", f"feedback went to {outcome.headers.get('location')!r}, not {thanks}")]
    if not given.get("comment"):
        return []
    query = select(feedback_comments.c.comment).order_by(feedback_comments.c.id.desc()).limit(1)
    with site_of_app(fuzzer.app).engine.connect() as connection:
        stored = connection.execute(query).scalar()
    wanted = remove_personal_details(given["comment"])
    return [] if stored == wanted else [Finding("lost", f"comment stored as {stored!r}, sent {wanted!r}")]


def _problems(text: str) -> str:
    """The error summary's messages or the page's h1, to say why a valid post was refused."""
    found = re.findall(r'<a href="#[^"]*">([^<]+)</a>|<h1[^>]*>([^<]+)</h1>', text)
    return "; ".join(" ".join(part for part in item if part).strip() for item in found[:4]) or text[:200]


CLEAR_PAGE = (
    ("a doctype", re.compile(r"^\s*<!DOCTYPE html>", re.IGNORECASE)),
    ("<html lang>", re.compile(r'<html lang="[a-z]{2,3}"')),
    ("an h1", re.compile(r"<h1[\s>]")),
    ("the end of the page", re.compile(r"</html>\s*$")),
)


def unclear(method: str, outcome: Outcome) -> list[Finding]:
    """A rejection, or any page, that is not a complete page a person can read; a 422 without its error summary."""
    if method == "HEAD" or outcome.status in (204, 304) or 300 <= outcome.status < 400:
        if outcome.status in (301, 302, 303, 307, 308) and "location" not in outcome.headers:
            return [Finding("unclear", f"{outcome.status} without a Location")]
        return []
    html_page = "text/html" in outcome.headers.get("content-type", "")
    if outcome.status < 400 and not html_page:
        return []  # a file, JSON, XML or a script: not a page
    fragment = "hx-request" in outcome.headers.get("vary", "").lower() and not outcome.text.lstrip().startswith("<!")
    if outcome.status == 200 and fragment:
        return []  # the search results alone, for htmx to swap in
    if not html_page:
        return [Finding("unclear", f"{outcome.status} {outcome.headers.get('content-type')}: {outcome.text[:80]!r}")]
    missing = [what for what, pattern in CLEAR_PAGE if not pattern.search(outcome.text)]
    if outcome.status == 422 and "govuk-error-summary" not in outcome.text:
        missing.append("the error summary")
    return [Finding("unclear", f"{outcome.status} page without {', '.join(missing)}")] if missing else []


class _Tags(html.parser.HTMLParser):
    """Collects what only unescaped input could have put in a page: the site writes none of it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/assets/"):
            self.problems.append(f"<script {values}>")
        if tag in ("iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")


def unescaped(page: str, sent: Sequence[str]) -> list[Finding]:
    """Markup from the input in the page: tags the site never writes, or a sent value with < or " as it was sent."""
    tags = _Tags()
    tags.feed(page)
    tags.close()
    found = [Finding("unescaped", problem) for problem in tags.problems]
    for value in sent:
        if len(value) >= 10 and ("<" in value or '"' in value) and value in page:
            found.append(Finding("unescaped", f"sent as it is: {value[:80]!r}"))
    return found


# In-process ---------------------------------------------------------------------------------------------


class InProcess:
    """The app in this process: through TestClient, or straight to ASGI for the bytes TestClient cannot send
    (raw query strings and header values, Content-Length that lies)."""

    def __init__(self, client: TestClient, app: Starlette) -> None:
        self.client = client
        self.app = app

    def send(self, prepared: Prepared) -> Outcome:
        if prepared.raw or len(prepared.path) + len(prepared.query) > 60_000:  # httpx refuses longer addresses
            return self._asgi(prepared)
        url = prepared.path + (f"?{prepared.query.decode('ascii')}" if prepared.query else "")
        headers = list(prepared.headers)
        if not any(name == b"accept-encoding" for name, _ in headers):
            headers.append((b"accept-encoding", b"identity"))  # compressing every answer would only be slower
        content: Any = prepared.body
        if prepared.transfer == "chunked" and prepared.body is not None:
            content = iter(_chunks(prepared.body))
        response = self.client.request(prepared.method, url, content=content, headers=headers, follow_redirects=False)
        return Outcome(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.text)

    def _asgi(self, prepared: Prepared) -> Outcome:
        body = prepared.body or b""
        headers = list(prepared.headers)
        if not any(name == b"host" for name, _ in headers):
            headers.insert(0, (b"host", b"testserver"))
        length = {"length": len(body), "short": len(body) // 2, "long": len(body) + 1000}.get(prepared.transfer)
        if prepared.transfer == "chunked":
            headers.append((b"transfer-encoding", b"chunked"))
        elif prepared.body is not None and length is not None:
            headers.append((b"content-length", str(length).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": prepared.method,
            "scheme": "http",
            "path": urllib.parse.unquote(prepared.path),
            "raw_path": prepared.path.encode("ascii"),
            "root_path": "",
            "query_string": prepared.query,
            "headers": headers,
            "client": ("192.0.2.1", 50000),
            "server": ("testserver", 80),
            "state": {},
        }
        assert self.client.portal is not None, "use InProcess inside `with TestClient(app)`"
        status, response_headers, content = self.client.portal.call(call_asgi, self.app, scope, _chunks(body))
        named = merged_headers((name, value) for name, value in response_headers)
        return Outcome(status, named, decoded(content, named.get("content-encoding", "")))


def _chunks(body: bytes) -> list[bytes]:
    size = max(1, len(body) // 3)
    return [body[start : start + size] for start in range(0, len(body), size)] or [b""]


async def call_asgi(app: Any, scope: dict[str, Any], chunks: list[bytes]) -> tuple[int, list[Any], bytes]:
    """One request, straight to the ASGI app; an exception that escapes it is the 500 a server would send."""
    messages = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1} for n, chunk in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    try:
        await app(scope, receive, send)
    except Exception:  # noqa: BLE001 - what escapes the app is what a server turns into a bare 500
        if not any(message["type"] == "http.response.start" for message in sent):
            return 500, [], b"Internal Server Error (the exception escaped the app)"
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return int(start["status"]), list(start.get("headers", [])), body


def merged_headers(pairs: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Response headers by lower-case name, a repeated one joined with commas (two Vary headers are one list)."""
    named: dict[str, str] = {}
    for raw_name, raw_value in pairs:
        name, value = raw_name.decode("latin-1").strip().lower(), raw_value.decode("latin-1").strip()
        named[name] = f"{named[name]}, {value}" if name in named else value
    return named


def decoded(content: bytes, encoding: str) -> str:
    if encoding == "br":
        content = brotli.decompress(content)
    elif encoding == "gzip":
        content = gzip.decompress(content)
    return content.decode("utf-8", "replace")


@dataclass
class Tally:
    """What a run saw, per target: requests, statuses, findings (the first few of each kind kept whole)."""

    requests: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    examples: list[tuple[str, str, Finding]] = field(default_factory=list)

    def add(self, request: FuzzRequest, outcome: Outcome, found: list[Finding]) -> None:
        self.requests[request.target] = self.requests.get(request.target, 0) + 1
        statuses = self.statuses.setdefault(request.target, {})
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        for finding in found:
            self.findings[finding.kind] = self.findings.get(finding.kind, 0) + 1
            if sum(1 for _, _, seen in self.examples if seen.kind == finding.kind) < 5:
                self.examples.append((request.target, request.summary(), finding))


def fuzz_settings(directory: Path) -> Settings:
    """A site for fuzzing: its own database and keys, and no submission limit (valid posts must be accepted)."""
    return settings_in(directory, submissions_per_hour=10**9)


def fuzz_app(settings: Settings) -> Starlette:
    app = create_app(settings)
    change_site(app, feedback_limiter=SubmissionLimiter(10**9))
    return app


STYLE_HASH = re.compile(r" 'sha256-[A-Za-z0-9+/]+=*'")


def _policy(name: str, value: str | None) -> str | None:
    """A header as every answer sends it: a page's Content-Security-Policy less the hash of its own inline CSS
    (ADR 22), which differs by page."""
    return STYLE_HASH.sub("", value) if name == "content-security-policy" and value else value
