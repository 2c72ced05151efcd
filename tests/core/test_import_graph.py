"""Imports point down: the platform layer (``csm_project/core``) knows nothing of the API layer,
and the Lead API's processing classes import no ``api`` module (shared helpers live below)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def modules_under(*parts: str) -> list[Path]:
    return sorted((ROOT.joinpath(*parts)).rglob("*.py"))


def test_core_never_imports_the_api_layer():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in imported_modules(path) if name.startswith("csm_project.api")
        )
        for path in modules_under("csm_project", "core")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_processing_modules_import_no_api_module():
    processing = [path for path in ROOT.rglob("processing/*.py") if ".venv" not in path.parts]
    assert processing, "the Lead API's processing package was not found"
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in imported_modules(path) if "api" in name.split("."))
        for path in processing
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    module = ROOT / "csm_project" / "core" / "records" / "services.py"
    assert "csm_project.core.models" in imported_modules(module)
    fake = tmp_path / "fake.py"
    fake.write_text("from csm_project.api import errors\nfrom .api import views\n")
    monkeypatch.setattr(Path, "relative_to", lambda self, other: Path("leads/processing/fake.py"))
    names = imported_modules(fake)
    assert "csm_project.api.errors" in names and "leads.processing.api.views" in names
