"""The collections commands: worklist, statement, dunning [--send], contact, promise, dispute,
resolve."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from creditdash.cli import main
from creditdash.report.pdf import find_chromium
from tests.collections.conftest import CUSTOMERS_CSV, LEDGER_CSV
from tests.collections.smtp import MailServer

AS_OF = "2026-06-30"


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), stdout=out)
    return code, out.getvalue()


@pytest.fixture
def db(tmp_path, monkeypatch):
    for name in ("CREDITDASH_SMTP_URL", "CREDITDASH_SMTP_FROM", "CREDITDASH_LETTERHEAD"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    (tmp_path / "customers.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(LEDGER_CSV, encoding="utf-8")
    code, _ = run("--db", url, "import", str(tmp_path / "customers.csv"),
                  str(tmp_path / "ledger.csv"))  # fmt: skip
    assert code == 0
    return url


def test_worklist_lists_who_to_call_first_with_its_columns(db, capsys):
    code, text = run("--db", db, "worklist", "--as-of", AS_OF, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:10] == ["priority", "customer_id", "customer_name", "overdue",
                                  "days_past_due_max", "expected_loss", "next_stage",
                                  "next_action", "promise_status", "disputed"]  # fmt: skip
    assert [r["customer_id"] for r in rows] == ["C1", "C2", "C3"]
    # graded D by the scorecard, C1 follows the high-risk strategy: +60 is already legal
    assert rows[0]["overdue"] == "9000.0" and rows[0]["next_stage"] == "legal"
    assert rows[0]["grade"] == "D" and rows[1]["next_stage"] == "warning"
    assert "note:" in capsys.readouterr().err  # too little history for a PD model
    code, text = run("--db", db, "worklist", "--as-of", AS_OF, "--format", "json",
                     "--collector", "nobody@x.cn")  # fmt: skip
    assert code == 0 and json.loads(text) == []
    code, text = run("--db", db, "worklist", "--as-of", "2026-01-10")
    assert "Nothing to do at 2026-01-10." in text


def test_contact_promise_dispute_and_resolve_change_the_worklist(db):
    assert run("--db", db, "contact", "C2", "--kind", "call", "--outcome", "will pay",
               "--date", "2026-06-29", "--who", "ann@x.cn")[0] == 0  # fmt: skip
    code, text = run("--db", db, "promise", "C2", "--amount", "5,000", "--date", "2026-07-10",
                     "--invoice", "I21", "--made-on", "2026-06-29")  # fmt: skip
    assert code == 0 and "promise #1 of 5,000.00 by 2026-07-10" in text
    code, text = run("--db", db, "dispute", "I13", "--reason", "quality", "--note", "broken",
                     "--date", "2026-06-20")  # fmt: skip
    assert code == 0 and "dispute #1 opened" in text
    rows = {r["customer_id"]: r for r in json.loads(run("--db", db, "worklist", "--as-of", AS_OF,
                                                        "--format", "json")[1])}  # fmt: skip
    assert rows["C2"]["promise_status"] == "pending" and rows["C2"]["last_contact"] == "2026-06-29"
    assert rows["C1"]["disputed"] == 3000.0 and rows["C1"]["open_disputes"] == 1
    code, text = run("--db", db, "resolve", "I13", "--outcome", "upheld", "--date", "2026-06-30")
    assert code == 0 and "resolved (upheld)" in text
    code, text = run("--db", db, "worklist", "--as-of", "2026-07-01", "--format", "json")
    rows = {r["customer_id"]: r for r in json.loads(text)}
    assert rows["C1"]["disputed"] == 0.0 and rows["C1"]["open_disputes"] == 0


def test_bad_input_is_refused_with_the_reason(db, capsys):
    assert run("--db", db, "promise", "C9", "--amount", "1", "--date", AS_OF, "--made-on",
               AS_OF)[0] == 1  # fmt: skip
    assert "'C9' is not in the stored ledger" in capsys.readouterr().err
    assert run("--db", db, "resolve", "I13", "--outcome", "credit")[0] == 1
    assert "no open dispute" in capsys.readouterr().err
    assert run("--db", db, "dispute", "I13", "--reason", "late")[0] == 2  # not a reason
    assert run("--db", db, "promise", "C1", "--amount", "lots", "--date", AS_OF)[0] == 2
    assert run("--db", db, "statement", "C1", "--as-of", AS_OF, "--out", "x.docx")[0] == 1
    assert "must name a .pdf or .xlsx file" in capsys.readouterr().err
    assert run("--db", db, "statement", "--as-of", AS_OF, "--out", "x.xlsx")[0] == 1
    assert "Name one customer, or a dunning stage" in capsys.readouterr().err


def test_no_data_yet_is_said(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert run("--db", url, "worklist", "--as-of", AS_OF)[0] == 1
    assert "There are no invoices yet" in capsys.readouterr().err


def test_statement_as_xlsx_for_one_customer_and_for_a_stage(db, tmp_path):
    out = tmp_path / "c1.xlsx"
    code, text = run("--db", db, "statement", "C1", "--as-of", AS_OF, "--out", str(out),
                     "--lang", "en")  # fmt: skip
    assert code == 0 and "Wrote 1 statement(s) (en)" in text
    cells = [c.value for row in openpyxl.load_workbook(out).active.iter_rows() for c in row]
    assert "Statement of account" in cells and 10_000.0 in cells
    out = tmp_path / "legal.xlsx"
    code, text = run("--db", db, "statement", "--stage", "legal", "--as-of", AS_OF, "--out",
                     str(out))  # fmt: skip
    assert code == 0 and openpyxl.load_workbook(out).sheetnames == ["C1", "C3"]


@pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed")
def test_statement_as_pdf(db, tmp_path):
    out = tmp_path / "c1.pdf"
    assert run("--db", db, "statement", "C1", "--as-of", AS_OF, "--out", str(out))[0] == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_dunning_is_a_dry_run_unless_sent_and_then_says_what_the_server_answered(
    db, tmp_path, monkeypatch
):
    code, text = run("--db", db, "dunning", "--as-of", AS_OF, "--format", "csv",
                     "--attach", "xlsx", "--preview", str(tmp_path / "preview"))  # fmt: skip
    assert code == 0 and "nothing was sent" in text
    lines = list(csv.DictReader(io.StringIO(text.split("Wrote", 1)[1].split("\n", 1)[1])))
    assert [(r["customer"], r["stage"], r["channel"]) for r in lines if r["channel"]] == [
        ("C1", "courtesy", "email"), ("C1", "reminder", "email"), ("C1", "warning", "email"),
        ("C1", "legal", "letter"), ("C2", "warning", "email"), ("C3", "reminder", "email"),
        ("C3", "legal", "letter"),
    ]  # fmt: skip
    assert lines[0]["to"] == "ar@jia.cn,boss@jia.cn" and lines[0]["language"] == "zh"
    previews = sorted(p.name for p in (tmp_path / "preview").iterdir())
    assert len(previews) == 5 and "C2-warning.eml" in previews
    with MailServer(tmp_path) as mail:
        monkeypatch.setenv("CREDITDASH_SMTP_URL", mail.url)
        monkeypatch.setenv("CREDITDASH_SMTP_FROM", "credit@seller.cn")
        monkeypatch.setenv("CREDITDASH_LETTERHEAD", "卖方公司 | 上海")
        code, text = run("--db", db, "dunning", "--as-of", AS_OF, "--send", "--attach", "xlsx",
                         "--letter-format", "xlsx", "--letters", str(tmp_path / "post"),
                         "--format", "json", "--who", "ann@x.cn")  # fmt: skip
        assert code == 0
        sent = json.loads(text.rsplit("]", 1)[0] + "]")
        assert {r["status"] for r in sent} == {"sent", "failed"}
        assert next(r for r in sent if r["customer"] == "C2")["reply"].startswith("250")
        assert "Sent 6, failed 1" in text
        code, text = run("--db", db, "dunning", "--as-of", AS_OF, "--send", "--attach", "xlsx",
                         "--format", "csv")  # fmt: skip
        assert code == 0 and "Sent 0, failed 1" in text  # only C3's email, without an address
    assert len(mail.inbox.arrived) == 4
    assert "卖方公司" in mail.inbox.arrived[0].message.get_body(("plain",)).get_content()
