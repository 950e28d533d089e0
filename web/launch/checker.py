"""The LTAI link checker: find the "Let's Talk About It" addresses in what a partner pastes, and give each
its new address on this site, from the same map the redirects use (content/redirects.yaml).

A partner may paste their page's HTML, its text, or a list of addresses, one a line. Every address on
ltai.info (with or without `https://` and `www.`) is found; so is a line that is only a path (`/channel`),
read as an address on ltai.info. Nothing here knows about HTTP: the handler in partners.py reads the form.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import unquote

from web.http.redirects import HOME, RedirectMap, normalise

MAX_CHARACTERS = 20_000  # a long page's HTML; the form says so
MAX_ADDRESSES = 100
OLD_ADDRESS = re.compile(
    r"(?<![\w.-])(?:https?:)?(?://)?(?:www\.)?ltai\.info(?![\w.-])(/[^\s\"'<>()\[\]{}|\\^`]*)?", re.IGNORECASE
)
A_PATH = re.compile(r"^/[\w./%~-]*$")


class Match(Enum):
    PAGE = "page"  # the map names this address
    SECTION = "section"  # the map names a section the address is under
    HOME = "home"  # the map does not know it: it goes to the home page


@dataclass(frozen=True)
class Checked:
    old: str  # as the partner wrote it, tidied: ltai.info/what-is-prevent
    new_path: str  # /en/what-is-prevent
    match: Match


class CheckerError(ValueError):
    """What the partner pasted cannot be checked; `reason` is one of the constants below."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


EMPTY, TOO_LONG, NONE_FOUND, TOO_MANY = "empty", "too-long", "none-found", "too-many"


def old_paths(text: str) -> list[str]:
    """The old site's paths in `text`, in the order they first appear, each once (by its normal form)."""
    text = html.unescape(text)
    found: list[str] = []
    for match in OLD_ADDRESS.finditer(text):
        found.append(match.group(1) or "/")
    for line in text.splitlines():
        line = line.strip()
        if A_PATH.match(line) and "//" not in line:
            found.append(line)
    seen: set[str] = set()
    paths = []
    for raw in found:
        path = unquote(raw.split("?", 1)[0].split("#", 1)[0]) or "/"
        key = normalise(path)
        if key not in seen:
            seen.add(key)
            paths.append(path)
    return paths


def match_of(redirects: RedirectMap, path: str) -> Match:
    bare = normalise(path)
    if bare in redirects.pages:
        return Match.PAGE
    if any(bare == section or bare.startswith(f"{section}/") for section in redirects.sections):
        return Match.SECTION
    return Match.HOME


def check(redirects: RedirectMap, text: str) -> list[Checked]:
    """Each old address in `text` with its new address; CheckerError when there is nothing to check."""
    if not text.strip():
        raise CheckerError(EMPTY)
    if len(text) > MAX_CHARACTERS:
        raise CheckerError(TOO_LONG)
    paths = old_paths(text)
    if not paths:
        raise CheckerError(NONE_FOUND)
    if len(paths) > MAX_ADDRESSES:
        raise CheckerError(TOO_MANY)
    return [
        Checked(
            old="ltai.info" + (path if path != "/" else ""),
            new_path=redirects.target(path),
            match=match_of(redirects, path),
        )
        for path in paths
    ]


def every_address(redirects: RedirectMap) -> list[tuple[str, str, bool]]:
    """The whole map for the partners' page: (old address, new path, whether everything under it goes there)."""
    rows = [(old, new, False) for old, new in redirects.pages.items()]
    rows += [(old, new, True) for old, new in redirects.sections.items()]
    return sorted(rows, key=lambda row: (row[1] != HOME, row[1], row[0]))
