"""Laying out tagged text, lists and QR codes on a PDF page, top down, in points.

A body of `Block`s (headings, paragraphs, bulleted or numbered lists) is measured first and then drawn,
so a poster or leaflet panel can try sizes from large to small and take the largest that fits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import segno

from web.shell.brand import TEXT
from web.toolkit.fonts import pdf_width
from web.toolkit.tagged import TaggedPdf, font_name


class LayoutError(RuntimeError):
    """The words do not fit: shorten them (a test draws every force in every language)."""


def _pieces(word: str, width_of: Callable[[str], float], max_width: float) -> list[str]:
    """A word too wide for a line (a web address) split after its slashes, so it wraps there."""
    if width_of(word) <= max_width or "/" not in word:
        return [word]
    parts = [part + "/" for part in word.split("/")]
    parts[-1] = parts[-1][:-1]
    pieces = [parts[0]]
    for part in parts[1:]:
        if width_of(pieces[-1] + part) <= max_width:
            pieces[-1] += part
        else:
            pieces.append(part)
    return pieces


def wrap(text: str, width_of: Callable[[str], float], max_width: float) -> list[str]:
    """Words in lines no wider than `max_width` (a long web address breaks after a slash)."""
    lines: list[str] = []
    for word in (piece for whole in text.split() for piece in _pieces(whole, width_of, max_width)):
        if lines and width_of(f"{lines[-1]} {word}") <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def largest(fits: Callable[[float], bool], sizes: tuple[float, ...]) -> float | None:
    """The first of `sizes` (largest first) at which the text fits; None when none does."""
    return next((size for size in sizes if fits(size)), None)


def text_height(lines: int, size: float, leading: float) -> float:
    """From the top of the first line to the bottom of the last."""
    return (lines * leading - (leading - 1)) * size if lines else 0.0


@cache
def qr_matrix(url: str) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(row) for row in segno.make_qr(url, error="m").matrix)


def dark_runs(matrix: tuple[tuple[int, ...], ...]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each run of dark modules: one rectangle a run, not a module."""
    runs = []
    for row_index, row in enumerate(matrix):
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                runs.append((row_index, start, column - start))
            else:
                column += 1
    return runs


@dataclass(frozen=True)
class Block:
    kind: str  # h2, h3, p, strong (a bold paragraph), ul, ol
    text: str = ""
    items: tuple[str, ...] = ()


SCALE = {"h2": 1.3, "h3": 1.1, "p": 1.0, "strong": 1.0, "ul": 1.0, "ol": 1.0}
ROLE = {"h2": "H2", "h3": "H3", "p": "P", "strong": "P"}


class Pen:
    """Draws wrapped, tagged text on a `TaggedPdf`; `y` values are the top of what is drawn."""

    def __init__(self, doc: TaggedPdf) -> None:
        self.doc, self.canvas = doc, doc.canvas

    def lines(self, text: str, size: float, width: float, *, bold: bool = False) -> list[str]:
        return wrap(text, lambda line: pdf_width(line, bold, size), width)

    def draw(
        self, lines: list[str], size: float, x: float, top: float, colour: str, *, bold: bool, leading: float = 1.25
    ) -> float:
        """Draw lines whose first line's top is at `top`; return the bottom of the last line."""
        self.canvas.setFont(font_name(bold), size)
        self.canvas.setFillColor(colour)
        for line in lines:
            self.canvas.drawString(x, top - size * 0.93, line)
            top -= size * leading
        return top + size * (leading - 1)

    def text(
        self,
        role: str,
        text: str,
        size: float,
        x: float,
        top: float,
        width: float,
        colour: str = TEXT,
        *,
        bold: bool = False,
        leading: float = 1.25,
    ) -> float:
        with self.doc.tag(role):
            return self.draw(self.lines(text, size, width, bold=bold), size, x, top, colour, bold=bold, leading=leading)

    # Bodies of blocks ----------------------------------------------------------------------------------------

    def _item_lines(self, item: str, size: float, width: float) -> list[str]:
        return self.lines(item, size, width - size * 1.6)

    def height(self, blocks: list[Block], size: float, width: float) -> float:
        total = 0.0
        for block in blocks:
            block_size = size * SCALE[block.kind]
            if block.kind in ("ul", "ol"):
                for item in block.items:
                    total += text_height(len(self._item_lines(item, size, width)), size, 1.25) + size * 0.35
                total -= size * 0.35
            else:
                bold = block.kind != "p"
                total += text_height(len(self.lines(block.text, block_size, width, bold=bold)), block_size, 1.2)
            total += size * 0.7
        return total - size * 0.7 if blocks else 0.0

    def body(self, blocks: list[Block], size: float, x: float, top: float, width: float, colour: str = TEXT) -> float:
        """Draw the blocks; return the bottom of the last."""
        y = top
        for block in blocks:
            block_size = size * SCALE[block.kind]
            if block.kind in ("ul", "ol"):
                y = self._list(block, size, x, y, width, colour)
            else:
                y = self.text(
                    ROLE[block.kind], block.text, block_size, x, y, width, colour, bold=block.kind != "p", leading=1.2
                )
            y -= size * 0.7
        return y + size * 0.7

    def _list(self, block: Block, size: float, x: float, top: float, width: float, colour: str) -> float:
        y = top
        with self.doc.group("L"):
            for number, item in enumerate(block.items, start=1):
                with self.doc.group("LI"):
                    label = f"{number}." if block.kind == "ol" else "•"
                    with self.doc.tag("Lbl"):
                        self.draw([label], size, x, y, colour, bold=True)
                    with self.doc.tag("LBody"):
                        lines = self._item_lines(item, size, width)
                        y = self.draw(lines, size, x + size * 1.6, y, colour, bold=False) - size * 0.35
        return y + size * 0.35

    def _largest_fitting(
        self, blocks: list[Block], width: float, space: float, sizes: tuple[float, ...]
    ) -> float | None:
        return largest(lambda size: self.height(blocks, size, width) <= space, sizes)

    def fit(self, blocks: list[Block], width: float, space: float, sizes: tuple[float, ...], what: str) -> float:
        """The largest of `sizes` at which the blocks fit in `space`; LayoutError when none does."""
        size = self._largest_fitting(blocks, width, space, sizes)
        if size is None:
            raise LayoutError(f"{what}: the words do not fit at {min(sizes)} pt")
        return size

    def fit_first(
        self, bodies: list[list[Block]], width: float, space: float, sizes: tuple[float, ...], what: str
    ) -> tuple[list[Block], float]:
        """The first body that fits in `space` at one of `sizes`, and the largest size it fits at."""
        for blocks in bodies:
            size = self._largest_fitting(blocks, width, space, sizes)
            if size is not None:
                return blocks, size
        raise LayoutError(f"{what}: the words do not fit at {min(sizes)} pt")

    # QR codes ------------------------------------------------------------------------------------------------

    def qr(self, url: str, x: float, bottom: float, size: float, alt: str) -> None:
        """A QR code (dark modules on the page's white, quiet zone left clear) as one described figure."""
        matrix = qr_matrix(url)
        module = size / len(matrix)
        with self.doc.tag("Figure", alt=alt):  # vector squares, never an image
            self.canvas.setFillColor(TEXT)
            path = self.canvas.beginPath()
            for row_index, start, length in dark_runs(matrix):
                path.rect(x + start * module, bottom + size - (row_index + 1) * module, length * module, module)
            self.canvas.drawPath(path, stroke=0, fill=1)
