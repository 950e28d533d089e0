"""Reading a posted form as browsers send it, and cleaning the text people type into it."""

from __future__ import annotations

import re
import unicodedata

from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

UTF_8 = ("utf-8", "utf8", "us-ascii")


async def read_form(request: Request, *, max_fields: int, max_bytes: int) -> FormData:
    """The posted form as browsers send it: UTF-8, no files, at most `max_fields` fields and parts of at most
    `max_bytes` (the body limit, MAX_BODY_BYTES); else a 400 page.

    Browsers write multipart/form-data in the page's encoding (UTF-8) and never name another. Starlette
    decodes each part with the character set the request names, so another one is refused: some
    (utf-7, unicode_escape) make text that no page or database can hold (lone surrogates), others
    (undefined, idna) fail inside its parser. No single field is limited below the body limit, so a long
    answer in any script (Urdu is 6 bytes a letter once percent-encoded) reaches validation and gets a
    message, with the other answers kept, rather than a 400 that loses them all.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    charset = options.get(b"charset", b"utf-8").decode("latin-1").strip().lower()
    if content_type == b"multipart/form-data" and charset not in UTF_8:
        raise HTTPException(status_code=400)
    return await request.form(max_files=0, max_fields=max_fields, max_part_size=max_bytes)


# Format characters that spelling needs: the zero-width non-joiner and joiner (Urdu, Persian, emoji),
# and the left-to-right and right-to-left marks. Other format characters (bidi overrides that can
# disguise text, invisible separators) are dropped.
SPELLING_FORMAT_CHARACTERS = {"\u200c", "\u200d", "\u200e", "\u200f"}


def clean_text(value: str, *, multiline: bool) -> str:
    """Normalised (NFC) text without control characters. Newlines and tabs stay in long answers; in a
    one-line answer they become spaces, and runs of spaces one."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    allowed = ({"\n", "\t"} if multiline else set()) | SPELLING_FORMAT_CHARACTERS
    kept = "".join(
        char for char in value if char in allowed or unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    # Normalised after the dropping: a dropped character between a letter and its accent kept them apart.
    kept = unicodedata.normalize("NFC", kept)
    return kept.strip() if multiline else " ".join(kept.split())


# What the feedback forms keep of a comment (page feedback, the launch's forms): no email address, nothing
# like a phone number (web/public/feedback.py, web/launch/forms.py).
REMOVED = "[removed]"
EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"']+")
PHONE = re.compile(r"\+?\(?\d[\d \t().\-/]{4,}\d")


def remove_personal_details(text: str) -> str:
    """Replace email addresses and anything like a phone number (7 digits or more) with [removed]."""
    text = EMAIL.sub(REMOVED, text)
    return PHONE.sub(lambda found: REMOVED if sum(c.isdigit() for c in found.group()) >= 7 else found.group(), text)
