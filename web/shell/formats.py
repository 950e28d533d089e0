"""Numbers as the site shows them to people: file sizes beside a download."""

from __future__ import annotations


def file_size(size: int) -> str:
    """A file size as GOV.UK shows it beside a download: 48 KB, 1.2 MB."""
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, round(size / 1000))} KB"
