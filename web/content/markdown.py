"""Markdown to HTML with GOV.UK Frontend classes, plus the facts the content check needs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

# GOV.UK Frontend classes for the elements Markdown produces.
CLASSES = {
    "h2": "govuk-heading-l",
    "h3": "govuk-heading-m",
    "h4": "govuk-heading-s",
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
    "blockquote": "govuk-inset-text",
    "table": "govuk-table",
    "thead": "govuk-table__head",
    "tbody": "govuk-table__body",
    "tr": "govuk-table__row",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
    "hr": "govuk-section-break govuk-section-break--l govuk-section-break--visible",
}


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    id: str


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True)
class Image:
    src: str
    alt: str


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str  # one block (paragraph, list item, heading, cell) a line
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    images: tuple[Image, ...]


def _add_classes(state: StateCore) -> None:
    for token in state.tokens:
        _classify(token)
        for child in token.children or ():
            _classify(child)


def _classify(token: object) -> None:
    tag = getattr(token, "tag", "")
    nesting = getattr(token, "nesting", 0)
    if tag in CLASSES and nesting in (0, 1):
        # Paragraphs inside list items and blockquotes keep the list's spacing.
        token.attrJoin("class", CLASSES[tag])  # type: ignore[attr-defined]


_md = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(["table", "replacements", "smartquotes"])
_md.core.ruler.push("govuk_classes", _add_classes)


def slugify(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-") or "section"


LANGUAGE_PREFIX = re.compile(r"^/([a-z]{2,3})/")


def render_markdown(source: str, lang: str | None = None) -> Rendered:
    """Render Markdown; links to a page in another language than `lang` get `hreflang`."""
    tokens = _md.parse(source)
    headings: list[Heading] = []
    links: list[Link] = []
    images: list[Image] = []
    text: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            anchor = slugify(inline.content)
            token.attrSet("id", anchor)
            headings.append(Heading(level=int(token.tag[1]), text=inline.content, id=anchor))
        if token.type != "inline":
            continue
        plain = "".join(
            child.content if child.type in ("text", "code_inline") else " "
            for child in token.children or ()
            if child.type in ("text", "code_inline", "softbreak", "hardbreak")
        )
        text.append(" ".join(plain.split()))
        children = token.children or []
        for position, child in enumerate(children):
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                label = children[position + 1].content if position + 1 < len(children) else ""
                links.append(Link(href=href, text=label))
                if href.startswith("tel:"):
                    child.attrSet("dir", "ltr")  # digits read left to right in a right-to-left page too
                prefix = LANGUAGE_PREFIX.match(href)
                if lang and prefix and prefix.group(1) != lang:
                    child.attrSet("hreflang", prefix.group(1))
            elif child.type == "image":
                images.append(Image(src=str(child.attrGet("src") or ""), alt=child.content))
    html = _md.renderer.render(tokens, _md.options, {})
    return Rendered(html=html, text="\n".join(text), headings=tuple(headings), links=tuple(links), images=tuple(images))
