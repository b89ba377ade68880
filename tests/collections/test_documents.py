"""Statements and letters: the total against the aging to the cent, charges per the policy,
both languages, XLSX and PDF."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from creditdash.aging import aging
from creditdash.collections.documents import Letterhead, make_letter, statements_at
from creditdash.collections.render import bulk_html, letter_html, letter_text, statement_html
from creditdash.collections.sheets import documents_xlsx
from creditdash.errors import NotFound
from creditdash.ledger import Ledger
from creditdash.report.pdf import find_chromium
from creditdash.risk.dunning import DEFAULT_DUNNING
from creditdash.risk.policy import default_policy
from tests.collections.conftest import AS_OF

HEAD = Letterhead("上海某某科技有限公司", ("上海市浦东新区 1 号", "开户行 工商银行 账号 1001"))


def random_ledger(seed: int) -> Ledger:
    """Invoices, credit notes, part payments, unapplied cash and USD invoices, seeded."""
    from creditdash.store.load import to_reporting

    rng = np.random.default_rng(seed)
    n = 400
    day = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D")
    amount = rng.integers(-20_000, 900_000, n)  # some credit notes
    currency = np.where(rng.random(n) < 0.2, "USD", "CNY")
    invoices = pd.DataFrame({
        "invoice_id": [f"I{i}" for i in range(n)],
        "customer_id": [f"C{k}" for k in rng.integers(0, 12, n)],
        "invoice_date": day, "due_date": day + pd.to_timedelta(rng.choice([0, 30, 60], n), "D"),
        "amount_cents": amount, "currency": currency,
        "disputed": rng.random(n) < 0.05,
    })  # fmt: skip
    paid = rng.random(n) < 0.6
    payments = pd.DataFrame({
        "payment_id": [f"P{i}" for i in range(n)],
        "customer_id": invoices["customer_id"],
        "invoice_id": invoices["invoice_id"].where(rng.random(n) < 0.9),  # some unapplied
        "payment_date": day + pd.to_timedelta(rng.integers(5, 200, n), unit="D"),
        "amount_cents": (amount * rng.choice([0.5, 1.0], n)).astype(np.int64),
    })[paid]  # fmt: skip
    customers = pd.DataFrame({"customer_id": [f"C{k}" for k in range(12)],
                              "customer_name": [f"客户{k}" for k in range(12)],
                              "currency": "CNY"})  # fmt: skip
    rates = pd.DataFrame({"currency": ["USD"] * 3,
                          "rate_date": pd.to_datetime(["2024-12-01", "2025-06-01", "2026-01-01"]),
                          "rate": [7.1, 7.2, 7.3]})  # fmt: skip
    inv, pay = to_reporting(invoices, payments.reset_index(drop=True), customers, rates, "CNY")
    return Ledger.from_frames(customers, inv, pay, currency="CNY", rates=rates)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("as_of", ["2025-06-30", "2026-03-31"])
def test_each_statements_total_is_the_customers_aging_total_to_the_cent(seed, as_of):
    ledger = random_ledger(seed)
    table = aging(ledger, as_of, by="customer").set_index("customer_id")
    statements = statements_at(ledger, as_of, default_policy())
    assert set(statements) == set(table.index)
    for customer, statement in statements.items():
        assert statement.total_cents == table.loc[customer, "total"]
        items = int(statement.items["outstanding_cents"].sum())
        assert items + statement.unapplied_cents == statement.total_cents
        assert sum(statement.buckets.values()) + statement.unapplied_cents == statement.total_cents


def test_the_demo_company_statements_match_its_aging(demo_ledger):
    as_of = demo_ledger.last_date
    table = aging(demo_ledger, as_of, by="customer").set_index("customer_id")["total"]
    statements = statements_at(demo_ledger, as_of, default_policy())
    assert {c: s.total_cents for c, s in statements.items()} == table.to_dict()


def test_late_interest_per_invoice_adds_up_to_the_customers_rounded_sum(company):
    statement = statements_at(company, AS_OF, default_policy(), ["C1", "C3"])["C3"]
    items = statement.items.set_index("invoice_id")
    # 600.00 x 6% x 10 / 365 = 0.986..., 700.00 x 6% x 90 / 365 = 10.356...: 11.342 -> 11.34
    assert statement.interest_cents == 1134
    assert items["interest_cents"].to_dict() == {"I32": 1035, "I31": 99}  # largest remainder
    assert statement.fees_cents == 0  # the default policy's late fee is 0
    policy = default_policy()
    policy["penalties"]["late_fee"] = 50
    fees = statements_at(company, AS_OF, policy, ["C1"])["C1"].items.set_index("invoice_id")
    assert fees["fee_cents"].to_dict() == {"I14": 5000, "I13": 5000, "I12": 5000, "I11": 0}


def test_a_disputed_invoice_accrues_no_interest(company):
    statement = statements_at(company, AS_OF, default_policy(), ["C3"], disputed_ids={"I32"})
    items = statement["C3"].items.set_index("invoice_id")
    assert items.loc["I32", "disputed"] and items.loc["I32", "interest_cents"] == 0
    assert statement["C3"].disputed_cents == 70_000 and statement["C3"].overdue_cents == 60_000


def test_an_unknown_customer_is_named(company):
    with pytest.raises(NotFound, match="'C9' is not in the stored ledger"):
        statements_at(company, AS_OF, default_policy(), ["C9"])


def letter_for(company, lang: str, stage: str = "final", invoices=("I14",)):
    statement = statements_at(company, AS_OF, default_policy(), ["C1"], letterhead=HEAD)["C1"]
    spec = next(s for s in DEFAULT_DUNNING["strategies"][-1]["stages"] if s["id"] == stage)
    return make_letter(statement, invoices, spec, "standard",
                       DEFAULT_DUNNING["templates"][spec["template"]], lang, 7)  # fmt: skip


def test_a_final_letter_charges_interest_and_asks_by_a_date_in_each_language(company):
    zh, en = letter_for(company, "zh"), letter_for(company, "en")
    # 4,000.00 x 6% x 61 / 365 = 40.11
    assert zh.interest_cents == 4011 and zh.amount_due_cents == 404_011
    assert zh.subject == "最后催款通知：请于 2026年7月7日 前支付 ¥4,040.11"
    assert en.subject == "Final notice: please pay ¥4,040.11 by July 7, 2026"
    assert "尊敬的上海甲公司" in zh.body and "上海某某科技有限公司" in zh.body
    assert "oldest by 61 days" in en.body
    text = letter_text(en)
    assert "- I14, due 2026-04-30: ¥4,000.00 (61 days past due)" in text
    assert "Amount due by July 7, 2026: ¥4,040.11" in text
    courtesy = letter_for(company, "zh", "courtesy", ("I11",))
    assert courtesy.interest_cents == 0 and courtesy.amount_due_cents == 100_000


def test_html_escapes_the_data_and_reads_in_the_language(company):
    ledger = Ledger.from_frames(
        company.customers.assign(customer_name=["<b>=HYPERLINK(1)</b>", "B", "C", "D"]),
        company.invoices, company.payments,
    )  # fmt: skip
    statement = statements_at(ledger, AS_OF, default_policy(), ["C1"])["C1"]
    page = statement_html(statement, "zh")
    assert "<b>=HYPERLINK" not in page and "&lt;b&gt;" in page
    assert "对账单" in page and "应付余额" in page and "¥10,000.00" in page
    assert "Statement of account" in statement_html(statement, "en")
    both = bulk_html([statement, letter_for(company, "en")], "zh")
    assert both.count("class='doc'") == 2 and "Final notice" in both
    assert "最后催款通知" in letter_html(letter_for(company, "zh"))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("currency", ["CNY", "USD", "CHF"])
def test_documents_print_amounts_as_money_does(company, lang, currency):
    from dataclasses import replace

    from creditdash.collections.render import _m
    from creditdash.i18n import money

    statement = replace(statements_at(company, AS_OF, default_policy(), ["C1"])["C1"],
                        currency=currency)  # fmt: skip
    for cents in (0, 1, -1, 5, 99, 100_000, -123_456_789, 10**15 + 7):
        assert _m(cents, statement, lang) == money(cents / 100, currency, lang)


def test_xlsx_statement_and_letter_hold_the_figures(company):
    statement = statements_at(company, AS_OF, default_policy(), ["C1"], letterhead=HEAD)["C1"]
    data = documents_xlsx([statement, letter_for(company, "en")], "zh")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["C1", "C1-final"]
    sheet = book["C1"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    flat = [v for row in values for v in row if v is not None]
    assert "上海某某科技有限公司" in flat and "对账单" in flat and "应付余额" in flat
    total_row = next(row for row in values if row[0] == "应付余额")
    assert total_row[5] == 10_000.00 and str(total_row[7]).startswith("=SUM(F")
    items = [row for row in values if row[0] in ("I11", "I12", "I13", "I14")]
    assert sum(row[5] for row in items) == pytest.approx(10_000.00)
    letter = [[c.value for c in row] for row in book["C1-final"].iter_rows()]
    assert any(row[0] and str(row[0]).startswith("Amount due by") and row[5] == 4040.11
               for row in letter)  # fmt: skip


needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed")


@needs_chromium
def test_pdf_statements_print_one_after_another_with_one_browser(company):
    from creditdash.collections.printing import PdfPrinter

    statement = statements_at(company, AS_OF, default_policy(), ["C1"], letterhead=HEAD)["C1"]
    with PdfPrinter() as printer:
        zh = printer.print_html(statement_html(statement, "zh"))
        en = printer.print_html(letter_html(letter_for(company, "en")))
        both = printer.print_html(bulk_html([statement, statement], "zh"))
    for pdf in (zh, en, both):
        assert pdf.startswith(b"%PDF")
    assert both.count(b"/Type /Page\n") >= 2 or both.count(b"/Type /Page") > zh.count(
        b"/Type /Page"
    )


@needs_chromium
def test_many_pdfs_print_at_once_in_tabs_each_as_it_prints_alone(company):
    import re

    from creditdash.collections.printing import PdfPrinter

    def content(pdf: bytes) -> bytes:
        # what differs between two prints of one page: the time and the browser's node ids
        pdf = re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)", b"", pdf)
        return re.sub(rb"\(node\d+\)", b"", pdf)

    statements = statements_at(company, AS_OF, default_policy(), letterhead=HEAD)
    pages = [statement_html(s, lang) for s in statements.values() for lang in ("zh", "en")]
    pages.append(letter_html(letter_for(company, "en")))
    with PdfPrinter() as printer:
        alone = [printer.print_html(page) for page in pages]
        together = printer.print_all(pages, tabs=3)
        assert printer.print_all([]) == []
    assert len(together) == len(pages) == 7
    assert [content(pdf) for pdf in together] == [content(pdf) for pdf in alone]
    assert len({content(pdf) for pdf in together}) == 7  # each its own document, in order
