"""The toolkit's one typeface, DejaVu Sans, for PDFs (reportlab) and images (Pillow).

Debian's fonts-dejavu-core (never a font file in the repository); DejaVu has every Welsh letter.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
REGULAR_NAME, BOLD_NAME = "DejaVuSans", "DejaVuSans-Bold"


class FontMissing(RuntimeError):
    """The DejaVu fonts are not installed."""


def font_file(path: Path) -> str:
    if not path.exists():
        raise FontMissing(f"{path} is missing: install Debian's fonts-dejavu-core")
    return str(path)


@cache
def register_pdf_fonts() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR_NAME, font_file(REGULAR)))
    pdfmetrics.registerFont(TTFont(BOLD_NAME, font_file(BOLD)))


def pdf_width(text: str, bold: bool, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, BOLD_NAME if bold else REGULAR_NAME, size))


@cache
def image_font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_file(BOLD if bold else REGULAR), size)
