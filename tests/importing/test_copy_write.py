"""PostgreSQL imports write through COPY: the same rows as SQLite's executemany, all or nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.importing import import_sources, rollback, write
from creditdash.ingest import Source
from creditdash.store.load import TABLES, read_table
from tests.store.test_columnar import fill

AWKWARD = (
    "Invoice No,Customer ID,Customer Name,Invoice Date,Due Date,Amount\n"
    'Q-1,"C,1","Comma, Quote "" and \\N Ltd",2024-01-05,2024-02-04,"99,999,999.99"\n'
    'Q-2,C2,"两行\n名称",2024-01-06,2024-02-05,-0.01\n'
    "Q-3,C3,,2024-01-07,2024-02-06,0.00\n"
)


def stored(engine) -> dict[str, pd.DataFrame]:
    return {name: read_table(engine, name, columnar=False) for name in TABLES}


@pytest.mark.pg
def test_a_failure_after_the_copy_writes_nothing(pg_engine, monkeypatch):
    fill(pg_engine)
    before = stored(pg_engine)
    real = write._bulk_insert

    def fail_on_payments(conn, table, frame, import_id, **kw):
        real(conn, table, frame, import_id, **kw)  # the rows are copied in...
        if table.name == "payments":
            raise RuntimeError("the disk failed")  # ...then the import fails

    monkeypatch.setattr(write, "_bulk_insert", fail_on_payments)
    ledger = (
        "Invoice No,Customer ID,Invoice Date,Due Date,Amount,Settled Date,Paid Amount\n"
        "N-1,C7,2024-05-01,2024-05-31,10.00,2024-05-20,10.00\n"
    )
    with pytest.raises(RuntimeError, match="the disk failed"):
        import_sources(pg_engine, [Source("n.csv", ledger.encode())])
    after = stored(pg_engine)
    for name in TABLES:
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)


@pytest.mark.pg
def test_rows_copied_in_are_rolled_back_like_any_other(pg_engine):
    summary = import_sources(pg_engine, [Source("awkward.csv", AWKWARD.encode())])
    assert len(read_table(pg_engine, "invoices")) == 3
    rollback(pg_engine, summary.import_id)
    assert read_table(pg_engine, "invoices").empty
    assert read_table(pg_engine, "customers").empty


def _foreign_keys(engine, table: str) -> list[tuple[str, str]]:
    """The foreign keys and then the indexes of `table`: (name, definition)."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            f"WHERE conrelid = to_regclass('{table}') AND contype = 'f' ORDER BY conname"
        )
        indexes = conn.exec_driver_sql(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            f"WHERE i.indrelid = to_regclass('{table}') ORDER BY c.relname"
        )
        return [tuple(row) for row in rows] + [tuple(row) for row in indexes]


def _every_copy_sets_aside(monkeypatch) -> None:
    """Every COPY sets the foreign keys and indexes aside, as a big import does."""
    monkeypatch.setattr(write, "_ASIDE_ROWS", 1)
    monkeypatch.setattr(write, "_KEYS_SHARE", 10**9)
    monkeypatch.setattr(write, "_INDEXES_SHARE", 10**9)


@pytest.mark.pg
@pytest.mark.parametrize("big", [False, True], ids=["row_checks", "keys_and_indexes_aside"])
def test_copy_stores_what_executemany_stores(sqlite_engine, pg_engine, monkeypatch, big):
    if big:  # every COPY sets the foreign keys and indexes aside, as a big import does
        _every_copy_sets_aside(monkeypatch)
    keys = {t: _foreign_keys(pg_engine, t) for t in ("customers", "invoices", "payments")}
    assert ("fk_invoices_customer_id_customers",
            "FOREIGN KEY (customer_id) REFERENCES customers(customer_id)") in keys["invoices"]  # fmt: skip
    assert "ix_invoices_customer_id" in [name for name, _ in keys["invoices"]]
    for engine in (sqlite_engine, pg_engine):
        fill(engine)
        import_sources(engine, [Source("awkward.csv", AWKWARD.encode())])
    on_sqlite, on_pg = stored(sqlite_engine), stored(pg_engine)
    for name in TABLES:
        pd.testing.assert_frame_equal(on_pg[name], on_sqlite[name], check_exact=True, obj=name)
    names = on_pg["customers"].set_index("customer_id")["customer_name"]
    assert names["C,1"] == 'Comma, Quote " and \\N Ltd'
    assert pd.isna(names["C3"])
    assert {t: _foreign_keys(pg_engine, t) for t in keys} == keys


@pytest.mark.pg
def test_a_big_copy_that_breaks_a_foreign_key_writes_nothing(pg_engine, monkeypatch):
    import psycopg
    from sqlalchemy import select

    from creditdash.store.models import Import, Invoice

    _every_copy_sets_aside(monkeypatch)
    fill(pg_engine)
    before, keys = stored(pg_engine), _foreign_keys(pg_engine, "invoices")
    stray = pd.DataFrame({
        "invoice_id": ["X-1"], "customer_id": ["NOBODY"],
        "invoice_date": pd.to_datetime(["2024-05-01"]), "due_date": pd.to_datetime(["2024-05-31"]),
        "amount_cents": [1000], "currency": ["CNY"], "disputed": [False], "source": ["invoice"],
    })  # fmt: skip
    with pytest.raises(psycopg.errors.ForeignKeyViolation), pg_engine.begin() as conn:
        import_id = conn.execute(select(Import.import_id).limit(1)).scalar_one()
        write._bulk_insert(conn, Invoice.__table__, stray, import_id)
    after = stored(pg_engine)
    for name in TABLES:
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)
    assert _foreign_keys(pg_engine, "invoices") == keys


@pytest.mark.pg
def test_a_small_copy_into_a_big_table_keeps_the_per_row_work(pg_engine, monkeypatch):
    fill(pg_engine)
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE invoices")
        cursor = conn.connection.driver_connection.cursor()
        stored_rows = conn.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass('invoices')"
        ).scalar_one()
        assert stored_rows == 11

        def aside(rows: int) -> tuple[int, int]:
            """(foreign keys, indexes) set aside for `rows` rows."""
            found = write._set_aside(cursor, "invoices", rows)
            assert len(found.drop) == len(found.restore)
            return (sum("CONSTRAINT" in s for s in found.drop),
                    sum(s.startswith("DROP INDEX") for s in found.drop))  # fmt: skip

        monkeypatch.setattr(write, "_ASIDE_ROWS", 1)
        monkeypatch.setattr(write, "_KEYS_SHARE", 5)
        monkeypatch.setattr(write, "_INDEXES_SHARE", 2)
        assert aside(2) == (0, 0)  # 5 x 2 < 11 rows
        assert aside(3) == (2, 0)  # 5 x 3 >= 11 rows, 2 x 3 < 11
        assert aside(6) == (2, 3)  # 2 x 6 >= 11: customer_id, document_id and import_id
        monkeypatch.setattr(write, "_ASIDE_ROWS", 7)
        assert aside(6) == (0, 0)  # below the floor
