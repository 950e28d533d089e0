"""Reading posted forms as browsers send them, and cleaning typed text (web/http/forms.py)."""

from __future__ import annotations

import unicodedata

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from web.http.forms import clean_text, read_form

BOUNDARY = "b0undary"


async def echo_form(request: Request) -> JSONResponse:
    form = await read_form(request, max_fields=3, max_bytes=100)
    return JSONResponse([[name, value] for name, value in form.multi_items()])


CLIENT = TestClient(Starlette(routes=[Route("/", echo_form, methods=["POST"])]), raise_server_exceptions=False)


def post_multipart(parts: list[tuple[str, str]], params: str = "", filename: str = "") -> tuple[int, object]:
    disposition = 'form-data; name="{}"' + (f'; filename="{filename}"' if filename else "")
    body = "".join(f"--{BOUNDARY}\r\nContent-Disposition: {disposition.format(n)}\r\n\r\n{v}\r\n" for n, v in parts)
    response = CLIENT.post(
        "/",
        content=f"{body}--{BOUNDARY}--\r\n".encode(),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}{params}"},
    )
    return response.status_code, response.json() if response.status_code == 200 else response.text


def test_a_utf8_multipart_form_is_read_with_its_text_intact() -> None:
    assert post_multipart([("name", "سلمان"), ("worries", "é ✓")]) == (200, [["name", "سلمان"], ["worries", "é ✓"]])


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", '"utf-8"', "us-ascii"])
def test_a_multipart_form_that_names_utf8_or_ascii_is_read(charset: str) -> None:
    assert post_multipart([("name", "Sam")], params=f"; charset={charset}") == (200, [["name", "Sam"]])


@pytest.mark.parametrize("charset", ["latin-1", "utf-7", "unicode_escape", "idna", "undefined", "no-such-charset"])
def test_a_multipart_form_in_another_charset_gets_400(charset: str) -> None:
    assert post_multipart([("name", "+AGEAYgBj-")], params=f"; charset={charset}")[0] == 400


def test_at_most_max_fields_are_read_and_one_more_gets_400() -> None:
    assert post_multipart([("a", "1"), ("b", "2"), ("c", "3")])[0] == 200
    assert post_multipart([("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")])[0] == 400
    assert CLIENT.post("/", data={"a": "1", "b": "2", "c": "3", "d": "4"}).status_code == 400


def test_a_field_up_to_the_body_limit_is_read_and_a_longer_one_gets_400() -> None:
    assert post_multipart([("worries", "x" * 100)]) == (200, [["worries", "x" * 100]])
    assert post_multipart([("worries", "x" * 101)])[0] == 400


def test_a_file_is_never_accepted() -> None:
    assert post_multipart([("upload", "contents")], filename="a.txt")[0] == 400


def test_an_urlencoded_form_is_read_as_utf8() -> None:
    response = CLIENT.post("/", data={"name": "Zoë"})
    assert (response.status_code, response.json()) == (200, [["name", "Zoë"]])


def test_single_line_text_is_trimmed_and_its_spaces_collapsed() -> None:
    assert clean_text("  Sam \u00a0  Smith\u3000 ", multiline=False) == "Sam Smith"


def test_long_answers_keep_their_lines_and_tabs_with_every_line_ending_made_a_newline() -> None:
    assert (
        clean_text("\n first\r\nsecond\rthird\n\n\tindented  \n", multiline=True)
        == "first\nsecond\nthird\n\n\tindented"
    )


@pytest.mark.parametrize("multiline", [True, False])
def test_control_private_unassigned_and_disguising_characters_are_dropped(multiline: bool) -> None:
    typed = "a\x00b\x1bc\u202ed\u2066e\u200bf\ue000g\u0378h\ud800i\x7fj"
    assert clean_text(typed, multiline=multiline) == "abcdefghij"


def test_the_format_characters_that_spelling_needs_are_kept() -> None:
    persian = "می\u200cخواهم"
    family = "👩\u200d👧"
    marks = "\u200fשלום\u200e"
    assert clean_text(f"{persian} {family} {marks}", multiline=False) == f"{persian} {family} {marks}"


def test_text_is_normalised_to_composed_characters() -> None:
    assert clean_text("Zoe\u0308", multiline=False) == "Zoë"


def test_text_is_still_normalised_once_a_dropped_character_no_longer_separates_letter_and_accent() -> None:
    cleaned = clean_text("Zoe\u00ad\u0308", multiline=False)  # a soft hyphen (Cf) between the e and its diaeresis
    assert cleaned == "Zoë" and unicodedata.is_normalized("NFC", cleaned)
