"""The table card (web/toolkit/table_card.py): one face upright and one upside down, read once."""

from __future__ import annotations

import io
from collections.abc import Callable

from pypdf import PdfReader

from web.settings import ROOT
from web.toolkit.table_card import table_card_pdf
from web.toolkit.words import load_kit

CONTENT = ROOT / "content"


def test_the_card_prints_its_words_twice_but_a_screen_reader_reads_them_once(
    read_structure: Callable[[bytes], list[tuple[int, str, str]]],
) -> None:
    kit = load_kit(CONTENT, "en")
    body = table_card_pdf(kit, "Kent Police", "https://actearly.uk/?utm_source=poster&utm_campaign=kent", "actearly.uk")
    text = " ".join(PdfReader(io.BytesIO(body)).pages[0].extract_text().split())
    assert text.count(kit.support_number) == 2 and text.count(kit.words("table_card.headline")) == 2
    roles = [role for _, role, _ in read_structure(body)]
    assert roles == ["Document", "P", "H1", "P", "P", "Figure", "Link", "P"]
