"""Storage is the floor under the domains: nothing in creditdash/store imports a package above it.

It reads the ledger back (creditdash.ledger, whose payments reach invoice
items through creditdash.documents) and uses what every floor uses; it never
reaches up into the domains, auth, audit or the import job.
"""

from __future__ import annotations

import ast
from pathlib import Path

STORE = Path(__file__).resolve().parents[2] / "creditdash" / "store"
MAY_IMPORT = (
    "creditdash.store",
    "creditdash.errors",
    "creditdash.frames",
    "creditdash.arrowmem",
    "creditdash.money",
    "creditdash.i18n",
    "creditdash.settings",
    "creditdash.ledger",
    "creditdash.documents",
)


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            names = node.names if node.module == "creditdash" else [None]
            out |= {node.module if a is None else f"creditdash.{a.name}" for a in names}
    return {name for name in out if name.split(".")[0] == "creditdash"}


def _allowed(name: str) -> bool:
    return any(name == floor or name.startswith(floor + ".") for floor in MAY_IMPORT)


def test_store_modules_import_only_from_their_floor_and_below():
    modules = sorted(STORE.rglob("*.py"))
    assert len(modules) > 10
    reaching_up = {
        f"{path.relative_to(STORE)}: {name}"
        for path in modules
        for name in _imports(path)
        if not _allowed(name)
    }
    assert reaching_up == set()
