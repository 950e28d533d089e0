import pytest

from web.content.readability import readability, syllables


@pytest.mark.parametrize(
    ("word", "count"),
    [("the", 1), ("someone", 2), ("family", 3), ("officer", 3), ("radicalisation", 6), ("help", 1)],
)
def test_syllables_are_counted_on_the_strict_side(word: str, count: int) -> None:
    assert syllables(word) == count


def test_short_plain_sentences_score_a_low_grade() -> None:
    assert readability(["You can call us. We will listen. It is free."]).grade < 2


def test_long_sentences_of_long_words_score_a_high_grade() -> None:
    text = "Multidisciplinary safeguarding arrangements necessitate comprehensive intergovernmental coordination."
    assert readability([text]).grade > 15


def test_each_list_item_counts_as_a_sentence() -> None:
    one = readability(["They drop old friends", "They stay in their room"])
    assert one.sentences == 2


def test_empty_text_has_grade_zero() -> None:
    assert readability([]).grade == 0.0
