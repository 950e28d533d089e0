"""What the toolkit says (web/toolkit/words.py), and must show 2 of issue 18: change one fact, the support line's
hours, in a content folder of the test's own, and every file that shows the hours shows the new ones.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from PIL import Image, ImageDraw
from pypdf import PdfReader

from web.content.facts import figures_written_out
from web.content.forces import load_forces
from web.settings import ROOT
from web.toolkit import archive
from web.toolkit.words import THEMES, ToolkitWordsError, load_kit

CONTENT = ROOT / "content"
SITE = "https://actearly.uk"
NEW_HOURS = {"en": "8am to 10pm, Monday to Saturday", "cy": "8am tan 10pm, dydd Llun i ddydd Sadwrn"}
# Every file shows the hours but the launch checklist, which names the support line and tells staff to learn them.
NOT_SHOWING_HOURS = {"launch-checklist.docx"}


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []


def _keys(value: Any, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        return {key for name, item in value.items() for key in _keys(item, f"{prefix}.{name}")} | {prefix}
    if isinstance(value, list):
        return {key for index, item in enumerate(value) for key in _keys(item, f"{prefix}[{index}]")}
    return {prefix}


def test_the_welsh_words_say_everything_the_english_words_do() -> None:
    english = yaml.safe_load((CONTENT / "toolkit" / "en.yaml").read_text(encoding="utf-8"))
    welsh = yaml.safe_load((CONTENT / "toolkit" / "cy.yaml").read_text(encoding="utf-8"))
    assert _keys(welsh) == _keys(english)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_toolkit_words_take_every_number_and_time_from_the_facts_file(lang: str) -> None:
    words = yaml.safe_load((CONTENT / "toolkit" / f"{lang}.yaml").read_text(encoding="utf-8"))
    written = [(text, found) for text in _strings(words) for found in figures_written_out(text)]
    assert written == []


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_kit_quotes_the_advice_pages(lang: str) -> None:
    kit = load_kit(CONTENT, lang)
    assert [len(group.signs) for group in kit.signs] == [4, 5, 3]
    assert len(kit.steps) == 7 and all(step.lead and step.text.startswith(step.lead) for step in kit.steps)
    assert kit.story.about[0].startswith(("This is not a real person", "Nid yw hwn yn berson go iawn"))
    assert set(kit.themes) == set(THEMES)
    assert len(kit.questions["journalist"]) == 7 and len(kit.questions["public"]) == 8
    assert kit.translator_reviewed is (lang == "en")
    source = (CONTENT / lang / "faq.md").read_text(encoding="utf-8")
    who_to_call = kit.questions["public"][0]
    assert who_to_call.question in source
    assert kit.facts.support_line.number in who_to_call.paragraphs[0]


def test_a_heading_the_toolkit_quotes_that_is_not_in_the_advice_is_an_error(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    choices = content / "toolkit" / "toolkit.yaml"
    choices.write_text(choices.read_text(encoding="utf-8").replace("Step by step", "Step after step"), encoding="utf-8")
    with pytest.raises(LookupError, match="Step after step"):
        load_kit(content, "en")


def test_a_missing_word_names_its_key(tmp_path: Path) -> None:
    kit = load_kit(CONTENT, "en")
    with pytest.raises(ToolkitWordsError, match=r"leaflet\.nothing"):
        kit.words("leaflet.nothing")


def _copy_content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content, ignore=shutil.ignore_patterns("ur", "films"))
    return content


@pytest.fixture(scope="module")
def changed_hours(tmp_path_factory: pytest.TempPathFactory, unzip: Callable[[bytes], dict[str, bytes]]) -> dict:  # type: ignore[type-arg]
    """Both languages' archives for one force, made from a content folder whose support line hours changed,
    with every line of text the images were asked to draw."""
    content = _copy_content(tmp_path_factory.mktemp("changed"))
    facts = content / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    for lang, hours in NEW_HOURS.items():
        old = load_kit(CONTENT, lang).hours
        text = text.replace(f'{lang}: "{old}"', f'{lang}: "{hours}"', 1)
    facts.write_text(text, encoding="utf-8")
    drawn: list[str] = []
    draw_text = ImageDraw.ImageDraw.text

    def spy(self: ImageDraw.ImageDraw, xy: Any, words: Any, *args: Any, **kwargs: Any) -> None:
        drawn.append(str(words))
        draw_text(self, xy, words, *args, **kwargs)

    force = load_forces(CONTENT / "forces.yaml")["gwent"]
    made = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ImageDraw.ImageDraw, "text", spy)
        for lang in NEW_HOURS:
            made[lang] = unzip(archive.archive(force, lang, SITE, content))
    return {"files": made, "drawn": drawn}


def _text_of(name: str, body: bytes) -> str:
    if name.endswith(".pdf"):
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if name.endswith(".png"):
        return str(Image.open(io.BytesIO(body)).info["Description"])
    if name.endswith(".docx"):
        return "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(body)).paragraphs)
    return body.decode("utf-8")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_changing_the_support_line_hours_changes_every_file_that_shows_them(changed_hours: dict, lang: str) -> None:  # type: ignore[type-arg]
    old, new = load_kit(CONTENT, lang).hours, NEW_HOURS[lang]
    files = changed_hours["files"][lang]
    assert len(files) == 33
    for name, body in files.items():
        text = " ".join(_text_of(name, body).split())
        assert old not in text, name
        if Path(name).name not in NOT_SHOWING_HOURS:
            assert new in text, name


def test_the_images_draw_the_new_hours_not_only_describe_them(changed_hours: dict) -> None:  # type: ignore[type-arg]
    drawn = " ".join(changed_hours["drawn"])
    assert not any(load_kit(CONTENT, lang).hours in drawn for lang in NEW_HOURS)
    # 16 images and a banner a language; on an image the hours may wrap, so count their first words.
    for hours in NEW_HOURS.values():
        assert drawn.count(hours[:9]) >= 17
