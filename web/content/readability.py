"""Flesch–Kincaid grade level, counted the same way on every machine.

grade = 0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59

A word's syllables are the larger of two counts, so the grade errs on the strict side: pyphen's
British English hyphenation points plus one (the dictionary ships with the package, so nothing is
downloaded at run time), and its groups of vowels less a silent final "e".
A sentence ends at `.`, `!` or `?`, and every list item, heading and table cell counts as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyphen

WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
MAXIMUM_GRADE = 9.0
MAXIMUM_AVERAGE_GRADE = 7.0


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    syllables: int

    @property
    def grade(self) -> float:
        if self.words == 0:
            return 0.0
        return 0.39 * (self.words / self.sentences) + 11.8 * (self.syllables / self.words) - 15.59


@cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB", left=1, right=1)


VOWEL_GROUP = re.compile(r"[aeiouy]+")


@cache
def syllables(word: str) -> int:
    word = word.lower().replace("’", "'")
    if len(word) <= 3:
        return 1
    hyphenated = len(_dictionary().positions(word)) + 1
    groups = len(VOWEL_GROUP.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and groups > 1:
        groups -= 1
    return max(hyphenated, groups, 1)


def readability(blocks: list[str]) -> Readability:
    """Readability of text given as blocks: paragraphs, list items, headings, table cells."""
    words = sentences = syllable_count = 0
    for block in blocks:
        block_words = WORD.findall(block)
        if not block_words:
            continue
        words += len(block_words)
        syllable_count += sum(syllables(word) for word in block_words)
        ends = len(SENTENCE_END.findall(block.strip()))
        sentences += max(ends, 1) if block.strip()[-1] in ".!?" else ends + 1
    return Readability(words=words, sentences=max(sentences, 1), syllables=syllable_count)
