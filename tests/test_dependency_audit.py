"""The dependency audit (.ci/dependency_audit.py) fails on a known vulnerability and never calls unknown clean."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "dependency_audit.py"


@pytest.fixture
def audit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("dependency_audit", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "dependency_audit", module)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "PIP_AUDIT", tmp_path / "no-pip-audit")  # the PyPI path alone
    return module


def registry(latest: dict[str, tuple[str, list[str]]]) -> Any:
    def fetch(url: str) -> dict[str, Any]:
        name = url.rstrip("/").split("/")[-2]
        version, ids = latest[name]
        return {"info": {"version": version}, "vulnerabilities": [{"id": i, "fixed_in": ["9.9"]} for i in ids]}

    return fetch


def write_locks(tmp_path: Path) -> Path:
    (tmp_path / "runtime.lock").write_text("Flask_Thing==1.0\nsafe==2.0\n", encoding="utf-8")
    test_lock = tmp_path / "test.lock"
    test_lock.write_text("# test\n-r runtime.lock\nold==1.0\n", encoding="utf-8")
    return test_lock


def test_a_known_vulnerability_is_found_and_fails_unless_explained(audit: ModuleType, tmp_path: Path) -> None:
    fetch = registry({"flask-thing": ("1.0", ["GHSA-1"]), "safe": ("2.0", []), "old": ("1.0", [])})
    result = audit.python_audit(write_locks(tmp_path), fetch)
    assert [(f.package, f.ids) for f in result.findings] == [("flask-thing", ["GHSA-1"])]
    assert result.audited == 3
    assert audit.unexplained(result.findings, {}) == result.findings
    assert audit.unexplained(result.findings, {"GHSA-1": {"why": "never called"}}) == []
    assert audit.unexplained(result.findings, {"GHSA-1": {"why": ""}}) == result.findings


def test_a_pin_below_the_latest_release_is_not_audited_rather_than_clean(audit: ModuleType, tmp_path: Path) -> None:
    fetch = registry({"flask-thing": ("1.0", []), "safe": ("2.0", []), "old": ("3.0", [])})
    result = audit.python_audit(write_locks(tmp_path), fetch)
    assert list(result.not_audited) == ["old==1.0"]
    assert result.audited == 2 and result.findings == []
    assert "| 2 | 0 | 0 | 1 |" in audit.report([result], {})


def test_npm_packages_are_told_apart_by_whether_they_ship_to_readers(audit: ModuleType, tmp_path: Path) -> None:
    lock = tmp_path / "package-lock.json"
    lock.write_text(
        """{"packages": {"": {},
        "node_modules/ui-kit": {"version": "1.0.0", "dependencies": {"tiny-helper": "^2"}},
        "node_modules/tiny-helper": {"version": "2.0.0"},
        "node_modules/bundler": {"version": "3.0.0", "dependencies": {"watcher": "^4"}},
        "node_modules/watcher": {"version": "4.0.0"},
        "node_modules/@scope/widget": {"version": "5.0.0"}}}""",
        encoding="utf-8",
    )
    js, scss = tmp_path / "js", tmp_path / "scss"
    js.mkdir(), scss.mkdir()
    (js / "app.mjs").write_text("import { a } from 'ui-kit'\nimport { b } from './modules/b.mjs'\n", encoding="utf-8")
    (scss / "app.scss").write_text('@use "sass:color";\n@use "pkg:@scope/widget/dist/base";\n', encoding="utf-8")
    assert audit.shipped(lock, (js, scss)) == {"ui-kit", "tiny-helper", "@scope/widget"}


def test_the_report_says_which_unaudited_npm_packages_ship_to_readers(audit: ModuleType) -> None:
    result = audit.Audit("npm (npm audit)")
    result.not_audited = {"htmx.org@4.0.1": "npm audit failed: 405", "sass@1.0.0": "npm audit failed: 405"}
    result.reach = {"htmx.org@4.0.1": "ships to readers", "sass@1.0.0": "build-time only"}
    text = audit.report([result], {})
    assert "- not audited (2): npm audit failed: 405\n  - ships to readers: htmx.org@4.0.1\n" in text
    assert "  - build-time only: sass@1.0.0\n" in text
    assert "| npm (npm audit) | 0 | 0 | 0 | 2 |" in text  # never counted as clean
