"""The audit command for QA (`python -m audit BASE_URL`): reports, exit status, clear failures.

The command runs as QA runs it, in its own process (`python -m audit`, which `python -m web
audit` calls): against the live test server (everything passes: exit 0, three reports), against a
small site with known barriers (a11y_tests/broken_site.py: exit 1, and the reports name each
criterion), and against sites it cannot audit (exit 2, a clear message, and the reports all the same).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from a11y_tests.broken_site import broken_site
from audit import axe as audit_axe
from testing.live_server import ROOT, free_port

REPORTS = ["junit.xml", "report.html", "report.json"]


def audit(*args: str, module: str = "audit") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", *module.split(), *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def failed_criteria(report: dict[str, Any]) -> set[str]:
    return {
        finding["criterion"]["number"]
        for page in report["pages"]
        for check in page["checks"]
        for finding in check["findings"]
        if finding["severity"] == "fail"
    }


@pytest.fixture(scope="module")
def live_audit(
    base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The audit of the live test server's first two sitemap pages, run once for the tests below."""
    out = tmp_path_factory.mktemp("audit")
    return audit(base_url, "--out", str(out), "--max-pages", "2", "--timeout", "30"), out


def test_audit_of_the_live_site_writes_three_reports_and_a_line_a_page(
    live_audit: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    done, out = live_audit
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert sorted(p.name for p in out.iterdir()) == REPORTS
    progress = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert [line.split()[0] for line in progress] == ["[1/2]", "[2/2]"], done.stdout
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["pages_checked"] == 2 and not report["errors"]
    checked = {(c["check"], c["condition"]) for c in report["pages"][0]["checks"]}
    assert {("axe", "no-javascript"), ("reflow", "zoom-400"), ("focus-visible", "desktop-1280")} <= checked
    assert not [c for page in report["pages"] for c in page["checks"] if c["error"]], "every check ran"
    suite = ElementTree.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite is not None and int(suite.get("tests", 0)) > 20 and suite.get("errors") == "0"


def test_audit_of_the_live_site_passes(live_audit: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, out = live_audit
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((out / "report.json").read_text())["passed"]
    suite = ElementTree.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    assert "Passed: nothing to fix." in (out / "report.html").read_text()


def test_audit_of_a_broken_site_fails_and_names_each_criterion(tmp_path: Path) -> None:
    with broken_site() as base:
        done = audit(base, "--out", str(tmp_path), "--timeout", "3")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    planted = {"1.1.1", "1.4.3", "1.4.6", "1.4.10", "1.4.11", "1.4.12", "2.1.2", "2.4.3", "2.4.7", "2.4.11", "2.5.8"}
    assert planted <= failed_criteria(report), f"not found: {planted - failed_criteria(report)}"
    # The page that answers too slowly is reported, and the audit carries on past it.
    slow = next(page for page in report["pages"] if page["url"].endswith("/slow"))
    assert slow["error"] == "did not load within 3 s (desktop-1280)"
    assert "[2/2] /slow  ERROR: did not load within 3 s" in done.stdout
    html = (tmp_path / "report.html").read_text()
    assert "1.1.1 Non-text Content (A)" in html and "1.4.10 Reflow (AA)" in html
    assert 'src="data:image/png;base64,' in html, "failures come with a screenshot of the element"
    suite = ElementTree.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None and int(suite.get("failures", 0)) > 5 and suite.get("errors") == "1"


def test_audit_of_an_unreachable_site_says_so_and_still_writes_its_reports(tmp_path: Path) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}"
    done = audit(unreachable, "--out", str(tmp_path), "--timeout", "5")
    assert done.returncode == 2
    assert f"error: cannot reach {unreachable}" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == REPORTS
    report = json.loads((tmp_path / "report.json").read_text())
    assert not report["passed"] and report["errors"] and report["pages"] == []


def test_audit_of_a_site_without_a_sitemap_says_so(tmp_path: Path) -> None:
    with broken_site(sitemap=False) as base:
        done = audit(base, "--out", str(tmp_path))
    assert done.returncode == 2
    assert "sitemap.xml answered 404 Not Found" in done.stderr
    assert json.loads((tmp_path / "report.json").read_text())["errors"]


def test_axe_runs_every_rule_of_wcag_2_2_a_and_aa_and_best_practice() -> None:
    """The one axe helper (the audit's and the tests'): the explicit tag list, and no rule disabled."""
    assert audit_axe.WCAG_TAGS == ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
    assert audit_axe.OPTIONS["runOnly"] == {"type": "tag", "values": audit_axe.WCAG_TAGS}
    assert audit_axe.DISABLED_RULES == {}


def test_audit_is_a_command_of_its_own(tmp_path: Path) -> None:
    """`python -m audit` (and `make audit URL=…`): QA needs neither the site's settings nor its database."""
    done = audit("--help")
    assert done.returncode == 0 and "BASE_URL" in done.stdout, done.stderr
