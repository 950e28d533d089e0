"""Fixtures for the toolkit's tests: the app with the toolkit's file route, and readers of what it makes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pikepdf
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from web.app import create_app
from web.settings import Settings
from web.toolkit import routes as toolkit

Structure = list[tuple[int, str, str]]  # (depth, role, alt text) in reading order


@pytest.fixture
def app(settings: Settings) -> Starlette:
    """The site, with the toolkit's file route; web/app.py adds the same line (issue 18), and then this adds nothing."""
    made = create_app(settings)
    if not any(getattr(route, "name", None) == "toolkit_file" for route in made.routes):
        made.router.routes.append(Route(toolkit.FILE_ROUTE, toolkit.toolkit_file, name="toolkit_file"))
    return made


def _walk(element: pikepdf.Object, depth: int, found: Structure) -> None:
    found.append((depth, str(element.S)[1:], str(element.get("/Alt", ""))))
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.StructElem:
            _walk(kid, depth + 1, found)


@pytest.fixture(scope="session")
def read_structure() -> Callable[[bytes], Structure]:
    """The PDF's structure tree, read back with pikepdf: (depth, role, alt) in reading order."""

    def read(body: bytes) -> Structure:
        with pikepdf.open(io.BytesIO(body)) as pdf:
            found: Structure = []
            _walk(pdf.Root.StructTreeRoot.K, 0, found)
            return found

    return read


@pytest.fixture(scope="session")
def unzip() -> Callable[[bytes], dict[str, bytes]]:
    def read(body: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    return read
