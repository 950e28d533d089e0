"""Documents a comms officer can edit (DOCX, python-docx): key messages, a press release template, lines to
take with questions and answers, a launch checklist, and a talk outline for Prevent officers.

Every document uses Word's own heading styles (Heading 1 for its title, Heading 2 and 3 below), lists
and plain paragraphs, with its title, author and language set, so a screen reader can move by heading and
Word's accessibility checker has nothing to say. There are no images. Welsh documents start with a note
that a translator has not yet checked them, until one has (content/toolkit/cy.yaml: translator_reviewed).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import docx
from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from web.toolkit.words import Kit

LANGUAGE_TAGS = {"en": "en-GB", "cy": "cy-GB"}
FIXED_TIME = (2020, 9, 1, 0, 0, 0)  # every file in the DOCX gets this date: the same words make the same bytes


def _new(kit: Kit, title: str) -> Document:
    document = docx.Document()
    tag = LANGUAGE_TAGS[kit.lang]
    properties = document.core_properties
    properties.title, properties.author, properties.language = title, kit.words("author"), tag
    properties.keywords = "ACT Early, Prevent" + ("" if kit.translator_reviewed else ", translation awaiting review")
    for style in (document.styles["Normal"], *(document.styles[f"Heading {level}"] for level in (1, 2, 3, 4))):
        run_properties = style.element.get_or_add_rPr()
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), tag)
        language.set(qn("w:eastAsia"), tag)
        run_properties.append(language)
    document.add_heading(title, level=1)
    if not kit.translator_reviewed:
        document.add_paragraph().add_run(kit.words("unreviewed")).bold = True
    return document


def _bytes(document: Document) -> bytes:
    made = io.BytesIO()
    document.save(made)
    fixed = io.BytesIO()
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(
                zipfile.ZipInfo(entry.filename, FIXED_TIME), source.read(entry.filename), zipfile.ZIP_DEFLATED
            )
    return fixed.getvalue()


def _bullets(document: Document, items: list[str] | tuple[str, ...], style: str = "List Bullet") -> None:
    list_style = document.styles[style]  # looked up once: python-docx finds a style by name slowly
    for item in items:
        document.add_paragraph(item, style=list_style)


def key_messages_docx(kit: Kit, force: str) -> bytes:
    words = kit.words
    document = _new(kit, words("documents.key_messages.title", force=force))
    document.add_paragraph(words("documents.key_messages.intro"))
    _bullets(document, words.list("documents.key_messages.messages"))
    return _bytes(document)


def press_release_docx(kit: Kit, force: str) -> bytes:
    words = kit.words
    document = _new(kit, words("documents.press_release.title", force=force))
    document.add_paragraph(words("documents.press_release.note")).runs[0].italic = True
    document.add_paragraph(words("documents.press_release.release"))
    document.add_heading(words("documents.press_release.headline", force=force), level=2)
    for paragraph in words.list("documents.press_release.paragraphs", force=force):
        document.add_paragraph(paragraph)
    document.add_paragraph(words("documents.press_release.quote", force=force))
    document.add_paragraph(words("documents.press_release.contact"))
    document.add_paragraph(words("documents.press_release.ends")).runs[0].bold = True
    document.add_heading(words("documents.press_release.notes_heading"), level=2)
    _bullets(document, words.list("documents.press_release.notes"), "List Number")
    return _bytes(document)


def lines_to_take_docx(kit: Kit, force: str) -> bytes:
    words = kit.words
    document = _new(kit, words("documents.lines_to_take.title", force=force))
    document.add_paragraph(words("documents.lines_to_take.intro"))
    document.add_heading(words("documents.lines_to_take.lines_heading"), level=2)
    _bullets(document, words.list("documents.lines_to_take.lines"))
    for audience in ("journalist", "public"):
        document.add_heading(words(f"documents.lines_to_take.{audience}_heading"), level=2)
        for answer in kit.questions.get(audience, ()):
            document.add_heading(answer.question, level=3)
            for paragraph in answer.paragraphs:
                document.add_paragraph(paragraph)
            _bullets(document, answer.items)
            source = document.add_paragraph(words("documents.lines_to_take.source", title=answer.page_title))
            source.runs[0].italic = True
    return _bytes(document)


def checklist_docx(kit: Kit, force: str) -> bytes:
    words = kit.words
    document = _new(kit, words("documents.checklist.title", force=force))
    document.add_paragraph(words("documents.checklist.intro"))
    for group in words.raw("documents.checklist.groups"):
        document.add_heading(words.fill(group["heading"]), level=2)
        _bullets(document, [words.fill(item) for item in group["items"]])
    return _bytes(document)


def talk_docx(kit: Kit, force: str, address: str) -> bytes:
    """A talk outline an officer can present from: each part with its time, what to say and what to show."""
    words = kit.words
    document = _new(kit, words("documents.talk.title"))
    document.add_paragraph(words("documents.talk.intro"))
    fillers: dict[str, Callable[[Document], None]] = {
        "signs": lambda doc: _talk_signs(doc, kit),
        "steps": lambda doc: _bullets(doc, [step.text for step in kit.steps], "List Number"),
        "story": lambda doc: _talk_story(doc, kit),
        "contact": lambda doc: _bullets(
            doc,
            [
                words("support_line") + f": {kit.support_number}",
                words("hours"),
                words("relay"),
                words("emergency"),
                address,
            ],
        ),
    }
    for number, part in enumerate(words.raw("documents.talk.parts"), start=1):
        document.add_heading(f"{number}. {words.fill(part['heading'])}", level=2)
        document.add_paragraph(words("documents.talk.minutes", minutes=str(part["minutes"]))).runs[0].italic = True
        document.add_heading(words("documents.talk.say"), level=3)
        if "from" in part:
            fillers[part["from"]](document)
        else:
            _bullets(document, [words.fill(text) for text in part["say"]])
        document.add_heading(words("documents.talk.show"), level=3)
        document.add_paragraph(words.fill(part["show"]))
    return _bytes(document)


def _talk_signs(document: Document, kit: Kit) -> None:
    for group in kit.signs:
        document.add_heading(group.heading, level=4)
        _bullets(document, group.signs)
    document.add_paragraph(f"{kit.not_a_sign_heading}: {kit.not_a_sign}")


def _talk_story(document: Document, kit: Kit) -> None:
    document.add_paragraph(kit.story.title).runs[0].bold = True
    document.add_paragraph(" ".join(kit.story.about))
    document.add_paragraph(kit.story.summary)
    document.add_paragraph(f"“{kit.story.quote}”")
