"""`python -m web export` on a server's install (issue 19, item 4): httpx (and so Starlette's TestClient) is a
test dependency, not in requirements.lock, and the export must not need it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from web.ops.export import nginx_example_path
from web.settings import ROOT

WITHOUT_TEST_DEPENDENCIES = """
import sys
for name in ("httpx", "starlette.testclient"):
    sys.modules[name] = None  # importing either now fails, as on an install from requirements.lock
from web.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_httpx_is_a_test_dependency_only() -> None:
    runtime = (ROOT / "requirements.lock").read_text().lower()
    assert "\nhttpx==" not in runtime and not runtime.startswith("httpx==")


def test_the_export_runs_without_the_test_dependencies(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "ENVIRONMENT": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "CONCERN_PUBLIC_KEY_FILE": str(tmp_path / "keys" / "concerns.pub"),
        "CONSOLE_PRIVATE_KEY_FILE": str(tmp_path / "keys" / "concerns.key"),
        "FORM_SECRET": "x" * 40,
        "PUBLIC_BASE_URL": "https://actearly.example",
        "HOST": "::1",
        "PORT": "18860",
    }
    out = tmp_path / "export"
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_TEST_DEPENDENCIES, "export", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Page not found" in (out / "404.html").read_text()
    assert "https://actearly.example/sitemap.xml" in (out / "robots.txt").read_text()
    assert "<loc>https://actearly.example/en/" in (out / "sitemap.xml").read_text()
    assert "server [::1]:18860;" in nginx_example_path(out).read_text()  # IPv6 upstream in brackets (item 14)
