"""Search answers a worried person's own words: real questions (tests/public/search_questions.yaml) find
the page that answers them in the top three results, nine times in ten or better, in each language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from web.content.library import load_library
from web.content.search import SYNONYMS_FILE, SearchIndex, load_synonyms
from web.public.advice import boxes_text
from web.settings import Settings
from web.shell.assets import Assets
from web.shell.templating import create_templates

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (Path(__file__).with_name("search_questions.yaml")).read_text()
)
LANGUAGES = sorted(QUESTIONS)
PASS_RATE = 0.9


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    """The index as the site builds it (web/app.py), with the words of the boxes pages show."""
    content = ROOT / "content"
    library = load_library(content)
    settings = Settings()
    templates = create_templates(settings, Assets(settings.static_dist_dir), library.facts)
    return SearchIndex(library, load_synonyms(content / SYNONYMS_FILE), shown=boxes_text(templates, library))


def top_three(index: SearchIndex, lang: str, question: str) -> list[str]:
    return [hit.slug for hit in index.search(lang, question, limit=3)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_there_are_at_least_forty_questions_and_every_answer_is_a_page(index: SearchIndex, lang: str) -> None:
    questions = QUESTIONS[lang]
    assert len(questions) >= 40, f"{lang}: {len(questions)} questions; write at least 40 from what people ask"
    slugs = {document.page.slug for document in index.documents[lang]}
    unknown = sorted({page for item in questions for page in item["pages"]} - slugs)
    assert not unknown, f"{lang}: the set names pages that do not exist: {unknown}"
    assert all(item.get("from") for item in questions), "say where each question was seen"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_nine_in_ten_questions_find_their_answer_in_the_top_three(index: SearchIndex, lang: str) -> None:
    misses = []
    for item in QUESTIONS[lang]:
        found = top_three(index, lang, item["q"])
        if not set(found) & set(item["pages"]):
            misses.append(f"{item['q']!r}: got {found}, wanted one of {item['pages']}")
    rate = 1 - len(misses) / len(QUESTIONS[lang])
    assert rate >= PASS_RATE, f"{lang}: {rate:.0%} in the top three; missed:\n" + "\n".join(misses)
