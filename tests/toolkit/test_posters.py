"""Posters (web/toolkit/posters.py): what they say, at what size, in what order, and that their QR codes scan.

What is checked, honestly: the text as a PDF reader extracts it (pypdf); the structure tree as PDFium reads
it (the library Chrome's PDF viewer uses); the QR code by rendering the page to pixels (pypdfium2) and
decoding them (zxing-cpp). Every poster of every theme is checked for tags in tests/toolkit/test_archive.py.
"""

from __future__ import annotations

import ctypes
import io
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import zxingcpp
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from web.content.forces import load_forces
from web.settings import ROOT
from web.toolkit import posters
from web.toolkit.words import THEMES, load_kit

CONTENT = ROOT / "content"
SITE = "https://actearly.uk"
FORCES = load_forces(CONTENT / "forces.yaml")
LONGEST = max(FORCES.values(), key=lambda force: len(force.name)).slug


def poster(slug: str, lang: str, theme: str = "act-early", size: str = "a4") -> bytes:
    kit, force = load_kit(CONTENT, lang), FORCES[slug]
    url = f"{SITE}{kit.path_of(theme)}?utm_source=poster&utm_campaign={slug}"
    return posters.poster_pdf(kit, theme, size, force.name_in(lang), url, "actearly.uk" + kit.path_of(theme))


def words_of(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).split())


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("theme", THEMES)
def test_every_poster_says_the_support_line_its_hours_relay_uk_999_and_who_it_is_from(theme: str, lang: str) -> None:
    kit = load_kit(CONTENT, lang)
    text = words_of(poster("north-wales", lang, theme))
    assert kit.support_number in text and kit.hours in text and kit.facts.support_line_relay.number in text
    assert kit.words("emergency") in text
    assert kit.themes[theme].headline in text
    assert FORCES["north-wales"].name_in(lang) in text


def test_the_signs_poster_lists_signs_from_the_advice_page_and_says_what_is_not_a_sign() -> None:
    kit = load_kit(CONTENT, "en")
    text = words_of(poster("kent", "en", "signs"))
    assert all(sign in text for group in kit.shown_signs() for sign in group.signs)
    assert "Becoming more religious is not a sign of extremism." in text


def test_the_story_poster_says_the_story_is_not_a_real_person() -> None:
    text = words_of(poster("kent", "en", "story"))
    assert "This is not a real person." in text and "“Asking for help did not get Josh into trouble.”" in text


def test_no_poster_text_is_smaller_than_13_points_on_a4(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[float] = []
    set_font = Canvas.setFont

    def spy(self: Canvas, name: str, size: float, *args: Any, **kwargs: Any) -> None:
        sizes.append(size)
        set_font(self, name, size, *args, **kwargs)

    monkeypatch.setattr(Canvas, "setFont", spy)
    for theme in THEMES:
        poster(LONGEST, "cy", theme)
    assert sizes and min(sizes) >= 13


def test_the_a3_poster_is_the_a4_poster_drawn_root_two_larger() -> None:
    a4, a3 = (PdfReader(io.BytesIO(poster("kent", "en", "next", size))).pages[0] for size in ("a4", "a3"))
    assert [round(float(value)) for value in a4.mediabox] == [0, 0, 595, 842]
    assert [round(float(value)) for value in a3.mediabox] == [0, 0, 842, 1191]
    assert " ".join(a4.extract_text().split()) == " ".join(a3.extract_text().split())


def _structure(element: object, depth: int = 0) -> list[tuple[int, str, str]]:
    def text(read: object) -> str:
        size = read(element, None, 0)  # type: ignore[operator]
        buffer = ctypes.create_string_buffer(size)
        read(element, buffer, size)  # type: ignore[operator]
        return buffer.raw[: max(size - 2, 0)].decode("utf-16-le")

    found = [(depth, text(pdfium_raw.FPDF_StructElement_GetType), text(pdfium_raw.FPDF_StructElement_GetAltText))]
    for index in range(pdfium_raw.FPDF_StructElement_CountChildren(element)):
        child = pdfium_raw.FPDF_StructElement_GetChildAtIndex(element, index)
        if child:
            found += _structure(child, depth + 1)
    return found


def test_pdfium_reads_the_poster_as_headline_body_support_line_qr_code_and_link_in_that_order() -> None:
    document = pdfium.PdfDocument(poster("north-wales", "cy", "next"))
    page = document[0]  # kept in a name: PDFium frees a page object Python no longer holds
    tree = pdfium_raw.FPDF_StructTree_GetForPage(page.raw)
    try:
        elements = _structure(pdfium_raw.FPDF_StructTree_GetChildAtIndex(tree, 0))
    finally:
        pdfium_raw.FPDF_StructTree_Close(tree)
    top = [kind for depth, kind, _ in elements if depth == 1]
    assert elements[0][:2] == (0, "Document")
    assert top == ["P", "H1", "P", "H2", "L", "P", "P", "P", "Figure", "Link", "P"]
    assert [kind for depth, kind, _ in elements if depth == 3][:2] == ["Lbl", "LBody"]
    assert ("Figure", "Cod QR: sganiwch ef i agor actearly.uk/cy/what-happens-next") in [(k, a) for _, k, a in elements]


@pytest.mark.parametrize(("slug", "lang"), [("greater-manchester", "en"), ("north-wales", "cy")])
def test_the_poster_qr_code_scans_to_the_site_tagged_with_the_force(slug: str, lang: str) -> None:
    page = pdfium.PdfDocument(poster(slug, lang))[0]
    codes = [code.text for code in zxingcpp.read_barcodes(page.render(scale=2).to_pil())]
    home = "/" if lang == "en" else "/cy/"
    assert codes == [f"{SITE}{home}?utm_source=poster&utm_campaign={slug}"]


def test_the_same_choice_makes_the_same_bytes() -> None:
    assert poster("kent", "en", "signs") == poster("kent", "en", "signs")
