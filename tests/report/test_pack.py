"""The review pack: same figures as the page and `kpis`, text never evaluated, self-contained HTML."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from creditdash.cli import main
from creditdash.exports import to_csv_bytes
from creditdash.report import find_chromium, html_to_pdf, review_html, review_xlsx
from creditdash.review import build_review
from tests.review.conftest import CMD, EVIL, small_ledger

LEDGER_CSV = f"""Invoice No,Customer ID,Customer Name,Salesperson,Invoice Date,Due Date,Amount,Settled Date
INV-1,C1,"{EVIL.replace('"', '""')}",张伟,2026-10-01,2026-10-31,"1,000.00",
INV-2,C2,"{CMD}",Li,2026-07-01,2026-07-31,500.00,
INV-3,C3,Plain,Li,2026-09-01,2026-10-01,700.00,2026-10-20
"""


@pytest.fixture(scope="module")
def review():
    return build_review(small_ledger(), "2026-11-20")


def _book(review) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(review_xlsx(review)))


def test_summary_sheet_holds_the_kpis(review):
    from creditdash.kpis import kpis

    sheet = _book(review)["Summary"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=6, max_col=6, values_only=True) if r[0]}
    expected = kpis(small_ledger(), "2026-11-20")
    assert rows["Total AR"][1] == expected.total_ar == 3_800.0
    assert rows["Overdue %"][1] == expected.overdue_pct
    assert rows["CEI"][1] == expected.cei


def test_workbook_has_every_sheet_frozen_and_charted(review):
    book = _book(review)
    assert {"Summary", "Aging", "Movers", "Alerts", "Watchlist", "Chronic late",
            "Concentration", "Salesperson scorecards", "Region scorecards", "Trends",
            "Notes"} <= set(book.sheetnames)  # fmt: skip
    assert book["Salesperson scorecards"].freeze_panes == "A5"
    assert book["Summary"]._charts or True  # openpyxl drops charts on read; see the raw check
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(review_xlsx(review))).namelist()
    assert sum(n.startswith("xl/charts/chart") for n in names) >= 4


def test_dangerous_names_are_plain_text_in_xlsx(review):
    book = _book(review)
    found = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (
                    "HYPERLINK" in cell.value or "cmd|" in cell.value
                ):
                    found.append(cell)
    assert found
    for cell in found:
        assert cell.data_type == "s" and cell.value.startswith("'"), (cell.coordinate, cell.value)


def test_dangerous_names_are_plain_text_in_csv(review):
    text = to_csv_bytes(review.alerts_open).decode("utf-8-sig")
    assert "\"'=HYPERLINK" in text and "\"'+cmd|" in text


def test_html_escapes_names_and_is_self_contained(review):
    page = review_html(review)
    assert "<a " not in page.split("<script")[0]
    assert "<td>&#x27;=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)</td>" in page
    assert "<td>&#x27;+cmd|&#x27; /C calc&#x27;!A0</td>" in page
    assert page.count("plotly.js v") == 1  # the library inlined once
    assert "<script src" not in page and "<link" not in page  # nothing fetched
    assert "@media print" in page and "charset='utf-8'" in page


@pytest.mark.skipif(find_chromium() is None, reason="no chromium to print the PDF")
def test_pdf_is_printed_by_chromium(review):
    pdf = html_to_pdf(review_html(review))
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_pdf_without_chromium_says_what_to_install(monkeypatch):
    from creditdash.errors import CreditDashError
    from creditdash.report import pdf

    monkeypatch.setattr(pdf, "find_chromium", lambda explicit=None: None)
    with pytest.raises(CreditDashError, match="A PDF needs a chromium browser"):
        pdf.html_to_pdf("<html></html>")


def _fake_chromium(tmp_path, body: str) -> str:
    script = tmp_path / "chromium"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_pdf_when_chromium_fails_or_hangs(tmp_path, monkeypatch):
    from creditdash.errors import CreditDashError
    from creditdash.report import pdf

    failing = _fake_chromium(tmp_path, "echo 'no display' >&2; exit 3")
    with pytest.raises(
        CreditDashError, match=r"^chromium could not print the PDF \(exit code 3\): no display$"
    ):
        pdf.html_to_pdf("<html></html>", failing)
    monkeypatch.setattr(pdf, "TIMEOUT_S", 0.2)
    hanging = _fake_chromium(tmp_path, "exec sleep 5")
    with pytest.raises(CreditDashError, match="did not finish printing the PDF within 0.2 s"):
        pdf.html_to_pdf("<html></html>", hanging)


# --- the command line --------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), stdout=out), out.getvalue()


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER_CSV, encoding="utf-8")
    assert run("--db", url, "import", str(path))[0] == 0
    return url


def test_report_command_figures_equal_the_kpis_command(db, tmp_path):
    out, page = tmp_path / "pack.xlsx", tmp_path / "pack.html"
    code, text = run("--db", db, "report", "--as-of", "2026-11-20", "--out", str(out),
                     "--html", str(page))  # fmt: skip
    assert code == 0 and f"Wrote {out}" in text and page.is_file()
    code, text = run("--db", db, "kpis", "--as-of", "2026-11-20", "--format", "json")
    figures = json.loads(text)
    sheet = openpyxl.load_workbook(out)["Summary"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=6, max_col=2, values_only=True) if r[0]}
    assert rows["Total AR"] == figures["total_ar"] == 1_500.0
    assert rows["Overdue AR"] == figures["overdue_ar"]
    assert rows["DSO countback"] == figures["dso_countback"]
    assert rows["CEI"] == figures["cei"]


def test_snapshot_command_records_once(db):
    code, text = run("--db", db, "snapshot", "--as-of", "2026-11-20")
    assert code == 0 and "Week ending 2026-11-20: recorded (snapshot #" in text
    code, text = run("--db", db, "snapshot", "--as-of", "2026-11-20")
    assert "already recorded" in text
    code, text = run("--db", db, "snapshot", "--as-of", "2026-11-20", "--weeks", "3")
    assert text.count("recorded") == 3


def test_report_needs_an_xlsx_name(db, tmp_path, capsys):
    code, _ = run("--db", db, "report", "--as-of", "2026-11-20", "--out", str(tmp_path / "x.csv"))
    assert code == 1
    assert "`--out` must name an .xlsx file" in capsys.readouterr().err


def test_report_on_an_empty_database(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    code, _ = run("--db", url, "report", "--as-of", "2026-11-20", "--out", str(tmp_path / "x.xlsx"))
    assert code == 1
    assert "There is no data to report on" in capsys.readouterr().err
    code, _ = run("--db", url, "snapshot")
    assert code == 1 and "There is no data to snapshot" in capsys.readouterr().err


def test_report_generation_is_audited(db, tmp_path):
    from creditdash.audit import audit_log
    from creditdash.store import open_store

    code, _ = run("--db", db, "report", "--as-of", "2026-11-20", "--out", str(tmp_path / "p.xlsx"))
    assert code == 0
    [entry] = audit_log(open_store(db), action="report_generated").to_dict("records")
    assert entry["who"] == "command line" and entry["entity_id"] == "2026-11-20"
    assert "p.xlsx" in entry["after"]


def test_the_html_pack_draws_a_hostile_name_literally():
    import plotly.graph_objects as go

    from creditdash.report.html import _ChartWriter

    fig = go.Figure(go.Bar(x=[1.0], y=['<a href="http://evil">x</a>'], orientation="h"))
    html = _ChartWriter("en").add(fig)
    assert '<a href="http://evil">' not in html and "&lt;a href" in html
