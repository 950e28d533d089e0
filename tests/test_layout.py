"""The layout is a map a newcomer can read (ADR 12): the README names every Python folder with the first
line of its `__init__.py`, every module says what it is, conftests hold fixtures only, and no code of the
site or of the benchmarks reaches for test modules through `sys.path`. The import layers themselves are
`lint-imports`' contracts in pyproject.toml, which `make test` runs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TOP_PACKAGES = ("web", "audit", "testing", "tests", "a11y_tests", "bench")
AREAS = sorted(path.parent for path in (ROOT / "web").glob("*/__init__.py"))
PACKAGES = [ROOT / name for name in TOP_PACKAGES] + AREAS
SOURCE_TREES = ("web", "audit", "testing", "bench")


def first_line(package: Path) -> str:
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
    assert docstring, f"{package.relative_to(ROOT)}/__init__.py has no docstring: say what the folder is"
    return docstring.splitlines()[0].rstrip(".")


def layout_lines() -> list[str]:
    section = README.split("## Layout", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_readme_names_every_python_folder_by_its_first_line(package: Path) -> None:
    wanted = f"{package.name}/"
    lines = [line for line in layout_lines() if line.split(" ", 1)[0] == wanted]
    assert lines, f"README's layout has no line for {wanted}"
    assert lines[0].split(" ", 1)[1].strip() == first_line(package)


def test_the_readme_names_no_folder_that_is_not_there() -> None:
    named = {line.split(" ", 1)[0] for line in layout_lines()}
    folders = {f"{path.name}/" for path in ROOT.iterdir() if path.is_dir()} | {
        f"{path.name}/" for path in (ROOT / "web").iterdir() if path.is_dir()
    }
    assert named <= folders, named - folders


def modules() -> list[Path]:
    return sorted(path for tree in SOURCE_TREES for path in (ROOT / tree).rglob("*.py"))


@pytest.mark.parametrize("module", modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_module_says_what_it_is(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    if module.name == "__main__.py" or (module.name == "__init__.py" and not tree.body):
        return
    assert ast.get_docstring(tree), f"{module.relative_to(ROOT)}: start with a docstring that says what it is"


@pytest.mark.parametrize("conftest", sorted(ROOT.glob("*/conftest.py")), ids=lambda path: path.parent.name)
def test_conftests_hold_fixtures_only(conftest: Path) -> None:
    """Helpers that tests share live in testing/, where the benchmarks can use them too."""
    for node in ast.parse(conftest.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            decorators = [ast.unparse(decorator) for decorator in node.decorator_list]
            assert node.name.startswith("pytest_") or any("fixture" in d for d in decorators), node.name
        else:
            assert isinstance(node, ast.Import | ast.ImportFrom | ast.Expr), ast.unparse(node)[:80]


@pytest.mark.parametrize("module", modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_code_reaches_for_modules_through_sys_path(module: Path) -> None:
    """`python -m bench.<name>` and `python -m audit` run from the project's folder; nothing needs sys.path."""
    assert "sys.path" not in module.read_text(encoding="utf-8")
