"""The in-memory search index (web/content/search.py) on pages written by the test, so each rule shows alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.content import write_facts, write_page
from web.content.library import load_library
from web.content.search import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    QueryTooLong,
    SearchIndex,
    Synonyms,
    fold,
    forms_of,
    load_synonyms,
    terms_of,
    words_of,
)

NO_SYNONYMS = Synonyms({})


def front_matter(lang: str, title: str, summary: str = "What the page is for.") -> str:
    return f"""
title: {title}
summary: {summary}
lang: {lang}
reviewed: 2026-11-25
review_due: 2099-05-25
sources:
  - title: ACT Early
    url: https://actearly.uk/contact
"""


def index_of(tmp_path: Path, pages: dict[tuple[str, str], tuple[str, str]], synonyms: Synonyms = NO_SYNONYMS,
             shown: dict[tuple[str, str], str] | None = None) -> SearchIndex:  # fmt: skip
    """pages: (lang, slug) -> (title, body)."""
    write_facts(tmp_path)
    write_page(
        tmp_path, "en", "home", front_matter("en", "Home"), "## Welcome\n\nStart here.\n"
    )  # every library has one
    for (lang, slug), (title, body) in pages.items():
        write_page(tmp_path, lang, slug, front_matter(lang, title), body)
    return SearchIndex(load_library(tmp_path), synonyms, shown)


def slugs(index: SearchIndex, lang: str, query: str) -> list[str]:
    return [hit.slug for hit in index.search(lang, query)]


FILLER = {
    ("en", f"filler-{n}"): (f"Filler page {n}", "## About\n\nThis page talks about something else entirely.\n")
    for n in range(6)
}


def test_words_are_folded_to_lower_case_without_accents() -> None:
    assert fold("Grŵp CAFÉ") == "grwp cafe"
    assert words_of("Don't stop—it's 24/7.") == ["don't", "stop", "it's", "24", "7"]


def test_english_words_are_stemmed_and_american_spellings_are_british() -> None:
    assert forms_of("radicalization", "en") == forms_of("radicalisation", "en")
    assert forms_of("radicalized", "en") == forms_of("radicalised", "en")
    assert forms_of("worrying", "en") == forms_of("worried", "en")
    assert forms_of("size", "en") != forms_of("sise", "en")  # too short to be an -ize ending


def test_welsh_words_also_match_their_unmutated_forms() -> None:
    assert "plentyn" in forms_of("blentyn", "cy")
    assert "cymorth" in forms_of("gymorth", "cy")
    assert "pryder" in forms_of("mhryder", "cy")
    assert "gofal" in forms_of("ofal", "cy")
    assert "iaith" in forms_of("hiaith", "cy")
    assert forms_of("plentyn", "cy")[0] == "plentyn"  # the word itself is always a form


def test_only_the_longest_mutation_is_undone_and_radicals_stay() -> None:
    assert forms_of("nhad", "cy") == ("nhad", "tad")  # not also "n" -> "d": "dhad"
    assert forms_of("ffon", "cy") == ("ffon",)  # ff, ll and rh begin words that are not mutated
    assert forms_of("llinell", "cy") == ("llinell",)
    assert forms_of("rhaid", "cy") == ("rhaid",)
    assert "ty" in forms_of(words_of("dŷ", "cy")[0], "cy")  # one letter after the mutation is enough


def test_a_word_with_several_forms_counts_once(tmp_path: Path) -> None:
    """A Welsh word is searched as itself and its unmutated forms ("fideos", "bideos", "mideos"); it counts
    as one word, no more than a word with one form ("sgarff") does."""
    pages = {
        ("cy", "fideos"): ("Un", "## A\n\nFideos.\n"),
        ("cy", "sgarff"): ("Dau", "## A\n\nSgarff.\n"),
        **{("cy", f"llenwi-{n}"): (f"Tudalen {n}", "## A\n\nRhywbeth arall.\n") for n in range(6)},
    }
    index = index_of(tmp_path, pages)
    (word,) = index.query("cy", "fideos").words
    assert {term for term, _ in word.terms} == {"fideos", "bideos", "mideos"}
    score = {
        slug: index._score("cy", document, index.query("cy", slug))
        for document in index.documents["cy"]
        if (slug := document.page.slug) in ("fideos", "sgarff")
    }
    assert score["fideos"] == pytest.approx(score["sgarff"])


def test_a_phrase_of_several_words_counts_only_whole(tmp_path: Path) -> None:
    synonyms_file = tmp_path / "synonyms.yaml"
    synonyms_file.write_text("en:\n  - [anonymous, give your name]\n", encoding="utf-8")
    pages = {
        ("en", "whole"): ("One", "## A\n\nYou do not have to give your name.\n"),
        ("en", "apart"): ("Two", "## A\n\nGive it time. Your name is on the form.\n"),
        **FILLER,
    }
    index = index_of(tmp_path / "content", pages, load_synonyms(synonyms_file))
    assert slugs(index, "en", "anonymous") == ["whole"]
    (hit,) = index.search("en", "anonymous")
    assert [part.text for part in hit.snippet if part.marked] == ["give", "name"]


def test_stop_words_are_not_indexed() -> None:
    assert terms_of("What is the point of it", "en") == ["point"]
    assert terms_of("Beth yw'r pwynt", "cy") == ["pwynt"]


def test_a_query_of_stop_words_only_finds_nothing(tmp_path: Path) -> None:
    index = index_of(tmp_path, {("en", "a"): ("Prevent", "## What\n\nWhat is it about?\n")})
    assert index.search("en", "what is it") == []
    assert index.search("en", "") == []


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_body(tmp_path: Path) -> None:
    pages = {
        ("en", "body"): ("Other things", "## Help\n\nSometimes mentoring can help.\n"),
        ("en", "title"): ("Mentoring", "## Help\n\nA long page about support.\n"),
        **FILLER,
    }
    assert slugs(index_of(tmp_path, pages), "en", "mentoring") == ["title", "body"]


def test_a_word_on_every_page_counts_for_less_than_a_rare_one(tmp_path: Path) -> None:
    pages = {
        ("en", "rare"): ("One", "## A\n\nWorried about Channel.\n"),
        ("en", "common"): ("Two", "## A\n\nWorried, worried, worried.\n"),
        **{key: (title, body + "Worried.\n") for key, (title, body) in FILLER.items()},
    }
    assert slugs(index_of(tmp_path, pages), "en", "worried channel")[0] == "rare"


def test_the_last_word_matches_as_the_start_of_a_word_while_typed(tmp_path: Path) -> None:
    index = index_of(tmp_path, {("en", "a"): ("Radicalisation", "## A\n\nText.\n"), **FILLER})
    assert slugs(index, "en", "radic") == ["a"]
    assert slugs(index, "en", "ra") == []  # two letters are too few to guess from


def test_synonyms_find_the_words_the_advice_uses(tmp_path: Path) -> None:
    synonyms_file = tmp_path / "synonyms.yaml"
    synonyms_file.write_text("en:\n  - [far right, extreme right wing]\n", encoding="utf-8")
    synonyms = load_synonyms(synonyms_file)
    pages = {("en", "erw"): ("Extreme right-wing terrorism", "## A\n\nText.\n"), **FILLER}
    index = index_of(tmp_path / "content", pages, synonyms)
    assert slugs(index, "en", "far right") == ["erw"]
    weights = index.query_terms("en", "far right")
    # The reader's own words count in full; a phrase of the group counts a little less, and only whole.
    assert weights[forms_of("far", "en")[0]] == 1.0 and weights["extrem right wing"] < 1.0
    assert forms_of("extreme", "en")[0] not in weights


def test_a_missing_synonyms_file_means_no_synonyms(tmp_path: Path) -> None:
    assert load_synonyms(tmp_path / "absent.yaml").groups == {}


def test_each_language_is_searched_alone(tmp_path: Path) -> None:
    pages = {
        ("en", "a"): ("Cymorth in English", "## A\n\nText.\n"),
        ("cy", "a"): ("Help yn Gymraeg", "## A\n\nTestun.\n"),
    }
    index = index_of(tmp_path, pages)
    assert slugs(index, "cy", "cymorth") == []
    assert slugs(index, "en", "cymorth") == ["a"]
    assert slugs(index, "ur", "cymorth") == []


def test_the_snippet_is_the_best_sentence_and_links_to_its_heading(tmp_path: Path) -> None:
    body = (
        "## First part\n\nNothing to see here. Another plain sentence.\n\n"
        "## Records\n\nThey will not get a criminal record. It is support.\n"
    )
    index = index_of(tmp_path, {("en", "a"): ("A page", body), **FILLER})
    (hit,) = index.search("en", "criminal record")
    assert hit.anchor == "records"
    assert "".join(part.text for part in hit.snippet) == "They will not get a criminal record."
    assert [part.text for part in hit.snippet if part.marked] == ["criminal", "record"]


def test_a_hit_found_by_title_alone_shows_the_summary(tmp_path: Path) -> None:
    index = index_of(tmp_path, {("en", "a"): ("Mentoring", "## A\n\nText.\n"), **FILLER})
    (hit,) = index.search("en", "mentoring")
    assert [(part.text, part.marked) for part in hit.snippet] == [("What the page is for.", False)]
    assert hit.anchor == ""


def test_text_a_template_shows_is_searched_too(tmp_path: Path) -> None:
    pages = {("en", "help"): ("Get help", "## A\n\nText.\n"), **FILLER}
    index = index_of(tmp_path, pages, shown={("en", "help"): "Call 999 if a weapon is involved."})
    assert slugs(index, "en", "weapon") == ["help"]


def test_only_the_first_words_of_a_long_query_count(tmp_path: Path) -> None:
    index = index_of(tmp_path, {("en", "a"): ("Mentoring", "## A\n\nText.\n"), **FILLER})
    padding = " ".join(f"word{n}" for n in range(MAX_TERMS))
    assert len(index.query_terms("en", padding + " mentoring")) == MAX_TERMS
    assert slugs(index, "en", padding + " mentoring") == []


def test_a_query_over_the_limit_is_refused(tmp_path: Path) -> None:
    index = index_of(tmp_path, {("en", "a"): ("A page", "## A\n\nText.\n")})
    with pytest.raises(QueryTooLong):
        index.search("en", "a" * (MAX_QUERY_LENGTH + 1))


def test_equal_scores_are_in_a_stable_order(tmp_path: Path) -> None:
    pages = {("en", slug): ("Same title", "## A\n\nSame text.\n") for slug in ("b", "c", "a")}
    assert slugs(index_of(tmp_path, pages), "en", "same") == ["a", "b", "c"]


def test_the_limit_caps_the_hits(tmp_path: Path) -> None:
    pages = {("en", f"p{n}"): ("Same title", "## A\n\nSame text.\n") for n in range(5)}
    index = index_of(tmp_path, pages)
    assert len(index.search("en", "same", limit=2)) == 2
    assert index.search("en", "same", limit=0) == []


@pytest.mark.parametrize("query", ["⒜" * 98, "﷽" * 100, "radicalisation " * 6 + "r" * 10, " ".join(["abc"] * 40)])
def test_a_query_that_grows_when_folded_stays_bounded(tmp_path: Path, query: str) -> None:
    """Issue 15 item 11: "⒜" folds to "(a)", "﷽" to 18 letters; whatever a query becomes once folded, at most
    MAX_TERMS distinct words count, each once."""
    index = index_of(tmp_path, {("en", "a"): ("Radicalisation", "## A\n\nText.\n"), **FILLER})
    words = index.query("en", query[:MAX_QUERY_LENGTH]).words
    assert len(words) <= MAX_TERMS  # no synonyms here: only the typed words
    index.search("en", query[:MAX_QUERY_LENGTH])  # answers; no database is involved
