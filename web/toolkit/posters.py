"""Posters and social images for the communications toolkit: pure generation, no HTTP.

An A4 poster (PDF, reportlab) and a 1080 × 1080 social image (PNG, Pillow) in English or Welsh,
each with the key message, the support line and its hours, 999, and a QR code (segno) that links to
the site with a campaign tag. Text is large, white on brand purple or near-black on white.

The PDF is as accessible as reportlab's open-source canvas can be made: title, author, subject and
language in its metadata, the title shown in the viewer's title bar, text as real (searchable,
selectable) text in an embedded font, and a hand-built structure tree (`_Tags`) so screen readers
get headings, paragraphs, a described QR code and a tagged link in reading order; decoration is
marked as artifact. What it does not do: no XMP metadata and no PDF/UA claim, and it has not been
checked with PAC or veraPDF (neither is available here). See `tests/toolkit/test_posters.py` for what is tested.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import segno
from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFPage, PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from web.content.facts import load_facts
from web.settings import ROOT
from web.shell.brand import PURPLE, TEXT, WHITE

# Debian's fonts-dejavu-core (never a font file in the repository). DejaVu has every Welsh letter.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
AUTHOR = "Counter Terrorism Policing"
SOCIAL_SIZE = 1080
# The site's own facts (content/facts.yaml): a changed number or opening time changes every poster.
FACTS = load_facts(ROOT / "content" / "facts.yaml")
SUPPORT_LINE, EMERGENCY, RELAY = FACTS.support_line, FACTS.emergency, FACTS.support_line_relay


@dataclass(frozen=True)
class PosterCopy:
    """Everything the poster and the social image say, in one language. `{force}`, `{site}`, `{url}` are filled in."""

    headline: str
    call_to_action: str
    what_happens: str
    support_line: str
    hours: str
    textphone: str
    emergency: str
    scan: str
    qr_alt: str
    supported_by: str
    poster_title: str
    image_title: str
    social_post: str


COPY = {
    "en": PosterCopy(
        headline="Worried someone close is being drawn into extremism?",
        call_to_action="Act early.",
        what_happens="Call us to talk it through in confidence. A trained officer will listen and give advice. "
        "You do not have to give your name. Any support is voluntary, and it is not a criminal record.",
        support_line="ACT Early Support Line",
        hours=FACTS.text("support_line_hours", "en"),
        textphone=f"Relay UK {RELAY.number}",
        emergency=f"If someone is in danger now, call {EMERGENCY.number}.",
        scan="Scan the code for advice, or go to {site}",
        qr_alt="QR code: scan it to open {site}",
        supported_by="Brought to you by {force} and Counter Terrorism Policing.",
        poster_title="ACT Early poster: {force}",
        image_title="ACT Early social media image: {force}",
        social_post="Worried someone close is being drawn into extremism? Act early. Call the ACT Early Support Line "
        f"on {SUPPORT_LINE.number}, {FACTS.text('support_line_hours', 'en')}, to talk it through in confidence "
        f"(Relay UK: {RELAY.number}). If someone is in danger now, call {EMERGENCY.number}. {{url}} #ActEarly",
    ),
    # Welsh: plain modern Welsh, written to match the site's Welsh pages.
    # AWAITING REVIEW by a translator (as the Welsh content pages are: translator_reviewed: false).
    "cy": PosterCopy(
        headline="Ydych chi’n poeni bod rhywun agos atoch yn cael ei ddenu at eithafiaeth?",
        call_to_action="Gweithredwch yn gynnar.",
        what_happens="Ffoniwch ni i siarad am y peth yn gyfrinachol. Bydd swyddog hyfforddedig yn gwrando ac yn "
        "rhoi cyngor. Does dim rhaid i chi roi eich enw. Mae unrhyw gymorth yn wirfoddol, ac nid yw’n gofnod "
        "troseddol.",
        support_line="Llinell Gymorth ACT Early",
        hours=FACTS.text("support_line_hours", "cy"),
        textphone=f"Relay UK {RELAY.number}",
        emergency=f"Os oes rhywun mewn perygl nawr, ffoniwch {EMERGENCY.number}.",
        scan="Sganiwch y cod am gyngor, neu ewch i {site}",
        qr_alt="Cod QR: sganiwch ef i agor {site}",
        supported_by="Gan {force} a Phlismona Gwrthderfysgaeth.",
        poster_title="Poster ACT Early: {force}",
        image_title="Delwedd ACT Early i’r cyfryngau cymdeithasol: {force}",
        social_post="Ydych chi’n poeni bod rhywun agos atoch yn cael ei ddenu at eithafiaeth? Gweithredwch yn gynnar. "
        f"Ffoniwch Linell Gymorth ACT Early ar {SUPPORT_LINE.number}, {FACTS.text('support_line_hours', 'cy')}, i "
        f"siarad yn gyfrinachol (Relay UK: {RELAY.number}). Os oes rhywun mewn perygl nawr, ffoniwch "
        f"{EMERGENCY.number}. {{url}} #ActEarly",
    ),
}
LANGUAGES = tuple(COPY)


class FontMissing(RuntimeError):
    """The DejaVu fonts are not installed."""


class LayoutError(RuntimeError):
    """The text does not fit: shorten the copy (a test draws every force in every language)."""


def _font_file(path: Path) -> str:
    if not path.exists():
        raise FontMissing(f"{path} is missing: install Debian's fonts-dejavu-core")
    return str(path)


def site_host(site_url: str) -> str:
    return site_url.split("://", 1)[-1].rstrip("/")


def social_post(lang: str, url: str) -> str:
    """Suggested text for a social media post, with the tagged link."""
    return COPY[lang].social_post.format(url=url)


def social_image_lines(lang: str, force: str, site_url: str) -> list[str]:
    """Every line of text the social image shows, in reading order (its alt text is made from them)."""
    copy = COPY[lang]
    return [
        "ACT Early",
        copy.headline,
        copy.call_to_action,
        copy.support_line,
        SUPPORT_LINE.number,
        copy.hours,
        copy.emergency,
        copy.qr_alt.format(site=site_host(site_url)),
        copy.supported_by.format(force=force),
    ]


def image_alt_text(lang: str, force: str, site_url: str) -> str:
    """A description of the social image that says everything its text says, in the same order."""
    brand, headline, action, label, number, hours, emergency, qr_alt, supported_by = social_image_lines(
        lang, force, site_url
    )
    hours = hours[0].lower() + hours[1:]
    return f"{brand}. {headline} {action} {label}: {number}, {hours}. {emergency} {qr_alt}. {supported_by}"


def _wrap(text: str, width_of: Callable[[str], float], max_width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and width_of(f"{lines[-1]} {word}") <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _qr_matrix(url: str) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(row) for row in segno.make_qr(url, error="m").matrix)


# The PDF poster --------------------------------------------------------------------------------------------------


@cache
def _register_pdf_fonts() -> None:
    pdfmetrics.registerFont(TTFont("DejaVuSans", _font_file(REGULAR)))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", _font_file(BOLD)))


class _Tags:
    """A structure tree for one page, built by hand: reportlab's open-source canvas writes untagged PDF."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.code: list[str] = canvas._code  # type: ignore[attr-defined]  # the page's content stream
        self.elements: list[tuple[str, int, dict[str, Any]]] = []  # (structure type, MCID, extra keys)

    @contextmanager
    def tag(self, role: str, **extra: Any) -> Iterator[None]:
        mcid = len(self.elements)
        self.elements.append((role, mcid, extra))
        self.code.append(f"/{role} <</MCID {mcid}>> BDC")
        yield
        self.code.append("EMC")

    @contextmanager
    def artifact(self) -> Iterator[None]:
        self.code.append("/Artifact BMC")
        yield
        self.code.append("EMC")

    def link(self, url: str, rect: tuple[float, float, float, float], description: str) -> None:
        """A link annotation over `rect`, tied to the last tagged element, which becomes a Link."""
        _, mcid, extra = self.elements[-1]
        action = PDFDictionary({"S": PDFName("URI"), "URI": PDFString(url)})
        annotation = PDFDictionary({"Type": PDFName("Annot"), "Subtype": PDFName("Link"), "A": action})
        annotation["Rect"], annotation["Border"] = PDFArray(list(rect)), "[0 0 0]"
        annotation["Contents"], annotation["StructParent"] = PDFString(description), 1
        self.canvas._addAnnotation(annotation, name="site")  # type: ignore[attr-defined]
        reference = self.canvas._doc.refAnnotation("site")  # type: ignore[attr-defined]
        self.elements[-1] = ("Link", mcid, {**extra, "annotation": reference})

    def close_page(self) -> None:
        """Call instead of showPage(): finishes the page and writes the structure tree for it."""
        doc = self.canvas._doc  # type: ignore[attr-defined]
        page_ref = doc.thisPageRef()
        self.canvas.showPage()
        page: PDFPage = doc.idToObject[page_ref.name]
        page.__NoDefault__ = [*PDFPage.__NoDefault__, "StructParents", "Tabs"]  # keys reportlab writes
        page.StructParents, page.Tabs = 0, PDFName("S")  # type: ignore[attr-defined]
        root_ref = doc.Reference(PDFDictionary({"Type": PDFName("StructTreeRoot")}))
        document = PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName("Document"), "P": root_ref})
        document_ref = doc.Reference(document)
        by_mcid, link_ref = [], None
        for role, mcid, extra in self.elements:
            element = {"Type": PDFName("StructElem"), "S": PDFName(role), "P": document_ref, "Pg": page_ref, "K": mcid}
            if "alt" in extra:
                element["Alt"] = PDFString(extra["alt"])
            if "annotation" in extra:
                reference = PDFDictionary({"Type": PDFName("OBJR"), "Obj": extra["annotation"], "Pg": page_ref})
                element["K"] = PDFArray([mcid, reference])
            ref = doc.Reference(PDFDictionary(element))
            by_mcid.append(ref)
            link_ref = ref if "annotation" in extra else link_ref
        document["K"] = PDFArray(by_mcid)
        nums: list[Any] = [0, PDFArray(by_mcid)] + ([1, link_ref] if link_ref else [])
        root = doc.idToObject[root_ref.name]
        root["K"] = document_ref
        root["ParentTree"] = PDFDictionary({"Nums": PDFArray(nums)})
        root["ParentTreeNextKey"] = 2
        doc.Catalog.StructTreeRoot = root_ref
        doc.Catalog.MarkInfo = PDFDictionary({"Marked": "true"})


def poster_pdf(lang: str, force: str, url: str, site_url: str) -> bytes:
    """An A4 poster: the key message on purple, then what happens, the support line, 999 and the QR code."""
    _register_pdf_fonts()
    copy = COPY[lang]
    site = site_host(site_url)
    width, height = A4
    margin, measure = 42.0, width - 2 * 42.0
    buffer = io.BytesIO()
    canvas = Canvas(  # DejaVu from the start, so the file names no font it does not embed
        buffer,
        pagesize=A4,
        invariant=True,
        lang=lang,
        pageCompression=1,
        initialFontName="DejaVuSans",  # type: ignore[arg-type]
    )
    canvas.setTitle(copy.poster_title.format(force=force))
    canvas.setAuthor(AUTHOR)
    canvas.setSubject(f"{copy.headline} {copy.call_to_action}")
    canvas.setKeywords("ACT Early, Prevent, Counter Terrorism Policing")
    canvas.setCreator("ACT Early web")
    canvas.setViewerPreference("DisplayDocTitle", "true")
    tags = _Tags(canvas)

    def block(text: str, size: float, *, bold: bool = True, width: float = measure) -> list[str]:
        font = "DejaVuSans-Bold" if bold else "DejaVuSans"
        return _wrap(text, lambda line: pdfmetrics.stringWidth(line, font, size), width)

    def draw(
        lines: list[str], size: float, x: float, top: float, colour: str, *, bold: bool = True, leading: float = 1.2
    ) -> float:
        """Draw lines whose first line's top is at `top`; return the bottom of the last line."""
        canvas.setFont("DejaVuSans-Bold" if bold else "DejaVuSans", size)
        canvas.setFillColor(colour)
        for line in lines:
            canvas.drawString(x, top - size * 0.93, line)
            top -= size * leading
        return top + size * (leading - 1)

    headline_size = _largest(lambda size: len(block(copy.headline, size)) <= 3, 34, 26)
    action_size = _largest(lambda size: len(block(copy.call_to_action, size)) == 1, 48, 30)
    headline = block(copy.headline, headline_size)
    band_height = margin + 22 + 16 + _height(len(headline), headline_size, 1.15) + 14 + action_size + 30
    with tags.artifact():
        canvas.setFillColor(PURPLE)
        canvas.rect(0, height - band_height, width, band_height, stroke=0, fill=1)
    with tags.tag("P"):
        y = draw(["ACT Early"], 22, margin, height - margin, WHITE)
    with tags.tag("H1"):
        y = draw(headline, headline_size, margin, y - 16, WHITE, leading=1.15)
        draw([copy.call_to_action], action_size, margin, y - 14, WHITE)
    with tags.tag("P"):
        what_happens = block(copy.what_happens, 17, bold=False)
        y = draw(what_happens, 17, margin, height - band_height - 28, TEXT, bold=False, leading=1.35)
    box_top = y - 24
    with tags.tag("P"):
        y = draw([copy.support_line], 22, margin + 22, box_top, TEXT)
        y = draw([SUPPORT_LINE.number], 50, margin + 22, y - 10, PURPLE)
        hours = f"{copy.hours}. {copy.textphone}."
        y = draw(block(hours, 17, bold=False, width=measure - 22), 17, margin + 22, y - 10, TEXT, bold=False)
    with tags.artifact():
        canvas.setStrokeColor(PURPLE)
        canvas.setLineWidth(6)
        canvas.line(margin + 3, box_top + 2, margin + 3, y - 4)
    with tags.tag("P"):
        y = draw(block(copy.emergency, 22), 22, margin, y - 26, TEXT)
    footer = block(copy.supported_by.format(force=force), 13, bold=False)
    qr_bottom = margin + len(footer) * 13 * 1.3 + 14
    qr_size = min(150.0, y - 22 - qr_bottom)
    if qr_size < 110:
        raise LayoutError(f"the {lang} poster for {force} leaves no room for a scannable QR code")
    with tags.tag("Figure", alt=copy.qr_alt.format(site=site)):
        _draw_pdf_qr(canvas, url, margin, qr_bottom, qr_size)
    text_x = margin + qr_size + 24
    with tags.tag("P"):
        scan = block(copy.scan.format(site=site), 20, width=width - margin - text_x)
        draw(scan, 20, text_x, qr_bottom + qr_size - 4, TEXT)
    tags.link(url, (margin, qr_bottom, width - margin, qr_bottom + qr_size), copy.qr_alt.format(site=site))
    with tags.tag("P"):
        draw(footer, 13, margin, margin + len(footer) * 13 * 1.3, TEXT, bold=False, leading=1.3)
    tags.close_page()
    canvas.save()
    return buffer.getvalue()


def _height(lines: int, size: float, leading: float) -> float:
    """From the top of the first line to the bottom of the last."""
    return (lines * leading - (leading - 1)) * size


def _largest(fits: Callable[[int], bool], largest: int, smallest: int) -> int:
    """The largest font size from `largest` down to `smallest` for which the text fits."""
    return next((size for size in range(largest, smallest - 1, -1) if fits(size)), smallest)


def _draw_pdf_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    matrix = _qr_matrix(url)
    module = size / len(matrix)
    canvas.setFillColor(TEXT)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        for column, dark in enumerate(row):
            if dark:
                path.rect(x + column * module, y + size - (row_index + 1) * module, module, module)
    canvas.drawPath(path, stroke=0, fill=1)


# The social image ------------------------------------------------------------------------------------------------


@cache
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_file(BOLD if bold else REGULAR), size)


def social_png(lang: str, force: str, url: str, site_url: str) -> bytes:
    """A 1080 × 1080 image: white text on purple, the QR code on a white tile (quiet zone included)."""
    copy = COPY[lang]
    brand, headline, action, label, number, hours, emergency, _, supported_by = social_image_lines(
        lang, force, site_url
    )
    image = Image.new("RGB", (SOCIAL_SIZE, SOCIAL_SIZE), PURPLE)
    draw = ImageDraw.Draw(image)
    margin = 64
    measure = SOCIAL_SIZE - 2 * margin

    def block(text: str, size: int, *, bold: bool = True, width: int = measure) -> list[str]:
        return _wrap(text, _font(bold, size).getlength, width)

    def lines(text: str, size: int, top: int, *, bold: bool = True, width: int = measure, leading: float = 1.2) -> int:
        """Draw wrapped text whose first line's top is at `top`; return the bottom of the last line."""
        font = _font(bold, size)
        wrapped = block(text, size, bold=bold, width=width)
        for index, line in enumerate(wrapped):
            draw.text((margin, top + round(index * size * leading)), line, font=font, fill=WHITE, anchor="la")
        return top + round(_height(len(wrapped), size, leading))

    y = lines(brand, 40, margin)
    headline_size = _largest(lambda size: len(block(headline, size)) <= 3, 60, 44)
    y = lines(headline, headline_size, y + 30, leading=1.15)
    action_size = _largest(lambda size: len(block(action, size)) == 1, 84, 56)
    y = lines(action, action_size, y + 22)
    y = lines(label, 40, y + 48)
    number_size = _largest(lambda size: _font(True, size).getlength(number) <= measure, 104, 72)
    y = lines(number, number_size, y + 16)
    y = lines(hours, 38, y + 16, bold=False)
    # The bottom row: 999 and who it is from on the left, the QR code on the right.
    matrix_size = len(_qr_matrix(url)) + 8  # with the quiet zone of four modules each side
    tile = 280 // matrix_size * matrix_size
    column = measure - tile - 36
    footer_top = SOCIAL_SIZE - margin - round(_height(len(block(supported_by, 28, bold=False, width=column)), 28, 1.2))
    emergency_top = footer_top - 24 - round(_height(len(block(emergency, 40, width=column)), 40, 1.2))
    tile_top = SOCIAL_SIZE - margin - tile
    if min(emergency_top, tile_top) < y + 36:
        raise LayoutError(f"the {lang} social image for {force} has too much text")
    lines(emergency, 40, emergency_top, width=column)
    lines(supported_by, 28, footer_top, bold=False, width=column)
    draw.rectangle(
        (SOCIAL_SIZE - margin - tile, tile_top, SOCIAL_SIZE - margin - 1, SOCIAL_SIZE - margin - 1), fill=WHITE
    )
    _draw_png_qr(draw, url, SOCIAL_SIZE - margin - tile, tile_top, tile)
    info = PngInfo()
    info.add_itxt("Title", copy.image_title.format(force=force), lang=lang)
    info.add_itxt("Description", image_alt_text(lang, force, site_url), lang=lang)
    info.add_itxt("Author", AUTHOR)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)  # optimize=True: 4% smaller, three times slower
    return buffer.getvalue()


def _draw_png_qr(draw: ImageDraw.ImageDraw, url: str, left: int, top: int, tile: int) -> None:
    matrix = _qr_matrix(url)
    module = tile // (len(matrix) + 8)  # four modules of white each side: the quiet zone the QR standard asks for
    for row_index, row in enumerate(matrix):
        for column, dark in enumerate(row):
            if dark:
                x, y = left + (column + 4) * module, top + (row_index + 4) * module
                draw.rectangle((x, y, x + module - 1, y + module - 1), fill=TEXT)
