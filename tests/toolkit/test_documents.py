"""Documents a comms officer can edit (web/toolkit/documents.py), read back with python-docx."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from web.settings import ROOT
from web.toolkit import documents
from web.toolkit.advice import AdviceReader
from web.toolkit.words import load_kit

CONTENT = ROOT / "content"


def read(body: bytes) -> list[tuple[str, str]]:
    return [(p.style.name if p.style else "", p.text) for p in docx.Document(io.BytesIO(body)).paragraphs]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_press_release_fills_in_the_force_and_takes_its_figures_from_the_facts(lang: str) -> None:
    kit = load_kit(CONTENT, lang)
    paragraphs = read(documents.press_release_docx(kit, "Heddlu Gwent"))
    text = "\n".join(words for _, words in paragraphs)
    assert paragraphs[0][0] == "Heading 1" and "Heddlu Gwent" in paragraphs[0][1]
    for fact in ("referrals", "referrals_rise", "statistics_year", "share_no_ideology", "support_line_hours"):
        assert kit.facts.text(fact, lang) in text
    assert kit.support_number in text and "[" in text  # the parts to fill in, in square brackets


def test_the_lines_to_take_answer_each_question_in_the_advice_pages_own_words() -> None:
    kit = load_kit(CONTENT, "en")
    paragraphs = read(documents.lines_to_take_docx(kit, "Kent Police"))
    questions = [text for style, text in paragraphs if style == "Heading 3"]
    assert questions == [answer.question for audience in ("journalist", "public") for answer in kit.questions[audience]]
    reader = AdviceReader(CONTENT, kit.facts)
    page, index = reader.section("en", "myths-and-facts", '"Prevent is a way to spy on people."')
    texts = [text for _, text in paragraphs]
    assert all(paragraph in texts for paragraph in page.section_at(index).paragraphs)
    assert [style for style, _ in paragraphs if style.startswith("Heading")].count("Heading 2") == 3


def test_the_talk_outline_has_a_part_for_each_heading_with_time_what_to_say_and_what_to_show() -> None:
    kit = load_kit(CONTENT, "en")
    paragraphs = read(documents.talk_docx(kit, "Kent Police", "actearly.uk"))
    parts = [text for style, text in paragraphs if style == "Heading 2"]
    assert parts[0] == "1. Welcome" and len(parts) == 6
    assert [text for style, text in paragraphs if style == "Heading 3"] == ["What to say", "What to show"] * 6
    signs = [text for style, text in paragraphs if style == "Heading 4"]
    assert signs == [group.heading for group in kit.signs]
    assert all(step.text in [text for _, text in paragraphs] for step in kit.steps)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_style_carries_the_documents_language(lang: str) -> None:
    body = documents.key_messages_docx(load_kit(CONTENT, lang), "Kent Police")
    styles = zipfile.ZipFile(io.BytesIO(body)).read("word/styles.xml").decode()
    assert styles.count(f'w:val="{lang}-GB"') >= 5  # Normal and Heading 1 to 4


def test_the_same_words_make_the_same_bytes() -> None:
    kit = load_kit(CONTENT, "en")
    assert documents.checklist_docx(kit, "Kent Police") == documents.checklist_docx(kit, "Kent Police")
