"""The names content is looked up by: languages (and what each is called in itself), slugs, the home page."""

from __future__ import annotations

import re

DEFAULT_LANGUAGE = "en"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
HOME = "home"
# Each language's name in that language, for the language switcher and the films' script languages.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg", "ur": "اردو"}
# What a link in each language says, inside its text, when it goes to a page in English (issue 21).
IN_ENGLISH = {"cy": "(yn Saesneg)", "ur": "(انگریزی میں)"}
