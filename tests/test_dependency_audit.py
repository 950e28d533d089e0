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
