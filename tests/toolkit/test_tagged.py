"""Tagged PDF from reportlab and pikepdf (web/toolkit/tagged.py): the tree, its order, links and repeats."""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf
from reportlab.lib.pagesizes import A5

from web.toolkit.tagged import Metadata, TaggedPdf

META = Metadata(title="A test", lang="cy", author="Counter Terrorism Policing", subject="Testing")


def draw(doc: TaggedPdf, words: str, y: float) -> None:
    doc.canvas.drawString(40, y, words)


def test_groups_are_read_in_their_order_not_the_order_they_were_drawn(
    read_structure: Callable[[bytes], list[tuple[int, str, str]]],
) -> None:
    doc = TaggedPdf(A5, META)
    with doc.group("Sect", order=2), doc.tag("P"):
        draw(doc, "read second", 500)
    with doc.group("Sect", order=1), doc.tag("H1"):
        draw(doc, "read first", 400)
    doc.show_page()
    with doc.group("Sect", order=3), doc.tag("Figure", alt="A described figure"):
        doc.canvas.rect(40, 40, 20, 20, fill=1)
    doc.show_page()
    body = doc.finish()
    assert read_structure(body) == [
        (0, "Document", ""),
        (1, "Sect", ""),
        (2, "H1", ""),
        (1, "Sect", ""),
        (2, "P", ""),
        (1, "Sect", ""),
        (2, "Figure", "A described figure"),
    ]
    with pikepdf.open(io.BytesIO(body)) as pdf:
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        assert nums[0] == 0 and nums[2] == 1 and len(nums[1]) == 2 and len(nums[3]) == 1
        assert [page.obj.StructParents for page in pdf.pages] == [0, 1]
        assert str(pdf.Root.Lang) == "cy" and str(pdf.docinfo["/Title"]) == "A test"


def test_a_link_is_an_element_with_its_words_and_its_annotation(
    read_structure: Callable[[bytes], list[tuple[int, str, str]]],
) -> None:
    doc = TaggedPdf(A5, META)
    with doc.tag("Link"):
        draw(doc, "actearly.uk", 300)
        doc.link("https://actearly.uk/", (40, 290, 200, 310), "Open actearly.uk")
    doc.show_page()
    with pikepdf.open(io.BytesIO(doc.finish())) as pdf:
        annotation = pdf.pages[0].Annots[0]
        link = pdf.Root.StructTreeRoot.K.K[0]
        assert pikepdf.Name.Link == link.S and annotation.StructParent == 1
        assert [kid.Type for kid in link.K] == [pikepdf.Name.MCR, pikepdf.Name.OBJR]
        assert link.K[1].Obj.objgen == annotation.objgen and str(annotation.Contents) == "Open actearly.uk"
        assert pdf.Root.StructTreeRoot.ParentTreeNextKey == 2


def test_what_is_drawn_again_is_one_artifact_and_not_in_the_tree(
    read_structure: Callable[[bytes], list[tuple[int, str, str]]],
) -> None:
    doc = TaggedPdf(A5, META)
    with doc.tag("P"):
        draw(doc, "once", 300)
    with doc.repeat():
        with doc.tag("P"):
            draw(doc, "once", 100)
        doc.link("https://actearly.uk/", (40, 90, 200, 110), "left out")
    doc.show_page()
    body = doc.finish()
    assert read_structure(body) == [(0, "Document", ""), (1, "P", "")]
    with pikepdf.open(io.BytesIO(body)) as pdf:
        operators = [str(operator) for _, operator in pikepdf.parse_content_stream(pdf.pages[0])]
        assert operators.count("BDC") == 1 and operators.count("BMC") == 1
        assert "/Annots" not in pdf.pages[0].obj
