"""The library's floors (drawn in creditdash/__init__.py): no import runs up a floor, no circle.

Every import in every module is read from its syntax tree, including the
imports inside functions. A module may import from its own floor and the
floors below it. Module-level imports must not form a circle, and every
module imports in a fresh interpreter, one after the other in sorted order.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import creditdash

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "creditdash"
# Alembic runs these by path; env.py needs Alembic's context and __main__ runs the command line
NOT_IMPORTABLE = ("creditdash.store.migrations", "creditdash.__main__")


def floors() -> list[set[str]]:
    """The floors as creditdash's docstring draws them, bottom first."""
    drawing = creditdash.__doc__.split("never from above")[1]
    found = []
    for line in drawing.splitlines():
        if line.startswith("    ") and not line.startswith("     "):
            found.append(set(line.strip().split("  ")[0].split()))
    return found[::-1]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(tree: ast.AST, everywhere: bool = True) -> set[str]:
    """creditdash modules (or names in them) that `tree` imports; without `everywhere`, only
    those imported when the module is loaded (not inside functions or TYPE_CHECKING)."""
    nodes = ast.walk(tree) if everywhere else _module_level(tree.body)
    out = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("creditdash")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("creditdash"):
            assert node.level == 0, "relative import"
            out |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
    return out


def _module_level(body: list[ast.stmt]):
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            yield from _module_level(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            handlers = [n for h in node.handlers for n in h.body]
            yield from _module_level(node.body + handlers + node.orelse + node.finalbody)


def _part(name: str) -> str:
    """The top-level module or package of creditdash that `name` is in ("" for creditdash)."""
    parts = name.split(".")
    return "cli" if parts[1:2] == ["__main__"] else (parts[1] if len(parts) > 1 else "")


def test_every_part_of_the_library_is_on_one_floor():
    parts = {_part(m) for m in modules()} - {""}
    placed = [p for floor in floors() for p in floor]
    assert sorted(placed) == sorted(set(placed)), "a part drawn on two floors"
    assert parts == set(placed)


def test_no_import_runs_up_a_floor():
    level = {part: i for i, floor in enumerate(floors()) for part in floor}
    up = []
    for name, path in modules().items():
        here = _part(name)
        for target in imported(ast.parse(path.read_text(encoding="utf-8"))):
            there = _part(target)
            if here and there and level[there] > level[here]:
                up.append(f"{name} imports {target}")
    assert up == []


def test_module_level_imports_form_no_circle():
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = set()
        for node in _module_level(tree.body):
            for target, waits_on_package in _waited(node):
                parts = target.split(".")
                # importing a.b.c runs a and a.b first; a module's own packages are already
                # running, but `from a.b import c` inside a.b waits for a.b to finish: when
                # another thread is running a.b's __init__ and needs this module, the two
                # threads meet in a circle (the warm-up thread and a page's script thread)
                for i in range(2, len(parts) + 1):
                    prefix = ".".join(parts[:i])
                    own = name.startswith(prefix + ".")
                    if (
                        prefix in known
                        and prefix != name
                        and (not own or prefix == waits_on_package)
                    ):
                        targets.add(prefix)
        graph[name] = targets
    assert _circles(graph) == []


def _waited(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """(module imported, the package whose import the statement waits for, or "")."""
    if isinstance(node, ast.Import):
        return [(a.name, "") for a in node.names if a.name.startswith("creditdash")]
    module = node.module or ""
    if not module.startswith("creditdash"):
        return []
    return [(module, module)] + [(f"{module}.{a.name}", module) for a in node.names]


def test_the_circle_check_sees_a_package_waited_on_by_its_own_module():
    tree = ast.parse("from creditdash.ingest import guard\nimport creditdash.ingest.read as read")
    waited = [w for node in _module_level(tree.body) for w in _waited(node)]
    assert waited == [
        ("creditdash.ingest", "creditdash.ingest"),
        ("creditdash.ingest.guard", "creditdash.ingest"),
        ("creditdash.ingest.read", ""),
    ]


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_module_imports_in_a_fresh_interpreter_in_sorted_order():
    names = [n for n in modules() if not n.startswith(NOT_IMPORTABLE)]
    script = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *names], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "False"  # the library never imports streamlit
