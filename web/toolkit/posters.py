"""Posters for the communications toolkit: four themes, A4 and A3, tagged PDF. Pure generation, no HTTP.

Each poster has the theme's message on purple, a body quoted from the advice (the signs, the steps, the
story), the ACT Early Support Line with its hours and Relay UK, 999, and a QR code that opens the theme's
page with the force's campaign tag. Text is real text in an embedded font, white on purple or near-black on
white, never smaller than 13 pt on A4; the A3 poster is the A4 drawn √2 larger, so it prints the same at
either size. Structure, reading order and alt text: web/toolkit/tagged.py.
"""

from __future__ import annotations

import math

from reportlab.lib.pagesizes import A3, A4

from web.shell.brand import PURPLE, TEXT, WHITE
from web.toolkit.layout import Block, LayoutError, Pen, largest, text_height
from web.toolkit.tagged import Metadata, TaggedPdf
from web.toolkit.words import Kit

LANGUAGES = ("en", "cy")  # the languages every toolkit file is made in
SIZES = {"a4": (A4, 1.0), "a3": (A3, math.sqrt(2))}
MARGIN = 42.0
QR_SIZE = 128.0
QUIET = 16.0  # the QR code's quiet zone: four modules of white, and a little more
BODY_SIZES = (22.0, 20.0, 18.0, 17.0, 16.0, 15.0, 14.0, 13.0)


def metadata(kit: Kit, title: str, subject: str) -> Metadata:
    keywords = "ACT Early, Prevent, Counter Terrorism Policing"
    if not kit.translator_reviewed:
        keywords += ", translation awaiting review"
    return Metadata(title=title, lang=kit.lang, author=kit.words("author"), subject=subject, keywords=keywords)


def poster_bodies(kit: Kit, theme: str) -> list[list[Block]]:
    """What the poster may say between its headline and the support line, from the advice pages: the
    fullest first, then shorter ones (fewer signs) for a language whose words run longer."""
    if theme == "signs":
        groups = kit.shown_signs()
        # Drop the later signs of each group, last group first, but keep one of each.
        dropped = [(g, s) for s in range(kit.per_group - 1, 0, -1) for g in range(len(groups) - 1, -1, -1)]
        bodies = []
        for count in range(len(dropped) + 1):
            left = set(dropped[:count])
            signs = tuple(
                sign for g, group in enumerate(groups) for s, sign in enumerate(group.signs) if (g, s) not in left
            )
            bodies.append([Block("h2", kit.signs_heading), Block("ul", items=signs), Block("strong", kit.not_a_sign)])
        return bodies
    if theme == "next":
        steps = tuple(step.lead for step in kit.steps)
        return [[Block("h2", kit.steps_heading), Block("ol", items=steps), Block("p", kit.channel[-1])]]
    if theme == "story":
        return [
            [
                Block("p", kit.story.summary),
                Block("p", " ".join(kit.story.about)),
                Block("strong", kit.words("posters.read_more")),
            ]
        ]
    return [[Block("p", kit.words("themes.act-early.body"))]]


def poster_pdf(kit: Kit, theme: str, size: str, force: str, url: str, address: str) -> bytes:
    """A poster of `theme` at `size` (a4 or a3) for `force`; its QR code opens `url`, shown as `address`."""
    pagesize, scale = SIZES[size]
    chosen = kit.themes[theme]
    title = kit.words("posters.title", theme=chosen.name, size=size.upper(), force=force)
    doc = TaggedPdf(pagesize, metadata(kit, title, f"{chosen.headline} {chosen.action}"))
    doc.canvas.scale(scale, scale)
    _draw(doc, kit, theme, force, url, address, scale)
    return doc.finish()


def _draw(doc: TaggedPdf, kit: Kit, theme: str, force: str, url: str, address: str, scale: float) -> None:
    pen = Pen(doc)
    width, height = A4
    measure = width - 2 * MARGIN
    chosen = kit.themes[theme]
    what = f"the {kit.lang} {theme} poster for {force}"
    # The headline band, on purple.
    headline_size = largest(
        lambda s: len(pen.lines(chosen.headline, s, measure, bold=True)) <= 3, (34, 32, 30, 28, 26, 24)
    )
    action_size = largest(lambda s: len(pen.lines(chosen.action, s, measure, bold=True)) <= 2, (28, 26, 24, 22, 20))
    if headline_size is None or action_size is None:
        raise LayoutError(f"{what}: the headline is too long")
    headline = pen.lines(chosen.headline, headline_size, measure, bold=True)
    action = pen.lines(chosen.action, action_size, measure, bold=True) if chosen.action else []
    band = MARGIN + 20 + 14 + text_height(len(headline), headline_size, 1.15) + 28
    band += text_height(len(action), action_size, 1.15) + 12 if action else 0
    with doc.artifact():
        doc.canvas.setFillColor(PURPLE)
        doc.canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    y = pen.text("P", kit.words("brand"), 20, MARGIN, height - MARGIN, measure, WHITE, bold=True)
    with doc.tag("H1"):
        y = pen.draw(headline, headline_size, MARGIN, y - 14, WHITE, bold=True, leading=1.15)
    if action:
        with doc.tag("P"):
            pen.draw(action, action_size, MARGIN, y - 12, WHITE, bold=True, leading=1.15)
    # From the foot up: who it is from, then the support line beside the QR code.
    footer = pen.lines(kit.words("supported_by", force=force), 13, measure)
    footer_top = MARGIN + text_height(len(footer), 13, 1.3)
    contact_bottom = footer_top + 18
    column = measure - QR_SIZE - 24
    contact_block = contact_height(pen, kit, column)
    qr_block = QR_SIZE + QUIET + text_height(len(pen.lines(kit.words("scan", address=address), 13, QR_SIZE)), 13, 1.25)
    contact_top = contact_bottom + max(contact_block, qr_block)
    body_top = height - band - 26
    blocks, body_size = pen.fit_first(poster_bodies(kit, theme), measure, body_top - contact_top - 26, BODY_SIZES, what)
    pen.body(blocks, body_size, MARGIN, body_top, measure)
    contact(pen, kit, MARGIN, contact_top, column)
    qr_x = width - MARGIN - QR_SIZE
    qr_bottom = contact_top - QR_SIZE
    pen.qr(url, qr_x, qr_bottom, QR_SIZE, kit.words("qr_alt", address=address))
    with doc.tag("Link"):
        scan = pen.lines(kit.words("scan", address=address), 13, QR_SIZE)
        bottom = pen.draw(scan, 13, qr_x, qr_bottom - QUIET, TEXT, bold=False)
        doc.link(url, _scaled((qr_x, bottom, qr_x + QR_SIZE, contact_top), scale), kit.words("qr_alt", address=address))
    with doc.tag("P"):
        pen.draw(footer, 13, MARGIN, footer_top, TEXT, bold=False, leading=1.3)
    doc.show_page()


def _scaled(rect: tuple[float, float, float, float], scale: float) -> tuple[float, float, float, float]:
    left, bottom, right, top = rect
    return (left * scale, bottom * scale, right * scale, top * scale)


def _number_size(pen: Pen, kit: Kit, width: float, f: float) -> float:
    sizes = (44 * f, 40 * f, 36 * f)
    size = largest(lambda s: pen.lines(kit.support_number, s, width, bold=True) == [kit.support_number], sizes)
    if size is None:
        raise LayoutError("the support line's number does not fit on one line")
    return size


def _contact_lines(pen: Pen, kit: Kit, width: float, f: float) -> tuple[list[str], list[str]]:
    hours = pen.lines(f"{kit.words('hours')} {kit.words('relay')}", 15 * f, width)
    emergency = pen.lines(kit.words("emergency"), 17 * f, width, bold=True)
    return hours, emergency


def contact_height(pen: Pen, kit: Kit, width: float, f: float = 1.0) -> float:
    hours, emergency = _contact_lines(pen, kit, width - 18 * f, f)
    number = _number_size(pen, kit, width - 18 * f, f)
    return (
        (20 + 8 + 8 + 16) * f
        + number
        + text_height(len(hours), 15 * f, 1.25)
        + text_height(len(emergency), 17 * f, 1.2)
    )


def contact(pen: Pen, kit: Kit, x: float, top: float, width: float, f: float = 1.0) -> float:
    """The support line (its name, number, hours and Relay UK), then 999, at `f` times the poster's
    sizes; return the bottom."""
    hours, emergency = _contact_lines(pen, kit, width - 18 * f, f)
    number = _number_size(pen, kit, width - 18 * f, f)
    indent = x + 18 * f
    with pen.doc.tag("P"):
        y = pen.draw([kit.words("support_line")], 20 * f, indent, top, TEXT, bold=True)
        y = pen.draw([kit.support_number], number, indent, y - 8 * f, PURPLE, bold=True)
        y = pen.draw(hours, 15 * f, indent, y - 8 * f, TEXT, bold=False)
    with pen.doc.artifact():
        pen.canvas.setStrokeColor(PURPLE)
        pen.canvas.setLineWidth(5 * f)
        pen.canvas.line(x + 2.5 * f, top, x + 2.5 * f, y)
    with pen.doc.tag("P"):
        return pen.draw(emergency, 17 * f, x, y - 16 * f, TEXT, bold=True, leading=1.2)
