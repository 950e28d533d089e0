"""The QA audit: `python -m audit BASE_URL` checks any deployed copy in Chromium; the one axe helper.

Crawls BASE_URL/sitemap.xml and runs the browser checks the test suite runs (axe in six conditions,
reflow, text spacing, target size, keyboard focus, contrast) on every page, printing a line a page.
Writes report.html (each failure with its success criterion, element, screenshot and fix),
report.json and junit.xml to --out, even when the audit stops early. Exit status: 0 when nothing
failed, 1 when something failed or a page could not be checked, 2 when the audit could not run.
Needs the test dependencies (requirements-test.lock) and Chromium (/usr/bin/chromium, or CHROMIUM).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m audit", description="Audit a deployed copy of the site for accessibility, in Chromium."
    )
    parser.add_argument("base_url", metavar="BASE_URL", help="the site's address, e.g. https://staging.example.org")
    parser.add_argument("--out", type=Path, default=Path("audit-report"), help="folder for the reports (audit-report)")
    parser.add_argument("--timeout", type=float, default=30, metavar="S", help="seconds to wait for a page (30)")
    parser.add_argument("--max-pages", type=int, default=0, metavar="N", help="check only the first N pages")
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.max_pages < 0:
        parser.error("--timeout must be positive and --max-pages at least 0")
    try:
        from audit.report import write_reports
        from audit.runner import run_audit
    except ImportError as error:  # playwright and axe-playwright-python are test dependencies
        print(
            f"error: the audit needs the test dependencies ({error}): pip install -r requirements-test.lock",
            file=sys.stderr,
        )
        return 2
    audit = run_audit(args.base_url, timeout=args.timeout, max_pages=args.max_pages, progress=_say)
    paths = write_reports(audit, args.out)
    for problem in audit.errors:
        print(f"error: {problem}", file=sys.stderr)
    failures = sum(len(page.failures) for page in audit.pages)
    unchecked = sum(1 for page in audit.pages if page.error)
    print(f"{len(audit.pages)} pages checked, {failures} failures, {unchecked} pages could not be checked.")
    print("Reports: " + ", ".join(str(path) for path in paths))
    if audit.passed:
        return 0
    return 2 if audit.errors and not audit.pages else 1


def _say(line: str) -> None:
    print(line, flush=True)
