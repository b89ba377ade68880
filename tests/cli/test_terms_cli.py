"""`simulate` and `provision` on the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest

from creditdash.auth import CLI
from creditdash.cli import main
from creditdash.provisioning.individual import set_individual
from creditdash.store import open_store

LEDGER = """Invoice No,Customer ID,Segment,Invoice Date,Due Date,Amount,Settled Date
I1,C1,SME,2025-03-01,2025-03-31,1000.00,2025-04-10
I2,C1,SME,2025-11-01,2025-12-01,2000.00,
I3,C2,OEM,2025-06-01,2025-07-31,3000.00,2025-07-21
I4,C2,OEM,2024-05-01,2024-08-01,500.00,
I5,C2,OEM,2025-10-15,2025-11-14,800.00,2025-12-20
"""


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER, encoding="utf-8")
    assert main(["--db", url, "import", str(path)], stdout=io.StringIO()) == 0
    return url


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), stdout=out), out.getvalue()


def test_simulate_json_has_baseline_scenario_and_components(db):
    code, text = run(
        "--db", db, "simulate", "--as-of", "2025-12-31", "--terms", "60", "--discount", "0.02",
        "--discount-days", "10", "--take-up", "0.4", "--sales-change", "0.08",
        "--bad-debt-rate", "0.014", "--cost-of-capital", "0.08", "--format", "json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(text)
    assert report["baseline"]["credit_sales"] == pytest.approx(6_800)
    assert report["scenario"]["net_days"] == 60
    assert report["scenario"]["bad_debt_rate"] == pytest.approx(0.014)
    parts = report["components"]
    assert sum(v for k, v in parts.items() if k != "net") == pytest.approx(parts["net"])
    assert report["npv"] == pytest.approx(parts["net"] / 0.08)
    assert set(report["break_even"]) == {"sales_change", "take_up"}


def test_simulate_table_for_a_segment(db):
    code, text = run("--db", db, "simulate", "--as-of", "2025-12-31", "--segment", "SME")
    assert code == 0
    for section in ("[baseline]", "[scenario]", "[result]", "[components]", "[npv]"):
        assert section in text
    assert "Segment: SME" in text


def test_simulate_errors(db, capsys):
    code, _ = run("--db", db, "simulate", "--as-of", "2025-12-31", "--segment", "Nope")
    assert code == 1
    assert "`segment` value(s) 'Nope' match no customer" in capsys.readouterr().err
    code, _ = run("--db", db, "simulate", "--as-of", "2025-12-31", "--take-up", "2")
    assert code == 1
    assert "`take_up` must be a share" in capsys.readouterr().err
    code, _ = run("--db", db, "simulate", "--as-of", "2025-12-31", "--segment", "A", "--grade", "B")
    assert code == 2  # mutually exclusive: argparse usage error


def test_provision_csv_json_and_table(db):
    engine = open_store(db)
    set_individual(engine, "C2", 0.5, "court case", actor=CLI)
    engine.dispose()
    code, text = run("--db", db, "provision", "--as-of", "2025-12-31", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["portfolio", "bucket", "balance", "loss_rate", "ecl"]
    assert rows[-1]["portfolio"] == "individual: C2"
    assert float(rows[-1]["ecl"]) == pytest.approx(250)  # I4 500 open x 50%
    code, text = run("--db", db, "provision", "--as-of", "2025-12-31", "--format", "json")
    report = json.loads(text)
    assert report["total"] == pytest.approx(report["collective"] + report["individual"])
    code, text = run("--db", db, "provision", "--as-of", "2025-12-31", "--by", "segment")
    assert code == 0 and "Provision at 2025-12-31" in text


def test_provision_errors(db, capsys):
    code, _ = run("--db", db, "provision", "--as-of", "2024-01-31")
    assert code == 1
    assert "Roll rates need invoices open at a month-end" in capsys.readouterr().err


def test_simulate_json_has_the_13_week_collections(db):
    code, text = run("--db", db, "simulate", "--as-of", "2025-12-31", "--terms", "60",
                     "--format", "json")  # fmt: skip
    assert code == 0
    weekly = json.loads(text)["collections_13w"]
    assert [w["week"] for w in weekly["weeks"]] == list(range(1, 14))
    assert weekly["weeks"][0]["start"] == "2026-01-01"
    for w in weekly["weeks"]:
        assert w["scenario"] == pytest.approx(w["base"] + w["shift"])
    assert weekly["shift"] == pytest.approx(weekly["weeks"][-1]["cumulative_shift"])
    assert weekly["scenario"] == pytest.approx(weekly["base"] + weekly["shift"])
    code, text = run("--db", db, "simulate", "--as-of", "2025-12-31", "--no-collections",
                     "--format", "json")  # fmt: skip
    assert code == 0 and "collections_13w" not in json.loads(text)


def test_provision_per_portfolio_json(db):
    code, text = run("--db", db, "provision", "--as-of", "2025-12-31", "--by", "segment",
                     "--per-portfolio", "--min-exits", "1", "--format", "json")  # fmt: skip
    assert code == 0
    report = json.loads(text)
    rows = report["roll_rates"]
    assert {r["portfolio"] for r in rows} == {"OEM", "SME"}
    assert {r["source"] for r in rows} <= {"portfolio", "book"}
    thin = {(r["portfolio"], r["bucket"]) for r in rows if r["source"] == "book"}
    assert thin == {(p, b) for p, buckets in report["fallback"].items() for b in buckets}
    code, text = run("--db", db, "provision", "--as-of", "2025-12-31", "--format", "json")
    assert json.loads(text)["fallback"] is None
