"""Content files written by a test, to check what the content check and the loader make of them."""

from __future__ import annotations

from pathlib import Path

VALID_FRONT_MATTER = """
title: A page
summary: What the page is for.
lang: en
reviewed: 2026-11-25
review_due: 2099-05-25
sources:
  - title: ACT Early
    url: https://actearly.uk/contact
"""


def write_page(directory: Path, lang: str, slug: str, front_matter: str, body: str = "## Heading\n\nText.\n") -> Path:
    folder = directory / lang
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.md"
    path.write_text(f"---\n{front_matter.strip()}\n---\n{body}", encoding="utf-8")
    return path


FACTS = """
sources:
  actearly-contact:
    title: "ACT Early: Share a concern"
    url: https://actearly.uk/contact/
phones:
  emergency:
    number: "999"
    source: actearly-contact
text:
  support_line_hours:
    source: actearly-contact
    en: "9am to 5pm, every day"
"""


def write_facts(directory: Path, text: str = FACTS) -> Path:
    """A small facts file (content/facts.yaml) for a test's own content folder."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "facts.yaml"
    path.write_text(text.lstrip(), encoding="utf-8")
    return path
