"""The Prevent officer's leaflet: A5, folded from an A4 sheet printed on both sides (tagged PDF).

Page 1 (outside) has the back panel on the left and the cover on the right; page 2 (inside) has the signs
on the left and what happens when you share a concern on the right. The structure tree reads the panels
as a person does: cover, inside left, inside right, back.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4, landscape

from web.shell.brand import PURPLE, TEXT, WHITE
from web.toolkit.layout import Block, Pen
from web.toolkit.posters import contact, contact_height, metadata
from web.toolkit.tagged import TaggedPdf
from web.toolkit.words import Kit

WIDTH, HEIGHT = landscape(A4)
PANEL = WIDTH / 2
MARGIN = 30.0
MEASURE = PANEL - 2 * MARGIN
SIZES = (15.0, 14.0, 13.0, 12.0)
QR_SIZE = 112.0
COVER, INSIDE_LEFT, INSIDE_RIGHT, BACK = range(4)  # reading order


def signs_blocks(kit: Kit, per_group: int) -> list[Block]:
    blocks = [Block("h2", kit.signs_heading)]
    for group in kit.signs:
        blocks += [Block("h3", group.heading), Block("ul", items=group.signs[:per_group])]
    return [*blocks, Block("h3", kit.not_a_sign_heading), Block("p", kit.not_a_sign)]


def steps_blocks(kit: Kit) -> list[Block]:
    return [
        Block("h2", kit.steps_heading),
        Block("ol", items=tuple(step.lead for step in kit.steps)),
        Block("h3", kit.channel_heading),
        *(Block("p", paragraph) for paragraph in kit.channel),
    ]


def leaflet_pdf(kit: Kit, force: str, url: str, address: str) -> bytes:
    title = kit.words("leaflet.title", force=force)
    doc = TaggedPdf((WIDTH, HEIGHT), metadata(kit, title, kit.words("leaflet.cover_headline")))
    pen = Pen(doc)
    what = f"the {kit.lang} leaflet for {force}"
    # Outside: back (left), cover (right).
    with doc.group("Sect", order=BACK):
        _back(pen, kit, force, url, address)
    with doc.group("Sect", order=COVER):
        _cover(pen, kit, force)
    doc.show_page()
    # Inside: the signs (left), what happens (right).
    with doc.group("Sect", order=INSIDE_LEFT):
        bodies = [signs_blocks(kit, count) for count in range(kit.per_group, 0, -1)]
        blocks, size = pen.fit_first(bodies, MEASURE, HEIGHT - 2 * MARGIN, SIZES, f"{what}, inside left")
        pen.body(blocks, size, MARGIN, HEIGHT - MARGIN, MEASURE)
    with doc.group("Sect", order=INSIDE_RIGHT):
        blocks = steps_blocks(kit)
        size = pen.fit(blocks, MEASURE, HEIGHT - 2 * MARGIN, SIZES, f"{what}, inside right")
        pen.body(blocks, size, PANEL + MARGIN, HEIGHT - MARGIN, MEASURE)
    with doc.artifact():  # where to fold, faint, on the inside only
        doc.canvas.setStrokeColor("#b1b4b6")
        doc.canvas.setDash(2, 4)
        doc.canvas.line(PANEL, 8, PANEL, 20)
        doc.canvas.line(PANEL, HEIGHT - 20, PANEL, HEIGHT - 8)
    doc.show_page()
    return doc.finish()


def _cover(pen: Pen, kit: Kit, force: str) -> None:
    with pen.doc.artifact():
        pen.canvas.setFillColor(PURPLE)
        pen.canvas.rect(PANEL, 0, PANEL, HEIGHT, stroke=0, fill=1)
    x = PANEL + MARGIN
    y = pen.text("P", kit.words("brand"), 22, x, HEIGHT - MARGIN - 20, MEASURE, WHITE, bold=True)
    y = pen.text("H1", kit.words("leaflet.cover_headline"), 30, x, y - 40, MEASURE, WHITE, bold=True, leading=1.15)
    pen.text("P", kit.words("leaflet.cover_text"), 18, x, y - 24, MEASURE, WHITE, leading=1.3)
    footer = pen.lines(kit.words("supported_by", force=force), 12, MEASURE)
    pen.text("P", " ".join(footer), 12, x, MARGIN + len(footer) * 15, MEASURE, WHITE)


def _back(pen: Pen, kit: Kit, force: str, url: str, address: str) -> None:
    x, f = MARGIN, 0.8
    y = pen.text("H2", kit.words("leaflet.back_heading"), 20, x, HEIGHT - MARGIN, MEASURE, TEXT, bold=True)
    y = pen.text("P", kit.words("leaflet.back_text"), 13, x, y - 12, MEASURE, leading=1.3)
    top = y - 20
    bottom = contact(pen, kit, x, top, MEASURE, f)
    assert bottom >= top - contact_height(pen, kit, MEASURE, f) - 1
    qr_top = bottom - 24
    pen.qr(url, x, qr_top - QR_SIZE, QR_SIZE, kit.words("qr_alt", address=address))
    text_x = x + QR_SIZE + 18
    with pen.doc.tag("Link"):
        lines = pen.lines(kit.words("scan", address=address), 13, MEASURE - QR_SIZE - 18)
        pen.draw(lines, 13, text_x, qr_top, TEXT, bold=True)
        pen.doc.link(url, (x, qr_top - QR_SIZE, x + MEASURE, qr_top), kit.words("qr_alt", address=address))
    footer = pen.lines(kit.words("supported_by", force=force), 12, MEASURE)
    pen.text("P", " ".join(footer), 12, x, MARGIN + len(footer) * 15, MEASURE)
