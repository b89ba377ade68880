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


def test_hold_shows_in_alerts_and_risk_then_release(db):
    code, text = run("--db", db, "hold", "C2", "--action", "hold_orders", "--reason", "Overdue",
                     "--rule", "oldest_60", "--who", "mo")  # fmt: skip
    assert code == 0 and "C2: credit status hold" in text
    code, text = run("--db", db, "alerts", "--as-of", "2024-05-31", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    c2 = [r for r in rows if r["customer_id"] == "C2"]
    assert c2 and all(r["status"] == "hold" for r in c2)
    assert {r["state"] for r in c2 if r["rule"] == "oldest_60"} == {"applied"}
    code, text = run("--db", db, "risk", "--as-of", "2024-05-31", "--format", "json", "--no-pd")
    by_id = {r["customer_id"]: r for r in json.loads(text)}
    assert by_id["C2"]["credit_status"] == "hold" and by_id["C1"]["credit_status"] == ""
    # 2,000.00 is 76 days past due at 6% a year: 24.99; C1 owes 500.50 for 90 days: 7.40
    assert by_id["C2"]["late_interest"] == 24.99 and by_id["C1"]["late_interest"] == 7.40
    code, text = run("--db", db, "check-order", "C2", "--amount", "1,000", "--as-of", "2024-05-31",
                     "--format", "json")  # fmt: skip
    answer = json.loads(text)
    assert code == 0 and answer["decision"] == "hold" and answer["exposure_after"] == 3000.0
    assert answer["reason"] == "New orders are on hold for this customer (Overdue)."
    code, text = run("--db", db, "release", "C2", "--reason", "Paid", "--who", "mo")
    assert code == 0 and "released" in text
    code, text = run("--db", db, "check-order", "C2", "--amount", "10", "--as-of", "2024-05-31")
    assert code == 0 and "decision" in text and "allow" in text


def test_hold_errors_exit_with_the_message(db, capsys):
    assert run("--db", db, "release", "C1", "--reason", "x")[0] == 1
    assert "C1 has no credit action to release" in capsys.readouterr().err
    assert run("--db", db, "hold", "C1", "--action", "shout", "--reason", "x")[0] == 2
    assert run("--db", db, "check-order", "C1", "--amount", "abc", "--as-of", "2024-05-31")[0] == 2


def test_import_bureau_confirms_name_matches_row_by_row(db, tmp_path):
    path = tmp_path / "bureau.csv"
    path.write_text(BUREAU, encoding="utf-8")
    args = ["--db", db, "import-bureau", str(path), "--provider", "X", "--scale", "0-100"]
    code, text = run(*args, "--confirm-row", "bureau.csv:2")  # row 2 matches by id already
    assert code == 3 and "row 3" in text and "by name only" in text
    code, text = run(*args, "--confirm-row", "bureau.csv:3")
    assert code == 0 and "2 new" in text and "name 1" in text
    assert run(*args, "--confirm-row", "three")[0] == 2
