"""A force's archive from a clean start (issue 18, must show 1): every file there, every PDF tagged, every image
at its stated size with its alt text, every document opening with real headings, all read back from the zip.

Each archive is made once for the module (about five seconds each), from empty caches.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import docx
import pikepdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from web.content.forces import load_forces
from web.settings import ROOT
from web.toolkit import archive, images
from web.toolkit.archive import Asset
from web.toolkit.words import load_kit

SITE = "https://actearly.uk"
CONTENT = ROOT / "content"
FORCES = load_forces(CONTENT / "forces.yaml")
CHOICES = [("hampshire-and-isle-of-wight", "en"), ("north-wales", "cy")]  # the longest name; a Welsh force
PAINTING = {"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI"}


@pytest.fixture(scope="module")
def made(unzip: Callable[[bytes], dict[str, bytes]]) -> dict[str, tuple[list[Asset], dict[str, bytes]]]:
    archive.asset.cache_clear()
    archive.archive.cache_clear()
    found = {}
    for slug, lang in CHOICES:
        files = unzip(archive.archive(FORCES[slug], lang, SITE, CONTENT))
        folder = archive.archive_name(FORCES[slug], lang).removesuffix(".zip")
        by_path = {name.removeprefix(folder + "/"): body for name, body in files.items()}
        found[lang] = (archive.catalogue(FORCES[slug], lang, SITE, CONTENT), by_path)
    return found


def files_of(
    made: dict[str, tuple[list[Asset], dict[str, bytes]]], lang: str, ending: str
) -> list[tuple[Asset, bytes]]:
    catalogue, files = made[lang]
    return [(item, files[f"{item.folder}/{item.name}"]) for item in catalogue if item.name.endswith(ending)]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_archive_holds_a_contents_list_and_every_file(made: dict, lang: str) -> None:  # type: ignore[type-arg]
    catalogue, files = made[lang]
    expected = {"CONTENTS.txt"} | {f"{item.folder}/{item.name}" for item in catalogue}
    assert set(files) == expected
    kinds = [name.rsplit(".", 1)[1] for name in files]
    # 4 themes × A4 and A3; the leaflet and table card | 4 themes × 4 sizes and the banner | 5 documents
    assert (kinds.count("pdf"), kinds.count("png"), kinds.count("docx")) == (8 + 2, 16 + 1, 5)
    contents = files["CONTENTS.txt"].decode("utf-8")
    for item in catalogue:
        assert f"{item.folder}/{item.name}" in contents
        assert all(value in contents for value in (item.label, item.link, item.alt, item.post) if value)


def tagged_pdf_problems(body: bytes) -> list[str]:
    """What makes the PDF fall short of a tagged PDF (the machine-checkable part of PDF/UA)."""
    problems = []
    with pikepdf.open(io.BytesIO(body)) as pdf:
        root = pdf.Root
        if root.get("/MarkInfo", {}).get("/Marked") is not True:
            problems.append("not marked")
        if str(root.get("/Lang", "")) not in ("en", "cy"):
            problems.append("no /Lang")
        if root.get("/ViewerPreferences", {}).get("/DisplayDocTitle") is not True:
            problems.append("the viewer shows the file name, not the title")
        with pdf.open_metadata() as xmp:
            if not str(pdf.docinfo.get("/Title", "")) or xmp.get("dc:title") != str(pdf.docinfo["/Title"]):
                problems.append("no title in the document information and XMP")
        tree = root.get("/StructTreeRoot")
        if tree is None or pikepdf.Name.Document != tree.K.S:
            return [*problems, "no structure tree"]
        nums = list(tree.ParentTree.Nums)
        parents = dict(zip(nums[::2], nums[1::2], strict=True))
        for number, page in enumerate(pdf.pages, start=1):
            if page.obj.get("/Tabs") != pikepdf.Name.S:
                problems.append(f"page {number}: tab order is not the structure's")
            marked = parents.get(page.obj.get("/StructParents"))
            depth, mcids = 0, []
            for operands, operator in pikepdf.parse_content_stream(page):
                name = str(operator)
                if name in ("BDC", "BMC"):
                    depth += 1
                    if name == "BDC":
                        mcids.append(int(operands[1].MCID))
                elif name == "EMC":
                    depth -= 1
                elif name in PAINTING and depth == 0:
                    problems.append(f"page {number}: {name} drawn outside any tag or artifact")
            if marked is None or any(mcid >= len(marked) or marked[mcid] is None for mcid in mcids):
                problems.append(f"page {number}: marked content missing from the parent tree")
            resources = page.obj.Resources
            if any(xobject.get("/Subtype") == pikepdf.Name.Image for xobject in resources.get("/XObject", {}).values()):
                problems.append(f"page {number}: an image (text must be text)")
            for font in resources.get("/Font", {}).values():
                descriptor = (
                    font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
                )
                if "/FontFile2" not in descriptor:
                    problems.append(f"page {number}: font {font.BaseFont} not embedded")
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" not in annotation or not str(annotation.get("/Contents", "")):
                    problems.append(f"page {number}: a link with no structure or description")
    return problems


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_pdf_is_tagged_with_title_language_reading_order_and_embedded_text(
    made: dict,  # type: ignore[type-arg]
    lang: str,
    read_structure: Callable[[bytes], list[tuple[int, str, str]]],
) -> None:
    for item, body in files_of(made, lang, ".pdf"):
        assert tagged_pdf_problems(body) == [], item.name
        structure = read_structure(body)
        roles = [role for _, role, _ in structure]
        assert roles[0] == "Document" and "H1" in roles and "P" in roles, item.name
        figures = [alt for _, role, alt in structure if role == "Figure"]
        assert figures and all(alt.startswith(("QR code: scan it to open", "Cod QR:")) for alt in figures), item.name


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_qr_code_in_a_pdf_scans_to_its_link_with_the_force_tag(made: dict, lang: str) -> None:  # type: ignore[type-arg]
    slug = dict((lang_, slug_) for slug_, lang_ in CHOICES)[lang]
    for item, body in files_of(made, lang, ".pdf"):
        document = pdfium.PdfDocument(body)
        page = document[0]
        picture = page.render(scale=1.5 if "a3" in item.name else 2).to_pil()
        codes = [code.text for code in zxingcpp.read_barcodes(picture) if code.format == zxingcpp.BarcodeFormat.QRCode]
        assert item.link.endswith(f"?utm_source=poster&utm_campaign={slug}")
        # The table card's upside-down copy holds the same code.
        assert set(codes) == {item.link} and len(codes) == (2 if item.name == "table-card.pdf" else 1), item.name


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_image_is_at_its_stated_size_and_carries_its_alt_text(made: dict, lang: str) -> None:  # type: ignore[type-arg]
    for item, body in files_of(made, lang, ".png"):
        picture = Image.open(io.BytesIO(body))
        assert picture.format == "PNG"
        assert "{} × {}".format(*picture.size) == item.size, item.name
        assert picture.info["Description"] == item.alt and item.alt, item.name
        assert picture.info["Title"]
        if item.name.startswith("social-"):
            size = images.SIZES[item.name.rsplit("-", 1)[1].removesuffix(".png")]
            codes = [code.text for code in zxingcpp.read_barcodes(picture.convert("RGB"))]
            assert codes == ([item.link] if size.qr else []), item.name
            assert item.post.count(item.link) == 1 and "#ActEarly" in item.post


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_link_carries_the_force_tag_and_nothing_else(made: dict, lang: str) -> None:  # type: ignore[type-arg]
    catalogue, _ = made[lang]
    for item in catalogue:
        for url in re.findall(r"https://\S+", f"{item.link} {item.post}"):
            query = parse_qs(urlsplit(url).query)
            assert set(query) == {"utm_source", "utm_campaign"}, url
            assert query["utm_source"][0] in ("poster", "social")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_document_opens_with_its_title_as_a_heading_and_real_headings_below(made: dict, lang: str) -> None:  # type: ignore[type-arg]
    for item, body in files_of(made, lang, ".docx"):
        document = docx.Document(io.BytesIO(body))
        paragraphs = [paragraph for paragraph in document.paragraphs if paragraph.text.strip()]
        assert paragraphs[0].style is not None and paragraphs[0].style.name == "Heading 1", item.name
        assert paragraphs[0].text == document.core_properties.title == item.label
        assert document.core_properties.language == {"en": "en-GB", "cy": "cy-GB"}[lang]
        headings = [p.style.name for p in paragraphs if p.style is not None and p.style.name.startswith("Heading")]
        assert headings.count("Heading 1") == 1, item.name
        assert not any(p.text.isupper() and len(p.text) > 20 for p in paragraphs), "shouting instead of a heading"
        assert not document.inline_shapes, "a picture in a document"


def test_the_welsh_archive_says_a_translator_has_not_checked_it_yet(made: dict) -> None:  # type: ignore[type-arg]
    unreviewed = load_kit(CONTENT, "cy").words("unreviewed")
    _, files = made["cy"]
    assert load_kit(CONTENT, "cy").words("contents.welsh_note") in files["CONTENTS.txt"].decode()
    for item, body in files_of(made, "cy", ".docx"):
        assert docx.Document(io.BytesIO(body)).paragraphs[1].text == unreviewed, item.name
    for item, body in files_of(made, "cy", ".pdf"):
        with pikepdf.open(io.BytesIO(body)) as pdf:
            assert "translation awaiting review" in str(pdf.docinfo["/Keywords"]), item.name
    english_contents = made["en"][1]["CONTENTS.txt"].decode()
    assert "translator" not in english_contents


def test_the_cached_archive_is_the_same_bytes_without_making_it_again() -> None:
    force = FORCES["north-wales"]
    hits = archive.archive.cache_info().hits
    first = archive.archive(force, "cy", SITE, CONTENT)
    assert archive.archive(force, "cy", SITE, CONTENT) is first
    assert archive.archive.cache_info().hits == hits + 2  # made by the module's fixture


def test_the_contents_list_and_archive_are_named_for_the_force(made: dict) -> None:  # type: ignore[type-arg]
    assert archive.archive_name(FORCES["gwent"], "cy") == "act-early-toolkit-gwent-cy.zip"
    assert made["cy"][1]["CONTENTS.txt"].decode().startswith("Pecyn cymorth ACT Early: Heddlu Gogledd Cymru")
    assert Path(archive.download_name(FORCES["kent"], "en", "poster-signs-a3.pdf")).name == (
        "act-early-poster-signs-a3-kent-en.pdf"
    )
