"""Valid HTML: every page passes the Nu HTML Checker (vnu) with no errors.

4.1.1 Parsing (A in WCAG 2.0 and 2.1; removed from 2.2, as browsers now repair markup alike) is the
criterion this was written for; invalid markup still misleads assistive technology in ways axe
cannot see (a duplicate id that breaks a label, a list item outside a list). Each page's HTML, as
the server sends it, is written to one folder and checked in ONE run of vnu (Java starts once).
Needs vnu-jar from npm (package.json) and Java (Debian's default-jre-headless).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from a11y_tests.pages import PAGE_STATES, PAGES, PageState
from audit.conditions import DESKTOP, Condition
from testing.live_server import ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _html(page: Page, base_url: str, state: PageState) -> str:
    """The page's HTML as sent; for a state reached by steps, the document as the browser then holds it."""
    if state.then is None:
        response = page.request.get(base_url + state.path)
        assert response.status == state.status, f"{state.path} answered {response.status}, not {state.status}"
        return response.text()
    state.open(page, base_url)
    return page.content()


@pytest.fixture(scope="session")
def vnu_errors(
    page_in: Callable[[Condition], Page], base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[dict[str, Any]]]:
    """The checker's errors for every page, by page id, from one run over all of them."""
    java = shutil.which("java")
    assert java, "Java is missing: install Debian's default-jre-headless (the Nu HTML Checker runs on it)"
    assert VNU.exists(), f"{VNU} is missing: vnu-jar belongs in package.json; run npm ci"
    folder = tmp_path_factory.mktemp("html")
    files: dict[str, str] = {}
    page = page_in(DESKTOP)
    for number, state in enumerate(PAGE_STATES):
        path = folder / f"page-{number:03d}.html"
        path.write_text(_html(page, base_url, state), encoding="utf-8")
        files[path.name] = state.id
    done = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *sorted(folder.iterdir())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        messages = json.loads(done.stdout)["messages"]
    except (json.JSONDecodeError, KeyError) as error:
        raise RuntimeError(f"vnu did not answer in JSON (exit {done.returncode}): {done.stderr[:2000]}") from error
    found: dict[str, list[dict[str, Any]]] = {state_id: [] for state_id in files.values()}
    for message in messages:
        name = Path(message.get("url", "")).name
        if name not in files:
            raise RuntimeError(f"vnu could not check a file: {message}")
        found[files[name]].append(message)
    return found


@pytest.mark.parametrize("state", PAGES)
def test_page_is_valid_html(vnu_errors: dict[str, list[dict[str, Any]]], state: PageState) -> None:
    """4.1.1 Parsing (WCAG 2.0/2.1): no errors from the Nu HTML Checker."""
    errors = vnu_errors[state.id]
    lines = [f"  line {m.get('lastLine', '?')}: {m['message']}  [{m.get('extract', '').strip()}]" for m in errors]
    assert not errors, f"{state.path}: 4.1.1 Parsing: {len(errors)} HTML errors (Nu HTML Checker)\n" + "\n".join(lines)
