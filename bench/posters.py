"""Poster and social image generation time: every force, both languages, made afresh (no cache).

    .venv/bin/python -m bench.posters      # writes bench/results/posters.md

Times `web.toolkit.posters.poster_pdf` and `social_png` directly, as the first request for a
file does (`web.toolkit.download` then keeps the bytes). The first PDF also registers the fonts:
it is made once before timing starts.
"""

from __future__ import annotations

import datetime as dt
import platform
import statistics
import time
from pathlib import Path

from web.content.forces import load_forces
from web.toolkit import posters
from web.toolkit.routes import DEFAULT_SITE, POSTER, SOCIAL, campaign_url

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    forces = load_forces(ROOT / "content" / "forces.yaml")
    warm = forces["kent"]
    posters.poster_pdf("en", warm.name, campaign_url(DEFAULT_SITE, POSTER, warm), DEFAULT_SITE)
    posters.social_png("en", warm.name, campaign_url(DEFAULT_SITE, SOCIAL, warm), DEFAULT_SITE)
    times: dict[str, list[float]] = {"PDF": [], "PNG": []}
    sizes: dict[str, list[int]] = {"PDF": [], "PNG": []}
    for force in forces.values():
        for lang in posters.LANGUAGES:
            for label, kind, make in (("PDF", POSTER, posters.poster_pdf), ("PNG", SOCIAL, posters.social_png)):
                started = time.perf_counter()
                body = make(lang, force.name_in(lang), campaign_url(DEFAULT_SITE, kind, force), DEFAULT_SITE)
                times[label].append(time.perf_counter() - started)
                sizes[label].append(len(body))
    count = len(forces) * len(posters.LANGUAGES)
    lines = [
        "# Poster and social image generation",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} {platform.system()},"
        f" Python {platform.python_version()}, by `bench/posters.py`: {len(forces)} forces × "
        f"{len(posters.LANGUAGES)} languages = {count} files of each kind, each made afresh.",
        "",
        "| file | median | slowest | median size | largest |",
        "|---|---:|---:|---:|---:|",
    ]
    for label in ("PDF", "PNG"):
        lines.append(
            f"| {label} | {statistics.median(times[label]) * 1000:.0f} ms | {max(times[label]) * 1000:.0f} ms"
            f" | {statistics.median(sizes[label]) / 1000:.0f} KB | {max(sizes[label]) / 1000:.0f} KB |"
        )
    lines += ["", "Each file is made once per process: `web.toolkit.download` keeps it in an in-memory LRU cache."]
    out = ROOT / "bench" / "results" / "posters.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
