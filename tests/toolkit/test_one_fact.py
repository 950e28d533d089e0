"""A changed fact changes every asset that shows it (issue 18, must show 2): the support line's hours changed
in a copy of the content, and every file of a force's archive read back, text from the PDFs (pdfium), the
Word documents (python-docx), the images' alt text and posts, and the contents list."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest

from web.content.forces import load_forces
from web.settings import ROOT
from web.toolkit import archive

SITE = "https://actearly.uk"
FORCE = load_forces(ROOT / "content" / "forces.yaml")["kent"]
HOURS = {
    "en": ("9am to 5pm, every day", "8am to 8pm, Monday to Saturday"),
    "cy": ("9am tan 5pm, bob dydd", "8am tan 8pm, dydd Llun i ddydd Sadwrn"),
}


def one_line(text: str) -> str:
    """Words as they read, whatever lines and hyphenation the layout broke them into."""
    return re.sub(r"\s+", " ", text.replace("\u00ad", "").replace("\ufffe", "").replace("\r", " ")).strip()


def pdf_text(body: bytes) -> str:
    pdf = pdfium.PdfDocument(body)
    try:
        return one_line(" ".join(page.get_textpage().get_text_range() for page in pdf))
    finally:
        pdf.close()


def docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return one_line(" ".join([paragraph.text for paragraph in document.paragraphs] + cells))


@pytest.fixture(scope="module")
def changed_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(ROOT / "content", content)
    facts = content / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    for old, new in HOURS.values():
        assert text.count(f'"{old}"') == 1, old
        text = text.replace(f'"{old}"', f'"{new}"')
    facts.write_text(text, encoding="utf-8")
    return content


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_changing_the_hours_in_the_facts_file_changes_every_asset_that_shows_them(
    lang: str, changed_content: Path, unzip: Callable[[bytes], dict[str, bytes]]
) -> None:
    old, new = HOURS[lang]
    before = {item.name: item for item in archive.catalogue(FORCE, lang, SITE, ROOT / "content")}
    files = unzip(archive.archive(FORCE, lang, SITE, changed_content))
    shown = []
    for item in archive.catalogue(FORCE, lang, SITE, changed_content):
        body = files[f"{archive.archive_name(FORCE, lang).removesuffix('.zip')}/{item.folder}/{item.name}"]
        kind = item.name.rsplit(".", 1)[1]
        text = {"pdf": pdf_text, "docx": docx_text}.get(kind, lambda _: "")(body)
        text += " " + one_line(f"{item.alt} {item.post}")
        assert old not in text, item.name
        if kind == "pdf" or old in one_line(f"{before[item.name].alt} {before[item.name].post}"):
            assert new in text, item.name  # every printed piece shows the support line and its hours
        if new in text:
            shown.append(item.name)
    contents = next(body for name, body in files.items() if name.endswith("CONTENTS.txt")).decode("utf-8")
    assert old not in one_line(contents)
    # The posters (4 themes × 2 sizes), the leaflet and the table card at the least.
    assert len([name for name in shown if name.endswith(".pdf")]) == 10
