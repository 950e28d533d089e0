"""A shared device after "Exit this page": what Chromium's profile still holds of a concern, in figures.

    .venv/bin/python -m bench.shared_device      # writes bench/results/shared-device.md

The scenario and the inspection are testing/shared_device.py's, as in a11y_tests/test_shared_device.py:
read advice, save it for offline, search (live results), ask for a call back, share a concern with a unique
marker in every free-text answer and search phrase, leave (exit button, Shift ×3, the button without
JavaScript, from "Check your answers", while a saved page's network answer is late, or not at all), press
Back, close the browser, search every file of the profile, read History and Web Data, and ask a relaunched
browser what the site still has. Chromium runs with its back/forward cache on. Here every finding is
written down, not only judged.
"""

from __future__ import annotations

import datetime as dt
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from playwright.sync_api import sync_playwright

from audit.browser import chromium_path
from testing.live_server import live_server, neutral_site
from testing.shared_device import VARIANTS, Hit, Visit, run
from testing.slow_proxy import slow_proxy

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "bench" / "results" / "shared-device.md"


def chromium_version() -> str:
    output = subprocess.run([chromium_path(), "--version"], capture_output=True, text=True, check=False).stdout
    return output.strip().splitlines()[-1] if output.strip() else "Chromium"


def where(hits: list[Hit]) -> str:
    """Occurrences per file, without the markers themselves."""
    per_file: Counter[str] = Counter()
    for hit in hits:
        per_file[hit.file] += hit.count
    return ", ".join(f"`{file}` {count}" for file, count in sorted(per_file.items())) or "none"


def grouped(mentions: dict[str, int]) -> str:
    """Files that name the site, grouped by folder and name pattern (hashed names stand as *)."""
    files: Counter[str] = Counter()
    times: Counter[str] = Counter()
    for file, count in mentions.items():
        pattern = re.sub(r"[0-9a-f-]{8,}(_\d)?", "*", file)
        files[pattern] += 1
        times[pattern] += count
    return (
        ", ".join(
            f"`{pattern}` ({files[pattern]} {'file' if files[pattern] == 1 else 'files'}, ×{times[pattern]})"
            for pattern in sorted(files)
        )
        or "none"
    )


def listed(items: list[str]) -> str:
    return ", ".join(f"`{item}`" for item in items) or "none"


def describe(visit: Visit) -> list[str]:
    scan, after, before = visit.scan, visit.after, visit.before_exit
    assert scan is not None and after is not None
    answers, references = scan.occurrences(visit.answers), scan.occurrences(visit.references)
    superseded = [hit for hit in scan.superseded if hit.marker in visit.answers]

    def path_of(url: str) -> str:
        path = "/" + url.split("/", 3)[-1]
        for reference in visit.references:
            path = path.replace(reference, "<reference>")
        return path

    history = "; ".join(f"`{path_of(entry.url)}` “{entry.title}” ×{entry.visits}" for entry in scan.history)
    had = (
        f"workers {listed(before.registrations)}, caches {listed(before.caches)}"
        if before
        else "not asked (no JavaScript)"
    )
    return [
        f"### {visit.variant}",
        "",
        f"- profile: {scan.files} files, {scan.bytes:,} bytes, searched for {len(visit.answers)} answers"
        f" and {len(visit.references)} reference numbers; run {visit.seconds:.1f} s",
        f"- **answers found: {sum(hit.count for hit in answers)}** ({where(answers)})",
        f"- answers in session-log commands a later one replaced (no restore uses them):"
        f" {sum(hit.count for hit in superseded)} ({where(superseded)})",
        f"- reference numbers found: {sum(hit.count for hit in references)} ({where(references)})",
        f"- Back after leaving: {back_summary(visit)}",
        f"- History, the site's addresses: {history or 'none'}",
        f"- HTTP disk cache, the site's addresses: {listed(scan.disk_cache)}",
        f"- code cache, the site's scripts: {listed(scan.code_cache)}",
        f"- Web Data: {scan.autofill_rows} autofill entries, {scan.autofill_profiles} address profiles",
        f"- before leaving, the site had: {had}",
        f"- after, in the relaunched browser: workers {listed(after.registrations)}, caches {listed(after.caches)},"
        f" localStorage {listed(after.local_storage)}, IndexedDB {listed(after.indexed_db)}",
        f"- on disk: {len(scan.worker_files)} worker files (Cache Storage, scripts),"
        f" {len(scan.site_stores)} store files of the site (HTTP cache, Local/Session Storage, IndexedDB…),"
        f" {len(scan.quota_buckets)} storage bucket records (QuotaManager: no data)",
        f"- files that name the site at all (its address, for any reason): {grouped(scan.mentions)}",
        f"- not searchable: {len(scan.encrypted)} encrypted files ({listed(scan.encrypted)}),"
        f" {len(scan.compressed)} compressed LevelDB tables",
        "",
    ]


def back_summary(visit: Visit) -> str:
    back = visit.back
    if back is None:
        return "not pressed"
    secrets = [*visit.answers, *visit.references]
    shown = sum(secret.lower() in back.shown.lower() for secret in secrets)
    went = " → ".join(
        "/" + address.split("/", 3)[-1] if "127.0.0.1" in address else "neutral site" for address in back.addresses
    )
    return (
        f"went {went or 'nowhere'}{f' ({back.refused})' if back.refused else ''}; answers or references shown: {shown}"
    )


def back_shown(visit: Visit) -> int:
    back = visit.back
    return sum(s.lower() in back.shown.lower() for s in [*visit.answers, *visit.references]) if back else 0


def summary(visit: Visit) -> str:
    """One row of the table: what is left, in counts."""
    scan, after = visit.scan, visit.after
    assert scan is not None and after is not None
    answers = sum(hit.count for hit in scan.occurrences(visit.answers))
    superseded = sum(hit.count for hit in scan.superseded if hit.marker in visit.answers)
    references = sum(hit.count for hit in scan.occurrences(visit.references))
    form_pages = [entry for entry in scan.history if "/share-a-concern" in entry.url]
    return (
        f"| {visit.variant} | {scan.files} | {scan.bytes:,} | **{answers}** | {superseded} | {references} |"
        f" {len(form_pages)} | {back_shown(visit)} | {len(after.registrations)} / {len(after.caches)} |"
        f" {len(scan.disk_cache)} |"
        f" {scan.autofill_rows} | {visit.seconds:.1f} |"
    )


def main() -> None:
    started = time.monotonic()
    visits: list[Visit] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        neutral_site() as exit_url,
        live_server(Path(tmp) / "site", EXIT_URL=exit_url, SUBMISSIONS_PER_HOUR="100") as base,
        sync_playwright() as p,
    ):
        for variant in VARIANTS:
            with slow_proxy(base) as proxy:
                visits.append(run(p, base, exit_url, Path(tmp) / variant, variant, proxy=proxy))
            print(f"{variant}: {visits[-1].seconds:.1f} s", file=sys.stderr)
    fields = visits[0].fields
    lines = [
        "# A shared device after “Exit this page” (Chromium profile on disk)",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `bench/shared_device.py` on {platform.machine()}"
        f" {platform.system()}, Python {platform.python_version()}; {chromium_version()},"
        " headless, persistent profile, back/forward cache on.",
        "Each run: three advice pages read, all advice saved for offline, a search typed with live results, a call"
        " back asked for, a concern shared to its reference number, then the exit as named, then Back"
        " (`from-check-page`: Exit before Send; `slow-network`: Exit while a saved page's network answer is 6 s"
        " late, no form; `no-exit`: no Exit, Back from an advice page to the confirmation, the control). Every"
        " free-text answer and search phrase carries a unique marker, searched in every file as UTF-8, UTF-16-LE,"
        " form- and percent-encoded, and phone numbers without spaces. Checked by"
        " `a11y_tests/test_shared_device.py`.",
        "",
        f"Text fields seen: {len(fields)}, autocomplete: "
        + ", ".join(f"{value} ×{count}" for value, count in Counter(str(f.autocomplete) for f in fields).items())
        + "; their forms: "
        + ", ".join(f"{value} ×{count}" for value, count in Counter(str(f.form_autocomplete) for f in fields).items())
        + ".",
        "",
        "| exit | files | bytes | answers found | in replaced log commands | reference numbers found |"
        " History: form pages | shown by Back | after: workers / caches | disk cache: site addresses |"
        " autofill entries | s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[summary(visit) for visit in visits],
        "",
        "Answers: occurrences of any answer in any file (in a session log, in the commands a restore uses)."
        " `/robots.txt` in History is the inspection's own visit: it asks the site what it stores from a page"
        " that runs no script.",
        "",
        *[line for visit in visits for line in describe(visit)],
        f"Run time {time.monotonic() - started:.0f} s.",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print(RESULTS)


if __name__ == "__main__":
    main()
