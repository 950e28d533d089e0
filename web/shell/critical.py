"""The first paint in one round trip (issue 17, ADR 22): a page's own CSS inline, for a browser without the
stylesheet.

A reader whose browser has no copy of `app.css` waits a second round trip for it before anything paints
(on 2G, 0.8 s or more). The service worker keeps `app.css` once it is installed, and says so on every
navigation it forwards: the `X-Cached-Styles` header names the stylesheet it holds. A navigation without
it, or naming an older stylesheet, gets its page with the rules that page uses inline in `<head>`, in a
`<style>` allowed by its sha256 hash in the page's own Content-Security-Policy (never 'unsafe-inline');
the full stylesheet is linked at the end of `<body>`, where it blocks nothing above it from painting,
with JavaScript on or off. Pages are different bodies with and without the inline CSS: both are kept
(web/shell/pages.py adds the choice to the rendered page's key) and answers say `Vary: X-Cached-Styles`.

Which rules a page uses is decided from the built stylesheet and the page itself, never by a list kept by
hand: `Stylesheet` parses `app.css` once (at start-up, from the build), and `for_classes` keeps each rule
whose selector names only classes the page's HTML has (the classes inside `:not()`, `:is()` and the other
functional pseudo-classes do not count, so a rule that may match is kept), plus the classes the built
scripts name. Every element of the page is styled by the inline rules as the full stylesheet
styles it, so nothing moves when the full stylesheet lands (tests/shell/test_critical.py, and in Chromium
a11y_tests/test_layout_shift.py).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from web.http.security_headers import content_security_policy
from web.shell.assets import Assets

STYLES_HEADER = "X-Cached-Styles"  # service_worker/sw.js sends it on every navigation it forwards
VARY = f"{STYLES_HEADER}, Sec-Fetch-Site"
STYLESHEET_LINK = '<link rel="stylesheet" href="{url}">'
CLASS_ATTRIBUTE = re.compile(r"""\sclass=(?:"([^"]*)"|'([^']*)')""")
SCRIPT_WORD = re.compile(r"[\w-]+")
CLASS_SELECTOR = re.compile(r"\.((?:\\.|[\w-])+)")
ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Rule:
    """A style rule (`selectors` and `body`) or, with `children`, an at-rule block such as `@media`."""

    prelude: str
    body: str = ""
    children: tuple[Rule, ...] | None = None
    selectors: tuple[tuple[str, frozenset[str]], ...] = ()  # each selector with the classes it needs


class Stylesheet:
    """A built stylesheet, parsed once: the rules any set of classes needs, in the stylesheet's order."""

    def __init__(self, css: str, scripts: tuple[str, ...] = ()) -> None:
        self.rules = tuple(_parse(css.lstrip("\ufeff")))
        # The classes the built scripts name (static/js/app.mjs puts `js-enabled` on every page, GOV.UK's
        # Exit this page adds its indicator): their rules are inline too, so a script that runs before the
        # full stylesheet arrives styles what it adds, and nothing moves when the stylesheet lands.
        words = {word for script in scripts for word in SCRIPT_WORD.findall(script)}
        self.scripted = self.classes & words

    @classmethod
    def of(cls, path: Path, scripts: tuple[Path, ...] = ()) -> Stylesheet:
        return cls(path.read_text(encoding="utf-8"), tuple(script.read_text(encoding="utf-8") for script in scripts))

    @lru_cache(maxsize=512)  # noqa: B019 - one per build, for the process; pages of a kind share their classes
    def for_classes(self, classes: frozenset[str]) -> str:
        return "".join(_kept(self.rules, classes | self.scripted))

    @cached_property
    def classes(self) -> frozenset[str]:
        """Every class some selector of the stylesheet needs."""
        return frozenset(name for rule in _flat(self.rules) for _, needs in rule.selectors for name in needs)


def _flat(rules: tuple[Rule, ...]) -> Iterator[Rule]:
    for rule in rules:
        if rule.children is not None:
            yield from _flat(rule.children)
        else:
            yield rule


def _kept(rules: tuple[Rule, ...], present: frozenset[str]) -> Iterator[str]:
    for rule in rules:
        if rule.children is not None:
            inner = "".join(_kept(rule.children, present))
            if inner:
                yield f"{rule.prelude}{{{inner}}}"
        elif rule.prelude.endswith(";"):  # @charset, @import
            yield rule.prelude
        elif not rule.selectors:  # @font-face, @keyframes: whole
            yield f"{rule.prelude}{{{rule.body}}}"
        else:
            selectors = [text for text, needs in rule.selectors if needs <= present]
            if selectors:
                yield f"{','.join(selectors)}{{{rule.body}}}"


def _parse(css: str) -> Iterator[Rule]:
    position = 0
    while position < len(css):
        opening = _find(css, "{;}", position)
        if opening == -1:
            return
        prelude = css[position:opening].strip()
        if css[opening] == "}":  # stray: skip
            position = opening + 1
            continue
        if css[opening] == ";":  # @charset, @import: kept as they are
            yield Rule(prelude=f"{prelude};", body="", selectors=())
            position = opening + 1
            continue
        closing = _matching(css, opening)
        inner = css[opening + 1 : closing]
        if "\ufffd" in prelude or "\\0" in prelude:
            pass  # `@media screen\0` (Sass writes U+FFFD): old Internet Explorer's hack, no browser we serve matches it
        elif prelude.startswith(("@media", "@supports", "@layer", "@container")):
            yield Rule(prelude=prelude, children=tuple(_parse(inner)))
        elif prelude.startswith("@"):  # @font-face, @keyframes, @page: whole
            yield Rule(prelude=prelude, body=inner)
        else:
            yield Rule(prelude=prelude, body=inner, selectors=tuple((s, _needs(s)) for s in _split(prelude)))
        position = closing + 1


def _find(css: str, wanted: str, start: int) -> int:
    """The next of `wanted` outside strings and comments."""
    position = start
    while position < len(css):
        char = css[position]
        if char in "\"'":
            position = _string_end(css, position)
        elif css.startswith("/*", position):
            position = css.index("*/", position + 2) + 2
            continue
        elif char == "\\":
            position += 2
            continue
        elif char in wanted:
            return position
        position += 1
    return -1


def _string_end(css: str, start: int) -> int:
    quote, position = css[start], start + 1
    while position < len(css) and css[position] != quote:
        position += 2 if css[position] == "\\" else 1
    return position


def _matching(css: str, opening: int) -> int:
    depth, position = 0, opening
    while True:
        position = _find(css, "{}", position)
        if position == -1:
            return len(css)
        depth += 1 if css[position] == "{" else -1
        if depth == 0:
            return position
        position += 1


def _split(selector_list: str) -> list[str]:
    """The selectors of a list, split at its commas outside brackets and parentheses."""
    parts: list[str] = []
    current: list[str] = []
    for token, depth in _scanned(selector_list):
        if token == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(token)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def _needs(selector: str) -> frozenset[str]:
    """The classes an element must have for `selector` to match it (those inside functional pseudo-classes
    and attribute selectors are left out: the rule is kept if it may match)."""
    return frozenset(ESCAPE.sub(r"\1", name) for name in CLASS_SELECTOR.findall(_outer(selector)))


def _outer(selector: str) -> str:
    """`selector` without its brackets and parentheses and what is inside them."""
    return "".join(token for token, depth in _scanned(selector) if depth == 0)


def _scanned(text: str) -> Iterator[tuple[str, int]]:
    """`text` a character at a time (a backslash with the character it escapes), each with how deep in brackets
    and parentheses it stands; a bracket or parenthesis itself comes with -1."""
    depth, position = 0, 0
    while position < len(text):
        char = text[position]
        if char == "\\":
            yield text[position : position + 2], depth
            position += 2
            continue
        if char in "([":
            depth += 1
            yield char, -1
        elif char in ")]":
            depth -= 1
            yield char, -1
        else:
            yield char, depth
        position += 1


def page_classes(html: str) -> frozenset[str]:
    return frozenset(
        name for match in CLASS_ATTRIBUTE.finditer(html) for name in (match.group(1) or match.group(2) or "").split()
    )


def style_hash(css: str) -> str:
    """The CSP source that allows a `<style>` holding exactly `css`."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii") + "'"


def wants_inline_styles(request: Request, assets: Assets) -> bool:
    """True unless the service worker says it holds this version's stylesheet, or the reader came from a page
    of this site (`Sec-Fetch-Site: same-origin`), whose stylesheet link at the end of its body has put the
    stylesheet in the browser's cache: the question pages and search results, rendered for each request, are
    reached that way, and their inline CSS cost 0.8 ms of compression each (bench/question_pages.py)."""
    if request.headers.get("sec-fetch-site", "") == "same-origin":
        return False
    return request.headers.get(STYLES_HEADER, "") != assets.manifest["app.css"]


def inline_styles(response: Response, assets: Assets, stylesheet: Stylesheet) -> Response:
    """`response` (a page in the shell) with its CSS inline in `<head>` and the stylesheet at the end of
    `<body>`; a response without the shell's stylesheet link (a fragment) is left as it is."""
    link = STYLESHEET_LINK.format(url=assets.url("app.css"))
    html = bytes(response.body).decode("utf-8")
    if link not in html or "</body>" not in html:
        return response
    css = stylesheet.for_classes(page_classes(html))
    head, _, rest = html.partition(link)
    body, _, tail = rest.rpartition("</body>")
    html = f"{head}<style>{css}</style>{body}{link}\n</body>{tail}"
    response.body = html.encode("utf-8")
    response.headers["content-length"] = str(len(response.body))
    response.headers["content-security-policy"] = content_security_policy(style_hashes=(style_hash(css),))
    return response
