"""Interface text in the reader's language: gettext catalogues compiled by Babel."""

from __future__ import annotations

from functools import cache
from gettext import NullTranslations

from babel.support import Translations

from web.settings import ROOT

CATALOGUES = ROOT / "web" / "translations"
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur", "ps", "yi"})


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue for `lang`, or the English text itself when there is none."""
    return Translations.load(str(CATALOGUES), [lang], domain="messages")


def N_(message: str) -> str:
    """Marks text for extraction (`python -m web translations update`); `_()` translates it where it is shown."""
    return message


def direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"
