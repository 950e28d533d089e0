"""Site search that answers a reader's own words: ranked, not filtered (ADR 13).

An index of every content page, built in memory from the content when the site starts (the content changes
only with a release). A page matches on any word; pages are ranked with BM25F, the title, the headings
(questions like "Will they get a criminal record?") and the summary weighted above the body. Words are
folded (no accents, lower case), English is stemmed (Snowball) with British and American spellings made
one, Welsh words also match their unmutated forms (a "blentyn" finds "plentyn"), and a small list of
synonyms kept with the content (content/search-synonyms.yaml) makes "far right" find "extreme right-wing".
Each hit carries the sentence that best answers the query and the heading it sits under, so the result
can link straight to it.

No query reaches a database: searching is the same on SQLite and PostgreSQL, takes about a millisecond
(bench/results/search.md), and a hostile query can tie up nothing but the one request (issue 15).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer  # type: ignore[import-untyped]
import yaml

from web.content.library import ContentLibrary
from web.content.names import DEFAULT_LANGUAGE
from web.content.page import Page

MAX_QUERY_LENGTH = 100
MAX_TERMS = 12  # distinct words of a query that count; the rest are left out
SYNONYM_WEIGHT = 0.6  # a word the reader did not type counts a little less than one they did
PREFIX_WEIGHT = 0.8  # the word still being typed, matched as the start of a word
FIELD_WEIGHTS = {"title": 3.0, "headings": 2.5, "summary": 2.0, "body": 1.0}
K1, B = 1.2, 0.75
SYNONYMS_FILE = "search-synonyms.yaml"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\s])")
ENGLISH_STOP_WORDS = """a about an and are as at be been being but by can could do does did for from get got had has
have he her him his how i if in into is it its me my no not of on or our she should so than that the their them
then there they this to too us was we what when where which who why will with would you your yours am im i'm
just very"""
WELSH_STOP_WORDS = """a ac a'r ag am ar at be beth bod bydd byddai chi dan ddim dros dw dwi efo ei eich ein eu fe fi
fy gan gall gen gyda hefyd hi hwn hyn hynny i ie mae mai mewn mi na nad ni nhw nid o oes os pam pan pa pryd rwy
sut wedi y ydw ydy ydych yn yr yw 'r 'n oedd fydd fod"""
STOP_WORDS = {"en": frozenset(ENGLISH_STOP_WORDS.split()), "cy": frozenset(WELSH_STOP_WORDS.split())}
# Welsh initial mutations, undone: a word may begin with the mutated form of another's first letters. The
# longest match only ("nh", not also "n"); ff, ll and rh begin words that are not mutated.
WELSH_RADICALS = (
    ("ngh", ("c",)), ("mh", ("p",)), ("nh", ("t",)), ("ng", ("g",)), ("ph", ("p",)), ("th", ("t",)),
    ("ch", ("c",)), ("dd", ("d",)), ("b", ("p",)), ("d", ("t",)), ("g", ("c",)), ("f", ("b", "m")),
    ("l", ("ll",)), ("r", ("rh",)), ("m", ("b",)), ("n", ("d",)),
)  # fmt: skip
AMERICAN = re.compile(r"(?<=[a-z]{3})iz(e|ed|es|ing|ation|ations|er|ers)$")


@dataclass(frozen=True)
class SnippetPart:
    text: str
    marked: bool


@dataclass(frozen=True)
class SearchHit:
    slug: str
    title: str
    summary: str
    snippet: tuple[SnippetPart, ...]  # the sentence that best answers the query, matched words marked
    anchor: str = ""  # the id of the heading that sentence sits under ("" for the top of the page)


class QueryTooLong(ValueError):
    """The query is longer than MAX_QUERY_LENGTH characters."""


def fold(text: str) -> str:
    """Lower case, compatibility forms made plain, accents taken off (ŵ → w, é → e)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
WELSH_CLITIC = re.compile(r"'(r|n|i|w|m|th|u)$")  # "yw'r" is "yw" and "the": the word is what comes first


def words_of(text: str, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """The words of a text, folded: runs of letters and digits (an apostrophe inside a word stays, but a
    Welsh word's clitic is taken off)."""
    words = WORD.findall(fold(text))
    return [WELSH_CLITIC.sub("", word) for word in words] if lang == "cy" else words


def _is_stop_word(word: str, lang: str) -> bool:
    return word in STOP_WORDS.get(lang, frozenset())


@cache
def _english() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=1 << 16)  # stemming is the costly part of a search; readers' words repeat
def forms_of(word: str, lang: str) -> tuple[str, ...]:
    """What a word is indexed and searched as: its stem in English, itself and its unmutated forms in Welsh."""
    if lang == DEFAULT_LANGUAGE:
        return (_english().stemWord(AMERICAN.sub(r"is\1", word)),)
    if lang == "cy":
        forms = [word]
        if not word.startswith(("ff", "ll", "rh")):
            for mutated, radicals in WELSH_RADICALS:
                if word.startswith(mutated) and len(word) > len(mutated):  # "dŷ" is "tŷ"
                    forms += [radical + word[len(mutated) :] for radical in radicals]
                    break
        if word[:1] in "aeiouwy":
            forms.append("g" + word)  # soft mutation drops a g: "ofal" is "gofal"
        if word[:1] == "h" and len(word) > 2 and word[1] in "aeiouwy":
            forms.append(word[1:])  # an h before a vowel: "ei hiaith" is "iaith"
        return tuple(dict.fromkeys(forms))
    return (word,)


Token = tuple[str, ...]  # a word, as the forms it is indexed and searched under


def tokens_of(text: str, lang: str) -> list[Token]:
    """Each word of a text, stop words left out, as its forms."""
    return [forms_of(word, lang) for word in words_of(text, lang) if not _is_stop_word(word, lang)]


def terms_of(text: str, lang: str) -> list[str]:
    """Every indexed term of a text, stop words left out."""
    return [form for token in tokens_of(text, lang) for form in token]


Phrase = tuple[Token, ...]


def phrase_key(phrase: Phrase) -> str:
    """The term a phrase of several words is indexed under: "far right". (No word holds a space.)"""
    return " ".join(token[0] for token in phrase)


def occurrences(tokens: list[Token], phrase: Phrase) -> int:
    """How many times the phrase's words stand together, in order, in the text (stop words aside)."""
    size = len(phrase)
    return sum(
        all(not set(tokens[at + offset]).isdisjoint(word) for offset, word in enumerate(phrase))
        for at in range(len(tokens) - size + 1)
    )


def indexed(tokens: list[Token], phrases: Iterable[Phrase]) -> Counter[str]:
    """The terms of a text with how often each occurs: every form of every word, and the synonym list's
    phrases of several words that stand together in it."""
    counts: Counter[str] = Counter(form for token in tokens for form in token)
    for phrase in phrases:
        if any(counts.keys().isdisjoint(word) for word in phrase):
            continue  # a word of it is not in the text at all (most phrases, most texts): no need to look
        found = occurrences(tokens, phrase)
        if found:
            counts[phrase_key(phrase)] += found
    return counts


@dataclass(frozen=True)
class QueryWord:
    """One word of the query (or a synonym of some), as the terms a page may have it under, each with its
    weight. A page counts the best of them, so a word with three forms counts once, not three times."""

    terms: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Sentence:
    text: str
    anchor: str
    terms: frozenset[str]


@dataclass(frozen=True)
class Query:
    words: tuple[QueryWord, ...]
    marked: frozenset[str]  # the terms of words to mark in a snippet

    @property
    def weights(self) -> dict[str, float]:
        """Every term of the query with its highest weight."""
        found: dict[str, float] = {}
        for word in self.words:
            for term, weight in word.terms:
                found[term] = max(weight, found.get(term, 0.0))
        return found


@dataclass
class _Document:
    page: Page
    fields: dict[str, Counter[str]]
    lengths: dict[str, int]  # words in each field
    sentences: list[Sentence] = field(default_factory=list)
    sentences_with: dict[str, list[int]] = field(default_factory=dict)  # term -> the sentences that have it

    def __post_init__(self) -> None:
        for at, sentence in enumerate(self.sentences):
            for term in sentence.terms:
                self.sentences_with.setdefault(term, []).append(at)

    def weighted_frequency(self, term: str) -> float:
        return sum(FIELD_WEIGHTS[name] * counts[term] for name, counts in self.fields.items())


@dataclass(frozen=True)
class Synonyms:
    """Groups of words and phrases that mean the same to a reader, per language."""

    groups: Mapping[str, tuple[tuple[Phrase, ...], ...]]  # lang -> groups -> phrases -> words -> forms

    def phrases(self, lang: str) -> list[Phrase]:
        """The phrases of several words, indexed as one term each."""
        return list(dict.fromkeys(phrase for group in self.groups.get(lang, ()) for phrase in group if len(phrase) > 1))

    def expand(self, lang: str, tokens: list[Token]) -> list[Phrase]:
        """Every phrase of a group one of whose phrases the query holds."""
        found: list[Phrase] = []
        for group in self.groups.get(lang, ()):
            if any(occurrences(tokens, phrase) for phrase in group):
                found += [phrase for phrase in group if phrase not in found]
        return found


def load_synonyms(path: Path) -> Synonyms:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    groups = {
        str(lang): tuple(
            tuple(phrase for phrase in (tuple(tokens_of(str(text), str(lang))) for text in group) if phrase)
            for group in lang_groups or ()
        )
        for lang, lang_groups in (data or {}).items()
    }
    return Synonyms(groups)


class SearchIndex:
    """Every page of the library, ready to rank. Built once; searching never changes it."""

    def __init__(
        self, library: ContentLibrary, synonyms: Synonyms, shown: Mapping[tuple[str, str], str] | None = None
    ) -> None:
        """`shown`: text a page shows besides its Markdown (a box its template adds), by (lang, slug)."""
        self.synonyms = synonyms
        self.documents: dict[str, list[_Document]] = defaultdict(list)
        for page in library:
            extra = (shown or {}).get((page.lang, page.slug), "")
            self.documents[page.lang].append(_document(page, synonyms.phrases(page.lang), extra))
        self.frequencies: dict[str, dict[str, Counter[str]]] = {}  # lang -> field -> pages with the term there
        self.average_lengths: dict[str, dict[str, float]] = {}
        self.vocabulary: dict[str, tuple[str, ...]] = {}
        for lang, documents in self.documents.items():
            counts: dict[str, Counter[str]] = {name: Counter() for name in FIELD_WEIGHTS}
            for document in documents:
                for name, terms in document.fields.items():
                    counts[name].update(set(terms))
            self.frequencies[lang] = counts
            self.average_lengths[lang] = {
                name: max(1.0, sum(d.lengths[name] for d in documents) / len(documents)) for name in FIELD_WEIGHTS
            }
            self.vocabulary[lang] = tuple(sorted({term for terms in counts.values() for term in terms}))

    def search(self, lang: str, query: str, limit: int = 20) -> list[SearchHit]:
        """The pages in `lang` that best answer the reader's words, best first; no words, no hits."""
        if len(query) > MAX_QUERY_LENGTH:
            raise QueryTooLong(f"a query is at most {MAX_QUERY_LENGTH} characters")
        parsed = self.query(lang, query)
        documents = self.documents.get(lang, [])
        if not parsed.words or not documents or limit < 1:
            return []
        scored = [(self._score(lang, document, parsed), document) for document in documents]
        ranked = sorted(((s, d) for s, d in scored if s > 0), key=lambda pair: (-pair[0], pair[1].page.slug))
        return [self._hit(document, parsed) for _, document in ranked[:limit]]

    def query(self, lang: str, query: str) -> Query:
        """The reader's words, the last also as the start of a word while they type it, then the synonyms of
        any word or phrase in them."""
        words = dict.fromkeys(words_of(query[:MAX_QUERY_LENGTH], lang))
        typed = [word for word in words if not _is_stop_word(word, lang)][:MAX_TERMS]
        tokens = [forms_of(word, lang) for word in typed]
        found = [[(form, 1.0) for form in token] for token in tokens]
        own = {form for token in tokens for form in token}
        if typed and len(typed[-1]) >= 3:  # live search: the word being typed may be the start of one
            start = typed[-1]
            found[-1] += [
                (term, PREFIX_WEIGHT)
                for term in self.vocabulary.get(lang, ())
                if term.startswith(start) and term not in own and " " not in term
            ]
        marked = {term for terms in found for term, _ in terms}
        for phrase in self.synonyms.expand(lang, tokens):
            if len(phrase) == 1:
                found.append([(form, SYNONYM_WEIGHT) for form in phrase[0] if form not in own])
            else:
                found.append([(phrase_key(phrase), SYNONYM_WEIGHT)])
            marked.update(form for word in phrase for form in word)
        return Query(tuple(QueryWord(tuple(terms)) for terms in found if terms), frozenset(marked))

    def query_terms(self, lang: str, query: str) -> dict[str, float]:
        """The query's terms with their weights (for a person reading why a page ranks where it does)."""
        return self.query(lang, query).weights

    def _score(self, lang: str, document: _Document, query: Query) -> float:
        """BM25 in each field (title, headings, summary, body), weighted and added up, each field with its own
        rarity of words: "talk" is in nearly every page's body, but in one title, where it says what the
        page is about. Each word of the query adds the best of its terms."""
        total = len(self.documents[lang])
        averages = self.average_lengths[lang]
        score = 0.0
        for name, counts in document.fields.items():
            norm = K1 * (1 - B + B * document.lengths[name] / averages[name])
            pages_with = self.frequencies[lang][name]
            for word in query.words:
                best = 0.0
                for term, weight in word.terms:
                    frequency = counts[term]
                    if frequency:
                        idf = math.log(1 + (total - pages_with[term] + 0.5) / (pages_with[term] + 0.5))
                        best = max(best, weight * idf * frequency * (K1 + 1) / (frequency + norm))
                score += FIELD_WEIGHTS[name] * best
        return score

    def _hit(self, document: _Document, query: Query) -> SearchHit:
        page = document.page
        scores: defaultdict[int, float] = defaultdict(float)
        for term, weight in query.weights.items():
            for at in document.sentences_with.get(term, ()):
                scores[at] += weight
        if not scores:
            return SearchHit(page.slug, page.title, page.summary, (SnippetPart(page.summary, False),))
        best = document.sentences[max(scores, key=lambda at: (scores[at], -at))]  # the first of the best
        return SearchHit(page.slug, page.title, page.summary, _marked(best.text, page.lang, query.marked), best.anchor)


def _document(page: Page, phrases: list[Phrase], shown: str = "") -> _Document:
    headings = " ".join(heading.text for heading in page.headings)
    texts = {"title": page.title, "headings": headings, "summary": page.summary, "body": page.body_text + "\n" + shown}
    tokens = {name: tokens_of(text, page.lang) for name, text in texts.items()}
    fields = {name: indexed(words, phrases) for name, words in tokens.items()}
    lengths = {name: len(words) for name, words in tokens.items()}
    return _Document(page, fields, lengths, list(_sentences(page, phrases)))


def _sentences(page: Page, phrases: list[Phrase]) -> Iterable[Sentence]:
    """Every sentence of the page's body, with the id of the heading above it."""
    headings = {heading.text: heading.id for heading in page.headings}
    anchor = ""
    for block in page.body_text.splitlines():
        if block in headings:
            anchor = headings[block]
            yield Sentence(block, anchor, frozenset(indexed(tokens_of(block, page.lang), phrases)))
            continue
        for text in SENTENCE_END.split(block):
            if text.strip():
                yield Sentence(text.strip(), anchor, frozenset(indexed(tokens_of(text, page.lang), phrases)))


def _marked(text: str, lang: str, marked: frozenset[str]) -> tuple[SnippetPart, ...]:
    """The sentence in parts, the words that matched the query marked."""
    parts: list[SnippetPart] = []
    at = 0
    for match in WORD.finditer(text):
        word = words_of(match.group(0), lang)[0]
        if not _is_stop_word(word, lang) and not marked.isdisjoint(forms_of(word, lang)):
            if match.start() > at:
                parts.append(SnippetPart(text[at : match.start()], False))
            parts.append(SnippetPart(match.group(0), True))
            at = match.end()
    if at < len(text):
        parts.append(SnippetPart(text[at:], False))
    return tuple(parts)
