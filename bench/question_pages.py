"""A question page of the concern form, before and after issue 17, with and without brotli: requests/s and p95.

    .venv/bin/python -m bench.question_pages [--seconds 6] [--connections 8]   # bench/results/question_pages.txt

"Before" is the tree at commit 7d13182 (the last before issue 17's work), checked out with
`git worktree add /tmp/before 7d13182` (the script makes it when it is missing; the main tree is never switched)
and run with this checkout's .venv; "after" is the working tree. Each runs `python -m web serve` (one worker,
SQLite, the CSS and JavaScript built here: STATIC_DIST_DIR) on a free port, one after the other, and wrk (one
thread) sends `GET /en/share-a-concern/questions` as a browser navigating to it, once with `Accept-Encoding: br`
and once with no Accept-Encoding. The page is rendered for each request (it carries a fresh form token).
bench/search.py --before-after does the same for search results. Both record the load average with every row:
the machine may be busy, so rerun them on a quiet one for clean figures.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import httpx2

from bench.server import ROOT, machine, production_server, stamp, write_result, wrk

BEFORE = "7d13182"
BEFORE_TREE = Path("/tmp/before")
PAGE = "/en/share-a-concern/questions"
BROWSER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
    "Accept": "text/html,application/xhtml+xml",
    "Sec-Fetch-Dest": "document",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Site": "same-origin",
}
ENCODINGS = {"br": {"Accept-Encoding": "br"}, "none": {"Accept-Encoding": "identity"}}


def before_tree() -> Path:
    """The tree at BEFORE, as a worktree beside the main one (made once)."""
    if not (BEFORE_TREE / "web").exists():
        subprocess.run(["git", "worktree", "add", str(BEFORE_TREE), BEFORE], cwd=ROOT, check=True)
    return BEFORE_TREE


def compare(paths: list[str], args: argparse.Namespace) -> list[str]:
    """Table rows for `paths` (sent in turn) on the tree before and after, with and without br."""
    rows = []
    results: dict[tuple[str, str], tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for label, tree in (("before", before_tree()), ("after", ROOT)):
            url = f"sqlite:///{work / label / 'site.sqlite3'}"
            environment = {"STATIC_DIST_DIR": str(ROOT / "static" / "dist")}
            with production_server(work / label, url, tree=tree, **environment) as server:
                for encoding, headers in ENCODINGS.items():
                    sent = {**BROWSER, **headers}
                    answer = httpx2.get(server.base_url + paths[0], headers=sent, timeout=30)
                    assert answer.status_code == 200, (label, paths[0], answer.status_code)
                    size = len(answer.content)  # httpx2 decodes br; the bytes on the wire are below
                    wire = int(answer.headers.get("content-length", size))
                    wrk(server.base_url + paths[0], 1, args.connections, sent, paths=paths, work=work)  # warm up
                    cpu = server.cpu_seconds()
                    row = wrk(server.base_url + paths[0], args.seconds, args.connections, sent, paths=paths, work=work)
                    cpu_us = (server.cpu_seconds() - cpu) / row["requests"] * 1_000_000
                    results[label, encoding] = (row["rps"], cpu_us)
                    rows.append(
                        f"{label:<7} {encoding:<5} {row['rps']:>10.0f} {row['p50']:>7.2f} {row['p95']:>7.2f}"
                        f" {row['p99']:>7.2f} {cpu_us:>7.0f} {row['non_2xx'] + row['errors']:>7.0f} {wire:>8}"
                        f" {answer.headers.get('content-encoding', '-'):>8} {row['load']:>6.2f}"
                    )
                server_errors = server.errors()
            rows.append(f"        errors in the {label} server's log: {server_errors}")
    header = f"{'tree':<7} {'enc':<5} {'requests/s':>10} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    header += f" {'CPU µs':>7} {'failed':>7}"
    ratios = [
        f"with {encoding}: after/before {results['after', encoding][0] / results['before', encoding][0]:.2f}x"
        f" requests/s; CPU a request {results['before', encoding][1]:.0f} -> {results['after', encoding][1]:.0f} µs"
        for encoding in ENCODINGS
    ]
    return [f"{header} {'bytes':>8} {'encoding':>8} {'load':>6}", *rows, "", *ratios]


def described(what: str, script: str, args: argparse.Namespace) -> list[str]:
    """The lines above a table: what was measured, how, where, and the machine's load."""
    return [
        f"{what}: before issue 17 (commit {BEFORE}) and after (the working tree), with and without brotli",
        "",
        f"Measured {stamp()} by `.venv/bin/python -m {script} --seconds {args.seconds} --connections"
        f" {args.connections}` on {machine()}.",
        "`python -m web serve`, one worker, SQLite, on 127.0.0.1; wrk -t1 on the same machine (they share the cores);"
        " requests sent as a browser navigating (br: `Accept-Encoding: br`; none: `identity`). 'bytes': the body on"
        " the wire of one answer; 'CPU µs': the server's CPU time a request (user + system, from /proc: it moves far"
        " less with the machine's load than requests/s); 'load': the 1-minute load average as the run ended (the"
        " machine was shared with other work when it is high: rerun on a quiet machine).",
        "",
    ]


def arguments(doc: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=doc.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--connections", type=int, default=8)
    return parser


def main() -> None:
    args = arguments(__doc__ or "").parse_args()
    lines = described(f"A question page of the concern form, GET {PAGE}", "bench.question_pages", args)
    write_result("question_pages.txt", lines + compare([PAGE], args))


if __name__ == "__main__":
    main()
