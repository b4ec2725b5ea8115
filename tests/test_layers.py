"""The layers of docs/ARCHITECTURE.md hold: db/ reads and writes and imports no stage,
the domain records import no persistence, and every stage of a run is wired by a flow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAGE_PACKAGES = ("tasks", "flows", "app", "profiles", "measure")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _files("db"), ids=lambda p: str(p.relative_to(ROOT)))
def test_db_imports_no_stage(path: Path) -> None:
    bad = {m for m in imported_modules(path) if m.split(".")[0] in STAGE_PACKAGES}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _files("domain"), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_is_free_of_persistence_and_stages(path: Path) -> None:
    bad = {
        m
        for m in imported_modules(path)
        if m.split(".")[0] in {"db", "sqlalchemy", "prefect", "requests", *STAGE_PACKAGES}
    }
    assert not bad - {"profiles"}, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
