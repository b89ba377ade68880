"""The command line lists its command modules by name: none is left out."""

from __future__ import annotations

import ast
from pathlib import Path

from creditdash.cli.main import _command_modules

CLI = Path(__file__).resolve().parents[2] / "creditdash" / "cli"


def _defines_register(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef) and n.name == "register" for n in tree.body)


def test_every_module_with_commands_is_registered():
    with_commands = sorted(p.stem for p in CLI.glob("*.py") if _defines_register(p))
    assert [m.__name__.rsplit(".", 1)[1] for m in _command_modules()] == with_commands
