"""The search index on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event

from web.storage import create_database_engine
from web.storage.search import (
    MARK_END,
    MARK_START,
    MAX_QUERY_LENGTH,
    QueryTooLong,
    SearchIndex,
    SnippetPart,
    fts5_expression,
    search_terms,
    split_snippet,
    tsquery_expression,
)


@dataclass(frozen=True)
class FakePage:
    lang: str
    slug: str
    title: str
    summary: str
    body_text: str


PAGES = [
    FakePage("en", "radicalisation", "What is radicalisation?", "How people are drawn in.", "Radicalisation is slow."),
    FakePage("en", "signs", "Signs to spot", "Changes to look for.", "They use slogans that are new to you."),
    FakePage("en", "slogans", "Slogans and symbols", "What the words mean.", "Some groups use codes."),
    FakePage("en", "danger", "Danger", "Call 999.", "If someone is in danger <script>alert(1)</script> call 999."),
    FakePage("cy", "signs", "Arwyddion", "Newidiadau i sylwi arnynt.", "Maen nhw'n defnyddio sloganau mewn grŵp."),
    FakePage("cy", "help", "Cymorth", "Ble i gael help.", "Gall y grwp cymorth helpu. Mae'r ŷd yn tyfu."),
]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """SQLite and PostgreSQL (the `database_url` fixture in tests/conftest.py starts a server)."""
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def index(engine: Engine) -> SearchIndex:
    index = SearchIndex(engine)
    index.rebuild(PAGES)
    return index


def slugs(index: SearchIndex, lang: str, query: str) -> list[str]:
    return [hit.slug for hit in index.search(lang, query)]


def count_statements(engine: Engine) -> list[str]:
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    return statements


def test_a_word_in_the_body_finds_its_page_in_that_language_only(index: SearchIndex) -> None:
    assert slugs(index, "en", "slow") == ["radicalisation"]
    assert slugs(index, "cy", "slow") == []
    assert slugs(index, "cy", "sloganau") == ["signs"]


def test_the_last_word_matches_as_a_prefix(index: SearchIndex) -> None:
    assert slugs(index, "en", "radic") == ["radicalisation"]
    assert slugs(index, "en", "RADIC") == ["radicalisation"]


def test_only_the_last_word_matches_as_a_prefix(index: SearchIndex) -> None:
    assert slugs(index, "en", "radic slow") == []
    assert slugs(index, "en", "radicalisation sl") == ["radicalisation"]


def test_every_word_must_match(index: SearchIndex) -> None:
    assert slugs(index, "en", "slogans new") == ["signs"]
    assert slugs(index, "en", "slogans danger") == []


def test_welsh_letters_with_a_circumflex_match_plain_letters_both_ways(index: SearchIndex) -> None:
    assert sorted(slugs(index, "cy", "grwp")) == ["help", "signs"]
    assert sorted(slugs(index, "cy", "grŵp")) == ["help", "signs"]
    assert slugs(index, "cy", "yd") == ["help"]
    # The same word typed with a combining circumflex (w + U+0302).
    assert sorted(slugs(index, "cy", "grw\u0302p")) == ["help", "signs"]


def test_a_match_in_the_title_ranks_above_a_match_in_the_body(index: SearchIndex) -> None:
    assert slugs(index, "en", "slogans") == ["slogans", "signs"]


def test_each_hit_has_its_title_summary_and_a_snippet_with_the_match_marked(index: SearchIndex) -> None:
    [hit] = index.search("en", "slow")
    assert (hit.slug, hit.title, hit.summary) == (
        "radicalisation",
        "What is radicalisation?",
        "How people are drawn in.",
    )
    assert SnippetPart("slow", marked=True) in hit.snippet
    assert "".join(part.text for part in hit.snippet).startswith("Radicalisation is slow")


def test_snippets_are_plain_text_for_the_template_to_escape(index: SearchIndex) -> None:
    [hit] = index.search("en", "danger someone")
    joined = "".join(part.text for part in hit.snippet)
    assert "alert(1)" in joined  # text (PostgreSQL drops the tags): the template escapes every part
    assert MARK_START not in joined and MARK_END not in joined
    assert [part.text.lower() for part in hit.snippet if part.marked] == ["someone", "danger"]


def test_the_limit_caps_the_hits(index: SearchIndex) -> None:
    assert len(index.search("en", "s", limit=2)) == 2
    assert index.search("en", "s", limit=0) == []


def test_rebuilding_replaces_the_whole_index(index: SearchIndex) -> None:
    index.rebuild([FakePage("en", "new", "Brand new", "Summary.", "Fresh words.")])
    assert slugs(index, "en", "fresh") == ["new"]
    assert slugs(index, "en", "slow") == []
    index.rebuild([])
    assert slugs(index, "en", "fresh") == []


def test_indexed_text_cannot_forge_a_match_marker(engine: Engine) -> None:
    index = SearchIndex(engine)
    index.rebuild([FakePage("en", "odd", "Odd", "Odd.", f"plain {MARK_START}forged{MARK_END} words here")])
    [hit] = index.search("en", "words")
    assert [part.text for part in hit.snippet if part.marked] == ["words"]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        '"unclosed',
        "NEAR(",
        "NEAR(a b, 2)",
        "*",
        "-",
        "-slow",
        "OR",
        "AND",
        "NOT",
        "slow OR",
        "^slow",
        "title:slow",
        "{title}: slow",
        "(",
        ")",
        "slow*",
        "'; DROP TABLE search_pages; --",
        "\\",
        "':*",
        "& | ! <-> <2>",
        "\x00",
        "\x02slow\x03",
        "\u0302",
    ],
)
def test_search_syntax_in_a_query_is_harmless(index: SearchIndex, query: str) -> None:
    index.search("en", query)
    assert slugs(index, "en", "slow") == ["radicalisation"]  # the table is still there


@pytest.mark.parametrize("query", ['"slow"', "-slow", "slow*", "(slow)", "^slow", "slow;"])
def test_words_wrapped_in_search_syntax_are_still_searched(index: SearchIndex, query: str) -> None:
    assert "radicalisation" in slugs(index, "en", query)


@pytest.mark.parametrize("query", ["", "   ", '"*-()', "\u0302"])
def test_a_query_without_words_finds_nothing_without_asking_the_database(engine: Engine, query: str) -> None:
    index = SearchIndex(engine)
    statements = count_statements(engine)
    assert index.search("en", query) == []
    assert statements == []


def test_an_overlong_query_is_refused_without_asking_the_database(engine: Engine) -> None:
    index = SearchIndex(engine)
    index.rebuild(PAGES)
    statements = count_statements(engine)
    with pytest.raises(QueryTooLong):
        index.search("en", "a" * (MAX_QUERY_LENGTH + 1))
    assert statements == []
    assert index.search("en", "slow " + "x" * (MAX_QUERY_LENGTH - 5)) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=MAX_QUERY_LENGTH))
def test_any_text_up_to_the_limit_is_a_safe_query(index: SearchIndex, query: str) -> None:
    hits = index.search("en", query)
    assert all(hit.slug in {page.slug for page in PAGES} for hit in hits)


def test_query_words_are_letters_digits_and_marks_only() -> None:
    assert search_terms('radic"; DROP-TABLE x* NEAR(a) ^b 999') == [
        "radic",
        "DROP",
        "TABLE",
        "x",
        "NEAR",
        "a",
        "b",
        "999",
    ]
    assert search_terms("grw\u0302p") == ["grŵp"]
    assert search_terms("\u0302 -- ''") == []


def test_fts5_expressions_quote_every_word_and_prefix_the_last() -> None:
    assert fts5_expression(["or", "radic"]) == '"or" "radic"*'


def test_tsquery_expressions_quote_every_word_fold_diacritics_and_prefix_the_last() -> None:
    assert tsquery_expression(["Grŵp", "rad"]) == "('grŵp' | 'grwp') & ('rad':*)"


def test_a_snippet_splits_into_marked_and_plain_parts() -> None:
    assert split_snippet(f"a {MARK_START}b{MARK_END} c") == (
        SnippetPart("a ", False),
        SnippetPart("b", True),
        SnippetPart(" c", False),
    )
    assert split_snippet("") == ()
