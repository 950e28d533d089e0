"""Tagged PDF: reportlab draws, pikepdf writes the structure (docs/adr/0017-tagged-documents.md).

reportlab's open-source canvas draws the page but writes no structure tree. While it draws, `TaggedPdf`
wraps each piece of text or figure in a marked-content sequence (`/P <</MCID 3>> BDC … EMC`, through the
canvas's public `addLiteral`) and keeps the structure it belongs to (Document › Sect › H1, P, L › LI,
Figure with its alt text, Link); decoration is marked `/Artifact`. When the drawing is done, pikepdf
opens the file and writes the structure tree, the parent tree, `/MarkInfo`, `/Lang`, each page's tab
order, the links' `/StructParent` and `/Contents`, and XMP metadata with the title and language.

Reading order is the tree's order, not the drawing's: a group made with `order=` is placed by that key,
so a folded leaflet reads cover, inside, back, whatever order its panels are printed in.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from reportlab.pdfgen.canvas import Canvas

from web.toolkit.fonts import BOLD_NAME, REGULAR_NAME, register_pdf_fonts


@dataclass(frozen=True)
class Marked:
    page: int
    mcid: int


@dataclass(frozen=True)
class LinkAnnotation:
    page: int
    index: int  # its place among the page's annotations
    description: str


@dataclass
class Node:
    role: str
    alt: str | None = None
    order: float = 0
    children: list[Node | Marked | LinkAnnotation] = field(default_factory=list)


@dataclass(frozen=True)
class Metadata:
    title: str
    lang: str
    author: str
    subject: str
    keywords: str = "ACT Early, Prevent, Counter Terrorism Policing"


class TaggedPdf:
    """A reportlab canvas that records the structure of what it draws."""

    def __init__(self, pagesize: tuple[float, float], metadata: Metadata) -> None:
        register_pdf_fonts()
        self.metadata = metadata
        self.buffer = io.BytesIO()
        self.canvas = Canvas(  # DejaVu from the start, so the file names no font it does not embed
            self.buffer,
            pagesize=pagesize,
            invariant=True,
            lang=metadata.lang,
            pageCompression=1,
            initialFontName=REGULAR_NAME,  # type: ignore[arg-type]
        )
        self.canvas.setTitle(metadata.title)
        self.canvas.setAuthor(metadata.author)
        self.canvas.setSubject(metadata.subject)
        self.canvas.setKeywords(metadata.keywords)
        self.canvas.setCreator("ACT Early web")
        self.canvas.setViewerPreference("DisplayDocTitle", "true")
        self.root = Node("Document")
        self._open: list[Node] = [self.root]
        self._page, self._mcid, self._annotations = 0, 0, 0
        self._repeating = False

    # Structure -----------------------------------------------------------------------------------------------

    @contextmanager
    def repeat(self) -> Iterator[None]:
        """Draw again what was drawn and tagged once (the other face of a table card): one artifact, and
        inside it every tag, artifact and link is left out, so a screen reader reads it once."""
        with self.artifact():
            self._repeating = True
            try:
                yield
            finally:
                self._repeating = False

    @contextmanager
    def group(self, role: str, *, order: float | None = None, alt: str | None = None) -> Iterator[Node]:
        """A structure element with no content of its own (Sect, L, LI): what is tagged inside is its."""
        if self._repeating:
            yield Node(role)
            return
        parent = self._open[-1]
        node = Node(role, alt, order if order is not None else len(parent.children))
        parent.children.append(node)
        self._open.append(node)
        try:
            yield node
        finally:
            self._open.pop()

    @contextmanager
    def tag(self, role: str, *, alt: str | None = None) -> Iterator[None]:
        """A structure element whose content is what is drawn inside (P, H1, Figure, Lbl, LBody)."""
        if self._repeating:
            yield
            return
        with self.group(role, alt=alt) as node:
            node.children.append(Marked(self._page, self._mcid))
            self.canvas.addLiteral(f"/{role} <</MCID {self._mcid}>> BDC")
            self._mcid += 1
            try:
                yield
            finally:
                self.canvas.addLiteral("EMC")

    @contextmanager
    def artifact(self) -> Iterator[None]:
        """Decoration, or print furniture (a fold line): not read out."""
        if self._repeating:
            yield
            return
        self.canvas.addLiteral("/Artifact BMC")
        try:
            yield
        finally:
            self.canvas.addLiteral("EMC")

    def link(self, url: str, rect: tuple[float, float, float, float], description: str) -> None:
        """A link over `rect`, part of the innermost open element (make that a `Link` group)."""
        if self._repeating:
            return
        self.canvas.linkURL(url, rect, relative=0, thickness=0)
        self._open[-1].children.append(LinkAnnotation(self._page, self._annotations, description))
        self._annotations += 1

    def show_page(self) -> None:
        self.canvas.showPage()
        self._page, self._mcid, self._annotations = self._page + 1, 0, 0

    # Writing -------------------------------------------------------------------------------------------------

    def finish(self) -> bytes:
        """Save the drawing, then add the structure tree and metadata with pikepdf."""
        self.canvas.save()
        with pikepdf.open(io.BytesIO(self.buffer.getvalue())) as pdf:
            _StructureWriter(pdf, self.metadata).write(self.root)
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()


class _StructureWriter:
    def __init__(self, pdf: pikepdf.Pdf, metadata: Metadata) -> None:
        self.pdf, self.metadata = pdf, metadata
        self.by_mcid: dict[int, dict[int, pikepdf.Object]] = {index: {} for index in range(len(pdf.pages))}
        self.annotations: list[tuple[pikepdf.Object, pikepdf.Object]] = []  # (annotation, its Link element)

    def write(self, root: Node) -> None:
        pdf = self.pdf
        tree_root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        tree_root.K = self._element(root, tree_root)
        nums: list[Any] = []  # the parent tree: page keys then link keys, in order
        for index, page in enumerate(pdf.pages):
            page.obj.StructParents = index
            page.obj.Tabs = Name.S  # tab through links in structure order
            marked = self.by_mcid[index]
            nums += [index, Array([marked[mcid] for mcid in sorted(marked)])]
        key = len(pdf.pages)
        for annotation, element in self.annotations:
            annotation.StructParent = key
            nums += [key, element]
            key += 1
        tree_root.ParentTree = Dictionary(Nums=Array(nums))
        tree_root.ParentTreeNextKey = key
        pdf.Root.StructTreeRoot = tree_root
        pdf.Root.MarkInfo = Dictionary(Marked=True)
        pdf.Root.Lang = String(self.metadata.lang)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:title"] = self.metadata.title
            xmp["dc:creator"] = [self.metadata.author]
            xmp["dc:description"] = self.metadata.subject
            xmp["dc:language"] = {self.metadata.lang}
            xmp["pdf:Keywords"] = self.metadata.keywords

    def _element(self, node: Node, parent: pikepdf.Object) -> pikepdf.Object:
        pdf = self.pdf
        element = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + node.role), P=parent))
        if node.alt is not None:
            element.Alt = String(node.alt)
        kids = Array()
        first_page: int | None = None
        for child in sorted(node.children, key=lambda child: child.order if isinstance(child, Node) else 0):
            if isinstance(child, Node):
                kids.append(self._element(child, element))
            elif isinstance(child, Marked):
                page = pdf.pages[child.page].obj
                kids.append(Dictionary(Type=Name.MCR, Pg=page, MCID=child.mcid))
                self.by_mcid[child.page][child.mcid] = element
                first_page = child.page if first_page is None else first_page
            else:
                page = pdf.pages[child.page].obj
                annotation = page.Annots[child.index]
                annotation.Contents = String(child.description)
                kids.append(Dictionary(Type=Name.OBJR, Obj=annotation, Pg=page))
                self.annotations.append((annotation, element))
        if first_page is not None:
            element.Pg = pdf.pages[first_page].obj
        element.K = kids
        return element


# Drawing text ----------------------------------------------------------------------------------------------------


def font_name(bold: bool) -> str:
    return BOLD_NAME if bold else REGULAR_NAME
