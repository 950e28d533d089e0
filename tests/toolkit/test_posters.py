"""Posters and social images (web/toolkit/posters.py): they open, say the right things, and their QR codes scan.

What is checked, honestly:
- PDF: its text, as a PDF reader extracts it (pypdf); its metadata and structure tree; its QR code,
  by rendering the page to pixels (pypdfium2) and decoding them (zxing-cpp).
- PNG: that it opens at 1080 × 1080; its QR code, decoded from the pixels (zxing-cpp); its metadata.
  The text drawn in the image is not read back (there is no OCR here): a spy on Pillow's
  ImageDraw.text records what the generator asks it to draw, at what size and in what colour.
"""

from __future__ import annotations

import ctypes
import io
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from web.content.forces import load_forces
from web.settings import ROOT
from web.toolkit import posters
from web.toolkit.posters import EMERGENCY, FACTS, RELAY, SUPPORT_LINE
from web.toolkit.routes import POSTER, SOCIAL, campaign_url

SITE = "https://actearly.uk"
FORCES = load_forces(ROOT / "content" / "forces.yaml")
CHOICES = [(slug, lang) for slug in ("greater-manchester", "north-wales") for lang in ("en", "cy")]
HOURS = {lang: FACTS.text("support_line_hours", lang) for lang in ("en", "cy")}  # content/facts.yaml


def poster(slug: str, lang: str) -> bytes:
    force = FORCES[slug]
    return posters.poster_pdf(lang, force.name_in(lang), campaign_url(SITE, POSTER, force), SITE)


def social(slug: str, lang: str) -> bytes:
    force = FORCES[slug]
    return posters.social_png(lang, force.name_in(lang), campaign_url(SITE, SOCIAL, force), SITE)


def qr_codes(image: Image.Image) -> list[str]:
    return [
        barcode.text for barcode in zxingcpp.read_barcodes(image) if barcode.format == zxingcpp.BarcodeFormat.QRCode
    ]


@pytest.mark.parametrize(("slug", "lang"), CHOICES)
def test_the_poster_pdf_says_the_support_line_its_hours_and_999(slug: str, lang: str) -> None:
    reader = PdfReader(io.BytesIO(poster(slug, lang)))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert SUPPORT_LINE.number in text
    assert HOURS[lang] in text
    assert RELAY.number in text
    assert posters.COPY[lang].emergency in text and EMERGENCY.number in text
    assert posters.COPY[lang].headline in text
    assert FORCES[slug].name_in(lang) in text


def test_the_poster_pdf_uses_no_text_smaller_than_13_points(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[float] = []
    set_font = Canvas.setFont

    def spy(self: Canvas, name: str, size: float, *args: Any, **kwargs: Any) -> None:
        sizes.append(size)
        set_font(self, name, size, *args, **kwargs)

    monkeypatch.setattr(Canvas, "setFont", spy)
    poster("hampshire-and-isle-of-wight", "cy")
    assert sizes and min(sizes) >= 13


@pytest.mark.parametrize(("slug", "lang"), CHOICES)
def test_the_poster_pdf_has_a_title_author_and_language(slug: str, lang: str) -> None:
    reader = PdfReader(io.BytesIO(poster(slug, lang)))
    assert reader.metadata is not None
    assert reader.metadata.title == posters.COPY[lang].poster_title.format(force=FORCES[slug].name_in(lang))
    assert reader.metadata.author == "Counter Terrorism Policing"
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == lang
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert catalog["/MarkInfo"]["/Marked"].value is True


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


def test_the_poster_pdf_is_tagged_with_a_heading_paragraphs_a_described_qr_code_and_a_link() -> None:
    document = pdfium.PdfDocument(poster("north-wales", "cy"))
    page = document[0]  # kept in a name: PDFium frees a page object Python no longer holds
    tree = pdfium_raw.FPDF_StructTree_GetForPage(page.raw)
    try:
        elements = _structure(pdfium_raw.FPDF_StructTree_GetChildAtIndex(tree, 0))
    finally:
        pdfium_raw.FPDF_StructTree_Close(tree)
    assert elements[0][:2] == (0, "Document")
    types = [kind for depth, kind, _ in elements[1:]]
    assert types == ["P", "H1", "P", "P", "P", "Figure", "Link", "P"]
    assert ("Figure", "Cod QR: sganiwch ef i agor actearly.uk") in [(kind, alt) for _, kind, alt in elements]


@pytest.mark.parametrize(("slug", "lang"), CHOICES)
def test_the_poster_qr_code_scans_to_the_site_tagged_with_the_force(slug: str, lang: str) -> None:
    document = pdfium.PdfDocument(poster(slug, lang))
    page = document[0]
    image = page.render(scale=2).to_pil()
    assert qr_codes(image) == [f"{SITE}/?utm_source=poster&utm_campaign={slug}"]


@pytest.mark.parametrize(("slug", "lang"), CHOICES)
def test_the_social_image_opens_and_its_qr_code_scans_to_the_tagged_site(slug: str, lang: str) -> None:
    image = Image.open(io.BytesIO(social(slug, lang)))
    assert (image.format, image.size, image.mode) == ("PNG", (1080, 1080), "RGB")
    assert qr_codes(image) == [f"{SITE}/?utm_source=social&utm_campaign={slug}"]


@pytest.mark.parametrize(("slug", "lang"), CHOICES)
def test_the_social_image_draws_the_support_line_hours_and_999_large_and_white(
    monkeypatch: pytest.MonkeyPatch, slug: str, lang: str
) -> None:
    # Not OCR: this records what social_png asks Pillow to draw, in which font size and colour.
    drawn: list[tuple[str, float, object]] = []
    draw_text = ImageDraw.ImageDraw.text

    def spy(self: ImageDraw.ImageDraw, xy: Any, text: Any, *args: Any, **kwargs: Any) -> None:
        drawn.append((text, kwargs["font"].size, kwargs["fill"]))
        draw_text(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", spy)
    social(slug, lang)
    lines = [text for text, _, _ in drawn]
    assert SUPPORT_LINE.number in lines  # whole, on a line of its own: a phone number never wraps
    assert HOURS[lang] in lines
    assert posters.COPY[lang].emergency in " ".join(lines)
    assert FORCES[slug].name_in(lang) in " ".join(lines)
    assert min(size for _, size, _ in drawn) >= 28  # px on a 1080 px image
    assert {fill for _, _, fill in drawn} == {posters.WHITE}


@pytest.mark.parametrize(("slug", "lang"), CHOICES)
def test_the_social_image_alt_text_says_what_the_image_says(slug: str, lang: str) -> None:
    alt = posters.image_alt_text(lang, FORCES[slug].name_in(lang), SITE)
    assert SUPPORT_LINE.number in alt and EMERGENCY.number in alt and FORCES[slug].name_in(lang) in alt
    image = Image.open(io.BytesIO(social(slug, lang)))
    assert image.info["Description"] == alt


def test_the_social_image_is_white_text_on_brand_purple() -> None:
    image = Image.open(io.BytesIO(social("kent", "en"))).convert("RGB")
    colours = {colour for _, colour in image.getcolors(maxcolors=1_000_000) or []}
    assert (0x3F, 0x2A, 0x70) in colours and (255, 255, 255) in colours
    assert image.getpixel((5, 5)) == (0x3F, 0x2A, 0x70)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize(("text", "background"), [(posters.WHITE, posters.PURPLE), (posters.TEXT, posters.WHITE)])
def test_text_colours_meet_wcag_aaa_contrast(text: str, background: str) -> None:
    lighter, darker = sorted((_luminance(text), _luminance(background)), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 7


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_longest_force_name_still_fits_both_layouts(lang: str) -> None:
    slug = max(FORCES, key=lambda slug: len(FORCES[slug].name_in(lang)))
    assert poster(slug, lang).startswith(b"%PDF-")  # posters.LayoutError would be raised
    assert social(slug, lang).startswith(b"\x89PNG")


def test_the_same_choice_makes_the_same_bytes() -> None:
    assert poster("kent", "en") == poster("kent", "en")
    assert social("kent", "cy") == social("kent", "cy")


def test_the_welsh_social_post_carries_the_tagged_link() -> None:
    url = campaign_url(SITE, SOCIAL, FORCES["gwent"])
    post = posters.social_post("cy", url)
    assert post.startswith("Ydych chi’n poeni") and url in post and SUPPORT_LINE.number in post
