"""The command line: import, aging, kpis, imports, rollback; exit codes 0 / 2 / 3."""

from __future__ import annotations

import csv
import io
import json

import pytest

from creditdash.cli import main

LEDGER = """Invoice No,Customer ID,Customer Name,Segment,Invoice Date,Due Date,Amount,Settled Date
INV-1,C1,Acme,SME,2024-01-05,2024-02-04,"1,000.00",2024-02-10
INV-2,C1,Acme,SME,2024-02-01,2024-03-02,500.50,
INV-3,C2,=HYPERLINK("http://x"),Key account,2024-02-15,2024-03-16,"2,000.00",
INV-4,C2,=HYPERLINK("http://x"),Key account,2024-03-01,2024-03-31,-100.00,
"""


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


@pytest.fixture
def ledger_file(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), stdout=out)
    return code, out.getvalue()


def test_import_then_aging_csv(db, ledger_file):
    code, text = run("--db", db, "import", str(ledger_file))
    assert code == 0 and "Import #1 written." in text
    code, text = run("--db", db, "aging", "--as-of", "2024-03-20", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "customer_id",
        "customer_name",
        "current",
        "1-30",
        "31-60",
        "61-90",
        "91-180",
        "181-365",
        ">365",
        "unapplied",
        "total",
        "retention",
    ]
    by_id = {r["customer_id"]: r for r in rows}
    assert by_id["C2"]["1-30"] == "2000.00" and by_id["C2"]["current"] == "-100.00"
    assert by_id["C2"]["total"] == "1900.00"
    assert by_id["C2"]["customer_name"].startswith("'=")  # never evaluated by a spreadsheet
    assert by_id["C1"]["1-30"] == "500.50"


def test_aging_by_segment_json_and_out_file(db, ledger_file, tmp_path):
    run("--db", db, "import", str(ledger_file))
    out = tmp_path / "aging.json"
    code, text = run(
        "--db",
        db,
        "aging",
        "--as-of",
        "2024-03-20",
        "--by",
        "segment",
        "--format",
        "json",
        "--out",
        str(out),
    )
    assert code == 0 and "Wrote 2 row(s)" in text
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert {r["segment"]: r["total"] for r in rows} == {"Key account": "1900.00", "SME": "500.50"}


def test_kpis_json_keys(db, ledger_file):
    run("--db", db, "import", str(ledger_file))
    code, text = run("--db", db, "kpis", "--as-of", "2024-03-20", "--format", "json")
    assert code == 0
    figures = json.loads(text)
    for key in [
        "total_ar",
        "current_ar",
        "overdue_ar",
        "overdue_pct",
        "credit_sales",
        "dso_simple",
        "dso_countback",
        "bpdso",
        "add",
        "cei",
        "avg_days_to_pay",
        "avg_days_late",
        "turnover",
        "window_days",
        "as_of",
    ]:
        assert key in figures
    assert figures["total_ar"] == 2400.50
    assert figures["as_of"] == "2024-03-20"


def test_rejected_import_exits_3_and_writes_nothing(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Invoice No,Customer ID,Invoice Date,Amount\nX1,C1,not a date,abc\n", "utf-8")
    code, text = run("--db", db, "import", str(bad))
    assert code == 3
    assert "row 2" in text and "Invoice Date" in text and "Amount" in text
    assert "nothing was written" in text
    code, text = run("--db", db, "imports")
    assert code == 0 and "No imports yet." in text


def test_bad_usage_exits_2(db, tmp_path, capsys):
    assert run("--db", db, "aging")[0] == 2  # --as-of missing
    assert run("--db", db, "aging", "--as-of", "31/03/2024")[0] == 2
    assert "expected a date as YYYY-MM-DD" in capsys.readouterr().err
    assert run("--db", db, "aging", "--as-of", "2024-03-31", "--edges", "30,x")[0] == 2
    assert run("--db", db, "import", str(tmp_path / "missing.csv"))[0] == 2
    assert run("--db", db, "import", "a.csv", "--map", "no-equals-sign")[0] == 2


def test_imports_list_and_rollback(db, ledger_file):
    run("--db", db, "import", str(ledger_file))
    code, text = run("--db", db, "imports")
    assert code == 0 and text.startswith("#1 ") and "ledger.csv" in text and "new 7" in text
    code, text = run("--db", db, "rollback", "1")
    assert code == 0 and "Import #1 rolled back" in text
    code, text = run("--db", db, "imports")
    assert "[rolled_back]" in text
    code, _ = run("--db", db, "rollback", "1")
    assert code == 1


def test_dry_run_and_map(db, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("Beleg,Kunde,Datum,Betrag\nB1,K1,2024-01-02,10.00\n", "utf-8")
    args = [
        "--map",
        "Beleg=invoice_id",
        "--map",
        "Kunde=customer_id",
        "--map",
        "Datum=invoice_date",
        "--map",
        "Betrag=amount",
    ]
    code, text = run("--db", db, "import", str(odd), *args, "--dry-run")
    assert code == 0 and text.startswith("Dry run")
    assert "No imports yet." in run("--db", db, "imports")[1]
    code, _ = run("--db", db, "import", str(odd), *args)
    assert code == 0


def test_demo_loads_the_demo_company_once(db, tmp_path):
    code, text = run("--db", db, "demo", "--out", str(tmp_path / "demo"))
    assert code == 0 and "Import #1 written." in text
    assert (tmp_path / "demo" / "demo_ledger.xlsx").is_file()
    code, text = run("--db", db, "demo", "--out", str(tmp_path / "demo"))
    assert code == 0 and text.startswith("Nothing changed")
    code, text = run("--db", db, "kpis", "--as-of", "2026-11-27", "--format", "json")
    assert json.loads(text)["total_ar"] > 0
