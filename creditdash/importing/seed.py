"""The demo company: written as the files a user would upload, then imported like them.

It is told apart by its files' names (`demo_imports`, `holds_only_demo`) and
taken out again, for a company's own data, by `remove_demo`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from creditdash import audit
from creditdash.auth import Actor, authorise
from creditdash.demo import generate_demo, write_demo_files
from creditdash.errors import NotFound
from creditdash.importing.job import import_sources
from creditdash.importing.plan import ImportSummary, Progress
from creditdash.importing.rollback import rollback
from creditdash.ingest import Source
from creditdash.settings import PROJECT_ROOT
from creditdash.store.models import Import
from creditdash.store.review_models import ReviewSnapshot

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


# ---------------------------------------------------------------- telling the demo apart


def demo_imports(engine: Engine) -> list[int]:
    """The applied imports of the demo company, newest first.

    The demo is known by its files' names (`DEMO_FILES`): an import made of
    those files and nothing else, whether the app loaded it on its first start,
    a user loaded it from the Data page or uploaded the example files.
    """
    t = Import.__table__
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.c.import_id, t.c.file_names)
            .where(t.c.status == "applied")
            .order_by(t.c.import_id.desc())
        ).all()
    return [int(i) for i, names in rows if _demo_files(names)]


def holds_only_demo(engine: Engine) -> bool:
    """True when the demo company is all the store holds: every applied import is the demo's."""
    t = Import.__table__
    with engine.connect() as conn:
        applied = conn.execute(select(t.c.file_names).where(t.c.status == "applied")).scalars()
        names = list(applied)
    return bool(names) and all(_demo_files(n) for n in names)


def _demo_files(file_names: str | None) -> bool:
    files = {f.strip() for f in str(file_names or "").split(",") if f.strip()}
    return bool(files) and files <= set(DEMO_FILES)


def remove_demo(engine: Engine, actor: Actor) -> dict[str, int]:
    """Take the demo company out of the store: its imports rolled back, newest first.

    Its customers, invoices, payments and rates go (each rollback is audited as
    usual), and so do the weekly-review snapshots recorded while a demo import
    was the newest: those weeks were the demo's. Credit decisions, holds and
    third-party reports stay, as after any rollback. `actor` must be allowed to
    import; the removal is audited ("demo_removed"). Refused (NotFound) when no
    demo import is applied; a rollback refused because a later import builds on
    the demo's rows says which import to roll back first.

    Returns the rows removed per table (removed_customers, ...), the imports
    rolled back and the review weeks removed.
    """
    who = authorise(actor, "import").who
    ids = demo_imports(engine)
    if not ids:
        raise NotFound.coded(
            "import.demo.none",
            "There is no demo company to remove: no applied import is made of the demo's files "
            "({files}).",
            files=", ".join(DEMO_FILES),
        )
    done: dict[str, int] = {"imports": 0}
    for import_id in ids:
        for key, value in rollback(engine, import_id, actor=actor).items():
            done[key] = done.get(key, 0) + value
        done["imports"] += 1
    weeks = ReviewSnapshot.__table__
    with engine.begin() as conn:
        done["review_weeks"] = conn.execute(
            weeks.delete().where(weeks.c.import_id.in_(ids))
        ).rowcount
        audit.record(conn, who, "demo_removed", "import", ", ".join(f"#{i}" for i in ids),
                     after=done)  # fmt: skip
    return done
