"""Chromium for the audit (Debian's, as in the tests), and running the measuring scripts in a page."""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

SCRIPTS = Path(__file__).with_name("scripts")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


class BrowserMissing(RuntimeError):
    pass


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not shutil.which(path):
        raise BrowserMissing(f"Chromium is not at {path}: install Debian's chromium package or set CHROMIUM")
    return path


@cache
def script(*names: str) -> str:
    """A function expression of the shared helpers and the named scripts, for page.evaluate."""
    parts = [(SCRIPTS / f"{name}.js").read_text(encoding="utf-8") for name in ("common", *names)]
    return "(arg) => {\n" + "\n".join(parts) + "\n}"


def measure(page: Page, *names: str, arg: object = None) -> Any:
    """Run the named scripts in the page (the last one returns) and give back what they return."""
    return page.evaluate(script(*names), arg)
