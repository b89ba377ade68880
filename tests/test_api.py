"""The public API: `__all__` names exactly what each package offers, aging() and kpis() on top."""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from pathlib import Path

import pytest

import creditdash

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = sorted(
    ".".join(p.parent.relative_to(ROOT).parts)
    for p in (ROOT / "creditdash").rglob("__init__.py")
    if "migrations" not in p.parts
)
# the top-level names that are functions of the modules named like them
SHADOWED = ("aging", "kpis")


def _public(module) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }


def test_the_top_level_all_is_what_creditdash_offers():
    assert sorted(creditdash.__all__) == sorted(_public(creditdash))
    assert all(getattr(creditdash, name) is not None for name in creditdash.__all__)


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_all_names_its_public_names(package):
    module = importlib.import_module(package)
    if not hasattr(module, "__all__"):
        pytest.skip(f"{package} declares no __all__")
    for name in module.__all__:  # a package may import a name on first use (PEP 562)
        getattr(module, name)
    assert sorted(module.__all__) == sorted(_public(module))


def test_aging_and_kpis_are_the_functions_on_top():
    ledger = creditdash.Ledger.from_frames()
    assert creditdash.aging is sys.modules["creditdash.aging"].aging
    assert creditdash.kpis is sys.modules["creditdash.kpis"].kpis
    assert list(creditdash.aging(ledger, "2025-06-30").columns)[:1] == ["customer_id"]
    assert isinstance(creditdash.kpis(ledger, "2025-06-30"), creditdash.Kpis)


def test_no_code_takes_those_modules_from_the_package():
    """`import creditdash.aging (as m)` would bind the function, not the module."""
    sources = [*(ROOT / "creditdash").rglob("*.py"), *(ROOT / "pages").glob("*.py")]
    sources += [*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").glob("*.py")]
    sources += [*(ROOT / "ui").rglob("*.py"), ROOT / "app.py"]
    found = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [
                    f"{path.relative_to(ROOT)}: import {a.name}"
                    for a in node.names
                    if a.name in {f"creditdash.{n}" for n in SHADOWED}
                ]
    assert found == []
