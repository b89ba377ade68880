"""serve.py imports the whole library and UI before the server takes a request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _printed(script: str) -> list[str]:
    """What `script` prints, split into words, run by a new Python at the project's root."""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def test_every_module_of_the_library_and_the_ui_is_imported_up_front_without_the_heavy_ones():
    # pandera comes with the contracts, which only an import needs
    count, *flags = _printed(
        "import sys, serve\n"
        "names = serve.import_all()\n"
        "print(len(names), 'creditdash.ingest.read' in names, 'ui.collections' in names,\n"
        "      any('migrations' in n for n in names), 'statsmodels' in sys.modules,\n"
        "      'creditdash.contracts' in names, 'pandera' in sys.modules)\n"
    )
    library = [p for p in (ROOT / "creditdash").rglob("*.py")
               if "migrations" not in p.parts and p.name not in ("__main__.py", "contracts.py")]  # fmt: skip
    ui = list((ROOT / "ui").rglob("*.py"))
    assert int(count) == len(library) + len(ui) - 2  # less the two packages' own __init__
    assert flags == ["True", "True", "False", "False", "False", "False"]


def test_the_imports_run_without_the_collector_and_what_they_made_is_frozen():
    printed = _printed(
        "import gc, serve\n"
        "before = gc.get_freeze_count()\n"
        "serve.import_all()\n"
        "frozen = gc.get_freeze_count() - before\n"
        "class Cycle: pass\n"
        "a, b = Cycle(), Cycle()\n"
        "a.other, b.other = b, a\n"
        "del a, b\n"
        "print(gc.isenabled(), frozen > 50_000, gc.collect() >= 2)\n"
    )
    # on again after; the library's objects out of every later full collection; new garbage
    # still collected
    assert printed == ["True", "True", "True"]
