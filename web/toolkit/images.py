"""Social media images in the sizes the main platforms use, and an email signature banner (PNG, Pillow).

White text on brand purple: the theme's message at the top; the ACT Early Support Line, its hours and 999
at the foot; the force's name. Square and portrait images carry a QR code (on a white tile, quiet zone
included); a story is seen on the phone it would scan with and a link card is the link, so those show
the address instead. Each image's alt text says every line it shows, in the same order, and is kept in
the PNG too (iTXt Description).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from web.shell.brand import PURPLE, TEXT, WHITE
from web.toolkit.fonts import image_font
from web.toolkit.layout import LayoutError, dark_runs, largest, qr_matrix, text_height, wrap
from web.toolkit.words import Kit


@dataclass(frozen=True)
class ImageSize:
    key: str
    width: int
    height: int
    qr: bool  # a QR code, bottom right
    short: bool  # the theme's short line under its headline
    address: bool  # the web address as text (where there is no QR code)
    scale: float = 1.0  # type sizes against a 1080-pixel-wide image
    smallest: int = 28  # px: no line is drawn smaller


SIZES = {
    "square": ImageSize("square", 1080, 1080, qr=True, short=False, address=False),
    "portrait": ImageSize("portrait", 1080, 1350, qr=True, short=True, address=False),
    "story": ImageSize("story", 1080, 1920, qr=False, short=True, address=True, scale=1.1),
    "link": ImageSize("link", 1200, 630, qr=False, short=False, address=True, scale=0.62, smallest=22),
}
BANNER = (600, 150)


@dataclass(frozen=True)
class Line:
    text: str
    size: float
    bold: bool
    gap: float  # space above it


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!", "”", '"')) else f"{text}."


def image_words(kit: Kit, theme: str, size: ImageSize, force: str, address: str) -> tuple[list[Line], ...]:
    """The image's lines in three groups, each in reading order: the message, the support line, the foot."""
    chosen = kit.themes[theme]
    top = [Line(kit.words("brand"), 40, True, 0), Line(chosen.headline, 60, True, 30)]
    if chosen.action and size.key != "link":
        top.append(Line(chosen.action, 64, True, 22))
    if size.short:
        top.append(Line(chosen.short, 38, False, 30))
    contact = [
        Line(kit.words("support_line"), 40, True, 0),
        Line(kit.support_number, 104, True, 12),
        Line(kit.words("hours"), 38, False, 14),
    ]
    foot = [Line(kit.words("emergency"), 40, True, 0)]
    if size.address:
        foot.append(Line(address, 40, True, 20))
    foot.append(Line(kit.words("supported_by", force=force), 30, False, 20))
    return top, contact, foot


def image_alt_text(kit: Kit, theme: str, size_key: str, force: str, address: str) -> str:
    """Everything the image says, in the order it says it."""
    size = SIZES[size_key]
    top, contact, foot = image_words(kit, theme, size, force, address)
    label, number, hours = (line.text for line in contact)
    parts = [_sentence(line.text) for line in top]
    parts.append(f"{label}: {number}. {_sentence(hours)}")
    parts += [_sentence(line.text) for line in foot[:1]]
    if size.qr:
        parts.append(_sentence(kit.words("qr_alt", address=address)))
    parts += [_sentence(line.text) for line in foot[1:]]
    return " ".join(parts)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _palette() -> list[int]:
    """Index 0 the text colour (QR modules); 1 to 255 brand purple blending into white (smooth text edges)."""
    purple, white = _rgb(PURPLE), _rgb(WHITE)
    palette = list(_rgb(TEXT))
    for index in range(1, 256):
        palette += [round(p + (w - p) * (index - 1) / 254) for p, w in zip(purple, white, strict=True)]
    return palette


PALETTE = _palette()
ON_PURPLE, IN_WHITE, DARK = 1, 255, 0  # palette indexes


class _Canvas:
    """Drawn as indexes into `PALETTE` (one byte a pixel): the PNG is made in a third of the time."""

    def __init__(self, width: int, height: int, smallest: int) -> None:
        self.image = Image.new("L", (width, height), ON_PURPLE)
        self.draw = ImageDraw.Draw(self.image)
        self.smallest = smallest

    def wrapped(self, line: Line, scale: float, width: float) -> tuple[list[str], int]:
        size = max(round(line.size * scale), self.smallest)
        return wrap(line.text, image_font(line.bold, size).getlength, width), size

    def height(self, lines: list[Line], scale: float, width: float) -> float:
        total = 0.0
        for line in lines:
            wrapped, size = self.wrapped(line, scale, width)
            total += line.gap * scale + text_height(len(wrapped), size, 1.18)
        return total

    def write(self, lines: list[Line], scale: float, x: float, top: float, width: float) -> float:
        y = top
        for line in lines:
            wrapped, size = self.wrapped(line, scale, width)
            y += line.gap * scale
            for index, text in enumerate(wrapped):
                self.draw.text(
                    (x, y + round(index * size * 1.18)), text, font=image_font(line.bold, size), fill=IN_WHITE
                )
            y += text_height(len(wrapped), size, 1.18)
        return y

    def qr(self, url: str, left: int, top: int, tile: int) -> None:
        matrix = qr_matrix(url)
        module = tile // (len(matrix) + 8)  # four modules of white each side: the quiet zone
        self.draw.rectangle((left, top, left + tile - 1, top + tile - 1), fill=IN_WHITE)
        for row_index, start, length in dark_runs(matrix):
            x, y = left + (start + 4) * module, top + (row_index + 4) * module
            self.draw.rectangle((x, y, x + length * module - 1, y + module - 1), fill=DARK)

    def png(self, title: str, description: str, lang: str, author: str) -> bytes:
        info = PngInfo()
        info.add_itxt("Title", title, lang=lang)
        info.add_itxt("Description", description, lang=lang)
        info.add_itxt("Author", author)
        image = self.image.copy()
        image.putpalette(PALETTE)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", pnginfo=info)
        return buffer.getvalue()


def social_png(kit: Kit, theme: str, size_key: str, force: str, url: str, address: str) -> bytes:
    """The theme's image at one of `SIZES`, for `force`; its QR code (if it has one) opens `url`."""
    size = SIZES[size_key]
    canvas = _Canvas(size.width, size.height, size.smallest)
    top, contact, foot = image_words(kit, theme, size, force, address)
    unit = size.width / 1080 * size.scale
    margin = round(64 * size.width / 1080)
    measure = size.width - 2 * margin
    tile = (280 // (len(qr_matrix(url)) + 8)) * (len(qr_matrix(url)) + 8) if size.qr else 0
    foot_width = measure - tile - 36 if size.qr else measure

    def fits(factor: float) -> bool:
        scale = unit * factor
        if len(canvas.wrapped(contact[1], scale, measure)[0]) > 1:
            return False  # a phone number never wraps
        needed = canvas.height(top, scale, measure) + 48 + canvas.height(contact, scale, measure) + 36
        return needed + max(canvas.height(foot, scale, foot_width), tile) <= size.height - 2 * margin

    factor = largest(fits, (1.2, 1.1, 1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6))
    if factor is None:
        raise LayoutError(f"the {kit.lang} {theme} {size_key} image for {force} has too much text")
    scale = unit * factor
    canvas.write(top, scale, margin, margin, measure)
    foot_height = max(canvas.height(foot, scale, foot_width), tile)
    foot_top = size.height - margin - foot_height
    contact_top = foot_top - 36 - canvas.height(contact, scale, measure)
    canvas.write(contact, scale, margin, contact_top, measure)
    canvas.write(foot, scale, margin, size.height - margin - canvas.height(foot, scale, foot_width), foot_width)
    if size.qr:
        canvas.qr(url, size.width - margin - tile, size.height - margin - tile, tile)
    title = kit.words("images.title", theme=kit.themes[theme].name, size=size_key, force=force)
    return canvas.png(title, image_alt_text(kit, theme, size_key, force, address), kit.lang, kit.words("author"))


def banner_lines(kit: Kit) -> tuple[list[Line], list[Line]]:
    left = [Line(kit.words("brand"), 20, True, 0), Line(kit.words("images.banner_headline"), 15, True, 4)]
    right = [Line(kit.support_number, 26, True, 0), Line(kit.words("hours"), 14, False, 4)]
    return left, right


def banner_alt_text(kit: Kit, address: str) -> str:
    return kit.words("images.banner_alt", address=address)


def banner_png(kit: Kit, force: str, address: str) -> bytes:
    """A 600 × 150 banner for the foot of an email: the message on the left, the support line on the right."""
    width, height = BANNER
    canvas = _Canvas(width, height, 14)
    left, right = banner_lines(kit)
    margin = 16
    number_width = image_font(True, 26).getlength(kit.support_number)
    right_width = max(number_width, max(image_font(False, 14).getlength(word) for word in right[1].text.split()))
    right_width = max(right_width, 150)
    left_width = width - 3 * margin - right_width
    if canvas.height(left, 1, left_width) > height - 2 * margin or canvas.height(right, 1, right_width) > height:
        raise LayoutError(f"the {kit.lang} email banner has too much text")
    canvas.write(left, 1, margin, (height - canvas.height(left, 1, left_width)) / 2, left_width)
    x = width - margin - right_width
    canvas.write(right, 1, x, (height - canvas.height(right, 1, right_width)) / 2, right_width)
    title = kit.words("images.banner_title", force=force)
    return canvas.png(title, banner_alt_text(kit, address), kit.lang, kit.words("author"))
