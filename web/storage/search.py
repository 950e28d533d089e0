"""Site search: a full-text index of every content page, rebuilt from the content at start-up.

SQLite: an FTS5 virtual table (diacritics folded by its tokenizer), ranked by bm25.
PostgreSQL: a table with a generated tsvector column ('simple' configuration) and a GIN index.

A reader's words never reach the database as search syntax: the query is cut into words (letters,
digits and marks only), each word becomes a quoted term, and the last one also matches as a prefix.
Snippets come back with the matched words between two control characters that no indexed text
contains, and are split into `SnippetPart`s, so templates escape every part and add `<mark>` themselves.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import (
    Column,
    Computed,
    Connection,
    Engine,
    Index,
    MetaData,
    String,
    Table,
    Text,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

MAX_QUERY_LENGTH = 100
MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
SNIPPET_WORDS = 24
TABLE = "search_pages"
# Serialises concurrent rebuilds (several workers starting at once) on PostgreSQL.
REBUILD_LOCK = 7_318_411


class QueryTooLong(ValueError):
    """The query is longer than MAX_QUERY_LENGTH characters."""


class IndexedPage(Protocol):
    """What the index needs of a page (web.content.Page has it)."""

    @property
    def lang(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def body_text(self) -> str: ...


@dataclass(frozen=True)
class SnippetPart:
    text: str
    marked: bool


@dataclass(frozen=True)
class SearchHit:
    slug: str
    title: str
    summary: str
    snippet: tuple[SnippetPart, ...]


def search_terms(query: str) -> list[str]:
    """The words of a query: runs of letters, digits and combining marks; everything else separates.

    Quotes, brackets, `*`, `:`, `^`, `-` and every other piece of FTS5 or tsquery syntax are
    punctuation or symbols, so they never reach a search expression.
    """
    words: list[str] = []
    word: list[str] = []
    for char in unicodedata.normalize("NFKC", query) + " ":
        if unicodedata.category(char)[0] in "LNM":
            word.append(char)
        elif word:
            words.append("".join(word))
            word = []
    # A run of marks alone (a stray accent) is not a word.
    return [word for word in words if any(unicodedata.category(char)[0] in "LN" for char in word)]


def fts5_expression(terms: list[str]) -> str:
    """`"one" "two"*`: every term a quoted string (no operator can be written), the last a prefix."""
    return " ".join(f'"{term}"' for term in terms) + "*"


def tsquery_expression(terms: list[str]) -> str:
    """`('grŵp' | 'grwp') & 'rad':*` for to_tsquery: quoted lexemes, diacritics folded, the last a prefix."""
    parts = []
    for number, term in enumerate(terms, start=1):
        suffix = ":*" if number == len(terms) else ""
        variants = dict.fromkeys((term.lower(), fold(term)))
        parts.append("(" + " | ".join(f"'{variant}'{suffix}" for variant in variants) + ")")
    return " & ".join(parts)


def fold(value: str) -> str:
    """Lower case without diacritics (ŵ → w), as SQLite's `remove_diacritics 2` sees words."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


def indexable(value: str) -> str:
    """Text as it is stored: composed, and without the characters that mark matches in snippets."""
    return unicodedata.normalize("NFC", value).replace(MARK_START, " ").replace(MARK_END, " ")


def split_snippet(snippet: str) -> tuple[SnippetPart, ...]:
    """Turn `a {MARK_START}b{MARK_END} c` into (a, False), (b, True), (c, False): text for the template to escape."""
    parts: list[SnippetPart] = []
    for number, chunk in enumerate(snippet.split(MARK_START)):
        marked, _, rest = chunk.partition(MARK_END) if number else ("", "", chunk)
        if marked:
            parts.append(SnippetPart(marked, marked=True))
        if rest:
            parts.append(SnippetPart(rest.replace(MARK_END, ""), marked=False))
    return tuple(parts)


class SearchIndex:
    """The search index in the site's database. The model knows nothing about HTTP."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.backend: _Backend = _Postgres() if engine.dialect.name == "postgresql" else _Sqlite()

    def rebuild(self, pages: Iterable[IndexedPage]) -> None:
        """Replace the whole index with these pages, in one transaction."""
        rows = [
            {
                "lang": page.lang,
                "slug": page.slug,
                "title": indexable(page.title),
                "summary": indexable(page.summary),
                "body": indexable(page.body_text),
            }
            for page in pages
        ]
        with self.engine.begin() as connection:
            self.backend.rebuild(connection, rows)

    def search(self, lang: str, query: str, limit: int = 20) -> list[SearchHit]:
        """The best pages in `lang` for the reader's words; no words, no database call."""
        if len(query) > MAX_QUERY_LENGTH:
            raise QueryTooLong(f"a query is at most {MAX_QUERY_LENGTH} characters")
        terms = search_terms(query)
        if not terms or limit < 1:
            return []
        with self.engine.connect() as connection:
            rows = self.backend.search(connection, lang, terms, limit)
        return [
            SearchHit(slug=slug, title=title, summary=summary, snippet=split_snippet(snippet or ""))
            for slug, title, summary, snippet in rows
        ]


class _Backend(Protocol):
    def rebuild(self, connection: Connection, rows: list[dict[str, str]]) -> None: ...
    def search(
        self, connection: Connection, lang: str, terms: list[str], limit: int
    ) -> list[tuple[str, str, str, str | None]]: ...


class _Sqlite:
    # Columns: lang 0, slug 1, title 2, summary 3, body 4. bm25 weights follow the same order.
    CREATE = text(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
        "lang UNINDEXED, slug UNINDEXED, title, summary, body, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    INSERT = text(
        f"INSERT INTO {TABLE} (lang, slug, title, summary, body) VALUES (:lang, :slug, :title, :summary, :body)"
    )
    SEARCH = text(
        f"SELECT slug, title, summary, snippet({TABLE}, 4, :mark_start, :mark_end, :ellipsis, :words) "
        f"FROM {TABLE} WHERE {TABLE} MATCH :expression AND lang = :lang "
        f"ORDER BY bm25({TABLE}, 0.0, 0.0, 10.0, 4.0, 1.0), slug LIMIT :limit"
    )

    def rebuild(self, connection: Connection, rows: list[dict[str, str]]) -> None:
        # The index is derived data: drop and recreate it so its definition always matches this code.
        connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        connection.execute(self.CREATE)
        if rows:
            connection.execute(self.INSERT, rows)

    def search(
        self, connection: Connection, lang: str, terms: list[str], limit: int
    ) -> list[tuple[str, str, str, str | None]]:
        parameters = {
            "expression": fts5_expression(terms),
            "lang": lang,
            "limit": limit,
            "mark_start": MARK_START,
            "mark_end": MARK_END,
            "ellipsis": ELLIPSIS,
            "words": SNIPPET_WORDS,
        }
        return [(row[0], row[1], row[2], row[3]) for row in connection.execute(self.SEARCH, parameters)]


metadata = MetaData()
# PostgreSQL only. The folded_* columns hold the text without diacritics, so "grwp" finds "grŵp"
# without the unaccent extension (which a generated column could not call: it is not immutable).
postgres_pages = Table(
    TABLE,
    metadata,
    Column("lang", String(8), primary_key=True),
    Column("slug", String(200), primary_key=True),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("folded_title", Text, nullable=False),
    Column("folded_summary", Text, nullable=False),
    Column("folded_body", Text, nullable=False),
    Column(
        "document",
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('simple'::regconfig, folded_title), 'A') || "
            "setweight(to_tsvector('simple'::regconfig, folded_summary), 'B') || "
            "setweight(to_tsvector('simple'::regconfig, folded_body), 'C')",
            persisted=True,
        ),
    ),
    Index(f"{TABLE}_document", "document", postgresql_using="gin"),
)


class _Postgres:
    SEARCH = text(
        "SELECT slug, title, summary, ts_headline('simple'::regconfig, body, query, :options) "
        f"FROM {TABLE}, to_tsquery('simple'::regconfig, :expression) AS query "
        "WHERE lang = :lang AND document @@ query "
        "ORDER BY ts_rank(document, query) DESC, slug LIMIT :limit"
    )
    HEADLINE_OPTIONS = (
        f'StartSel="{MARK_START}", StopSel="{MARK_END}", '
        f'MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, MaxFragments=1, FragmentDelimiter=" {ELLIPSIS} "'
    )

    def rebuild(self, connection: Connection, rows: list[dict[str, str]]) -> None:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REBUILD_LOCK})
        postgres_pages.drop(connection, checkfirst=True)
        postgres_pages.create(connection)
        if rows:
            folded = [
                {**row, **{f"folded_{name}": fold(row[name]) for name in ("title", "summary", "body")}} for row in rows
            ]
            connection.execute(insert(postgres_pages), folded)

    def search(
        self, connection: Connection, lang: str, terms: list[str], limit: int
    ) -> list[tuple[str, str, str, str | None]]:
        parameters = {
            "expression": tsquery_expression(terms),
            "lang": lang,
            "limit": limit,
            "options": self.HEADLINE_OPTIONS,
        }
        return [(row[0], row[1], row[2], row[3]) for row in connection.execute(self.SEARCH, parameters)]
