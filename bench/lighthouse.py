"""Lighthouse 12.2.3 on every page type of the site the script starts (issue 17, must show 4).

    .venv/bin/python -m bench.lighthouse [--pages home,advice,...]     # writes bench/results/lighthouse.txt

Installs Lighthouse with npm into a cache outside the repository the first time (~/.cache/act-early-bench, or
$ACT_EARLY_BENCH_CACHE; never into package.json), starts `python -m web serve` (one worker) on a free port and
runs Lighthouse's command line, with its defaults (a phone, simulated slow 4G and CPU throttling), in Debian's
headless Chromium ($CHROMIUM or /usr/bin/chromium, as the browser tests use), one page at a time. Reports
performance, accessibility, best practices and SEO (0-100), cumulative layout shift, and every audit that
loses points with Lighthouse's reason. Performance moves with the machine's load (it is recorded per page);
the other categories do not.
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from audit.browser import chromium_path
from bench.server import machine, stamp, write_result
from testing.live_server import logged_site, serving

VERSION = "12.2.3"
CACHE = Path(os.environ.get("ACT_EARLY_BENCH_CACHE", Path.home() / ".cache" / "act-early-bench"))
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = {
    "home": "/en/",
    "advice": "/en/signs-to-spot",
    "search": "/en/search?q=online+radicalisation",
    "question": "/en/share-a-concern/questions",
    "film": "/en/films/meet-the-officers",
    "toolkit": "/toolkit",
    "offline": "/en/offline",
    "measured": "/en/how-this-site-is-measured",
    "error": "/en/this-page-does-not-exist",
}


ERROR_PAGE = "error"  # Lighthouse refuses to audit a 404 (ERRORED_DOCUMENT_REQUEST): see `as_200`
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@contextmanager
def as_200(upstream: str, path: str) -> Iterator[str]:
    """A pass-through proxy in front of the site that answers `path` with 200 instead of its status, every header
    and byte of the body unchanged: so Lighthouse audits the error page readers see. Its address."""
    target = urlsplit(upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=30)
            try:
                headers = {key: value for key, value in self.headers.items() if key.lower() not in HOP_BY_HOP}
                connection.request("GET", self.path, headers=headers)
                response = connection.getresponse()
                body = response.read()
            finally:
                connection.close()
            self.send_response(200 if self.path == path else response.status)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as address:
        yield address


def lighthouse() -> Path:
    """The Lighthouse command line, installed with npm into CACHE when it is not there yet."""
    binary = CACHE / "node_modules" / ".bin" / "lighthouse"
    package = CACHE / "node_modules" / "lighthouse" / "package.json"
    if not package.exists() or json.loads(package.read_text())["version"] != VERSION:
        CACHE.mkdir(parents=True, exist_ok=True)
        command = ["npm", "install", "--prefix", str(CACHE), f"lighthouse@{VERSION}", "--no-audit", "--no-fund"]
        subprocess.run(command, check=True)
    return binary


def run(binary: Path, url: str, out: Path) -> dict[str, Any]:
    """One Lighthouse run; its JSON report (Lighthouse's runtimeError says when the page could not be audited)."""
    command = [
        str(binary),
        url,
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": chromium_path()}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=180)
    if not out.exists():
        return {"runtimeError": {"code": "NO_REPORT", "message": (done.stderr or done.stdout)[-500:]}}
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def reason(audit: dict[str, Any]) -> str:
    """Why an audit lost points, in Lighthouse's own words: its value, explanation and first items."""
    parts = [audit.get("displayValue") or "", audit.get("explanation") or "", audit.get("errorMessage") or ""]
    items = (audit.get("details") or {}).get("items") or []
    for item in items[:3]:
        node = item.get("node") or {}
        what = node.get("snippet") or item.get("url") or item.get("source") or item.get("description") or ""
        label = node.get("explanation") or item.get("reason") or ""
        if isinstance(what, dict):  # a node or a source location
            what = what.get("snippet") or what.get("url") or json.dumps(what)[:120]
        parts.append(f"{str(what)[:160]} {str(label)[:200]}".strip())
    return "; ".join(part.replace("\n", " ") for part in parts if part)


def losses(report: dict[str, Any]) -> list[str]:
    """Every weighted audit, in any category, that scored under 1, with its reason."""
    audits = report["audits"]
    found = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = audits[ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                found.append(f"{category}: {ref['id']} ({audit['score']:.2f}): {reason(audit)}")
    return found


def measure(pages: list[str]) -> tuple[list[str], list[str]]:
    binary = lighthouse()
    rows, lost = [], []
    with tempfile.TemporaryDirectory() as tmp, logged_site(Path(tmp) / "site", LOG_LEVEL="warning") as site:
        for name in pages:
            print(f"{name} ...", flush=True)
            load = os.getloadavg()[0]
            out = Path(tmp) / f"{name}.json"
            if name == ERROR_PAGE:
                with as_200(site.url, PAGES[name]) as proxy:
                    report = run(binary, proxy + PAGES[name], out)
            else:
                report = run(binary, site.url + PAGES[name], out)
            if report.get("runtimeError"):
                error = report["runtimeError"]
                rows.append(f"{name:<9} {PAGES[name]:<38} not audited: {error.get('code')}: {error.get('message')}")
                continue
            scores = [report["categories"][category]["score"] for category in CATEGORIES]
            shown = "  ".join(f"{round(score * 100):>4}" if score is not None else "   -" for score in scores)
            cls = report["audits"]["cumulative-layout-shift"].get("numericValue")
            warnings = "; ".join(report.get("runWarnings") or [])
            rows.append(
                f"{name:<9} {PAGES[name]:<38} {shown}  {cls if cls is not None else float('nan'):>8.3f}  {load:>5.2f}"
                + ("  (Lighthouse: the CPU is slower than it expects)" if "slower CPU" in warnings else "")
            )
            lost += [f"{name}: {loss}" for loss in losses(report)]
    return rows, lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", default=",".join(PAGES), help=f"any of {','.join(PAGES)}")
    args = parser.parse_args()
    pages = [name for name in args.pages.split(",") if name]
    before = os.getloadavg()
    rows, lost = measure(pages)
    chromium = subprocess.run([chromium_path(), "--version"], capture_output=True, text=True, check=False).stdout
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout
    lines = [
        "Lighthouse on every page type (issue 17)",
        "",
        f"Measured {stamp()} by `.venv/bin/python -m bench.lighthouse` on {machine()}: Lighthouse {VERSION}"
        f" (npm, Node {node.strip()}), {chromium.strip()} headless; Lighthouse's defaults (mobile, simulated"
        " throttling); `python -m web serve`, one worker, on 127.0.0.1 (http, so no HTTPS audit applies)."
        " Lighthouse refuses a page that answers 404, so the error page is audited through a pass-through proxy"
        " that changes only its status to 200 (every header and byte as the site sent them).",
        f"Load average (1, 5, 15 min) {before[0]:.2f} {before[1]:.2f} {before[2]:.2f} at the start,"
        f" {' '.join(f'{v:.2f}' for v in os.getloadavg())} at the end; each row gives the 1-minute load as it started."
        " Performance moves with the load; the other categories do not.",
        "Target (the issue): performance >= 98, accessibility, best practices and SEO 100, layout shift < 0.02.",
        "",
        f"{'page':<9} {'path':<38} perf  a11y    bp   seo       CLS   load",
        *rows,
        "",
        "Audits that lose points (weighted audits scoring under 1), with Lighthouse's reason:",
        *([f"- {line}" for line in lost] or ["- none"]),
    ]
    write_result("lighthouse.txt", lines)


if __name__ == "__main__":
    main()
