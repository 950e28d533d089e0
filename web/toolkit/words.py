"""What the toolkit says, in one language: its own words (content/toolkit/<lang>.yaml) with the facts filled
in, and the advice it quotes (content/toolkit/toolkit.yaml says which pages and headings).

`load_kit(content_dir, lang)` reads everything once per content folder and language. Every asset is made
from a `Kit`, so a changed fact or advice page changes every asset that shows it at the next build (a new
process, as for the site's pages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from web.content.facts import Facts, load_facts
from web.content.names import DEFAULT_LANGUAGE
from web.toolkit.advice import AdviceReader, Item, plain_facts

TOOLKIT_DIR = "toolkit"
THEMES = ("act-early", "signs", "next", "story")  # the posters' and images' themes, in the order they are listed
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
NAME = re.compile(r"\{([a-z_]+)\}")


class ToolkitWordsError(ValueError):
    """content/toolkit/ is not as its files describe."""


class Words:
    """The toolkit's own words in one language: `words("leaflet.title", force=...)`, facts filled in."""

    def __init__(self, data: dict[str, Any], facts: Facts, lang: str) -> None:
        self.data, self.facts, self.lang = data, facts, lang

    def raw(self, path: str) -> Any:
        value: Any = self.data
        for key in path.split("."):
            if not isinstance(value, dict) or key not in value:
                raise ToolkitWordsError(f"content/toolkit/{self.lang}.yaml has no {path}")
            value = value[key]
        return value

    def fill(self, text: str, **names: str) -> str:
        text = plain_facts(" ".join(str(text).split()), self.facts, self.lang)
        return NAME.sub(lambda match: names.get(match.group(1), match.group(0)), text)

    def __call__(self, path: str, **names: str) -> str:
        return self.fill(str(self.raw(path)), **names)

    def list(self, path: str, **names: str) -> list[str]:
        return [self.fill(str(text), **names) for text in self.raw(path)]


@dataclass(frozen=True)
class SignGroup:
    heading: str
    signs: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    """A question a page answers, with the page's own words for the answer."""

    question: str
    paragraphs: tuple[str, ...]
    items: tuple[str, ...]
    page_title: str


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    summary: str
    about: tuple[str, ...]  # "This is not a real person...": shown wherever the story is
    quote: str

    @property
    def headline(self) -> str:
        return f"“{SENTENCE_END.split(self.quote)[0]}”"


@dataclass(frozen=True)
class Theme:
    key: str
    name: str
    slug: str  # the advice page its link opens
    headline: str
    action: str
    short: str
    post: str  # with {url} still to fill


@dataclass(frozen=True)
class Kit:
    """Everything one language of the toolkit says."""

    lang: str
    words: Words
    facts: Facts
    translator_reviewed: bool
    themes: dict[str, Theme]
    signs_heading: str
    signs: tuple[SignGroup, ...]
    per_group: int
    not_a_sign_heading: str
    not_a_sign: str
    steps_heading: str
    steps: tuple[Item, ...]
    channel_heading: str
    channel: tuple[str, ...]
    story: Story
    questions: dict[str, tuple[Answer, ...]]  # journalist, public

    @property
    def support_number(self) -> str:
        return self.facts.support_line.number

    @property
    def hours(self) -> str:
        return self.facts.text("support_line_hours", self.lang)

    def path_of(self, theme: str) -> str:
        """The site path a theme's QR code and link open (the act-early theme: the home page in the language)."""
        slug = self.themes[theme].slug
        if slug == "home":
            return "/" if self.lang == DEFAULT_LANGUAGE else f"/{self.lang}/"
        return f"/{self.lang}/{slug}"

    def shown_signs(self) -> tuple[SignGroup, ...]:
        return tuple(SignGroup(group.heading, group.signs[: self.per_group]) for group in self.signs)


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ToolkitWordsError(f"{path} is missing")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ToolkitWordsError(f"{path}: not a mapping")
    return data


def _answers(reader: AdviceReader, lang: str, chosen: list[dict[str, str]]) -> tuple[Answer, ...]:
    answers = []
    for entry in chosen:
        page, index = reader.section(lang, entry["page"], entry["heading"])
        section = page.section_at(index)
        items = tuple(item.text for item in section.items)
        answers.append(Answer(section.heading, tuple(section.paragraphs), items, page.title))
    return tuple(answers)


@cache
def load_kit(content_dir: Path, lang: str) -> Kit:
    facts = load_facts(content_dir / "facts.yaml")
    choices = _read_yaml(content_dir / TOOLKIT_DIR / "toolkit.yaml")
    words = Words(_read_yaml(content_dir / TOOLKIT_DIR / f"{lang}.yaml"), facts, lang)
    reader = AdviceReader(content_dir, facts)

    signs_page, signs_at = reader.section(lang, choices["signs"]["page"], choices["signs"]["heading"])
    groups = tuple(
        SignGroup(section.heading, tuple(item.text for item in section.items)) for section in signs_page.below(signs_at)
    )
    not_page, not_at = reader.section(lang, choices["signs"]["page"], choices["signs"]["not_a_sign"])
    steps_page, steps_at = reader.section(lang, choices["steps"]["page"], choices["steps"]["heading"])
    channel_page, channel_at = reader.section(lang, choices["channel"]["page"], choices["channel"]["heading"])
    story_choice = choices["story"]
    story_page, about_at = reader.section(lang, story_choice["page"], story_choice["about"])
    _, quote_at = reader.section(lang, story_choice["page"], story_choice["quote"])
    story = Story(
        slug=story_choice["page"],
        title=story_page.title,
        summary=story_page.summary,
        about=tuple(story_page.section_at(about_at).paragraphs),
        quote=story_page.section_at(quote_at).paragraphs[-1],
    )
    themes = {}
    for key in THEMES:
        headline, action = words(f"themes.{key}.headline"), words(f"themes.{key}.action")
        if key == "story":
            headline, action = story.headline, story.title
        themes[key] = Theme(
            key=key,
            name=words(f"themes.{key}.name"),
            slug=str(words.raw(f"themes.{key}.page")),
            headline=headline,
            action=action,
            short=words(f"themes.{key}.short"),
            post=words(f"themes.{key}.post"),
        )
    steps = tuple(steps_page.section_at(steps_at).items)
    if not groups or not steps or any(not step.lead for step in steps):
        raise ToolkitWordsError(f"the {lang} signs or steps are not where content/toolkit/toolkit.yaml says")
    return Kit(
        lang=lang,
        words=words,
        facts=facts,
        translator_reviewed=bool(words.raw("translator_reviewed")),
        themes=themes,
        signs_heading=signs_page.section_at(signs_at).heading,
        signs=groups,
        per_group=int(choices["signs"]["per_group"]),
        not_a_sign_heading=not_page.section_at(not_at).heading,
        not_a_sign=SENTENCE_END.split(not_page.section_at(not_at).paragraphs[0])[0],
        steps_heading=steps_page.section_at(steps_at).heading,
        steps=steps,
        channel_heading=channel_page.section_at(channel_at).heading,
        channel=tuple(channel_page.section_at(channel_at).paragraphs),
        story=story,
        questions={
            audience: _answers(reader, lang, chosen) for audience, chosen in (choices.get("questions") or {}).items()
        },
    )
