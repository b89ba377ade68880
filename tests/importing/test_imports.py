"""Imports end to end on SQLite and PostgreSQL: all-or-nothing, upsert, rollback, snapshots."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from creditdash.errors import ImportRejected, InvalidArgument, NotFound
from creditdash.importing import import_sources, list_imports, rollback
from creditdash.ingest import Source
from creditdash.store import load_ledger, row_counts
from creditdash.store.load import read_invoices, read_payments
from creditdash.store.models import RowChange

LEDGER = """Invoice No,Customer ID,Customer Name,Invoice Date,Due Date,Amount,Settled Date,Paid Amount
INV-1,C1,Acme,2024-01-05,2024-02-04,"1,000.00",2024-02-10,1000.00
INV-2,C1,Acme,2024-02-01,2024-03-02,500.50,,
INV-3,C2,北京华盛,2024-02-15,2024-03-16,"2,000.00",2024-03-01,800.00
INV-4,C2,北京华盛,2024-03-01,2024-03-31,-100.00,,
"""


def csv_source(text: str, name: str = "ledger.csv") -> Source:
    return Source(name=name, data=text.encode("utf-8"))


def total_cents(engine) -> int:
    inv = read_invoices(engine)["amount_cents"].sum()
    pay = read_payments(engine)["amount_cents"].sum()
    return int(inv - pay)


def test_ledger_import_counts_and_reimport_changes_nothing(engine):
    first = import_sources(engine, [csv_source(LEDGER)])
    assert first.import_id is not None
    assert (first.counts["invoices"].new, first.counts["payments"].new) == (4, 2)
    assert first.counts["customers"].new == 2
    assert total_cents(engine) == 100_000 + 50_050 + 200_000 - 10_000 - 100_000 - 80_000

    again = import_sources(engine, [csv_source(LEDGER)])
    assert again.nothing_changed and again.import_id is None
    assert again.counts["invoices"].unchanged == 4
    assert len(list_imports(engine)) == 1


def test_summary_and_progress_in_either_language(engine):
    steps = []
    summary = import_sources(
        engine, [csv_source(LEDGER)], progress=lambda share, step: steps.append((share, step))
    )
    assert summary.lines()[:3] == [
        f"Import #{summary.import_id} written.",
        "Files: ledger.csv · Full ledger (invoices with settlement) · rows read: 4",
        "  customers: 2 new, 0 changed, 0 unchanged",
    ]
    assert [t.render("zh") for t in summary.texts()][:3] == [
        f"导入 #{summary.import_id} 已写入。",
        "文件：ledger.csv · 完整台账（含核销） · 读取行数：4",
        "  客户：新增 2，变更 0，未变 0",
    ]
    said = [(share, step.render("zh")) for share, step in steps]
    assert said[0] == (0.05, "正在读取文件") and said[-1] == (1.0, "完成")
    assert (0.65 + 0.3 * 2 / 4, "正在写入发票") in said
    dry = import_sources(engine, [csv_source(LEDGER)], dry_run=True)
    assert dry.lines()[0] == "Dry run: nothing written."
    assert dry.texts()[0].render("zh") == "试运行：未写入任何数据。"


def test_newer_export_upserts_and_reports_new_changed_unchanged(engine):
    import_sources(engine, [csv_source(LEDGER)])
    newer = (
        LEDGER.replace("500.50,,", "500.50,2024-03-05,500.50").replace("-100.00,,", "-120.00,,")
        + "INV-5,C3,Newco,2024-03-10,2024-04-09,300.00,,\n"
    )
    summary = import_sources(engine, [csv_source(newer, "ledger-week2.csv")])
    inv = summary.counts["invoices"]
    assert (inv.new, inv.changed, inv.unchanged) == (1, 1, 3)
    assert summary.counts["payments"].new == 1
    amounts = read_invoices(engine).set_index("invoice_id")["amount_cents"]
    assert amounts["INV-4"] == -12_000 and amounts["INV-5"] == 30_000


def test_rollback_restores_the_state_before_exactly(engine):
    import_sources(engine, [csv_source(LEDGER)])
    before_inv = read_invoices(engine).sort_values("invoice_id").reset_index(drop=True)
    before_pay = read_payments(engine).sort_values("payment_id").reset_index(drop=True)
    newer = LEDGER.replace("-100.00", "-120.00") + "INV-5,C3,Newco,2024-03-10,2024-04-09,300.00,,\n"
    second = import_sources(engine, [csv_source(newer, "w2.csv")])

    done = rollback(engine, second.import_id)
    assert done["restored"] == 1 and done["removed_invoices"] == 1
    pd.testing.assert_frame_equal(
        read_invoices(engine).sort_values("invoice_id").reset_index(drop=True), before_inv
    )
    pd.testing.assert_frame_equal(
        read_payments(engine).sort_values("payment_id").reset_index(drop=True), before_pay
    )
    assert row_counts(engine)["customers"] == 2
    assert (
        list_imports(engine).set_index("import_id").loc[second.import_id, "status"] == "rolled_back"
    )


def test_rollback_refused_while_a_later_import_changed_its_rows(engine):
    first = import_sources(engine, [csv_source(LEDGER)])
    import_sources(engine, [csv_source(LEDGER.replace("-100.00", "-120.00"), "w2.csv")])
    with pytest.raises(InvalidArgument, match=r"Import #\d+ changed rows that import #\d+ wrote"):
        rollback(engine, first.import_id)


def test_rollback_refused_while_a_later_import_uses_its_customers(engine):
    first = import_sources(engine, [csv_source(LEDGER)])
    more = "Invoice No,Customer ID,Invoice Date,Amount\nINV-9,C1,2024-04-01,10.00\n"
    import_sources(engine, [csv_source(more, "more.csv")])
    with pytest.raises(InvalidArgument, match="roll back #2 first"):
        rollback(engine, first.import_id)


def test_rollback_of_unknown_or_rolled_back_import(engine):
    with pytest.raises(NotFound, match="`import_id` 99 does not exist"):
        rollback(engine, 99)
    first = import_sources(engine, [csv_source(LEDGER)])
    rollback(engine, first.import_id)
    assert row_counts(engine)["invoices"] == 0
    with pytest.raises(InvalidArgument, match="already rolled back"):
        rollback(engine, first.import_id)


def test_rejected_file_writes_nothing(engine):
    import_sources(engine, [csv_source(LEDGER)])
    counts = row_counts(engine)
    bad = LEDGER.replace("2024-02-01,2024-03-02", "2024-02-31,2024-03-02").replace(
        "500.50", "five hundred"
    )
    with pytest.raises(ImportRejected) as caught:
        import_sources(engine, [csv_source(bad, "bad.csv")])
    columns = {p.column for p in caught.value.errors}
    assert {"Invoice Date", "Amount"} <= columns
    assert all(p.row == 3 for p in caught.value.errors)
    assert row_counts(engine) == counts


def test_payment_for_unknown_invoice_is_rejected(engine):
    payments = (
        "Payment ID,Customer ID,Invoice No,Payment Date,Amount\nP1,C1,NOPE-1,2024-03-01,10.00\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_sources(engine, [csv_source(payments, "payments.csv")])
    [problem] = caught.value.errors
    assert problem.value == "NOPE-1" and "neither in this upload nor stored" in problem.message
    assert row_counts(engine)["payments"] == 0


def test_payment_for_stored_invoice_is_accepted(engine):
    import_sources(engine, [csv_source(LEDGER)])
    payments = (
        "Payment ID,Customer ID,Invoice No,Payment Date,Amount\nP1,C1,INV-2,2024-03-01,100.00\n"
    )
    summary = import_sources(engine, [csv_source(payments, "payments.csv")])
    assert summary.counts["payments"].new == 1


def test_currency_without_rate_is_named_and_rates_convert(engine):
    usd = "Invoice No,Customer ID,Invoice Date,Amount,Currency\nU1,C9,2024-01-10,100.00,USD\n"
    with pytest.raises(ImportRejected) as caught:
        import_sources(engine, [csv_source(usd, "usd.csv")])
    [problem] = caught.value.errors
    assert problem.value == "USD" and "No exchange rate from USD" in problem.message
    rates = "Currency,Rate Date,Rate\nUSD,2024-01-01,7.10\nUSD,2024-02-01,7.20\n"
    import_sources(engine, [csv_source(usd, "usd.csv"), csv_source(rates, "rates.csv")])
    ledger = load_ledger(engine, "CNY")
    assert ledger.invoices["amount_cents"].tolist() == [71_000]


def test_dry_run_writes_nothing(engine):
    summary = import_sources(engine, [csv_source(LEDGER)], dry_run=True)
    assert summary.dry_run and summary.counts["invoices"].new == 4
    assert row_counts(engine) == {"customers": 0, "invoices": 0, "payments": 0, "imports": 0}


SNAP1 = """Open items as of 2024-03-31
Invoice No,Customer ID,Invoice Date,Due Date,Amount,Open Amount
A1,C1,2024-03-01,2024-03-31,1000.00,1000.00
A2,C1,2024-03-10,2024-04-09,500.00,200.00
A3,C2,2024-03-20,2024-04-19,300.00,300.00
"""
SNAP2 = """Open items as of 2024-04-07
Invoice No,Customer ID,Invoice Date,Due Date,Amount,Open Amount
A1,C1,2024-03-01,2024-03-31,1000.00,400.00
A4,C2,2024-04-02,2024-05-02,50.00,50.00
"""


def test_snapshots_become_payment_events(engine):
    import_sources(engine, [csv_source(SNAP1, "open-0331.csv")], as_of=date(2024, 3, 31))
    import_sources(
        engine, [csv_source(SNAP2, "open-0407.csv")], as_of=date(2024, 4, 7), complete=True
    )
    pay = read_payments(engine).set_index("payment_id")
    assert set(pay["source"]) == {"snapshot"}
    assert pay.loc["A2@2024-03-31", "amount_cents"] == 30_000  # paid before first seen
    assert pay.loc["A1@2024-04-07", "amount_cents"] == 60_000  # open fell 1000 -> 400
    assert pay.loc["A2@2024-04-07", "amount_cents"] == 20_000  # vanished from a complete snapshot
    assert pay.loc["A3@2024-04-07", "amount_cents"] == 30_000
    assert str(pay.loc["A1@2024-04-07", "payment_date"].date()) == "2024-04-07"
    assert total_cents(engine) == 40_000 + 5_000


def test_incomplete_snapshot_keeps_missing_invoices_open(engine):
    import_sources(engine, [csv_source(SNAP1, "open-0331.csv")], as_of=date(2024, 3, 31))
    import_sources(engine, [csv_source(SNAP2, "open-0407.csv")], as_of=date(2024, 4, 7))
    assert total_cents(engine) == 40_000 + 20_000 + 30_000 + 5_000


def test_changed_rows_keep_their_before_state(engine):
    import_sources(engine, [csv_source(LEDGER)])
    import_sources(engine, [csv_source(LEDGER.replace("-100.00", "-120.00"), "w2.csv")])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(RowChange)).scalar() == 1


def test_the_week_recorded_at_import_equals_the_stored_ledger_read_back(engine):
    import json

    from creditdash.review import load_snapshot, week_figures
    from creditdash.risk.in_force import risk_inputs

    import_sources(engine, [csv_source(LEDGER)], snapshot=False)
    newer = LEDGER.replace("-100.00", "-120.00") + (
        "INV-5,C3,Newco,2024-03-10,2024-04-09,300.00,,\n"
        "INV-6,C1,Acme,2024-03-12,2024-04-11,100.00,,\n"
    )
    usd = "Invoice No,Customer ID,Invoice Date,Amount,Currency\nU1,C9,2024-03-11,100.00,USD\n"
    rates = "Currency,Rate Date,Rate\nUSD,2024-01-01,7.10\n"
    import_sources(
        engine,
        [csv_source(newer, "w2.csv"), csv_source(usd, "usd.csv"), csv_source(rates, "r.csv")],
    )
    _, recorded = load_snapshot(engine, "2024-03-12")
    expected = week_figures(load_ledger(engine), "2024-03-12", risk=risk_inputs(engine))
    assert json.loads(json.dumps(recorded, default=str)) == json.loads(
        json.dumps(expected, default=str)
    )
