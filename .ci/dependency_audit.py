"""Known vulnerabilities in the pinned dependencies: pip-audit and npm audit, with what they could not see.

    make audit-deps          # CI runs it after `make test`

Python: pip-audit over requirements-test.lock (which includes requirements.lock). pip-audit asks
PyPI for each exact version (/pypi/NAME/VERSION/json); a registry mirror that answers only for a
package's latest release makes it skip every package. For those, this script reads the package's
latest-release page, whose `vulnerabilities` list applies to our pin when the pin *is* the latest
release; an older pin on such a mirror is reported as not audited, never as clean.

npm: `npm audit` over package-lock.json; when the registry has no audit endpoint the whole tree is
reported as not audited, with the reason, and each locked version's `deprecated` notice is listed. Each npm
package is said to ship to readers (the browser bundle: imported by static/js or static/scss, or a
dependency of one that is) or to be build-time only, so a finding's reach is clear at a glance.

A known vulnerability fails the run (exit 1) unless `.ci/known-vulnerabilities.yaml` explains it
(its id, the package, and why it does not affect us or what we do instead). What could not be
audited is printed and written to bench/results/dependency-audit.md, so nobody mistakes it for clean.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import re
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "requirements-test.lock"
EXPLAINED = ROOT / ".ci" / "known-vulnerabilities.yaml"
RESULTS = ROOT / "bench" / "results" / "dependency-audit.md"
PIP_AUDIT = ROOT / ".venv-audit" / "bin" / "pip-audit"
PYPI = "https://pypi.org/pypi"
NPM_REGISTRY = "https://registry.npmjs.org"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")
BROWSER_SOURCES = (ROOT / "static" / "js", ROOT / "static" / "scss")
# `import … from 'htmx.org'`, `@use "pkg:govuk-frontend/…"`: a package name (scoped or not) at the start.
IMPORTED = re.compile(
    r"""(?:from\s+|import\s+|@use\s+|@forward\s+|@import\s+)['"](?:pkg:)?(@[\w.-]+/[\w.-]+|[\w.-]+)(?=[/'"])"""
)


@dataclass
class Finding:
    package: str
    version: str
    ids: list[str]
    fixed_in: list[str] = field(default_factory=list)


@dataclass
class Audit:
    ecosystem: str
    audited: int = 0
    findings: list[Finding] = field(default_factory=list)
    not_audited: dict[str, str] = field(default_factory=dict)  # package==version -> why
    notes: list[str] = field(default_factory=list)
    reach: dict[str, str] = field(default_factory=dict)  # npm package@version -> ships to readers / build-time only


def pins(lock: Path) -> dict[str, str]:
    """Every `name==version` in a lock file and the lock files it includes with `-r`."""
    found: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("-r "):
            found |= pins(lock.parent / line[3:].strip())
        elif match := PIN.match(line):
            found[normalise(match.group(1))] = match.group(2)
    return found


def normalise(name: str) -> str:
    """PEP 503: `typing_extensions`, `Typing.Extensions` and `typing-extensions` are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def get_json(url: str) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def python_audit(lock: Path, fetch: Any = get_json) -> Audit:
    audit = Audit("Python (pip-audit)")
    seen = run_pip_audit(lock, audit)
    for name, version in sorted(pins(lock).items()):
        if name in seen:
            continue
        try:
            latest = fetch(f"{PYPI}/{name}/json")
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            audit.not_audited[f"{name}=={version}"] = f"PyPI did not answer: {error}"
            continue
        if latest["info"]["version"] != version:
            audit.not_audited[f"{name}=={version}"] = (
                f"pinned below the latest release ({latest['info']['version']}) and the registry "
                "gives vulnerabilities for the latest release only"
            )
            continue
        audit.audited += 1
        if vulnerabilities := latest.get("vulnerabilities") or []:
            audit.findings.append(
                Finding(
                    name,
                    version,
                    sorted({vulnerability["id"] for vulnerability in vulnerabilities}),
                    sorted({fix for vulnerability in vulnerabilities for fix in vulnerability.get("fixed_in") or []}),
                )
            )
    return audit


def run_pip_audit(lock: Path, audit: Audit) -> set[str]:
    """Run pip-audit over every lock file; the packages it audited (the rest are read from PyPI)."""
    if not PIP_AUDIT.exists():
        audit.notes.append("pip-audit is not installed (make audit-deps installs it); PyPI read directly")
        return set()
    command = [str(PIP_AUDIT), "--no-deps", "--disable-pip", "--progress-spinner", "off"]
    for included in lock_files(lock):
        command += ["-r", str(included)]
    result = subprocess.run([*command, "--format", "json"], capture_output=True, text=True, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        audit.notes.append(f"pip-audit failed (exit {result.returncode}): {result.stderr.strip()[-300:]}")
        return set()
    seen: set[str] = set()
    skipped = 0
    for dependency in report["dependencies"]:
        if "skip_reason" in dependency:
            skipped += 1
            continue
        seen.add(normalise(dependency["name"]))
        audit.audited += 1
        if dependency.get("vulns"):
            audit.findings.append(
                Finding(
                    dependency["name"],
                    dependency["version"],
                    sorted(vulnerability["id"] for vulnerability in dependency["vulns"]),
                    sorted({fix for vulnerability in dependency["vulns"] for fix in vulnerability["fix_versions"]}),
                )
            )
    if skipped:
        audit.notes.append(
            f"pip-audit could not look up {skipped} of {len(report['dependencies'])} pins "
            "(the registry has no per-version pages); read from each package's latest-release page instead"
        )
    return seen


def lock_files(lock: Path) -> list[Path]:
    """The lock file and those it includes with `-r` (pip-audit does not follow them)."""
    included = [
        lock.parent / line.strip()[3:].strip()
        for line in lock.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("-r ")
    ]
    return [lock] + [path for child in included for path in lock_files(child)]


def shipped(lock: Path, sources: tuple[Path, ...] = BROWSER_SOURCES) -> set[str]:
    """The npm packages whose code or styles reach readers: those the browser sources import, and theirs."""
    packages = json.loads(lock.read_text(encoding="utf-8"))["packages"]
    found: set[str] = set()
    for folder in sources:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".mjs", ".js", ".scss"):
                found.update(IMPORTED.findall(path.read_text(encoding="utf-8")))  # "sass:color" is Sass's own
    found &= {path.rsplit("node_modules/", 1)[-1] for path in packages if path}
    waiting = list(found)
    while waiting:
        entry = packages.get(f"node_modules/{waiting.pop()}", {})
        for name in entry.get("dependencies", {}):
            if name not in found:
                found.add(name)
                waiting.append(name)
    return found


def npm_audit(lock: Path) -> Audit:
    audit = Audit("npm (npm audit)")
    locked = {
        path.rsplit("node_modules/", 1)[-1]: entry["version"]
        for path, entry in json.loads(lock.read_text(encoding="utf-8"))["packages"].items()
        if path and "version" in entry
    }
    reaching = shipped(lock)
    audit.reach = {
        f"{name}@{version}": "ships to readers" if name in reaching else "build-time only"
        for name, version in locked.items()
    }
    result = subprocess.run(
        ["npm", "audit", "--json", "--package-lock-only"], cwd=lock.parent, capture_output=True, text=True, check=False
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        report = {"error": {}}
    if "error" in report:
        warnings = [line for line in result.stderr.splitlines() if "audit" in line.lower()]
        reason = (report.get("message") or report["error"].get("summary") or " ".join(warnings[:1]))[:200]
        audit.not_audited = {f"{name}@{version}": f"npm audit failed: {reason}" for name, version in locked.items()}
        audit.notes.extend(deprecations(locked))
        return audit
    audit.audited = len(locked)
    for name, vulnerability in report.get("vulnerabilities", {}).items():
        ids = [str(item.get("url", item)) for item in vulnerability.get("via", []) if isinstance(item, dict)]
        if ids:  # entries whose `via` names only other packages are listed under those packages
            audit.findings.append(Finding(name, locked.get(name, "?"), ids))
    return audit


def deprecations(locked: dict[str, str]) -> list[str]:
    notes = []
    for name, version in sorted(locked.items()):
        try:
            deprecated = get_json(f"{NPM_REGISTRY}/{name}/{version}").get("deprecated")
        except (urllib.error.URLError, TimeoutError, ValueError):
            continue
        if deprecated:
            notes.append(f"{name}@{version} is deprecated: {deprecated}")
    return notes


def unexplained(findings: list[Finding], explained: dict[str, Any]) -> list[Finding]:
    """Findings with an id that `.ci/known-vulnerabilities.yaml` does not explain."""
    return [
        finding
        for finding in findings
        if any(not (explained.get(identifier) or {}).get("why") for identifier in finding.ids)
    ]


def report(audits: list[Audit], explained: dict[str, Any]) -> str:
    lines = [
        "# Dependency audit",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'} "
        f"({platform.machine()}, Python {platform.python_version()}). `make audit-deps`.",
        "",
        "| ecosystem | pins audited | known vulnerabilities | unexplained | not audited |",
        "|---|---|---|---|---|",
    ]
    for audit in audits:
        left = unexplained(audit.findings, explained)
        lines.append(
            f"| {audit.ecosystem} | {audit.audited} | {len(audit.findings)} | {len(left)} | {len(audit.not_audited)} |"
        )
    for audit in audits:
        lines += ["", f"## {audit.ecosystem}", ""]
        lines += [f"- {note}" for note in audit.notes]
        lines += [
            f"- **{f.package}=={f.version}**{_reach(audit, f)}: {', '.join(f.ids)} "
            f"(fixed in {', '.join(f.fixed_in) or '?'})"
            for f in audit.findings
        ]
        reasons: dict[str, list[str]] = {}
        for package, why in audit.not_audited.items():
            reasons.setdefault(why, []).append(package)
        for why, packages in reasons.items():
            lines.append(f"- not audited ({len(packages)}): {why}")
            for reach in sorted({audit.reach.get(package, "") for package in packages}, reverse=True):
                named = sorted(package for package in packages if audit.reach.get(package, "") == reach)
                lines.append(f"  - {reach + ': ' if reach else ''}{', '.join(named)}")
        if not (audit.notes or audit.findings or audit.not_audited):
            lines.append("- every pin audited; no known vulnerability")
    return "\n".join(lines) + "\n"


def _reach(audit: Audit, finding: Finding) -> str:
    reach = audit.reach.get(f"{finding.package}@{finding.version}")
    return f" ({reach})" if reach else ""


def main() -> int:
    explained = yaml.safe_load(EXPLAINED.read_text(encoding="utf-8")) or {}
    audits = [python_audit(LOCKS), npm_audit(ROOT / "package-lock.json")]
    left = unexplained([finding for audit in audits for finding in audit.findings], explained)
    text = report(audits, explained)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    if left:
        print(f"FAILED: {len(left)} known vulnerabilities are not explained in {EXPLAINED.relative_to(ROOT)}")
        return 1
    missing = sum(len(audit.not_audited) for audit in audits)
    if missing:
        print(f"WARNING: {missing} pins could not be audited from here (see above); they are not known to be clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
