"""The risk commands: risk (csv/json), alerts, import-bureau; thin history and bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest

from creditdash.cli import main
from creditdash.risk.assess import OUTPUT_COLUMNS

LEDGER = """Invoice No,Customer ID,Customer Name,Invoice Date,Due Date,Amount,Settled Date
INV-1,C1,Acme,2024-01-05,2024-02-04,"1,000.00",2024-02-10
INV-2,C1,Acme,2024-02-01,2024-03-02,500.50,
INV-3,C2,=HYPERLINK("http://x"),2024-02-15,2024-03-16,"2,000.00",
"""
BUREAU = """客户名称,统一社会信用代码,客户编号,信用分,评级,建议额度,报告日期
Acme,,C1,80,A,"3,000.00",2024-03-01
ＡＣＭＥ,,,60,B,,2024-04-01
"""


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    assert run("--db", url, "import", str(path))[0] == 0
    return url


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), stdout=out)
    return code, out.getvalue()


def test_risk_csv_has_one_row_per_customer(db, capsys):
    code, text = run("--db", db, "risk", "--as-of", "2024-05-31", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == OUTPUT_COLUMNS
    by_id = {r["customer_id"]: r for r in rows}
    assert set(by_id) == {"C1", "C2"}
    assert by_id["C2"]["customer_name"].startswith("'=")  # spreadsheet-safe
    assert by_id["C2"]["exposure"] == "2000.0" and by_id["C1"]["pd"] == ""
    assert "oldest_" in by_id["C2"]["flags"]
    assert "The PD model needs at least 2 training dates" in capsys.readouterr().err


def test_risk_json_and_alerts(db):
    code, text = run("--db", db, "risk", "--as-of", "2024-04-30", "--format", "json", "--no-pd")
    assert code == 0 and {r["grade"] for r in json.loads(text)} <= set("ABCDE")
    code, text = run("--db", db, "alerts", "--as-of", "2024-04-30")
    assert code == 0 and "Cash in advance" not in text and "Warn" in text
    code, text = run("--db", db, "alerts", "--as-of", "2024-01-06")
    assert code == 0


def test_import_bureau_by_id_then_by_confirmed_name(db, tmp_path):
    path = tmp_path / "bureau.csv"
    path.write_text(BUREAU, encoding="utf-8")
    code, text = run("--db", db, "import-bureau", str(path), "--provider", "X", "--scale", "0-100")
    assert code == 3 and "by name only" in text and "nothing was written" in text
    code, text = run(
        "--db", db, "import-bureau", str(path), "--provider", "X", "--scale", "0-100",
        "--confirm-names",
    )  # fmt: skip
    assert code == 0 and "2 new" in text


def test_import_bureau_bad_usage(db, tmp_path):
    assert run("--db", db, "import-bureau", str(tmp_path / "nope.csv"))[0] == 2
    assert run("--db", db, "risk")[0] == 2  # --as-of is required
