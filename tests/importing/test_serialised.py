"""Imports and rollbacks one at a time, on SQLite and PostgreSQL.

Two imports started together: the second waits for the first's commit, says
so, then compares with what the first wrote. Its record of the rows before
it is therefore right, and rollbacks in the wrong order are refused. The
week recorded for the review lands in the import's own transaction.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

import creditdash.review
from creditdash.errors import InvalidArgument, StoreError
from creditdash.importing import import_sources, list_imports, rollback, write
from creditdash.ingest import Source
from creditdash.store.load import read_customers, read_invoices
from creditdash.store.models import RowChange
from creditdash.store.review_models import ReviewSnapshot

HEAD = "Invoice No,Customer ID,Invoice Date,Amount\n"
BASE = HEAD + "X1,C1,2024-01-05,100.00\nX2,C1,2024-01-06,50.00\n"


def csv(body: str, name: str) -> Source:
    return Source(name, body.encode())


def amount(engine, invoice: str) -> int:
    table = read_invoices(engine).set_index("invoice_id")["amount_cents"]
    return int(table[invoice])


class Race:
    """Two imports: `first` pauses inside its write until `second` reports waiting for it.

    Without serialisation the second never waits; the first then goes on after
    `patience` seconds, and writes what it compared before the second committed.
    """

    def __init__(self, engine, first: list[Source], second: list[Source], patience: float = 15):
        self.engine, self.patience = engine, patience
        self.inside, self.waiting = threading.Event(), threading.Event()
        self.results: dict[str, object] = {}
        self.steps: dict[str, list[str]] = {"first": [], "second": []}
        self.threads = [
            threading.Thread(target=self._run, args=("first", first)),
            threading.Thread(target=self._run, args=("second", second)),
        ]

    def _progress(self, who: str):
        def report(_share, step) -> None:
            self.steps[who].append(step.code)
            if who == "first" and step.code == "import.step.writing":
                self.inside.set()
                self.waiting.wait(self.patience)
            if who == "second" and step.code == "import.step.waiting":
                self.waiting.set()

        return report

    def _run(self, who: str, sources: list[Source]) -> None:
        try:
            self.results[who] = import_sources(self.engine, sources, progress=self._progress(who))
        except Exception as err:  # noqa: BLE001 - the test asserts on it
            self.results[who] = err

    def run(self) -> tuple[object, object]:
        self.threads[0].start()
        assert self.inside.wait(30), "the first import never reached its write"
        self.threads[1].start()
        for t in self.threads:
            t.join(120)
        return self.results["first"], self.results["second"]


def test_two_imports_creating_the_same_customer_both_succeed(engine):
    import_sources(engine, [csv(BASE, "base.csv")])
    first, second = Race(
        engine,
        [csv(HEAD + "N1,C9,2024-02-01,10.00\n", "a.csv")],
        [csv(HEAD + "N2,C9,2024-02-02,20.00\n", "b.csv")],
    ).run()
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert first.counts["customers"].new == 1
    assert second.counts["customers"].new == 0  # compared with what the first committed
    assert read_customers(engine)["customer_id"].tolist().count("C9") == 1
    assert {"N1", "N2"} <= set(read_invoices(engine)["invoice_id"])


def test_the_second_import_waits_and_records_what_the_first_wrote(engine):
    import_sources(engine, [csv(BASE, "base.csv")])
    race = Race(
        engine,
        [csv(HEAD + "X1,C1,2024-01-05,200.00\n", "a.csv")],
        [csv(HEAD + "X1,C1,2024-01-05,300.00\n", "b.csv")],
    )
    first, second = race.run()
    assert "import.step.waiting" in race.steps["second"]
    assert "import.step.waiting" not in race.steps["first"]
    assert second.import_id > first.import_id
    assert amount(engine, "X1") == 30000
    with engine.connect() as conn:
        before = conn.execute(
            select(RowChange.before, RowChange.before_import_id).where(
                RowChange.import_id == second.import_id
            )
        ).one()
    assert '"amount_cents": 20000' in before.before  # the first import's value, not the base
    assert before.before_import_id == first.import_id

    # undoing the first would silently drop the second's change: refused, naming the second
    with pytest.raises(InvalidArgument) as refused:
        rollback(engine, first.import_id)
    assert refused.value.code == "import.rollback_blocked.changed"
    assert refused.value.params["later"] == second.import_id
    assert amount(engine, "X1") == 30000
    rollback(engine, second.import_id)
    assert amount(engine, "X1") == 20000
    rollback(engine, first.import_id)
    assert amount(engine, "X1") == 10000


def test_a_rollback_is_refused_when_a_later_import_rewrote_its_rows(engine):
    """Even when the later import's record names another writer (as one written
    before imports were serialised could): the row's current writer decides."""
    base = import_sources(engine, [csv(BASE, "base.csv")]).import_id
    first = import_sources(engine, [csv(HEAD + "X2,C1,2024-01-06,60.00\n", "a.csv")])
    second = import_sources(engine, [csv(HEAD + "X2,C1,2024-01-06,70.00\n", "b.csv")])
    with engine.begin() as conn:  # the stale record of an unserialised import
        conn.execute(
            RowChange.__table__.update()
            .where(RowChange.import_id == second.import_id)
            .values(before_import_id=base)
        )
    with pytest.raises(InvalidArgument) as refused:
        rollback(engine, first.import_id)
    assert refused.value.params == {"later": second.import_id, "import_id": first.import_id}
    assert amount(engine, "X2") == 7000


def _hold_the_import_lock(engine):
    """A connection holding what every import takes first: the SQLite write lock, or the
    PostgreSQL advisory lock."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": write.IMPORT_LOCK})
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    return conn


def test_an_import_waits_for_the_lock_says_so_then_runs(engine):
    steps = []
    holder = _hold_the_import_lock(engine)
    release = threading.Timer(2.5, holder.rollback)
    release.start()
    try:
        summary = import_sources(
            engine, [csv(BASE, "a.csv")], progress=lambda _f, step: steps.append(step.code)
        )
    finally:
        release.join()
        holder.close()
    assert summary.import_id is not None
    assert steps.index("import.step.waiting") < steps.index("import.step.writing")


def test_an_import_stops_waiting_after_the_limit(engine, monkeypatch):
    monkeypatch.setattr(write, "PATIENCE_S", 0.2)
    monkeypatch.setattr(write, "WAIT_S", 1)
    steps = []
    holder = _hold_the_import_lock(engine)
    try:
        with pytest.raises(StoreError) as stopped:
            import_sources(
                engine, [csv(BASE, "a.csv")], progress=lambda _f, step: steps.append(step.code)
            )
    finally:
        holder.rollback()
        holder.close()
    assert stopped.value.code == "error.store.import_wait"
    assert str(stopped.value).startswith("Another import has been writing for more than 0 minutes")
    assert "import.step.waiting" in steps
    assert list_imports(engine).empty


def test_a_dry_run_does_not_wait(engine):
    holder = _hold_the_import_lock(engine)
    try:
        summary = import_sources(engine, [csv(BASE, "a.csv")], dry_run=True)
    finally:
        holder.rollback()
        holder.close()
    assert summary.dry_run and summary.counts["invoices"].new == 2


def _snapshots(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ReviewSnapshot)).scalar()


def test_the_week_is_recorded_in_the_import_transaction(engine, monkeypatch):
    summary = import_sources(engine, [csv(BASE, "a.csv")])
    with engine.connect() as conn:
        recorded = conn.execute(select(ReviewSnapshot.import_id)).scalars().all()
    assert recorded == [summary.import_id]

    def dies(*_args, **_kwargs):  # the process ends while the week is being recorded
        raise SystemExit(1)

    monkeypatch.setattr(creditdash.review, "take_snapshot", dies)
    with pytest.raises(SystemExit):
        import_sources(engine, [csv(HEAD + "X3,C1,2024-01-07,5.00\n", "b.csv")])
    assert len(list_imports(engine)) == 1  # neither the import nor its week
    assert _snapshots(engine) == 1
    assert "X3" not in set(read_invoices(engine)["invoice_id"])


def test_a_row_written_outside_the_lock_is_a_clear_conflict(engine, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    def clash(*_args, **_kwargs):
        raise IntegrityError("INSERT INTO customers ...", {}, Exception("duplicate key"))

    monkeypatch.setattr(write, "_bulk_insert", clash)
    with pytest.raises(StoreError) as conflict:
        import_sources(engine, [csv(BASE, "a.csv")])
    assert conflict.value.code == "error.store.conflict"
    assert "nothing was written" in str(conflict.value)
    assert list_imports(engine).empty
