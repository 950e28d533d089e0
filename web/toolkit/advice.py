"""The advice pages' own words, as plain text sections, for the toolkit's posters, leaflet and documents.

A toolkit asset quotes the advice (the signs, the steps, a story, the answers to questions) instead of
repeating it, so an edit to a page changes every asset at the next build. A page's Markdown is read with
its `{{fact}}` names filled in from content/facts.yaml as plain text (a phone number as it is shown, not
a link), then cut at its headings into sections of paragraphs and lists.

A translation has the same headings in the same order as its English page (the content check compares
their revisions), so a section is named by its English heading and found in another language by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from web.content.facts import PLACEHOLDER, Facts
from web.content.names import DEFAULT_LANGUAGE
from web.content.page import split_front_matter

_md = MarkdownIt("commonmark")


class AdviceMissing(LookupError):
    """A page or heading the toolkit quotes is not in the content (content/toolkit/toolkit.yaml names it)."""


@dataclass(frozen=True)
class Item:
    """One list item: its text and, when it starts with bold words (a step's name), those words apart."""

    text: str
    lead: str = ""

    @property
    def rest(self) -> str:
        return self.text[len(self.lead) :].strip() if self.lead else self.text


@dataclass
class Section:
    level: int
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # the section's list, bulleted or numbered


@dataclass(frozen=True)
class AdvicePage:
    slug: str
    lang: str
    title: str
    summary: str
    sections: tuple[Section, ...]

    def section_at(self, index: int) -> Section:
        if index >= len(self.sections):
            raise AdviceMissing(f"{self.lang}/{self.slug} has no section {index + 1}")
        return self.sections[index]

    def below(self, index: int) -> list[Section]:
        """The sections under the one at `index` (its deeper headings), in order."""
        level = self.sections[index].level
        found = []
        for section in self.sections[index + 1 :]:
            if section.level <= level:
                break
            found.append(section)
        return found


def plain_facts(text: str, facts: Facts, lang: str) -> str:
    """`text` with each `{{name}}` replaced by the fact as plain words (a phone number as it is shown)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in facts.phones:
            return facts.phones[name].number
        if name in facts.words:
            return facts.text(name, lang)
        raise AdviceMissing(f"{{{{{name}}}}} is not a fact in content/facts.yaml")

    return PLACEHOLDER.sub(replace, text)


def _inline_text(token: Token) -> tuple[str, str]:
    """The inline token's plain text (links as their words), and its leading bold words if it starts with them."""
    parts: list[str] = []
    lead, in_lead, leading = "", False, True
    for child in token.children or ():
        if child.type == "strong_open" and leading and not "".join(parts).strip():
            in_lead = True
        elif child.type == "strong_close" and in_lead:
            in_lead, leading, lead = False, False, "".join(parts)
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split()), " ".join(lead.split())


def parse_advice(path: Path, slug: str, lang: str, facts: Facts) -> AdvicePage:
    meta, body = split_front_matter(path, path.read_text(encoding="utf-8"))
    tokens = _md.parse(plain_facts(body, facts, lang))
    sections: list[Section] = [Section(1, str(meta["title"]))]  # what comes before the first heading
    in_item = 0
    for index, token in enumerate(tokens):
        if token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type == "heading_open":
            sections.append(Section(int(token.tag[1]), _inline_text(tokens[index + 1])[0]))
        elif token.type == "inline" and tokens[index - 1].type == "paragraph_open":
            text, lead = _inline_text(token)
            if in_item:
                sections[-1].items.append(Item(text, lead))
            else:
                sections[-1].paragraphs.append(text)
    return AdvicePage(
        slug=slug,
        lang=lang,
        title=plain_facts(str(meta["title"]), facts, lang),
        summary=plain_facts(str(meta["summary"]), facts, lang),
        sections=tuple(sections),
    )


class AdviceReader:
    """Pages of one content folder, parsed on first use."""

    def __init__(self, content_dir: Path, facts: Facts) -> None:
        self.content_dir = content_dir
        self.facts = facts
        self._pages: dict[tuple[str, str], AdvicePage] = {}

    def page(self, lang: str, slug: str) -> AdvicePage:
        if (lang, slug) not in self._pages:
            path = self.content_dir / lang / f"{slug}.md"
            if not path.exists():
                raise AdviceMissing(f"content/{lang}/{slug}.md is missing")
            self._pages[lang, slug] = parse_advice(path, slug, lang, self.facts)
        return self._pages[lang, slug]

    def index_of(self, slug: str, heading: str) -> int:
        """Where the English page's section headed `heading` is (the same place in every translation)."""
        english = self.page(DEFAULT_LANGUAGE, slug)
        for index, section in enumerate(english.sections):
            if section.heading == heading:
                return index
        raise AdviceMissing(f"content/en/{slug}.md has no heading {heading!r}")

    def section(self, lang: str, slug: str, heading: str) -> tuple[AdvicePage, int]:
        """The page in `lang` and the place of the section the English page heads `heading`."""
        index = self.index_of(slug, heading)
        page = self.page(lang, slug)
        page.section_at(index)
        return page, index
