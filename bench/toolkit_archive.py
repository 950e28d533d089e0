"""The whole toolkit archive for one force ("download everything"): cold, cached, and every force's.

    .venv/bin/python -m bench.toolkit_archive             # writes bench/results/toolkit-archive.md
    .venv/bin/python -m bench.toolkit_archive --forces 5  # a quicker run over the first five forces

- First in a new process: a fresh Python imports the site and makes one archive (fonts registered, facts
  and advice read, every file made): what the first reader after a restart waits for.
- Cold: the same in this process with every cache emptied (files, archives, words, QR codes).
- Cached: the same archive asked for again (web.toolkit.archive keeps the last 8).
- Every force: each force's archive in both languages, one after another, caches emptied before each.

No timed assertions anywhere: these are measurements, written down with the machine's load at the time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from web.content.forces import Force, load_forces
from web.toolkit import archive, layout, words

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SITE = "https://actearly.uk"
FIRST = (
    "import time; started = time.perf_counter(); from pathlib import Path; "
    "from web.content.forces import load_forces; from web.toolkit import archive; "
    "force = load_forces(Path('content/forces.yaml'))['{slug}']; "
    "archive.archive(force, '{lang}', 'https://actearly.uk', Path('content')); "
    "print(time.perf_counter() - started)"
)


def empty_caches() -> None:
    archive.asset.cache_clear()
    archive.archive.cache_clear()
    words.load_kit.cache_clear()
    layout.qr_matrix.cache_clear()


def timed(force: Force, lang: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    body = archive.archive(force, lang, SITE, CONTENT)
    return time.perf_counter() - started, body


def first_in_new_process(slug: str, lang: str) -> float:
    code = FIRST.format(slug=slug, lang=lang)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def kinds(body: bytes) -> dict[str, tuple[int, int]]:
    """Count and bytes of each kind of file in the archive."""
    found: dict[str, tuple[int, int]] = {}
    with zipfile.ZipFile(io.BytesIO(body)) as zipped:
        for entry in zipped.infolist():
            kind = entry.filename.rsplit(".", 1)[1].upper()
            count, size = found.get(kind, (0, 0))
            found[kind] = (count + 1, size + entry.file_size)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forces", type=int, default=0, help="only the first N forces (0: every force)")
    args = parser.parse_args()
    forces = load_forces(CONTENT / "forces.yaml")
    chosen = list(forces.values())[: args.forces or None]
    one = forces["greater-manchester"]
    load = os.getloadavg()

    new_process = {lang: first_in_new_process(one.slug, lang) for lang in ("en", "cy")}
    cold: dict[str, float] = {}
    cached: dict[str, float] = {}
    bodies: dict[str, bytes] = {}
    for lang in ("en", "cy"):
        empty_caches()
        cold[lang], bodies[lang] = timed(one, lang)
        cached[lang] = min(timed(one, lang)[0] for _ in range(5))

    every: list[tuple[str, str, float, int]] = []
    started = time.perf_counter()
    for force in chosen:
        for lang in ("en", "cy"):
            empty_caches()
            seconds, body = timed(force, lang)
            every.append((force.slug, lang, seconds, len(body)))
    total = time.perf_counter() - started
    times = [seconds for _, _, seconds, _ in every]
    sizes = [size for _, _, _, size in every]
    slowest = max(every, key=lambda row: row[2])

    lines = [
        "# The toolkit archive: one force's \"download everything\", cold and cached, and every force's",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} {platform.system()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, by `bench/toolkit_archive.py`. "
        f"Load average at the start: {load[0]:.1f} (other work was running on the machine: times are upper bounds).",
        "",
        f"## One force: {one.name}",
        "",
        "| language | first in a new process | cold (caches empty) | cached | archive size | files |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for lang in ("en", "cy"):
        count = sum(count for count, _ in kinds(bodies[lang]).values())
        lines.append(
            f"| {lang} | {new_process[lang]:.2f} s | {cold[lang]:.2f} s | {cached[lang] * 1e6:.1f} µs"
            f" | {len(bodies[lang]) / 1e6:.2f} MB | {count} |"
        )
    lines += ["", "What the English archive holds:", "", "| kind | files | bytes |", "|---|---:|---:|"]
    for kind, (count, size) in sorted(kinds(bodies["en"]).items()):
        lines.append(f"| {kind} | {count} | {size / 1000:.0f} KB |")
    lines += [
        "",
        f"## Every force: {len(chosen)} forces × 2 languages = {len(every)} archives, each from empty caches",
        "",
        "| total | median archive | slowest archive | median size | largest |",
        "|---:|---:|---:|---:|---:|",
        f"| {total:.0f} s | {statistics.median(times):.2f} s | {max(times):.2f} s ({slowest[0]}, {slowest[1]})"
        f" | {statistics.median(sizes) / 1e6:.2f} MB | {max(sizes) / 1e6:.2f} MB |",
        "",
        "The page never waits for an archive: it lists the files without making them (only the A4 poster and",
        "the square image, whose sizes it shows). A download is made in a worker thread, once per process;",
        "`web.toolkit.archive` keeps 512 files and 8 archives in memory (about 24 MB and 12 MB).",
    ]
    out = ROOT / "bench" / "results" / "toolkit-archive.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
