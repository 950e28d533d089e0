"""The security proof suite as a report: the console's access-control matrix and the ASVS checks.

    .venv/bin/python -m bench.security_matrix      # writes bench/results/security-matrix.md

Runs exactly what tests/console/test_access_control.py and tests/test_asvs.py assert (their cases and checks
are imported, not copied), in-process on SQLite, and writes a table of console routes × cases
(allowed or refused) with the number of requests wrongly allowed, and a table of OWASP ASVS 4.0.3
items with pass or fail and what each looked at. Exits 1 when anything was wrongly allowed or a
check failed.
"""

from __future__ import annotations

import datetime as dt
import platform
import tempfile
import time
from collections import Counter
from pathlib import Path

from testing.access_matrix import CASES, Cell, run_matrix
from testing.asvs import CHECKS, AsvsCheck, Finding, Site
from testing.security_world import World
from testing.settings import settings_in

ROOT = Path(__file__).resolve().parent.parent

SHOWN = {"allowed": "allowed", "refused": "refused", "public": "public", "n/a": "—", "error": "**error**"}


def matrix_table(cells: list[Cell]) -> list[str]:
    rows = list(dict.fromkeys(cell.row for cell in cells))
    by_key = {(cell.row, cell.case): cell for cell in cells}
    lines = [
        "| route | " + " | ".join(case.name for case in CASES) + " |",
        "|---|" + "---|" * len(CASES),
    ]
    for row in rows:
        shown = []
        for case in CASES:
            cell = by_key[(row, case.name)]
            text = "**WRONGLY ALLOWED**" if cell.wrongly_allowed else SHOWN[cell.outcome]
            shown.append(text if cell.ok or cell.wrongly_allowed else f"**{cell.outcome}** (expected {cell.expected})")
        lines.append(f"| `{row}` | " + " | ".join(shown) + " |")
    return lines


def matrix_summary(cells: list[Cell], seconds: float) -> list[str]:
    rows = len({cell.row for cell in cells})
    unserved = len({cell.row for cell in cells if cell.expected == "refused" and cell.case == "control"})
    tried = [cell for cell in cells if cell.expected != "n/a"]
    expected = Counter(cell.expected for cell in tried)
    wrong = [cell for cell in cells if cell.wrongly_allowed]
    other = [cell for cell in cells if not cell.ok and not cell.wrongly_allowed]
    lines = [
        f"**{rows} routes × {len(CASES)} cases = {len(cells)} cells** ({rows - unserved} routes as the console"
        f" serves them, and GET on the {unserved} paths served only by POST): {len(tried)} tried"
        f" ({expected['refused']} must be refused, {expected['allowed']} controls must be allowed,"
        f" {expected['public']} public), {len(cells) - len(tried)} not applicable"
        " (a GET sends no CSRF token; a route every role may use has no wrong role; public routes"
        f" are tried signed out only). Time: {seconds:.1f} s.",
        "",
        f"**Wrongly allowed: {len(wrong)}.** Other cells not as expected (errors, controls refused): {len(other)}.",
    ]
    lines += [f"- `{cell.row}` / {cell.case}: {cell.detail}" for cell in wrong + other]
    return lines


def case_legend() -> list[str]:
    lines = ["| case | ASVS 4.0.3 | what is tried |", "|---|---|---|"]
    lines += [f"| {case.name} | {case.asvs} | {case.what} |" for case in CASES]
    return lines


def run_check(check: AsvsCheck, site: Site) -> Finding:
    try:
        return check.run(site)
    except Exception as error:  # noqa: BLE001 - a check that crashes is a failed check, reported as such
        return Finding(0, (f"the check itself failed: {type(error).__name__}: {error}",))


def asvs_table(results: list[tuple[AsvsCheck, Finding]]) -> list[str]:
    lines = ["| ASVS 4.0.3 | check | result | what is checked | looked at |", "|---|---|---|---|---|"]
    for check, finding in results:
        passed = finding.checked > 0 and not finding.problems
        result = "pass" if passed else "**FAIL**"
        lines.append(f"| {check.item} | `{check.id}` | {result} | {check.what} | {finding.checked} |")
    return lines


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with World(settings_in(Path(tmp) / "matrix")) as world:
            cells = run_matrix(world)
        matrix_seconds = time.perf_counter() - started
        started = time.perf_counter()
        site = Site(Path(tmp) / "asvs")
        try:
            results = [(check, run_check(check, site)) for check in CHECKS]
        finally:
            site.close()
        asvs_seconds = time.perf_counter() - started
    failed = [(check, finding) for check, finding in results if finding.problems or finding.checked == 0]
    passed = len(results) - len(failed)
    items = sorted(
        {check.item for check, _ in results},
        key=lambda item: [int(n) if n.isdigit() else 0 for n in item[1:].split(".")],
    )
    failing_items = sorted({check.item for check, _ in failed})
    lines = [
        "# Security matrix: console access control and OWASP ASVS 4.0.3 level 2",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} {platform.system()},"
        f" Python {platform.python_version()}, by `bench/security_matrix.py`: the cases of"
        " `tests/console/test_access_control.py` and the checks of `tests/test_asvs.py`, in-process on SQLite.",
        "",
        "## Console access control: routes × cases",
        "",
        '"Allowed": the response shows protected content (2xx, a redirect anywhere but /sign-in, the concern\'s'
        " answers or an account name) or something changed (the concern, an account, the live sessions)."
        ' "Refused": a redirect to /sign-in, 401, 403, 404 or 405, with nothing changed. Each attempt brings a'
        " real CSRF token where the form needs one. The control (the right role, a session just inside both"
        " time limits) must be allowed; a method a path does not serve (GET /sign-out) must be refused even then.",
        "",
        *matrix_summary(cells, matrix_seconds),
        "",
        *matrix_table(cells),
        "",
        *case_legend(),
        "",
        "## OWASP ASVS 4.0.3 items",
        "",
        f"**{len(results)} checks: {passed} pass, {len(failed)} fail**. {len(items)} ASVS items:"
        f" {len(items) - len(failing_items)} pass every check, {len(failing_items)} have a failing check"
        f" ({', '.join(failing_items) or 'none'}). Time: {asvs_seconds:.1f} s.",
        "",
        *asvs_table(results),
    ]
    for check, finding in failed:
        lines += ["", f"`{check.id}`:", *[f"- {problem}" for problem in finding.problems[:20]]]
    out = ROOT / "bench" / "results" / "security-matrix.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    wrongly_allowed = sum(cell.wrongly_allowed for cell in cells)
    raise SystemExit(1 if wrongly_allowed or failed or any(not cell.ok for cell in cells) else 0)


if __name__ == "__main__":
    main()
