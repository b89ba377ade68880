"""forecast and backtest commands: output shape and errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from creditdash.cli import main
from creditdash.forecast.cashplan import CATEGORIES  # noqa: F401 - the module imports cleanly
from creditdash.store import open_store
from tests.forecast.conftest import random_ledger


@pytest.fixture
def db(tmp_path):
    ledger = random_ledger()
    path = tmp_path / "ledger.csv"
    inv = ledger.invoices.merge(
        ledger.payments[["invoice_id", "payment_date"]], on="invoice_id", how="left"
    )
    inv = inv.assign(
        amount=inv["amount_cents"] / 100,
        settled=inv["payment_date"]
        .where(inv["payment_date"] <= "2023-12-31")
        .dt.strftime("%Y-%m-%d"),
    )
    inv = inv.rename(
        columns={"invoice_id": "Invoice No", "customer_id": "Customer ID",
                 "invoice_date": "Invoice Date", "due_date": "Due Date", "amount": "Amount",
                 "settled": "Settled Date"}
    )  # fmt: skip
    inv[["Invoice No", "Customer ID", "Invoice Date", "Due Date", "Amount", "Settled Date"]].to_csv(
        path, index=False, date_format="%Y-%m-%d"
    )
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    open_store(url).dispose()
    assert run("--db", url, "import", str(path))[0] == 0
    return url


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), stdout=out)
    return code, out.getvalue()


def test_forecast_csv_has_one_row_per_week(db):
    code, text = run("--db", db, "forecast", "--as-of", "2023-09-30", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 13
    assert list(rows[0])[:7] == ["week", "start", "end", "expected", "p10", "p50", "p90"]
    assert {"new_sales", "new_sales_collections", "total_expected"} <= set(rows[0])
    assert rows[0]["start"] == "2023-10-01" and rows[0]["end"] == "2023-10-07"
    assert float(rows[0]["p10"]) <= float(rows[0]["p90"])


def test_forecast_json_weeks_option(db):
    code, text = run(
        "--db", db, "forecast", "--as-of", "2023-09-30", "--weeks", "4", "--format", "json",
        "--no-new-sales",
    )  # fmt: skip
    assert code == 0
    rows = json.loads(text)
    assert [r["week"] for r in rows] == [1, 2, 3, 4]
    assert all(r["new_sales"] == 0 for r in rows)


def test_backtest_json_has_overall_and_origins(db):
    code, text = run(
        "--db", db, "backtest", "--from", "2023-03-03", "--to", "2023-04-28",
        "--step-days", "14", "--format", "json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(text)
    keys = {"wape", "coverage_p10_p90", "baseline_due_date", "baseline_avg_delay"}
    assert keys <= set(data["overall"])
    assert len(data["origins"]) == 5
    assert keys | {"origin"} <= set(data["origins"][0])


def test_backtest_bad_range_exits_1(db, capsys):
    code, _ = run("--db", db, "backtest", "--from", "2023-05-01", "--to", "2023-04-01")
    assert code == 1
    assert "`end` must not be before `start`" in capsys.readouterr().err
    code, _ = run("--db", db, "forecast", "--as-of", "2023-09-30", "--weeks", "60")
    assert code == 1
    assert "`weeks` must be a whole number from 1 to 52" in capsys.readouterr().err
