"""The facts the site states, from one file (`content/facts.yaml`): phone numbers, hours, figures and their
sources. Pages take them as `{{name}}`; templates, posters and films read the same `Facts`.

A phone number becomes a `tel:` link; words come in the page's language (English where a language has
none). `figures_written_out` finds what a page wrote itself that must come from here: phone numbers,
percentages, figures with thousands separators and opening times.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import yaml

from web.content.names import DEFAULT_LANGUAGE
from web.content.page import ContentError, Source

PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")
# What a page may not write itself. Link targets are left out first (a web address may hold digits).
WRITTEN_OUT = (
    ("a phone number", re.compile(r"(?<![\w/.])(?:\+44\s?|0)\d{2,4}[ \d]{5,10}\d\b")),
    ("a phone number", re.compile(r"(?<![\w/.,])(?:999|101|18000|18001|18002|116\s?123|0800\s?1111)(?![\w,%])")),
    ("a percentage", re.compile(r"\b\d+(?:\.\d+)?\s?%")),
    ("a figure", re.compile(r"\b\d{1,3}(?:,\d{3})+\b")),
    ("an opening time", re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|yb|yh)\b", re.IGNORECASE)),
)
TEL_LINK = re.compile(r"\[([^\]]*)\]\(tel:[^)]*\)")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
# Contacts each deployment sets (web/settings.py): who controls the data, and where to write.
DEPLOYMENT = ("data_controller", "data_protection_email", "accessibility_email")
NOT_SET = {"en": "(not set for this copy of the site)", "cy": "(heb ei osod ar gyfer y copi hwn o'r wefan)"}


class FactsFileError(ValueError):
    """content/facts.yaml is not as documented at its top."""


@dataclass(frozen=True)
class Phone:
    number: str
    source: Source

    @property
    def tel(self) -> str:
        return self.number.replace(" ", "")

    @property
    def href(self) -> str:
        return f"tel:{self.tel}"

    def markdown(self) -> str:
        return f"[{self.number}]({self.href})"


@dataclass(frozen=True)
class Words:
    by_language: dict[str, str]
    source: Source

    def in_language(self, lang: str) -> str:
        return self.by_language.get(lang) or self.by_language[DEFAULT_LANGUAGE]


@dataclass(frozen=True)
class Facts:
    phones: dict[str, Phone]
    words: dict[str, Words]
    deployment: Mapping[str, str] = field(default_factory=dict)

    def with_deployment(self, contacts: Mapping[str, str]) -> Facts:
        """These facts, with the contacts this deployment sets (`Settings.deployment_contacts()`)."""
        return replace(self, deployment=dict(contacts))

    def __getattr__(self, name: str) -> Phone:
        """`facts.support_line` in templates: a phone number by its name."""
        try:
            return self.phones[name]
        except KeyError:
            raise AttributeError(name) from None

    def text(self, name: str, lang: str) -> str:
        """Words (hours, a figure with its year) in `lang`."""
        return self.words[name].in_language(lang)

    def source_of(self, name: str) -> Source:
        fact = self.phones.get(name) or self.words.get(name)
        if fact is None:
            raise KeyError(name)
        return fact.source

    def expand(self, markdown: str, lang: str, path: Path) -> tuple[str, tuple[str, ...]]:
        """The Markdown with every `{{name}}` replaced, and the names used (in order, once each)."""
        used: dict[str, None] = {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            used[name] = None
            if name in self.phones:
                return self.phones[name].markdown()
            if name in self.words:
                return self.words[name].in_language(lang)
            if name in DEPLOYMENT:
                return self._contact(name, lang)
            raise ContentError(path, f"{{{{{name}}}}} is not a fact in content/facts.yaml")

        expanded = PLACEHOLDER.sub(replace, markdown)
        return expanded, tuple(name for name in used if name not in DEPLOYMENT)

    def _contact(self, name: str, lang: str) -> str:
        value = self.deployment.get(name, "")
        if not value:
            return NOT_SET.get(lang, NOT_SET["en"])
        return f"[{value}](mailto:{value})" if name.endswith("_email") else value


def figures_written_out(markdown: str) -> list[tuple[str, str]]:
    """(what, text) for each phone number, percentage, large figure or opening time the page wrote itself."""
    text = PLACEHOLDER.sub(" ", markdown)
    found = [("a phone number", match.group(0)) for match in TEL_LINK.finditer(text)]
    text = LINK_TARGET.sub("]()", TEL_LINK.sub(" ", text))
    for what, pattern in WRITTEN_OUT:
        found += [(what, match.group(0).strip()) for match in pattern.finditer(text)]
    return found


@cache
def load_facts(path: Path) -> Facts:
    """The facts file at `path`; no facts when there is none (a page that uses one is then an error)."""
    if not path.exists():
        return Facts({}, {})
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise FactsFileError(f"{path}: not a mapping of sources, phones and text")
    sources = {str(key): _source(path, key, value) for key, value in (data.get("sources") or {}).items()}

    def source(name: str, entry: dict[str, object]) -> Source:
        key = str(entry.get("source", ""))
        if key not in sources:
            raise FactsFileError(f"{path}: {name} needs a source listed under sources (it says {key!r})")
        return sources[key]

    phones = {
        str(name): Phone(str(entry["number"]), source(name, entry))
        for name, entry in (data.get("phones") or {}).items()
    }
    words = {}
    for name, entry in (data.get("text") or {}).items():
        by_language = {str(lang): str(value) for lang, value in entry.items() if lang != "source"}
        if DEFAULT_LANGUAGE not in by_language:
            raise FactsFileError(f"{path}: {name} needs its English words ({DEFAULT_LANGUAGE})")
        words[str(name)] = Words(by_language, source(name, entry))
    clash = set(phones) & set(words)
    if clash:
        raise FactsFileError(f"{path}: {sorted(clash)[0]} is both a phone and text")
    return Facts(phones, words)


def _source(path: Path, key: object, value: object) -> Source:
    if not isinstance(value, dict) or not value.get("title") or not str(value.get("url", "")).startswith("https://"):
        raise FactsFileError(f"{path}: source {key} needs a title and an https address (url)")
    return Source(title=str(value["title"]), url=str(value["url"]), lang=DEFAULT_LANGUAGE)
