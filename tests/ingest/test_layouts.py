"""ERP reports import as exported, and what they hold is what is imported, to the cent.

Each test builds a report from a known book (tests/ingest/erp_samples.py),
imports it with no mapping, and reconciles the aging at the report date with
the book: per customer and in all. A tampered copy of each report (one
amount changed after export) must be refused by the file's own totals.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from creditdash.aging import aging
from creditdash.errors import ImportRejected
from creditdash.importing import import_sources
from creditdash.ingest import Source, parse_sources, propose_mappings
from creditdash.store.load import load_ledger
from tests.ingest import erp_samples as erp

AS_OF = erp.AS_OF


def imported(engine, name: str, data: bytes, **kwargs):
    summary = import_sources(engine, [Source(name, data)], **kwargs)
    ledger = load_ledger(engine, kwargs.get("reporting_currency", "CNY"))
    table = aging(ledger, AS_OF)
    return summary, dict(zip(table["customer_id"], table["total"].astype(int), strict=True))


def layout_of(name: str, data: bytes) -> str:
    [mapping] = propose_mappings([Source(name, data)])
    return mapping.layout


def tampered(data: bytes, old: str, new: str, encoding: str = "utf-8") -> bytes:
    text = data.decode(encoding)
    assert old in text
    return text.replace(old, new, 1).encode(encoding)


def test_sap_fbl5n_line_items_with_blank_subtotal_rows(sqlite_engine):
    b = erp.book(1)
    data = erp.fbl5n_xlsx(b)
    assert layout_of("fbl5n.xlsx", data) == "sap_fbl5n"
    summary, totals = imported(sqlite_engine, "fbl5n.xlsx", data, reporting_currency="EUR")
    assert totals == b.open_by_customer()
    assert sum(totals.values()) == b.total
    [snapshot] = summary.as_of_dates
    assert snapshot[1] == AS_OF  # from the net due dates plus the arrears


def test_sap_fbl5n_german_csv(sqlite_engine):
    b = erp.book(2)
    data = erp.fbl5n_german_csv(b)
    assert layout_of("fbl5n.csv", data) == "sap_fbl5n_de"
    _, totals = imported(sqlite_engine, "fbl5n.csv", data, reporting_currency="EUR")
    assert totals == b.open_by_customer()


def test_sap_fbl5n_subtotal_that_does_not_add_up_is_refused():
    b = erp.book(3)
    rows = erp.fbl5n_rows(b, erp.FBL5N_EN, lambda d: d, lambda c: c / 100)
    first_item = rows[1]
    first_item[7] = first_item[7] + 1  # an amount edited after the export
    data = erp.build_xlsx({"Sheet1": rows})
    batch = parse_sources([Source("fbl5n.xlsx", data)])
    codes = {p.code for p in batch.errors}
    assert codes == {"ingest.total_mismatch"}
    first = next(p for p in batch.errors)
    assert "rows 2-" in first.message and "a difference of" in first.message


@pytest.mark.parametrize("aging_report", [False, True])
def test_kingdee_receivables_with_subtotals_and_local_currency(sqlite_engine, aging_report):
    b = erp.book(4, erp.NAMES_ZH)
    data = erp.kingdee_xlsx(b, aging=aging_report)
    assert layout_of("kd.xlsx", data) == "kingdee_receivables"
    summary, totals = imported(sqlite_engine, "kd.xlsx", data, reporting_currency="CNY")
    assert totals == b.open_by_customer()
    assert ("kd.xlsx", AS_OF) in summary.as_of_dates
    assert any("币别" in h for h in summary.ignored_columns)


def test_kingdee_report_missing_a_line_is_refused_by_its_own_totals():
    data = erp.kingdee_xlsx(erp.book(5, erp.NAMES_ZH))
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.active.delete_rows(5)  # one document gone, the subtotals and 合计 kept
    out = io.BytesIO()
    book.save(out)
    batch = parse_sources([Source("kd.xlsx", out.getvalue())])
    assert {p.code for p in batch.errors} == {"ingest.total_mismatch"}
    assert len(batch.errors) == 2  # the customer's 小计 and the 合计


def test_quickbooks_ar_aging_detail(sqlite_engine):
    b = erp.book(6)
    data = erp.quickbooks_csv(b)
    assert layout_of("qb.csv", data) == "quickbooks_ar_aging_detail"
    summary, totals = imported(sqlite_engine, "qb.csv", data)
    assert totals == b.open_by_customer("customer_name")  # the parent of `Parent:Job`
    assert ("qb.csv", AS_OF) in summary.as_of_dates


def test_quickbooks_tampered_is_refused():
    b = erp.book(6)
    data = erp.quickbooks_csv(b)
    first = erp.money(b.items[0].open)
    bad = tampered(data, f'"{first}"\n', '"1.00"\n') if f'"{first}"' in data.decode() else None
    if bad is None:
        bad = tampered(data, f",{first}\n", ",1.00\n")
    batch = parse_sources([Source("qb.csv", bad)])
    assert {p.code for p in batch.errors} == {"ingest.total_mismatch"}


def test_xero_aged_receivables_detail_contact_headings(sqlite_engine):
    b = erp.book(8)
    data = erp.xero_xlsx(b)
    assert layout_of("xero.xlsx", data) == "xero_aged_receivables_detail"
    summary, totals = imported(sqlite_engine, "xero.xlsx", data)
    assert totals == b.open_by_customer("customer_name")
    assert ("xero.xlsx", AS_OF) in summary.as_of_dates
    again = import_sources(sqlite_engine, [Source("xero.xlsx", data)])
    assert again.nothing_changed  # derived ids of items without a number are stable


def test_odoo_aged_partner_balance_with_details(sqlite_engine):
    b = erp.book(9)
    data = erp.odoo_xlsx(b)
    assert layout_of("odoo.xlsx", data) == "odoo_aged_partner_balance"
    summary, totals = imported(sqlite_engine, "odoo.xlsx", data)
    assert totals == b.open_by_customer("customer_name")
    assert "121000" not in totals  # the Account column is the GL account
    assert any(w.code == "ingest.constant_customer_column" for w in summary.warnings)


def test_erpnext_needs_the_report_date_and_then_imports(sqlite_engine):
    b = erp.book(10)
    data = erp.erpnext_csv(b)
    assert layout_of("ar.csv", data) == "erpnext_accounts_receivable"
    with pytest.raises(ImportRejected) as caught:
        import_sources(sqlite_engine, [Source("ar.csv", data)])
    assert {p.code for p in caught.value.problems if p.level == "error"} == {"ingest.as_of_missing"}
    summary, totals = imported(sqlite_engine, "ar.csv", data, as_of=AS_OF)
    expected = {}
    for it in b.items:
        if it.kind == "invoice":
            expected[it.customer_name] = expected.get(it.customer_name, 0) + it.open
    assert totals == expected
    assert sum(totals.values()) == erp.erpnext_total(b)


def test_handkept_chinese_workbook_paid_amounts_are_not_dropped(sqlite_engine):
    b = erp.book(11, erp.NAMES_ZH)
    data = erp.handkept_xlsx(b)
    summary, totals = imported(sqlite_engine, "手工台账.xlsx", data)
    assert sum(totals.values()) == erp.handkept_total(b)
    assert ("手工台账.xlsx", AS_OF) in summary.as_of_dates


def test_summary_aging_report_is_refused_with_what_to_export():
    data = erp.summary_csv(erp.book(12))
    batch = parse_sources([Source("summary.csv", data)])
    [error] = batch.errors
    assert error.code == "ingest.summary_aging"
    assert "Export the detailed report instead" in error.message


def test_report_date_override_wins(sqlite_engine):
    b = erp.book(13)
    data = erp.xero_xlsx(b)
    summary = import_sources(sqlite_engine, [Source("x.xlsx", data)], as_of=dt.date(2025, 7, 1))
    assert summary.as_of_dates == [("x.xlsx", dt.date(2025, 7, 1))]


def test_yonyou_customer_ledger_rebuilds_the_open_items(sqlite_engine):
    ledger = erp.yonyou_ledger()
    data = erp.build_xlsx({"客户往来明细账": ledger.rows})
    assert layout_of("yy.xlsx", data) == "yonyou_ledger"
    summary, totals = imported(sqlite_engine, "yy.xlsx", data)
    expected = {c: b for c, b in ledger.balances.items() if b}
    assert totals == expected  # the running balance at the end, to the cent, per customer
    assert summary.kinds == ["movements"]


def test_yonyou_running_balance_is_a_check_never_an_amount():
    ledger = erp.yonyou_ledger()
    row = next(r for r in ledger.rows if len(r) > 4 and r[4] == "销售发票")
    row[5] = row[5] + 1  # a debit edited, its running balance not
    data = erp.build_xlsx({"客户往来明细账": ledger.rows})
    batch = parse_sources([Source("yy.xlsx", data)])
    codes = {p.code for p in batch.errors}
    assert "ingest.movements.balance_mismatch" in codes
    assert batch.invoices.empty


def test_yonyou_ledger_without_its_opening_lines_is_refused_not_misread():
    ledger = erp.yonyou_ledger(seed=22)
    kept = [r for r in ledger.rows if not (len(r) > 4 and r[4] in ("期初余额", "本年累计"))]
    data = erp.build_xlsx({"客户往来明细账": kept})
    batch = parse_sources([Source("yy.xlsx", data)])
    assert "ingest.movements.balance_mismatch" in {p.code for p in batch.errors}
    assert batch.invoices.empty and batch.snapshots == []


def test_erpnext_with_party_columns_as_newer_versions_export(sqlite_engine):
    b = erp.book(14)
    text = erp.erpnext_csv(b).decode().replace("Posting Date,Customer,", "Posting Date,Party,", 1)
    lines = text.splitlines()
    lines[0] = lines[0].replace("Posting Date,Party,", "Posting Date,Party Type,Party,")
    lines[1:] = [line.replace(",", ",Customer,", 1) for line in lines[1:]]
    data = ("\n".join(lines) + "\n").encode()
    assert layout_of("ar.csv", data) == "erpnext_accounts_receivable"
    _, totals = imported(sqlite_engine, "ar.csv", data, as_of=AS_OF)
    assert sum(totals.values()) == erp.erpnext_total(b)
