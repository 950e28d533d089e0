"""Search time: the in-memory index alone, and whole search requests to the running site.

    .venv/bin/python -m bench.search      # writes bench/results/search.md
    .venv/bin/python -m bench.search --before-after [--seconds 6] [--connections 8]
                                          # writes bench/results/search_before_after.txt

--before-after: requests/s and p95 of whole search result pages (the question set's English questions in turn),
before issue 17 (commit 7d13182) and after, with and without brotli, as bench/question_pages.py measures a
question page of the concern form.

Queries: every question of the question set (tests/public/search_questions.yaml, English and Welsh) as a
reader submits it, the same questions typed a letter at a time as live search sends them (each prefix of
three letters or more), and the worst cases a hostile or careless reader can send: a query of the maximum
length made of the commonest words, and one word that starts hundreds of indexed words.
"""

from __future__ import annotations

import datetime as dt
import http.client
import platform
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import yaml

from testing.live_server import live_server
from web.content.library import load_library
from web.content.search import MAX_QUERY_LENGTH, SYNONYMS_FILE, SearchIndex, load_synonyms
from web.public.advice import boxes_text
from web.settings import ROOT, Settings
from web.shell.assets import Assets
from web.shell.templating import create_templates

QUESTIONS = ROOT / "tests" / "public" / "search_questions.yaml"
BUDGET_MS = 20.0  # p95 of a whole search request (issue 16)
ROUNDS = 5


def build_index() -> tuple[SearchIndex, float]:
    started = time.perf_counter()
    content = ROOT / "content"
    library = load_library(content)
    settings = Settings()
    templates = create_templates(settings, Assets(settings.static_dist_dir), library.facts)
    index = SearchIndex(library, load_synonyms(content / SYNONYMS_FILE), shown=boxes_text(templates, library))
    return index, (time.perf_counter() - started) * 1000


def queries() -> dict[str, list[tuple[str, str]]]:
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    asked = [(lang, item["q"]) for lang, items in questions.items() for item in items]
    typed = [(lang, q[:end]) for lang, q in asked for end in range(3, len(q) + 1) if q[end - 1] != " "]
    common = {"en": "what will happen if i call the police about my son ", "cy": "beth fydd yn digwydd os ffonia i "}
    worst = [(lang, (words * 10)[:MAX_QUERY_LENGTH]) for lang, words in common.items()]
    worst += [(lang, prefix) for lang in ("en", "cy") for prefix in ("con", "pre", "rad", "ter", "sta")]
    return {"questions": asked, "typed, letter by letter": typed, "worst cases": worst}


def timings(run: Callable[[str, str], object], asked: list[tuple[str, str]]) -> list[float]:
    found = []
    for _ in range(ROUNDS):
        for lang, query in asked:
            started = time.perf_counter()
            run(lang, query)
            found.append((time.perf_counter() - started) * 1000)
    return found


def row(name: str, found: list[float]) -> str:
    ordered = sorted(found)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    return f"| {name} | {len(found):,} | {statistics.median(found):.3f} | {p95:.3f} | {p99:.3f} | {max(found):.3f} |"


def before_after() -> None:
    """Search result pages before and after issue 17, with and without br: bench/results/search_before_after.txt."""
    from bench.question_pages import arguments, compare, described
    from bench.server import write_result

    args = arguments(__doc__ or "").parse_args([arg for arg in sys.argv[1:] if arg != "--before-after"])
    asked = [query for lang, query in queries()["questions"] if lang == "en"][:20]
    paths = ["/en/search?" + urllib.parse.urlencode({"q": query}) for query in asked]
    what = f"Search results, GET /en/search?q=... ({len(paths)} English questions of the question set in turn)"
    write_result("search_before_after.txt", described(what, "bench.search --before-after", args) + compare(paths, args))


def main() -> None:
    if "--before-after" in sys.argv[1:]:
        before_after()
        return
    index, build_ms = build_index()
    sets = queries()
    in_memory = {name: timings(index.search, asked) for name, asked in sets.items()}
    with tempfile.TemporaryDirectory() as tmp, live_server(Path(tmp)) as base:
        address = urllib.parse.urlsplit(base)
        connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=10)
        htmx = {"HX-Request": "true", "HX-Request-Type": "partial"}

        def get(lang: str, query: str, headers: dict[str, str]) -> None:
            connection.request("GET", f"/{lang}/search?" + urllib.parse.urlencode({"q": query}), headers=headers)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, (response.status, lang, query)

        def page(lang: str, query: str) -> None:
            get(lang, query, {})

        def fragment(lang: str, query: str) -> None:
            get(lang, query, htmx)

        for lang, query in sets["questions"][:20]:  # warm up the server
            page(lang, query)
        requests = {
            "questions, whole page": timings(page, sets["questions"]),
            "typed, letter by letter (htmx fragment)": timings(fragment, sets["typed, letter by letter"]),
            "worst cases, whole page": timings(page, sets["worst cases"]),
        }
        connection.close()
    everything = [ms for found in requests.values() for ms in found]
    p95 = sorted(everything)[int(len(everything) * 0.95) - 1]
    header = "| queries | timed | median ms | p95 ms | p99 ms | slowest ms |\n|---|---|---|---|---|---|"
    lines = [
        "# Search time",
        "",
        f"Measured {dt.date.today().isoformat()} with `python -m bench.search` on {platform.machine()}, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}; each query {ROUNDS} times.",
        f"Pages indexed: {sum(len(documents) for documents in index.documents.values())} "
        f"({', '.join(f'{lang}: {len(documents)}' for lang, documents in sorted(index.documents.items()))}); "
        f"index built in {build_ms:.0f} ms at start-up (content loaded and parsed included).",
        "",
        "## The index alone (in the server's process)",
        "",
        header,
        *(row(name, found) for name, found in in_memory.items()),
        "",
        "## Whole requests to `python -m web serve` (HTTP on 127.0.0.1, one at a time)",
        "",
        header,
        *(row(name, found) for name, found in requests.items()),
        "",
        f"All requests: p95 **{p95:.1f} ms** against a budget of {BUDGET_MS:.0f} ms: "
        + ("within it." if p95 <= BUDGET_MS else "**over it**."),
        "",
        "No query reaches the database, so these figures are the same with PostgreSQL (`DATABASE_URL`).",
    ]
    out = ROOT / "bench" / "results" / "search.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
