"""The audit's three reports: report.html for people, report.json for tools, junit.xml for CI."""

from __future__ import annotations

import base64
import json
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from audit.results import CheckResult, Finding
from audit.runner import Audit, PageReport


def write_reports(audit: Audit, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.html", out / "report.json", out / "junit.xml"]
    paths[0].write_text(html_report(audit), encoding="utf-8")
    paths[1].write_text(json.dumps(json_report(audit), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[2].write_bytes(junit_report(audit))
    return paths


def _finding(finding: Finding, result: CheckResult) -> dict[str, Any]:
    c = finding.criterion
    return {
        "criterion": {"number": c.number, "name": c.name, "level": c.level, "url": c.url},
        "check": result.check,
        "condition": result.condition,
        "severity": finding.severity,
        "message": finding.message,
        "selector": finding.selector,
        "box": finding.box,
        "fix": finding.fix,
    }


def json_report(audit: Audit) -> dict[str, Any]:
    failures = [f for page in audit.pages for f in page.failures]
    return {
        "base_url": audit.base_url,
        "started": audit.started.isoformat(),
        "finished": audit.finished.isoformat() if audit.finished else None,
        "passed": audit.passed,
        "errors": audit.errors,
        "summary": {
            "pages_planned": audit.planned,
            "pages_checked": len(audit.pages),
            "failures": len(failures),
            "by_criterion": dict(Counter(f.criterion.label for f in failures).most_common()),
        },
        "pages": [
            {
                "url": page.url,
                "passed": page.passed,
                "error": page.error,
                "seconds": round(page.seconds, 2),
                "checks": [
                    {
                        "check": r.check,
                        "condition": r.condition,
                        "criteria": [c.label for c in r.criteria],
                        "passed": r.passed,
                        "error": r.error,
                        "stats": r.stats,
                        "findings": [_finding(f, r) for f in r.findings],
                    }
                    for r in page.results
                ],
            }
            for page in audit.pages
        ],
    }


def junit_report(audit: Audit) -> bytes:
    """One test case per page and check (and one per problem that stopped the audit)."""
    suite = ElementTree.Element("testsuite", name=f"accessibility audit of {audit.base_url}")
    counts = Counter[str]()
    if audit.finished:
        suite.set("time", f"{(audit.finished - audit.started).total_seconds():.2f}")
    for error in audit.errors:
        case = ElementTree.SubElement(suite, "testcase", classname="audit", name="crawl the sitemap")
        ElementTree.SubElement(case, "error", message=error).text = error
        counts["errors"] += 1
    for page in audit.pages:
        if page.error:
            case = ElementTree.SubElement(suite, "testcase", classname=page.path, name="load the page")
            ElementTree.SubElement(case, "error", message=page.error).text = f"{page.url}: {page.error}"
            counts["errors"] += 1
        for result in page.results:
            name = f"{result.check} ({result.condition})"
            case = ElementTree.SubElement(suite, "testcase", classname=page.path, name=name)
            if result.error:
                ElementTree.SubElement(case, "error", message=result.error).text = result.error
                counts["errors"] += 1
            elif result.failures:
                numbers = ", ".join(sorted({f.criterion.label for f in result.failures}))
                text = "\n".join(f"{f.describe()}\n    fix: {f.fix}" for f in result.failures)
                ElementTree.SubElement(
                    case, "failure", message=f"{len(result.failures)} failures: {numbers}"
                ).text = text
                counts["failures"] += 1
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(counts["failures"]))
    suite.set("errors", str(counts["errors"]))
    suites = ElementTree.Element("testsuites")
    suites.append(suite)
    ElementTree.indent(suites)
    return bytes(ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True))


STYLE = """
body { font: 1rem/1.5 system-ui, sans-serif; color: #0b0c0c; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; }
a { color: #1d3f73; } a:focus { outline: 3px solid #0b0c0c; background: #fd0; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
th, td { text-align: start; vertical-align: top; border-bottom: 1px solid #6f6f6f; padding: .5rem; }
code { font-size: .9em; overflow-wrap: anywhere; } img { max-width: 100%; border: 1px solid #6f6f6f; }
.fail { color: #b10e1e; font-weight: bold; } .pass { color: #0f5e3b; font-weight: bold; }
.finding { border-inline-start: 5px solid #b10e1e; padding: .25rem 1rem; margin: 1rem 0; }
.finding--review { border-color: #3d3f44; }
"""


def html_report(audit: Audit) -> str:
    failures = [f for page in audit.pages for f in page.failures]
    verdict = "Passed: nothing to fix." if audit.passed else f"Failed: {len(failures)} failures."
    if audit.errors:
        verdict += " The audit is incomplete."
    parts = [
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Accessibility audit of '
        f'{escape(audit.base_url)}</title><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style></head><body><main>",
        f"<h1>Accessibility audit of {escape(audit.base_url)}</h1>",
        f'<p class="{"pass" if audit.passed else "fail"}">{escape(verdict)}</p>',
        f"<p>Started {audit.started:%Y-%m-%d %H:%M} UTC; {len(audit.pages)} of {audit.planned} pages checked. "
        "Automated checks find some barriers, not all: see docs/accessibility-manual-testing.md for the rest.</p>",
    ]
    if audit.errors:
        parts.append("<h2>Problems that stopped the audit</h2><ul>")
        parts += [f"<li>{escape(e)}</li>" for e in audit.errors]
        parts.append("</ul>")
    if failures:
        parts.append("<h2>Failures by success criterion</h2><table><thead><tr><th scope=col>Criterion</th>")
        parts.append("<th scope=col>Failures</th></tr></thead><tbody>")
        by = Counter(f.criterion for f in failures)
        for criterion, count in by.most_common():
            link = f'<a href="{escape(criterion.url)}">{escape(criterion.label)}</a>'
            parts.append(f"<tr><td>{link}</td><td>{count}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("<h2>Pages</h2>")
    parts += [_page_section(page) for page in audit.pages]
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def _page_section(page: PageReport) -> str:
    url = escape(page.url)
    status = "passed" if page.passed else ("could not be checked" if page.error else f"{len(page.failures)} failures")
    out = [f'<section><h3><a href="{url}">{escape(page.path)}</a>: {escape(status)}</h3>']
    if page.error:
        out.append(f"<p class=fail>{escape(page.error)}</p>")
    for result in page.results:
        if result.error:
            out.append(f"<p class=fail>{escape(result.check)} ({escape(result.condition)}) could not run: ")
            out.append(f"{escape(result.error)}</p>")
        for position, finding in enumerate(result.findings):
            png = result.screenshots.get(position)
            out.append(_finding_html(finding, result, png))
    out.append("</section>")
    return "\n".join(out)


def _finding_html(finding: Finding, result: CheckResult, png: bytes | None) -> str:
    c = finding.criterion
    kind = "Failure" if finding.severity == "fail" else "For a person to review"
    out = [
        f'<div class="finding finding--{finding.severity}">',
        f'<h4>{kind}: <a href="{escape(c.url)}">{escape(c.label)}</a></h4>',
        f"<p>{escape(finding.message)}</p><dl>",
        f"<dt>Check</dt><dd>{escape(result.check)}, {escape(result.condition)}</dd>",
    ]
    if finding.selector:
        out.append(f"<dt>Element</dt><dd><code>{escape(finding.selector)}</code></dd>")
    out.append(f"<dt>How to fix it</dt><dd>{escape(finding.fix)}</dd></dl>")
    if png:
        data = base64.b64encode(png).decode("ascii")
        alt = f"Screenshot of {finding.selector or 'the element'}"
        out.append(f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">')
    out.append("</div>")
    return "\n".join(out)
