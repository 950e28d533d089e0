"""Interface text in the reader's language: gettext catalogues compiled by Babel."""

from __future__ import annotations

from functools import cache
from gettext import NullTranslations

from babel.support import Translations

from web.settings import ROOT

CATALOGUES = ROOT / "web" / "translations"
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur", "ps", "yi"})
# Each language's name in that language, for the language switcher.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg", "ur": "اردو"}


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue for `lang`, or the English text itself when there is none."""
    return Translations.load(str(CATALOGUES), [lang], domain="messages")


def direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"
