"""The demo company: written as the files a user would upload, then imported like them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from creditdash.auth import Actor
from creditdash.demo import generate_demo, write_demo_files
from creditdash.importing.job import import_sources
from creditdash.importing.plan import ImportSummary, Progress
from creditdash.ingest import Source
from creditdash.settings import PROJECT_ROOT

DEMO_FILES = ("demo_customers.xlsx", "demo_ledger.xlsx")


def load_demo(
    engine: Engine,
    out_dir: Path | None = None,
    *,
    reporting_currency: str = "CNY",
    progress: Progress | None = None,
    actor: Actor | None = None,
) -> ImportSummary:
    """Write the demo company's files (if missing) and import them as `actor`.

    Without an actor it is the app's own first-start loader (trusted).
    """

    folder = Path(out_dir) if out_dir else PROJECT_ROOT / "data"
    paths = [folder / n for n in DEMO_FILES]
    if not all(p.is_file() for p in paths):
        written = write_demo_files(folder, generate_demo())
        paths = [p for p in written if p.name in DEMO_FILES]
    return import_sources(
        engine,
        [Source.from_path(p) for p in paths],
        reporting_currency=reporting_currency,
        actor=actor or Actor("demo loader", "admin"),
        progress=progress,
    )
