"""The columnar read path (ADBC) gives exactly the frames and arrays the row path gives."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import insert

from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.ledger import FxArrays, ledger_arrays
from creditdash.store import columnar, load_ledger
from creditdash.store.engine import make_engine, migrate
from creditdash.store.load import TABLES, ledger_from_frames, read_table
from creditdash.store.models import Customer, Import, Invoice, Payment

CUSTOMERS = (
    "Customer ID,Customer Name,Segment,Region,Salesperson,Credit Limit,Payment Terms,Currency,Email\n"
    'C1,Acme,Key account,华东,S1,"50,000.00",30,,ar@acme.example\n'
    "C2,北京华盛,SME,,S2,,45,,\n"
    'U1,Globex,Distributor,华南,,"9,999.99",60,USD,a@globex.example; b@globex.example\n'
)
LEDGER = """Invoice No,Customer ID,Invoice Date,Due Date,Amount,Disputed,Settled Date,Paid Amount
INV-1,C1,2024-01-05,2024-02-04,"1,000.00",,2024-02-10,1000.00
INV-2,C1,2024-02-01,2024-03-02,500.50,yes,,
INV-3,C2,2024-02-15,2024-03-16,"2,000.00",,2024-03-01,800.00
CN-4,C2,2024-03-01,2024-03-31,-100.00,,,
"""
USD = """Invoice No,Customer ID,Invoice Date,Due Date,Amount,Currency
U-1,U1,2024-01-10,2024-02-09,100.00,USD
U-2,U1,2024-02-10,2024-03-11,-20.00,USD
"""
RATES = "currency, date, rate\nUSD,2024-01-01,7.10\nUSD,2024-02-15,7.20\n"
RECEIPTS = """Payment No,Invoice No,Customer ID,Payment Date,Amount
R1,S-1,C2,2024-02-10,400.00
R2,,C1,2024-03-05,250.00
R3,U-1,U1,2024-02-20,60.00
R4,,U1,2024-03-01,15.00
"""
RETENTION = (
    "发票号,客户编号,客户名称,开票日期,到期日,金额,质保金,质保期到期日\n"
    'FP-1,C1,甲公司,2024-01-10,2024-02-09,"1,000,000.00","100,000.00",2025-01-10\n'
)
SCHEDULE = (
    "Invoice No,Customer ID,Invoice Date,Due Date,Amount\n"
    "S-1,C2,2024-01-05,2024-02-04,300.00\n"
    "S-1,C2,2024-01-05,2024-03-05,500.00\n"
    "S-1,C2,2024-01-05,2024-04-04,200.00\n"
)


def _source(body: str, name: str) -> Source:
    return Source(name, body.encode("utf-8"))


def fill(engine) -> None:
    """Customers with and without attributes, a credit note, a disputed invoice, dollars and
    their rates, unapplied cash in both currencies, retention and an instalment schedule
    paid through its document."""
    import_sources(engine, [_source(CUSTOMERS, "customers.csv")])
    import_sources(engine, [_source(LEDGER, "ledger.csv")])
    import_sources(engine, [_source(USD, "usd.csv"), _source(RATES, "rates.csv")])
    import_sources(engine, [_source(RETENTION, "fp.csv"), _source(SCHEDULE, "schedule.csv")])
    import_sources(engine, [_source(RECEIPTS, "receipts.csv")])


def assert_same_arrays(left, right, where: str = "arrays") -> None:
    """Two LedgerArrays (or FxArrays) hold equal values and dtypes, field by field."""
    assert type(left) is type(right), where
    for field in dataclasses.fields(left):
        if field.name.startswith("_"):
            continue
        a, b = getattr(left, field.name), getattr(right, field.name)
        name = f"{where}.{field.name}"
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, name
            np.testing.assert_array_equal(a, b, err_msg=name)
        elif isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)
        elif isinstance(a, FxArrays):
            assert_same_arrays(a, b, name)
        elif isinstance(a, tuple) and a and isinstance(a[0], np.ndarray):
            assert len(a) == len(b), name
            for x, y in zip(a, b, strict=True):
                np.testing.assert_array_equal(x, y, err_msg=name)
        else:
            assert a == b, name


def assert_same_ledger(left, right) -> None:
    assert left.currency == right.currency
    for name in ("customers", "invoices", "payments", "rates"):
        pd.testing.assert_frame_equal(
            getattr(left, name), getattr(right, name), check_exact=True, obj=name
        )
    assert_same_arrays(ledger_arrays(left), ledger_arrays(right))


def test_every_table_reads_the_same_both_ways(engine):
    fill(engine)
    assert columnar.can_read(engine)
    for name in TABLES:
        by_rows = read_table(engine, name, columnar=False)
        by_columns = read_table(engine, name, columnar=True)
        pd.testing.assert_frame_equal(by_columns, by_rows, check_exact=True, obj=name)
    invoices = read_table(engine, "invoices")
    parts = invoices.set_index("invoice_id")[["document_id", "part"]].dropna()
    assert parts.to_dict("index") == {
        "FP-1#1": {"document_id": "FP-1", "part": "instalment"},
        "FP-1#R": {"document_id": "FP-1", "part": "retention"},
        "S-1#1": {"document_id": "S-1", "part": "instalment"},
        "S-1#2": {"document_id": "S-1", "part": "instalment"},
        "S-1#3": {"document_id": "S-1", "part": "instalment"},
    }
    assert invoices.set_index("invoice_id")["amount_cents"]["CN-4"] == -10_000
    assert invoices.set_index("invoice_id")["disputed"].to_dict()["INV-2"]
    payments = read_table(engine, "payments").set_index("payment_id")
    assert payments["invoice_id"].isna().to_dict() == {
        "INV-1/settled": False,
        "INV-3/settled": False,
        "R1": False,
        "R2": True,
        "R3": False,
        "R4": True,
    }
    customers = read_table(engine, "customers").set_index("customer_id")
    assert customers["credit_limit_cents"].tolist()[:3] == [5_000_000, pd.NA, 999_999]
    assert customers["currency"].to_dict()["U1"] == "USD"


def _buffer_addresses(values) -> set[int]:
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    return {b.address for chunk in chunks for b in chunk.buffers() if b is not None}


def test_text_columns_hold_buffers_of_their_own_not_the_drivers():
    """A frame column sharing a result's buffers would keep the whole result alive."""
    result = pa.table(
        {
            "payment_id": pa.chunked_array([pa.array(["P1", "P2"]), pa.array(["P3"])]),
            "customer_id": pa.array(["C1", "C1", "C2"]),
            "invoice_id": pa.array(["I1", None, "I3"]),
            "payment_date": pa.array([date(2025, 1, 2)] * 3, pa.date32()),
            "amount_cents": pa.array([100, 200, 300], pa.int64()),
            "source": pa.array(["f.csv"] * 3),
        }
    )
    frame = columnar.frame_of(result, "payments")
    driver = _buffer_addresses(result.column("payment_id")) | _buffer_addresses(
        result.column("invoice_id")
    )
    for column in ("payment_id", "customer_id", "invoice_id", "source"):
        assert not _buffer_addresses(pa.array(frame[column])) & driver, column
    assert frame["invoice_id"].isna().tolist() == [False, True, False]
    assert frame["payment_id"].tolist() == ["P1", "P2", "P3"]


def test_the_loaded_ledger_is_the_row_paths_ledger(engine):
    fill(engine)
    row_frames = {name: read_table(engine, name, columnar=False) for name in TABLES}
    loaded = load_ledger(engine, "CNY")
    assert loaded.has_foreign_currency
    assert_same_ledger(loaded, ledger_from_frames(row_frames, "CNY"))
    payments = load_ledger(engine).payments.set_index("payment_id")
    assert payments.loc["R3", ["currency", "original_cents", "amount_cents"]].tolist() == [
        "USD",
        6_000,
        42_600,  # applied to U-1: at U-1's date's rate, 7.10
    ]
    assert payments.loc["R4", ["currency", "original_cents"]].tolist() == ["USD", 1_500]
    assert payments.loc["R1>S-1#1", "amount_cents"] == 30_000  # the document's oldest item


# Amounts whose cents a float can get wrong: the .005s, negatives, the largest Numeric(18,2).
EDGES = [
    "0.005",
    "-0.005",
    "1.005",
    "-1.005",
    "2.675",
    "-2.675",
    "0.015",
    "1.115",
    "0.29",
    "-0.29",
    "1234567.895",
    "0.01",
    "-0.01",
    "0",
    "9999999999999999.99",
    "-9999999999999999.99",
    "4503599627370.49",
]


def _random_amounts(n: int, seed: int) -> list[Decimal]:
    rng = np.random.default_rng(seed)
    cents = rng.integers(-(10**11), 10**11, n).tolist() + rng.integers(-999, 999, n).tolist()
    return [Decimal(c).scaleb(-2) for c in cents] + [Decimal(e) for e in EDGES]


def _write_amounts(engine, amounts: list[Decimal], *, raw_float: bool) -> None:
    """One customer's invoices and payments with `amounts`, written straight to the tables.

    With `raw_float` (SQLite), the values are stored as the nearest double to the
    decimal given, as another program writing the file might; an import stores
    cents / 100, which is the same double for two decimals.
    """
    value = (lambda d: float(d)) if raw_float else (lambda d: d)
    with engine.begin() as conn:
        import_id = conn.execute(
            insert(Import).values(
                file_names="raw",
                sha256="",
                kind="ledger",
                started_at=datetime(2024, 1, 1),
                who="test",
            )
        ).inserted_primary_key[0]
        conn.execute(insert(Customer).values(customer_id="R", import_id=import_id))
        rows = [
            dict(
                invoice_id=f"X{i}",
                customer_id="R",
                invoice_date=date(2024, 1, 1),
                due_date=date(2024, 1, 31),
                amount=value(a),
                currency="CNY",
                disputed=False,
                source="invoice",
                import_id=import_id,
            )
            for i, a in enumerate(amounts)
        ]
        conn.execute(insert(Invoice), rows)
        pays = [
            dict(
                payment_id=f"P{i}",
                customer_id="R",
                invoice_id=None if i % 3 else f"X{i}",
                payment_date=date(2024, 2, 1),
                amount=value(a),
                source="payment",
                import_id=import_id,
            )
            for i, a in enumerate(amounts)
        ]
        conn.execute(insert(Payment), pays)


@pytest.mark.parametrize("seed", [1, 2])
def test_money_reads_to_the_same_cents_on_random_amounts_and_half_cent_edges(engine, seed):
    amounts = _random_amounts(400, seed)
    sqlite = engine.dialect.name == "sqlite"
    _write_amounts(engine, amounts, raw_float=sqlite)
    for name in ("invoices", "payments"):
        by_rows = read_table(engine, name, columnar=False)
        by_columns = read_table(engine, name, columnar=True)
        pd.testing.assert_frame_equal(by_columns, by_rows, check_exact=True, obj=name)
    cents = read_table(engine, "invoices").set_index("invoice_id")["amount_cents"]
    # SQLite keeps a decimal as the nearest double: exact to the cent below 2**45 units
    # (~35 trillion); PostgreSQL's NUMERIC is exact over the whole Numeric(18, 2)
    limit = Decimal(2**45) if sqlite else Decimal("1e17")
    two_decimals = {
        f"X{i}": int(a * 100) for i, a in enumerate(amounts) if a == round(a, 2) and abs(a) < limit
    }
    assert len(two_decimals) == 2 * 400 + len(EDGES) - 9 - (2 if sqlite else 0)
    assert cents[list(two_decimals)].to_dict() == two_decimals  # exact, sign and all
    # a half cent (only a raw writer can store one) rounds as the database rounds it
    half = {f"X{i}": a for i, a in enumerate(amounts) if a != round(a, 2)}
    assert len(half) == 9
    for key, amount in half.items():
        assert abs(cents[key] - amount * 100) <= Decimal("0.5"), key


def test_an_in_memory_database_is_read_through_rows():
    engine = make_engine("sqlite://")
    migrate(engine)
    assert not columnar.can_read(engine)
    assert read_table(engine, "invoices").empty
    assert load_ledger(engine).is_empty


def test_a_read_only_sqlite_file_is_read_in_columns(tmp_path):
    path = tmp_path / "ro.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    fill(engine)
    expected = read_table(engine, "invoices", columnar=False)
    engine.dispose()
    path.chmod(0o444)
    reader = make_engine(f"sqlite:///{path}", read_only=True)
    try:
        pd.testing.assert_frame_equal(read_table(reader, "invoices", columnar=True), expected)
    finally:
        reader.dispose()
        path.chmod(0o644)


def test_a_database_path_with_uri_characters_is_found(tmp_path):
    folder = tmp_path / "a?b#c%d 数据"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder / 'x.sqlite'}")
    migrate(engine)
    fill(engine)
    pd.testing.assert_frame_equal(
        read_table(engine, "payments", columnar=True),
        read_table(engine, "payments", columnar=False),
    )


def _sqlite_reader(path, queries: list[str], lanes: int, folder) -> tuple[int, list]:
    """What the SQLite reader answers for `queries` on `lanes` connections: the lanes it used
    and the tables it wrote."""
    import json
    import subprocess
    import sys

    import pyarrow as pa

    folder.mkdir()
    request = {"uri": f"file:{path}?mode=ro", "queries": queries, "batch_rows": 2**30,
               "folder": str(folder), "lanes": lanes}  # fmt: skip
    done = subprocess.run([sys.executable, "-I", str(columnar._READER)], check=False,
                          input=json.dumps(request).encode(), capture_output=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode())
    tables = [pa.ipc.open_file(pa.memory_map(str(folder / f"{i}.arrow"))).read_all()
              for i in range(len(queries))]  # fmt: skip
    return json.loads(done.stdout)["lanes"], tables


@pytest.fixture
def sqlite_file(tmp_path):
    path = tmp_path / "lanes.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    fill(engine)
    engine.dispose()
    return path


def test_the_sqlite_reader_shares_the_tables_among_lanes_whose_fences_agree(sqlite_file, tmp_path):
    from creditdash.store.load import _VERSION_SQL

    queries = [_VERSION_SQL] + [columnar.table_sql(name, "sqlite") for name in TABLES]
    lanes_one, one = _sqlite_reader(sqlite_file, queries, 1, tmp_path / "one")
    lanes_two, two = _sqlite_reader(sqlite_file, queries, 2, tmp_path / "two")
    assert (lanes_one, lanes_two) == (1, 2)
    assert [t.num_rows for t in two[1:]] == [3, 11, 6, 2]  # customers, invoices, payments, rates
    for name, left, right in zip(["version", *TABLES], one, two, strict=True):
        assert left.equals(right), name


def test_the_sqlite_reader_reads_on_one_lane_when_the_fences_differ(sqlite_file, tmp_path):
    # a fence answering differently on each connection stands for a commit between them
    queries = ["SELECT random()"] + [columnar.table_sql(name, "sqlite") for name in TABLES]
    lanes, tables = _sqlite_reader(sqlite_file, queries, 2, tmp_path / "out")
    assert lanes == 1
    assert tables[2].num_rows == 11


def test_a_failing_query_on_a_lane_stops_the_sqlite_reader_with_its_error(sqlite_file, tmp_path):
    queries = ["SELECT 1", "SELECT 1", "SELECT * FROM no_such_table", "SELECT 2"]
    with pytest.raises(RuntimeError, match="no_such_table"):
        _sqlite_reader(sqlite_file, queries, 2, tmp_path / "out")


def test_the_sqlite_reader_starts_without_pandas(sqlite_file, tmp_path):
    # the driver's DB-API layer imports pyarrow.dataset and pandas: 0.35 s of a 0.6 s start
    import json
    import subprocess
    import sys

    watch = (
        "import runpy, sys\n"
        "try:\n    runpy.run_path(sys.argv[1], run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "loaded = [m for m in ('pandas', 'pyarrow.dataset') if m in sys.modules]\n"
        "sys.stderr.write(repr(loaded))\n"
    )
    folder = tmp_path / "out"
    folder.mkdir()
    request = {"uri": f"file:{sqlite_file}?mode=ro", "queries": ["SELECT 1", "SELECT 2"],
               "batch_rows": 2**30, "folder": str(folder), "lanes": 1}  # fmt: skip
    done = subprocess.run([sys.executable, "-I", "-c", watch, str(columnar._READER)],
                          input=json.dumps(request).encode(), capture_output=True, check=True)  # fmt: skip
    assert json.loads(done.stdout) == {"lanes": 1}
    assert done.stderr.decode() == "[]"
    assert (folder / "1.arrow").is_file()


@pytest.mark.pg
def test_postgresql_lanes_read_one_snapshot_though_a_commit_came_between(pg_engine, monkeypatch):
    fill(pg_engine)
    run, statements = columnar._run, []

    def commit_before_the_snapshot_is_taken_up(connection, sql: str):
        statements.append(sql.split(" '")[0])
        if sql.startswith("SET TRANSACTION SNAPSHOT"):  # the first lane has its snapshot
            with pg_engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM rates")  # another writer commits
        return run(connection, sql)

    monkeypatch.setattr(columnar, "_run", commit_before_the_snapshot_is_taken_up)
    monkeypatch.setattr(columnar, "_lanes", lambda _n: 2)
    count = "SELECT COUNT(*) AS n FROM rates"
    answers = columnar.read(pg_engine, [count, count, count, count])
    assert statements.count("SET TRANSACTION SNAPSHOT") == 1
    assert [a.column(0)[0].as_py() for a in answers] == [2, 2, 2, 2]  # none saw the delete
    assert read_table(pg_engine, "rates").empty


def test_the_sqlite_reader_sweeps_away_what_a_killed_process_left(tmp_path, monkeypatch):
    import os
    import time

    monkeypatch.setattr(columnar, "_scratch", lambda: str(tmp_path))
    stale, fresh, other = (tmp_path / n for n in ("creditdash-read-a", "creditdash-read-b", "x"))
    for folder in (stale, fresh, other):
        folder.mkdir()
        (folder / "0.arrow").write_bytes(b"left")
    old = time.time() - 2 * 3600
    for path in (stale, other):
        os.utime(path, (old, old))
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    fill(engine)
    assert len(read_table(engine, "invoices", columnar=True)) == 11
    left = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert left == ["creditdash-read-b", "x"]  # its own folder is gone too
