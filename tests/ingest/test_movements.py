"""Open items rebuilt from a movement ledger: known answers worked by hand, then a random ledger.

Ledgers are written as tables; amounts are in yuan, the balance is signed
(> 0 a debit balance), and each line's kind comes from `classify_line` of
its summary, as the caller would do it.
"""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from creditdash import i18n
from creditdash.errors import InvalidArgument
from creditdash.ingest.movements import (
    LINE_KINDS,
    Rebuilt,
    classify_line,
    classify_lines,
    rebuild,
)
from creditdash.ingest.problems import ProblemLog, SheetContext

COLUMNS = ["customer", "date", "voucher", "document", "summary", "debit", "credit", "balance"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def ledger(table: str) -> pd.DataFrame:
    """The movements frame of a table: `row | customer | date | voucher | document | summary |
    debit | credit | balance`, blank cells empty."""
    rows, records = [], []
    for line in table.strip().splitlines():
        cells = [c.strip() or None for c in line.split("|")]
        if cells[0] == "row":
            continue
        rows.append(int(cells[0]))
        records.append(dict(zip(COLUMNS, cells[1:], strict=True)))
    cells = {name: [r[name] for r in records] for name in COLUMNS}
    frame = pd.DataFrame(index=pd.Index(rows))
    frame["customer_id"] = pd.array(cells["customer"], dtype="str")
    frame["customer_name"] = pd.array([f"Name of {c}" for c in cells["customer"]], dtype="str")
    frame["date"] = pd.to_datetime(pd.Series(cells["date"], index=frame.index, dtype="str"))
    for name in ("voucher", "document", "summary"):
        frame[name] = pd.array(cells[name], dtype="str")
    for name in ("debit", "credit", "balance"):
        frame[f"{name}_cents"] = pd.array(
            [None if v is None else int(Decimal(v) * 100) for v in cells[name]], dtype="Int64"
        )
    frame["line_kind"] = classify_lines(frame["summary"])
    return frame


def invoices(result: Rebuilt) -> list[tuple]:
    """(invoice_id, date, amount in yuan, open in yuan, row) per invoice."""
    paid = result.payments.dropna(subset=["invoice_id"]).groupby("invoice_id")["amount_cents"]
    paid = paid.sum()
    frame = result.invoices
    return [
        (name, f"{day:%Y-%m-%d}", cents / 100, (cents - int(paid.get(name, 0))) / 100, row)
        for name, day, cents, row in zip(
            frame["invoice_id"],
            frame["invoice_date"],
            frame["amount_cents"],
            frame["_row"],
            strict=True,
        )
    ]


def payments(result: Rebuilt) -> list[tuple]:
    """(payment_id, invoice_id or None, date, amount in yuan, row) per payment."""
    frame = result.payments
    return [
        (name, None if pd.isna(invoice) else invoice, f"{day:%Y-%m-%d}", cents / 100, row)
        for name, invoice, day, cents, row in zip(
            frame["payment_id"],
            frame["invoice_id"],
            frame["payment_date"],
            frame["amount_cents"],
            frame["_row"],
            strict=True,
        )
    ]


def codes(result: Rebuilt) -> list[tuple]:
    return [(p.row, p.column, p.code) for p in result.problems]


# --- classifying lines ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "kind"),
    [
        ("期初余额", "opening"),
        ("上年结转", "opening"),
        ("期初", "opening"),
        (" 期 初 余 额 ", "opening"),
        ("Opening Balance", "opening"),
        ("Balance brought forward", "opening"),
        ("Balance b/f", "opening"),
        ("B/F", "opening"),
        ("本月合计", "period_total"),
        ("本 月 合 计", "period_total"),
        ("本期合计", "period_total"),
        ("月计", "period_total"),
        ("Month total", "period_total"),
        ("Total", "period_total"),
        ("Total for Acme Ltd", "period_total"),
        ("本年累计", "ytd_total"),
        ("累计", "ytd_total"),
        ("Year to date", "ytd_total"),
        ("Total year-to-date", "ytd_total"),
        ("YTD", "ytd_total"),
        ("销售商品", "movement"),
        ("收到货款", "movement"),
        ("期初调整差额", "movement"),  # an adjustment that mentions the opening is a movement
        ("Invoice 1024", "movement"),
        ("Opening of the new store", "movement"),
        (None, "movement"),
        (float("nan"), "movement"),
    ],
)
def test_classify_line(summary, kind):
    assert classify_line(summary) == kind
    assert kind in LINE_KINDS


def test_classify_lines_keeps_the_index():
    summaries = pd.Series(["期初余额", None, "销售", "本月合计"], index=[4, 5, 6, 7], dtype="str")
    kinds = classify_lines(summaries)
    assert kinds.index.tolist() == [4, 5, 6, 7]
    assert kinds.tolist() == ["opening", "movement", "movement", "period_total"]


# --- allocation: known answers ---------------------------------------------------------

FIFO = """
row | customer | date       | voucher | document | summary  | debit | credit | balance
5   | C1       | 2024-01-01 |         |          | 期初余额  |       |        | 1000
6   | C1       | 2024-01-10 | 记-3    | INV-1    | 销售      | 500   |        | 1500
7   | C1       | 2024-01-20 | 记-8    | INV-2    | 销售      | 300   |        | 1800
8   | C1       | 2024-01-25 | 记-12   |          | 收款      |       | 1200   | 600
9   | C1       |            |         |          | 本月合计  | 800   | 1200   | 600
"""


def test_receipts_pay_the_oldest_open_items_first():
    """Opening 1000 + 500 + 300 = 1800 owed. The receipt of 1200 on 25 Jan pays the opening
    balance (1 Jan) in full, then 200 of INV-1 (10 Jan): INV-1 keeps 300 open, INV-2 all 300,
    together 600 = the last balance. The receipt has no document, so its id is built from the
    voucher and month; the total line is a check, not an invoice."""
    result = rebuild(ledger(FIFO))
    assert result.problems == []
    assert invoices(result) == [
        ("C1/opening/2024-01-01", "2024-01-01", 1000.0, 0.0, 5),
        ("INV-1", "2024-01-10", 500.0, 300.0, 6),
        ("INV-2", "2024-01-20", 300.0, 300.0, 7),
    ]
    receipt = "C1/2024-01/记-12"
    assert payments(result) == [
        (f"{receipt}/C1/opening/2024-01-01", "C1/opening/2024-01-01", "2024-01-25", 1000.0, 8),
        (f"{receipt}/INV-1", "INV-1", "2024-01-25", 200.0, 8),
    ]
    assert set(result.invoices["source"]) == set(result.payments["source"]) == {"movements"}
    assert result.invoices["due_date"].isna().all()
    assert result.customers.to_dict("list") == {
        "customer_id": ["C1"],
        "customer_name": ["Name of C1"],
        "_row": [5],
    }


def test_frames_have_the_staging_columns_and_dtypes():
    result = rebuild(ledger(FIFO))
    assert list(result.invoices.columns) == [
        "invoice_id", "customer_id", "invoice_date", "due_date", "amount_cents", "source", "_row",
    ]  # fmt: skip
    assert list(result.payments.columns) == [
        "payment_id", "customer_id", "invoice_id", "payment_date", "amount_cents", "source", "_row",
    ]  # fmt: skip
    assert str(result.invoices["invoice_date"].dtype) == "datetime64[us]"
    assert str(result.invoices["due_date"].dtype) == "datetime64[us]"
    assert str(result.invoices["amount_cents"].dtype) == "Int64"
    assert str(result.payments["payment_date"].dtype) == "datetime64[us]"
    assert str(result.payments["amount_cents"].dtype) == "Int64"
    assert result.invoices["_row"].dtype == np.int64


def test_a_receipt_naming_an_invoice_pays_it_first():
    """The receipt of 400 names INV-2: it pays INV-2's 300 first, then 100 of the oldest,
    INV-1. Open: INV-1 400, INV-2 0 (balance 400)."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary | debit | credit | balance
2   | C1       | 2024-02-01 |         | INV-1    | 销售     | 500   |        | 500
3   | C1       | 2024-02-03 |         | INV-2    | 销售     | 300   |        | 800
4   | C1       | 2024-02-09 |         | INV-2    | 收款     |       | 400    | 400
""")
    )
    assert result.problems == []
    assert invoices(result) == [
        ("INV-1", "2024-02-01", 500.0, 400.0, 2),
        ("INV-2", "2024-02-03", 300.0, 0.0, 3),
    ]
    assert payments(result) == [
        ("INV-2/INV-2", "INV-2", "2024-02-09", 300.0, 4),
        ("INV-2/INV-1", "INV-1", "2024-02-09", 100.0, 4),
    ]


def test_cash_beyond_the_open_items_is_unapplied_until_a_later_invoice_takes_it():
    """INV-1 100, then 250 received on 5 Jan: 100 pays INV-1, 150 is unapplied. INV-2 (100,
    20 Jan) takes 100 of it, dated on the receipt's day (the aging counts it unapplied until
    INV-2 exists); 50 stays unapplied. Open items 0 - unapplied 50 = balance -50."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary | debit | credit | balance
2   | C1       | 2024-01-02 |         | INV-1    | 销售     | 100   |        | 100
3   | C1       | 2024-01-05 |         | RC-1     | 预收     |       | 250    | -150
4   | C1       | 2024-01-20 |         | INV-2    | 销售     | 100   |        | -50
""")
    )
    assert result.problems == []
    assert invoices(result) == [
        ("INV-1", "2024-01-02", 100.0, 0.0, 2),
        ("INV-2", "2024-01-20", 100.0, 0.0, 4),
    ]
    assert payments(result) == [
        ("RC-1/INV-1", "INV-1", "2024-01-05", 100.0, 3),
        ("RC-1/INV-2", "INV-2", "2024-01-05", 100.0, 3),
        ("RC-1", None, "2024-01-05", 50.0, 3),
    ]


def test_a_credit_opening_balance_is_unapplied_cash():
    """Opening 300 on the credit side (贷): unapplied cash `C1/opening/2024-01-01`. INV-1 (200)
    takes 200 of it; 100 stays unapplied (balance -100)."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary | debit | credit | balance
3   | C1       | 2024-01-01 |         |          | 期初余额 |       |        | -300
4   | C1       | 2024-01-15 |         | INV-1    | 销售     | 200   |        | -100
""")
    )
    assert result.problems == []
    assert invoices(result) == [("INV-1", "2024-01-15", 200.0, 0.0, 4)]
    assert payments(result) == [
        ("C1/opening/2024-01-01/INV-1", "INV-1", "2024-01-01", 200.0, 3),
        ("C1/opening/2024-01-01", None, "2024-01-01", 100.0, 3),
    ]


def test_a_zero_opening_balance_makes_nothing():
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary | debit | credit | balance
3   | C1       | 2024-01-01 |         |          | 期初余额 |       |        | 0
4   | C1       | 2024-01-15 |         | INV-1    | 销售     | 200   |        | 200
""")
    )
    assert [i[0] for i in invoices(result)] == ["INV-1"]
    assert result.payments.empty


# --- reversals (红字) ------------------------------------------------------------------


def test_a_negative_debit_naming_an_open_invoice_lowers_it():
    """Red-ink -200 naming INV-1 (500): INV-1 becomes 300; INV-2 is untouched (800 -> 600)."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary   | debit | credit | balance
2   | C1       | 2024-03-01 |         | INV-1    | 销售       | 500   |        | 500
3   | C1       | 2024-03-02 |         | INV-2    | 销售       | 300   |        | 800
4   | C1       | 2024-03-05 |         | INV-1    | 红字冲销   | -200  |        | 600
""")
    )
    assert result.problems == []
    assert invoices(result) == [
        ("INV-1", "2024-03-01", 300.0, 300.0, 2),
        ("INV-2", "2024-03-02", 300.0, 300.0, 3),
    ]


def test_a_negative_debit_naming_a_paid_invoice_frees_its_cash_for_the_next_one():
    """INV-1 500 is paid by the receipt of 500; INV-2 300 is open (balance 300). Reversing 200
    of INV-1 makes it 300, so 200 of the receipt's payment comes off INV-1 and pays INV-2
    (oldest open): INV-2 keeps 100 open = the balance 100."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary   | debit | credit | balance
2   | C1       | 2024-03-01 |         | INV-1    | 销售       | 500   |        | 500
3   | C1       | 2024-03-02 |         | INV-2    | 销售       | 300   |        | 800
4   | C1       | 2024-03-04 |         | RC-1     | 收款       |       | 500    | 300
5   | C1       | 2024-03-05 |         | INV-1    | 红字冲销   | -200  |        | 100
""")
    )
    assert result.problems == []
    assert invoices(result) == [
        ("INV-1", "2024-03-01", 300.0, 0.0, 2),
        ("INV-2", "2024-03-02", 300.0, 100.0, 3),
    ]
    assert payments(result) == [
        ("RC-1/INV-1", "INV-1", "2024-03-04", 300.0, 4),
        ("RC-1/INV-2", "INV-2", "2024-03-04", 200.0, 4),
    ]


def test_an_unnamed_negative_debit_lowers_the_newest_open_invoice_then_is_a_credit_note():
    """INV-1 500, INV-2 300; 600 received pays INV-1 500 and INV-2 100 (INV-2 has 200 open).
    The red-ink -250 names no invoice: it takes INV-2's open 200 (INV-2 becomes 100, all paid);
    nothing else is open, so 50 is a credit note with the line's derived id.
    Balance 500 + 300 - 600 - 250 = -50 = the credit note."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary   | debit | credit | balance
2   | C1       | 2024-03-01 |         | INV-1    | 销售       | 500   |        | 500
3   | C1       | 2024-03-02 |         | INV-2    | 销售       | 300   |        | 800
4   | C1       | 2024-03-04 |         |          | 收款       |       | 600    | 200
5   | C1       | 2024-03-06 |         |          | 销售退回   | -250  |        | -50
""")
    )
    assert result.problems == []
    assert invoices(result) == [
        ("INV-1", "2024-03-01", 500.0, 0.0, 2),
        ("INV-2", "2024-03-02", 100.0, 0.0, 3),
        ("C1/2024-03-06/-25000", "2024-03-06", -50.0, -50.0, 5),
    ]
    assert payments(result) == [
        ("C1/2024-03-04/-60000/INV-1", "INV-1", "2024-03-04", 500.0, 4),
        ("C1/2024-03-04/-60000/INV-2", "INV-2", "2024-03-04", 100.0, 4),
    ]


def test_an_invoice_reversed_in_full_disappears():
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary   | debit | credit | balance
2   | C1       | 2024-03-01 |         | INV-1    | 销售       | 500   |        | 500
3   | C1       | 2024-03-02 |         | INV-1    | 红字冲销   | -500  |        | 0
""")
    )
    assert result.problems == []
    assert result.invoices.empty and result.payments.empty


def test_a_negative_credit_undoes_the_receipt_it_names_and_reopens_its_invoices():
    """RC-1 (600) pays INV-1 500 and INV-2 100; RC-2 (100) pays INV-2 100, leaving INV-2 100
    open. RC-1 bounces (-600 naming RC-1): its payments come off, newest invoice first
    (INV-2 100, INV-1 500). Open: INV-1 500, INV-2 200 = balance 700. A further -50 naming
    nothing undoes the newest receipt, RC-2: its payment to INV-2 becomes 50 (balance 750)."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary   | debit | credit | balance
2   | C1       | 2024-04-01 |         | INV-1    | 销售       | 500   |        | 500
3   | C1       | 2024-04-02 |         | INV-2    | 销售       | 300   |        | 800
4   | C1       | 2024-04-05 |         | RC-1     | 收款       |       | 600    | 200
5   | C1       | 2024-04-06 |         | RC-2     | 收款       |       | 100    | 100
6   | C1       | 2024-04-09 |         | RC-1     | 退票       |       | -600   | 700
7   | C1       | 2024-04-10 |         |          | 冲销收款   |       | -50    | 750
""")
    )
    assert result.problems == []
    assert invoices(result) == [
        ("INV-1", "2024-04-01", 500.0, 500.0, 2),
        ("INV-2", "2024-04-02", 300.0, 250.0, 3),
    ]
    assert payments(result) == [("RC-2/INV-2", "INV-2", "2024-04-06", 50.0, 5)]


def test_a_reopened_invoice_takes_unapplied_cash():
    """RC-1 pays INV-1 (100) in full; RC-2 (80) finds nothing open and is unapplied. When RC-1
    bounces, INV-1 reopens and RC-2's 80 pays it: 20 open, nothing unapplied (balance 20)."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary | debit | credit | balance
2   | C1       | 2024-04-01 |         | INV-1    | 销售     | 100   |        | 100
3   | C1       | 2024-04-02 |         | RC-1     | 收款     |       | 100    | 0
4   | C1       | 2024-04-03 |         | RC-2     | 预收     |       | 80     | -80
5   | C1       | 2024-04-04 |         | RC-1     | 退票     |       | -100   | 20
""")
    )
    assert result.problems == []
    assert invoices(result) == [("INV-1", "2024-04-01", 100.0, 20.0, 2)]
    assert payments(result) == [("RC-2/INV-1", "INV-1", "2024-04-03", 80.0, 4)]


def test_a_negative_credit_with_no_receipt_to_undo_is_charged_as_an_invoice():
    """Nothing was received, so the refund line (-30 on the credit side) is an amount owed,
    with the line's voucher-based id (balance 30)."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary | debit | credit | balance
2   | C1       | 2024-04-01 | 付-7    |          | 退款     |       | -30    | 30
""")
    )
    assert result.problems == []
    assert invoices(result) == [("C1/2024-04/付-7", "2024-04-01", 30.0, 30.0, 2)]


# --- ids -----------------------------------------------------------------------------

IDS = """
row | customer | date       | voucher | document | summary | debit | credit | balance
2   | C1       | 2024-03-05 | 记-12   |          | 销售     | 100   |        | 100
3   | C2       | 2024-03-05 | 记-12   |          | 销售     | 40    |        | 40
4   | C1       | 2024-03-05 |         |          | 销售     | 100   |        | 200
5   | C1       | 2024-03-05 |         |          | 销售     | 100   |        | 300
6   | C1       | 2024-03-06 |         | 0001     | 销售     | 10    |        | 310
7   | C2       | 2024-03-06 |         | 0001     | 销售     | 20    |        | 60
8   | C1       | 2024-03-07 |         | INV-9    | 销售     | 5     |        | 315
9   | C1       | 2024-03-08 |         | INV-9    | 运费     | 2     |        | 317
10  | C1       | 2024-03-09 |         | RC-1     | 收款     |       | 1      | 316
11  | C1       | 2024-03-09 |         | RC-1     | 收款     |       | 1      | 315
"""


def test_ids_come_from_the_document_else_the_voucher_else_the_line():
    """Voucher 记-12 posts to C1 and C2: the ids carry the customer and month. Two identical
    lines without document or voucher: the second gets #2. Document 0001 is used by both
    customers: each id is prefixed with its customer. The two INV-9 lines are one invoice
    (5 + 2, dated on its first line). Two receipts with one document: the second gets #2."""
    result = rebuild(ledger(IDS))
    assert result.problems == []
    assert [(i[0], i[2], i[4]) for i in invoices(result)] == [
        ("C1/2024-03/记-12", 100.0, 2),
        ("C2/2024-03/记-12", 40.0, 3),
        ("C1/2024-03-05/10000", 100.0, 4),
        ("C1/2024-03-05/10000#2", 100.0, 5),
        ("C1/0001", 10.0, 6),
        ("C2/0001", 20.0, 7),
        ("INV-9", 7.0, 8),
    ]
    assert [p[0] for p in payments(result)] == ["RC-1/C1/2024-03/记-12", "RC-1#2/C1/2024-03/记-12"]


def test_a_derived_number_never_takes_an_id_the_file_uses():
    """Receipts A, A and A#2, nothing to pay: the second A would be A#2, which the file uses."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary | debit | credit | balance
2   | C1       | 2024-03-09 |         | A        | 收款     |       | 1      | -1
3   | C1       | 2024-03-09 |         | A        | 收款     |       | 2      | -3
4   | C1       | 2024-03-09 |         | A#2      | 收款     |       | 3      | -6
""")
    )
    assert [p[0] for p in payments(result)] == ["A", "A#3", "A#2"]


def test_the_same_file_gives_the_same_ids_and_other_customers_do_not_change_them():
    first, again = rebuild(ledger(IDS)), rebuild(ledger(IDS))
    pd.testing.assert_frame_equal(first.invoices, again.invoices)
    pd.testing.assert_frame_equal(first.payments, again.payments)
    alone = rebuild(ledger(IDS).query("customer_id == 'C1'"))
    c1 = first.invoices[first.invoices["customer_id"] == "C1"]
    assert alone.invoices["invoice_id"].tolist() == [
        i.replace("C1/0001", "0001") for i in c1["invoice_id"]
    ]  # only the id shared with C2 loses its prefix
    assert first.invoices["invoice_id"].is_unique and first.payments["payment_id"].is_unique


# --- checks ----------------------------------------------------------------------------


def test_a_running_balance_that_does_not_follow_is_an_error_naming_both_figures():
    """C1: 1000 + 500 = 1500, but row 6 says 1,400.00: the first difference (100.00) is
    reported; row 7 (still off) is not. C2 is checked on its own and is right."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary  | debit | credit | balance
4   | C1       | 2024-01-01 |         |          | 期初余额  |       |        | 1000
5   | C2       | 2024-01-03 |         | X-1      | 销售      | 70    |        | 70
6   | C1       | 2024-01-10 |         | INV-1    | 销售      | 500   |        | 1400
7   | C1       | 2024-01-11 |         | INV-2    | 销售      | 1     |        | 1401
8   | C2       | 2024-01-12 |         | X-2      | 销售      | 30    |        | 100
""")
    )
    [problem] = result.problems
    assert (problem.row, problem.column, problem.level) == (6, "balance", "error")
    assert problem.code == "ingest.movements.balance_mismatch"
    assert problem.text == (
        "The balance on this row is 1,400.00, but customer C1's opening balance plus the debits "
        "less the credits down to this row make 1,500.00 (a difference of -100.00; a debit "
        "balance is positive). Check the amounts above this row."
    )
    assert result.has_errors


def test_a_balance_carried_forward_is_checked_not_opened_again():
    """A second 期初余额 after movements is the balance carried forward: 300 is right; a
    credit balance line -5 later is wrong (rebuilt 300)."""
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary  | debit | credit | balance
2   | C1       | 2024-01-05 |         | INV-1    | 销售      | 300   |        |
3   | C1       | 2024-02-01 |         |          | 期初余额  |       |        | 300
4   | C1       | 2024-03-01 |         |          | 期初余额  |       |        | -5
""")
    )
    assert [i[0] for i in invoices(result)] == ["INV-1"]
    assert codes(result) == [(4, "balance", "ingest.movements.balance_mismatch")]
    assert result.problems[0].params["rebuilt"] == "300.00"
    assert result.problems[0].params["balance"] == "-5.00"


MONTHS = """
row | customer | date       | voucher | document | summary  | debit | credit | balance
2   | C1       | 2024-01-01 |         |          | 上年结转  |       |        | 100
3   | C1       | 2024-01-10 |         | INV-1    | 销售      | 500   |        | 600
4   | C1       | 2024-01-20 |         | RC-1     | 收款      |       | 200    | 400
5   | C1       | 2024-01-31 |         |          | 本月合计  | 500   | 200    | 400
6   | C1       | 2024-01-31 |         |          | 本年累计  | 500   | 200    | 400
7   | C1       | 2024-02-10 |         | INV-2    | 销售      | 50    |        | 450
8   | C1       | 2024-02-29 |         |          | 本月合计  | 50    |        | 450
9   | C1       | 2024-02-29 |         |          | 本年累计  | 550   | 200    | 450
"""


def test_matching_totals_pass_and_are_never_imported():
    result = rebuild(ledger(MONTHS))
    assert result.problems == []
    assert [i[0] for i in invoices(result)] == ["C1/opening/2024-01-01", "INV-1", "INV-2"]
    assert [p[0] for p in payments(result)] == ["RC-1/C1/opening/2024-01-01", "RC-1/INV-1"]


def test_a_month_total_that_does_not_add_up_names_both_figures_and_the_rows():
    """February's only movement is 50 (row 7); the total says 60."""
    result = rebuild(ledger(MONTHS.replace("本月合计  | 50 ", "本月合计  | 60 ")))
    [problem] = result.problems
    assert (problem.row, problem.column) == (8, "debit")
    assert problem.text == (
        "This period total shows debits 60.00 and credits 0.00, but the 1 movement lines it "
        "totals (rows 7) add up to debits 50.00 and credits 0.00."
    )


def test_a_year_to_date_total_that_does_not_add_up_names_the_year_and_rows():
    """The opening is dated 1 January, so the file holds the whole year: rows 3-7 add up to
    550 / 200, the line says 550 / 250."""
    result = rebuild(ledger(MONTHS.replace("本年累计  | 550   | 200", "本年累计  | 550   | 250")))
    [problem] = result.problems
    assert (problem.row, problem.column, problem.code) == (
        9,
        "credit",
        "ingest.movements.ytd_total_mismatch",
    )
    assert problem.text == (
        "This year-to-date total shows debits 550.00 and credits 250.00, but the 3 movement "
        "lines of 2024 above it (rows 3–7) add up to debits 550.00 and credits 200.00."
    )


MID_YEAR = """
row | customer | date       | voucher | document | summary  | debit | credit | balance
2   | C1       | 2024-04-01 |         |          | 期初余额  |       |        | 1000
3   | C1       | 2024-04-10 |         | INV-1    | 销售      | 500   |        | 1500
4   | C1       | 2024-04-30 |         |          | 本月合计  | 500   |        | 1500
5   | C1       | 2024-04-30 |         |          | 本年累计  | 9000  | 8000   | 1500
6   | C1       | 2024-05-10 |         | RC-1     | 收款      |       | 700    | 800
7   | C1       | 2024-05-31 |         |          | 本月合计  |       | 700    | 800
8   | C1       | 2024-05-31 |         |          | 本年累计  | 9000  | 8700   | 800
"""


def test_a_file_starting_within_the_year_checks_each_year_to_date_total_against_the_last():
    """The opening is dated 1 April: April's 本年累计 holds January to March, which the file
    does not have, so it is taken as stated; May's must be April's plus May's lines:
    9000 / 8000 + 0 / 700 = 9000 / 8700."""
    assert rebuild(ledger(MID_YEAR)).problems == []
    result = rebuild(ledger(MID_YEAR.replace("9000  | 8700", "9100  | 8700")))
    [problem] = result.problems
    assert (problem.row, problem.column, problem.code) == (
        8,
        "debit",
        "ingest.movements.ytd_total_mismatch.since",
    )
    assert problem.text == (
        "This year-to-date total shows debits 9,100.00 and credits 8,700.00, but the "
        "year-to-date total on row 5 plus the 1 movement lines since (rows 6) make debits "
        "9,000.00 and credits 8,700.00."
    )


def test_the_first_month_total_after_a_mid_month_opening_is_not_checked():
    """The opening is dated 15 April, so April's total (999) may hold lines from before it."""
    text = MID_YEAR.replace("2024-04-01", "2024-04-15").replace(
        "本月合计  | 500", "本月合计  | 999"
    )
    assert rebuild(ledger(text)).problems == []


def test_a_total_without_debit_or_credit_is_only_balance_checked():
    result = rebuild(
        ledger("""
row | customer | date       | voucher | document | summary  | debit | credit | balance
2   | C1       | 2024-04-10 |         | INV-1    | 销售      | 500   |        | 500
3   | C1       | 2024-04-30 |         |          | Total     |       |        | 400
""")
    )
    assert codes(result) == [(3, "balance", "ingest.movements.balance_mismatch")]


def test_lines_without_date_or_customer_are_errors():
    """Row 3 has an amount but no date; its amount still counts in the balance, so row 4's
    balance (300) raises nothing more. Row 5 has no customer."""
    frame = ledger("""
row | customer | date       | voucher | document | summary | debit | credit | balance
2   | C1       | 2024-04-10 |         | INV-1    | 销售     | 100   |        | 100
3   | C1       |            |         | INV-2    | 销售     | 200   |        | 300
4   | C1       | 2024-04-11 |         |          | 销售     |       |        | 300
5   | C1       | 2024-04-12 |         | INV-3    | 销售     | 10    |        | 310
""")
    frame.loc[5, "customer_id"] = None
    result = rebuild(frame)
    assert codes(result) == [
        (3, "date", "ingest.movements.no_date"),
        (5, "customer_id", "ingest.movements.no_customer"),
    ]
    assert [i[0] for i in invoices(result)] == ["INV-1"]


def test_an_undated_opening_balance_is_an_error():
    frame = ledger("""
row | customer | date | voucher | document | summary  | debit | credit | balance
2   | C1       |      |         |          | 期初余额  |       |        | 100
""")
    assert codes(rebuild(frame)) == [(2, "date", "ingest.movements.no_date")]


def test_every_problem_renders_from_both_catalogues():
    frames = [
        ledger(MONTHS.replace("本月合计  | 50 ", "本月合计  | 60 ")),
        ledger(MONTHS.replace("本年累计  | 550   | 200", "本年累计  | 550   | 250")),
        ledger(MID_YEAR.replace("9000  | 8700", "9100  | 8700")),
        ledger(FIFO.replace("| 600\n9", "| 601\n9")),
        ledger(FIFO.replace("2024-01-25", "")),
    ]
    frames[-1].loc[6, "customer_id"] = None
    problems = [p for frame in frames for p in rebuild(frame).problems]
    assert {p.code for p in problems} == {
        "ingest.movements.period_total_mismatch",
        "ingest.movements.ytd_total_mismatch",
        "ingest.movements.ytd_total_mismatch.since",
        "ingest.movements.balance_mismatch",
        "ingest.movements.no_date",
        "ingest.movements.no_customer",
    }
    for p in problems:
        assert i18n.t(p.code, "en", **p.params) == p.text
        assert CHINESE.search(i18n.t(p.code, "zh", **p.params))


def test_problems_go_to_the_log_with_the_original_header_and_cell():
    frame = ledger(FIFO.replace("| 600\n9", "| 601\n9"))
    body = pd.DataFrame({"balance": ["1,000.00", "1,500.00", "1,800.00", "601.00", "600.00"]})
    body.index = frame.index
    ctx = SheetContext("ledger.xlsx", "客户往来明细账", "movements", {"balance": "余额"}, body)
    log = ProblemLog()
    rebuild(frame).report(log, ctx)
    [problem] = log.problems
    assert (problem.file, problem.sheet, problem.row, problem.column, problem.value) == (
        "ledger.xlsx",
        "客户往来明细账",
        8,
        "余额",
        "601.00",
    )
    assert problem.code == "ingest.movements.balance_mismatch"


def test_the_caller_must_pass_the_columns_and_line_kinds():
    frame = ledger(FIFO)
    with pytest.raises(InvalidArgument, match="has no date, line_kind column"):
        rebuild(frame.drop(columns=["date", "line_kind"]))
    frame.loc[5, "line_kind"] = "subtotal"
    with pytest.raises(InvalidArgument, match="`line_kind` must be one of"):
        rebuild(frame)


def test_optional_columns_may_be_absent_and_an_empty_ledger_gives_empty_frames():
    """Without a balance column the opening line has no balance: only the 800 invoiced."""
    frame = ledger(FIFO).drop(columns=["customer_name", "voucher", "document", "summary"])
    result = rebuild(frame)
    assert result.problems == []
    assert result.invoices["amount_cents"].sum() == 1800_00
    assert result.customers["customer_name"].isna().all()
    assert rebuild(frame.drop(columns=["balance_cents"])).invoices["amount_cents"].sum() == 800_00
    empty = rebuild(ledger(FIFO).iloc[:0])
    assert empty.invoices.empty and empty.payments.empty and empty.customers.empty
    assert list(empty.invoices.columns) == list(result.invoices.columns)


# --- a random ledger against an independent computation -------------------------------


def random_ledger(seed: int, n_customers: int, n_lines: int, *, reversals: bool) -> pd.DataFrame:
    """Customers' lines interleaved in date order under an opening balance each (either side):
    invoices, receipts (a third naming an earlier invoice) and, with `reversals`, negative
    debits and credits (half naming an earlier line of theirs). Balances are the running sums;
    a month total and a year-to-date total close each customer's month."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01")
    records: list[dict] = []
    balance = {}
    earlier: dict[tuple[str, str], list[str]] = {}
    for c in range(n_customers):
        customer = f"K{c:03d}"
        balance[customer] = int(rng.integers(-100_000, 900_000))
        records.append(dict(customer_id=customer, date=start, line_kind="opening",
                            balance_cents=balance[customer]))  # fmt: skip
    for i, day in enumerate(np.sort(rng.integers(0, 365, n_lines))):
        customer = f"K{int(rng.integers(0, n_customers)):03d}"
        side = "debit_cents" if rng.random() < 0.55 else "credit_cents"
        cents = int(rng.integers(1, 500_000))
        own = f"D{i}" if side == "debit_cents" else f"R{i}"
        document = own
        mine = earlier.setdefault((customer, side), [])
        if reversals and mine and rng.random() < 0.08:
            cents = -cents // 3
            document = mine[int(rng.integers(0, len(mine)))] if rng.random() < 0.5 else None
        elif side == "credit_cents" and rng.random() < 0.3:
            invoices = earlier.get((customer, "debit_cents"), [])
            document = invoices[int(rng.integers(0, len(invoices)))] if invoices else None
        else:
            mine.append(own)
        balance[customer] += cents if side == "debit_cents" else -cents
        records.append(
            {"customer_id": customer, "date": start + pd.Timedelta(days=int(day)),
             "document": document, side: cents, "line_kind": "movement",
             "balance_cents": balance[customer]}
        )  # fmt: skip
    frame = pd.DataFrame(records)
    frame[["debit_cents", "credit_cents"]] = frame[["debit_cents", "credit_cents"]].fillna(0)
    month = frame["date"].dt.month
    moves = frame.assign(month=month).where(frame["line_kind"] == "movement")
    sums = moves.groupby(["customer_id", "month"])[["debit_cents", "credit_cents"]].sum()
    last = frame.groupby(["customer_id", month]).tail(1)
    keys = pd.MultiIndex.from_arrays([last["customer_id"], month[last.index]])
    totals = last.assign(line_kind="period_total", document=None)
    totals[["debit_cents", "credit_cents"]] = sums.reindex(keys, fill_value=0).to_numpy()
    to_date = sums.reindex(keys, fill_value=0).groupby(level=0).cumsum()
    ytd = last.assign(line_kind="ytd_total", document=None)
    ytd[["debit_cents", "credit_cents"]] = to_date.to_numpy()
    frame = pd.concat([frame, totals, ytd]).sort_index(kind="stable", ignore_index=True)
    for name in ("debit_cents", "credit_cents", "balance_cents"):
        frame[name] = frame[name].astype("Int64")
    frame.index = frame.index + 2  # Excel rows under one header row
    return frame


def open_and_unapplied(result: Rebuilt) -> tuple[pd.Series, pd.Series]:
    """Per customer: the open amount of its invoices and its unapplied cash, in cents."""
    pay = result.payments
    invoiced = result.invoices.groupby("customer_id")["amount_cents"].sum()
    applied = pay[pay["invoice_id"].notna()].groupby("customer_id")["amount_cents"].sum()
    unapplied = pay[pay["invoice_id"].isna()].groupby("customer_id")["amount_cents"].sum()
    index = invoiced.index.union(unapplied.index)
    open_ = invoiced.reindex(index, fill_value=0) - applied.reindex(index, fill_value=0)
    return open_, unapplied.reindex(index, fill_value=0)


@pytest.mark.parametrize("reversals", [False, True])
def test_a_random_ledger_rebuilds_to_its_balances(reversals):
    """Independent: each customer's final balance = opening + debits - credits (the last
    running balance). The rebuilt open items less unapplied cash must equal it, every check
    must pass, and a customer never has both open invoices and unapplied cash."""
    frame = random_ledger(7, 40, 3000, reversals=reversals)
    result = rebuild(frame)
    assert result.problems == []
    moves = frame[frame["line_kind"] == "movement"]
    opening = frame[frame["line_kind"] == "opening"].set_index("customer_id")["balance_cents"]
    final = (
        opening.astype("int64")
        + moves.groupby("customer_id")["debit_cents"].sum()
        - moves.groupby("customer_id")["credit_cents"].sum()
    )
    last_balance = frame.groupby("customer_id")["balance_cents"].last()
    assert (final == last_balance).all()
    open_, unapplied = open_and_unapplied(result)
    assert (
        (open_ - unapplied)
        .reindex(final.index, fill_value=0)
        .astype("int64")
        .equals(final.astype("int64"))
    )
    assert result.invoices["invoice_id"].is_unique
    assert result.payments["payment_id"].is_unique
    assert set(result.payments["invoice_id"].dropna()) <= set(result.invoices["invoice_id"])
    assert (result.payments["amount_cents"] > 0).all()
    inv = result.invoices.set_index("invoice_id")
    paid = result.payments.dropna(subset=["invoice_id"]).groupby("invoice_id")["amount_cents"]
    paid = paid.sum().reindex(inv.index, fill_value=0)
    outstanding = inv["amount_cents"] - paid
    positive = inv["amount_cents"] > 0
    assert ((outstanding >= 0) & (paid <= inv["amount_cents"]))[positive].all()
    assert (paid[~positive] == 0).all()  # credit notes are never paid
    has_open = outstanding[outstanding > 0].groupby(inv["customer_id"]).size()
    assert not set(has_open.index) & set(unapplied[unapplied > 0].index)


def test_a_random_ledger_without_reversals_leaves_the_newest_invoices_open():
    """With only invoices and receipts, oldest-first allocation leaves open exactly the newest
    invoices that the cash did not reach: per customer, with invoices sorted by date and row,
    open_i = clip(invoiced up to and including i - all cash, 0, amount_i), and unapplied cash
    = max(all cash - all invoiced, 0). Every receipt is spent in full."""
    frame = random_ledger(11, 25, 2000, reversals=False)
    frame.loc[frame["credit_cents"] > 0, "document"] = None  # no receipt names an invoice
    result = rebuild(frame)
    inv = result.invoices.sort_values(["customer_id", "invoice_date", "_row"])
    opening_cash = -frame.loc[frame["line_kind"] == "opening", "balance_cents"].clip(upper=0)
    opening_cash.index = frame.loc[frame["line_kind"] == "opening", "customer_id"]
    receipts = frame[frame["line_kind"] == "movement"].groupby("customer_id")["credit_cents"]
    cash = (receipts.sum() + opening_cash.reindex(receipts.sum().index, fill_value=0)).astype(
        "int64"
    )
    amount = inv["amount_cents"].astype("int64")
    before = amount.groupby(inv["customer_id"]).cumsum()
    reached = cash.reindex(inv["customer_id"]).to_numpy()
    expected_open = np.clip(before.to_numpy() - reached, 0, amount.to_numpy())
    paid = result.payments.dropna(subset=["invoice_id"]).groupby("invoice_id")["amount_cents"]
    actual_open = (
        amount - paid.sum().reindex(inv["invoice_id"]).fillna(0).astype("int64").to_numpy()
    )
    assert np.array_equal(actual_open.to_numpy(), expected_open)
    _, unapplied = open_and_unapplied(result)
    total = amount.groupby(inv["customer_id"]).sum().reindex(cash.index, fill_value=0)
    assert (
        unapplied.reindex(cash.index, fill_value=0)
        .astype("int64")
        .equals((cash - total).clip(lower=0))
    )
    moves = frame[(frame["line_kind"] == "movement") & (frame["credit_cents"] > 0)]
    spent = result.payments.groupby("_row")["amount_cents"].sum()
    assert spent.reindex(moves.index).astype("int64").equals(moves["credit_cents"].astype("int64"))


def test_a_random_ledger_with_one_wrong_balance_reports_that_row():
    frame = random_ledger(3, 10, 500, reversals=True)
    moves = frame.index[frame["line_kind"] == "movement"]
    row = moves[len(moves) // 2]
    frame.loc[row, "balance_cents"] += 1
    result = rebuild(frame)
    assert codes(result) == [(row, "balance", "ingest.movements.balance_mismatch")]
