"""The Prevent officer's table card: an A4 sheet folded across the middle into a tent (tagged PDF).

The lower half is the face, upright; the upper half is the same face turned upside down, so that it
reads the right way up from the other side of the table once folded. The upside-down copy repeats the
face, so it is one artifact (`TaggedPdf.repeat`): a screen reader reads the card once.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4

from web.shell.brand import PURPLE, TEXT, WHITE
from web.toolkit.layout import Pen
from web.toolkit.posters import metadata
from web.toolkit.tagged import TaggedPdf
from web.toolkit.words import Kit

WIDTH, HEIGHT = A4
FACE = HEIGHT / 2
MARGIN = 34.0
QR_SIZE = 150.0
BAND = 64.0


def table_card_pdf(kit: Kit, force: str, url: str, address: str) -> bytes:
    title = kit.words("table_card.title", force=force)
    doc = TaggedPdf((WIDTH, HEIGHT), metadata(kit, title, kit.words("table_card.headline")))
    pen = Pen(doc)
    _face(pen, kit, force, url, address)
    with doc.repeat():
        doc.canvas.saveState()
        doc.canvas.translate(WIDTH, HEIGHT)
        doc.canvas.rotate(180)
        _face(pen, kit, force, url, address)
        doc.canvas.restoreState()
    with doc.artifact():
        doc.canvas.setStrokeColor("#b1b4b6")
        doc.canvas.setDash(3, 5)
        doc.canvas.line(0, FACE, WIDTH, FACE)
    doc.show_page()
    return doc.finish()


def _face(pen: Pen, kit: Kit, force: str, url: str, address: str) -> None:
    """One face, in the lower half of the sheet."""
    doc = pen.doc
    width = WIDTH - 2 * MARGIN - QR_SIZE - 28
    with doc.artifact():
        pen.canvas.setFillColor(PURPLE)
        pen.canvas.rect(0, FACE - BAND, WIDTH, BAND, stroke=0, fill=1)
    pen.text("P", kit.words("brand"), 26, MARGIN, FACE - 19, WIDTH - 2 * MARGIN, WHITE, bold=True)
    top = FACE - BAND - 24
    y = pen.text("H1", kit.words("table_card.headline"), 28, MARGIN, top, width, bold=True, leading=1.15)
    y = pen.text("P", kit.words("table_card.text"), 16, MARGIN, y - 14, width)
    with doc.tag("P"):
        y = pen.draw([kit.words("support_line")], 15, MARGIN, y - 20, TEXT, bold=True)
        y = pen.draw([kit.support_number], 30, MARGIN, y - 6, PURPLE, bold=True)
        pen.draw(pen.lines(kit.words("hours"), 14, width), 14, MARGIN, y - 6, TEXT, bold=False)
    qr_x = WIDTH - MARGIN - QR_SIZE
    alt = kit.words("qr_alt", address=address)
    pen.qr(url, qr_x, top - QR_SIZE, QR_SIZE, alt)
    with doc.tag("Link"):
        lines = pen.lines(address, 12, QR_SIZE, bold=True)
        bottom = pen.draw(lines, 12, qr_x, top - QR_SIZE - 16, TEXT, bold=True)
        doc.link(url, (qr_x, bottom, qr_x + QR_SIZE, top), alt)
    pen.text("P", kit.words("supported_by", force=force), 11, MARGIN, MARGIN + 24, WIDTH - 2 * MARGIN)
