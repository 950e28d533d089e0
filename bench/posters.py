"""Generation time and size of each kind of toolkit file: every force, both languages, each made afresh.

    .venv/bin/python -m bench.posters             # writes bench/results/posters.md
    .venv/bin/python -m bench.posters --forces 5  # a quicker run over the first five forces

Times each file's maker directly (`Asset.make` in web.toolkit.archive), as the first request for a file does
(`web.toolkit.archive.asset` then keeps the bytes). Fonts, words and QR codes are made once before timing
starts; bench/toolkit_archive.py measures the whole archive, cold and cached.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time
from pathlib import Path

from web.content.forces import load_forces
from web.toolkit import archive

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SITE = "https://actearly.uk"


def kind_of(name: str) -> str:
    """poster A4, poster A3, image square … leaflet, table card, document."""
    stem, extension = name.rsplit(".", 1)
    if stem.startswith("poster-"):
        return f"poster {stem.rsplit('-', 1)[1].upper()} (PDF)"
    if stem.startswith("social-"):
        return f"image {stem.rsplit('-', 1)[1]} (PNG)"
    if extension == "docx":
        return "document (DOCX)"
    return f"{stem.replace('-', ' ')} ({extension.upper()})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forces", type=int, default=0, help="only the first N forces (0: every force)")
    args = parser.parse_args()
    forces = list(load_forces(CONTENT / "forces.yaml").values())[: args.forces or None]
    for item in archive.catalogue(forces[0], "en", SITE, CONTENT):  # warm: fonts, words, QR codes
        item.make()
    load = os.getloadavg()
    times: dict[str, list[float]] = {}
    sizes: dict[str, list[int]] = {}
    for force in forces:
        for lang in archive.LANGUAGES:
            for item in archive.catalogue(force, lang, SITE, CONTENT):
                started = time.perf_counter()
                body = item.make()
                times.setdefault(kind_of(item.name), []).append(time.perf_counter() - started)
                sizes.setdefault(kind_of(item.name), []).append(len(body))
    count = len(forces) * len(archive.LANGUAGES)
    lines = [
        "# Toolkit file generation",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} {platform.system()},"
        f" {os.cpu_count()} cores, Python {platform.python_version()}, by `bench/posters.py`: {len(forces)} forces × "
        f"{len(archive.LANGUAGES)} languages = {count} of each file, each made afresh. Load average at the start: "
        f"{load[0]:.1f} (other work was running on the machine: times are upper bounds).",
        "",
        "| file | files | median | slowest | median size | largest |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in sorted(times):
        lines.append(
            f"| {kind} | {len(times[kind])} | {statistics.median(times[kind]) * 1000:.0f} ms"
            f" | {max(times[kind]) * 1000:.0f} ms | {statistics.median(sizes[kind]) / 1000:.0f} KB"
            f" | {max(sizes[kind]) / 1000:.0f} KB |"
        )
    lines += ["", "Each file is made once per process: `web.toolkit.archive.asset` keeps it in an in-memory LRU cache."]
    out = ROOT / "bench" / "results" / "posters.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
