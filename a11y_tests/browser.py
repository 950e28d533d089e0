"""Debian's Chromium, driven by Playwright (Playwright's own browser download does not work here)."""

from __future__ import annotations

import os
import shutil

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


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not shutil.which(path):
        raise RuntimeError(f"Chromium is not at {path}: run `make test`, which installs it, or set CHROMIUM")
    return path


def launch_options() -> dict[str, object]:
    return {"executable_path": chromium_path(), "args": CHROMIUM_ARGS}
