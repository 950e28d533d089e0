"""The folded A5 leaflet (web/toolkit/leaflet.py): printed back and cover, then inside; read cover, inside, back."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from pypdf import PdfReader

from web.settings import ROOT
from web.toolkit.leaflet import leaflet_pdf
from web.toolkit.words import load_kit

CONTENT = ROOT / "content"
URL = "https://actearly.uk/cy/?utm_source=poster&utm_campaign=gwent"


@pytest.fixture(scope="module")
def leaflet() -> bytes:
    return leaflet_pdf(load_kit(CONTENT, "cy"), "Heddlu Gwent", URL, "actearly.uk/cy")


def test_the_leaflet_is_two_sides_of_landscape_a4(leaflet: bytes) -> None:
    pages = PdfReader(io.BytesIO(leaflet)).pages
    assert [[round(float(value)) for value in page.mediabox] for page in pages] == [[0, 0, 842, 595]] * 2


def test_the_leaflet_reads_cover_then_inside_left_inside_right_then_back(
    leaflet: bytes, read_structure: Callable[[bytes], list[tuple[int, str, str]]]
) -> None:
    kit = load_kit(CONTENT, "cy")
    structure = read_structure(leaflet)
    sections = [index for index, (depth, role, _) in enumerate(structure) if depth == 1]
    assert [structure[index][1] for index in sections] == ["Sect"] * 4
    first_of = [structure[index + 1][1] for index in sections]
    assert first_of == ["P", "H2", "H2", "H2"]  # the cover starts with the brand, then its H1
    assert [role for _, role, _ in structure].count("H1") == 1
    assert structure[sections[0] + 2][1] == "H1"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(leaflet)).pages).split())
    assert kit.signs_heading in text and kit.steps_heading in text and kit.support_number in text
    assert kit.facts.text("channel_adopted_share", "cy") in text and kit.facts.text("channel_year", "cy") in text
