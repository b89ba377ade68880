"""Receivables reports laid out as ERP systems export them, built from a known book.

Each builder takes the same seeded `Book` (customers and their open items at
an as-of date) and writes it in one system's layout, with that layout's
traits: title lines, group headings, subtotal and total rows, repeated
headers, locale number and date formats. The tests then import the file
and compare what was imported with the book itself, never with a sum of the
file's rows computed by the code under test.

The layouts follow the reports' public documentation and screenshots:
SAP FBL5N (ALV "export to spreadsheet", English and German logon), 金蝶
应收款明细表 / 应收款账龄分析表, QuickBooks Online A/R Aging Detail, Xero Aged
Receivables Detail, Odoo (OCA) Aged Partner Balance with details, ERPNext
Accounts Receivable, and a hand-kept Chinese workbook. No company's data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import defaultdict
from dataclasses import dataclass, field

from tests.ingest.conftest import build_xlsx

AS_OF = dt.date(2025, 6, 30)


@dataclass(frozen=True)
class Item:
    customer_id: str
    customer_name: str
    document: str  # "" for a payment on account or a credit without a number
    kind: str  # invoice | credit | payment
    date: dt.date
    due: dt.date
    amount: int  # cents, signed (credits and payments negative)
    open: int  # cents still open at AS_OF, signed


@dataclass
class Book:
    items: list[Item] = field(default_factory=list)

    def open_by_customer(self, key: str = "customer_id") -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for item in self.items:
            out[getattr(item, key)] += item.open
        return dict(out)

    def by_customer(self) -> dict[tuple[str, str], list[Item]]:
        out: dict[tuple[str, str], list[Item]] = defaultdict(list)
        for item in self.items:
            out[(item.customer_id, item.customer_name)].append(item)
        return dict(out)

    @property
    def total(self) -> int:
        return sum(i.open for i in self.items)


NAMES = [
    ("C1001", "Acme Industrial Ltd"),
    ("C1002", "Beta Trading Co"),
    ("C1003", "Gamma Machinery GmbH"),
    ("C1004", "Delta Foods Inc"),
]
NAMES_ZH = [
    ("K001", "华东机械有限公司"),
    ("K002", "上海甲贸易有限公司"),
    ("K003", "北京乙科技有限公司"),
    ("K004", "深圳丙电子有限公司"),
]


def book(seed: int = 7, names=NAMES, *, n: int = 5, payments: bool = True) -> Book:
    """Invoices (some partly paid), a credit note and a payment on account per customer."""
    rng = random.Random(seed)
    items = []
    serial = 90000000 + seed * 1000
    for cid, name in names:
        for _ in range(n):
            serial += 1
            date = AS_OF - dt.timedelta(days=rng.randint(5, 200))
            due = date + dt.timedelta(days=rng.choice([30, 45, 60]))
            amount = rng.randint(10_000, 5_000_000)
            paid = rng.choice([0, 0, 0, rng.randint(1, amount - 1)])
            items.append(Item(cid, name, str(serial), "invoice", date, due, amount, amount - paid))
        if payments:
            serial += 1
            date = AS_OF - dt.timedelta(days=rng.randint(5, 60))
            credit = -rng.randint(1_000, 200_000)
            items.append(Item(cid, name, str(serial), "credit", date, date, credit, credit))
            date = AS_OF - dt.timedelta(days=rng.randint(1, 30))
            cash = -rng.randint(1_000, 300_000)
            items.append(Item(cid, name, "", "payment", date, date, cash, cash))
    return Book(items)


def money(cents: int, *, decimal: str = ".", thousands: str = ",", trailing: bool = False) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    text = f"{whole:,}".replace(",", "\0").replace("\0", thousands) + decimal + f"{part:02d}"
    if not sign:
        return text
    return text + "-" if trailing else "-" + text


def _csv(rows: list[list], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


# --- SAP FBL5N ---------------------------------------------------------------------

FBL5N_EN = [
    "Account",
    "Assignment",
    "Document Number",
    "Document Type",
    "Document Date",
    "Net due date",
    "Arrears after net due date",
    "Amount in local currency",
    "Local Currency",
    "Clearing Document",
]
FBL5N_DE = [
    "Konto",
    "Zuordnung",
    "Belegnummer",
    "Belegart",
    "Belegdatum",
    "Nettofälligkeit",
    "Verzug",
    "Betrag in Hauswährung",
    "Hauswährung",
    "Ausgleichsbeleg",
]
_SAP_TYPE = {"invoice": "RV", "credit": "DG", "payment": "DZ"}


def fbl5n_rows(b: Book, header: list[str], fmt_date, fmt_money, currency: str = "EUR") -> list:
    """Line items per account, a subtotal row (amount and currency only) after each account,
    the grand total per currency at the end. Payments on account carry their own number."""
    rows: list[list] = [header]
    serial = 1400000000
    for (cid, _name), items in b.by_customer().items():
        for it in items:
            serial += 1
            doc = it.document or str(serial)
            arrears = (AS_OF - it.due).days
            rows.append(
                [cid, f"PO-{doc[-4:]}", doc, _SAP_TYPE[it.kind], fmt_date(it.date),
                 fmt_date(it.due), str(arrears), fmt_money(it.open), currency, ""]
            )  # fmt: skip
        sub = sum(i.open for i in items)
        rows.append(["", "", "", "", "", "", "", fmt_money(sub), currency, ""])
    rows.append(["", "", "", "", "", "", "", fmt_money(b.total), currency, ""])
    return rows


def fbl5n_xlsx(b: Book) -> bytes:
    rows = fbl5n_rows(b, FBL5N_EN, lambda d: d, lambda c: c / 100)
    return build_xlsx({"Sheet1": rows})


def fbl5n_german_csv(b: Book) -> bytes:
    """`;`-separated, cp1252, 17.665,00 and 31.12.2025, negatives trailing or leading."""

    def de_money(cents: int) -> str:
        return money(cents, decimal=",", thousands=".", trailing=cents % 2 == 0)

    rows = fbl5n_rows(b, FBL5N_DE, lambda d: d.strftime("%d.%m.%Y"), de_money)
    return _csv(rows, delimiter=";").encode("cp1252")


# --- 金蝶 ------------------------------------------------------------------------------

KINGDEE = [
    "往来单位编码",
    "往来单位名称",
    "单据编号",
    "业务日期",
    "到期日",
    "尚未收款金额(本位币)",
    "尚未收款金额(原币)",
    "币别",
    "销售员",
]
KINGDEE_AGES = ["未到期", "1-30天", "31-60天", "61-90天", "90天以上"]


def kingdee_xlsx(b: Book, *, aging: bool = False) -> bytes:
    """应收款明细表 (or 应收款账龄分析表 按单据 with age columns): 截止日期 in a title line,
    a `名称(小计)` row after each customer, 合计 at the end. Some documents in USD:
    the 本位币 column is what counts."""
    title = "应收款账龄分析表" if aging else "应收款明细表"
    header = KINGDEE + (KINGDEE_AGES if aging else [])
    rows: list[list] = [[title], [f"截止日期：{AS_OF:%Y-%m-%d}", "", "币别：综合本位币"], header]
    rate = 7.2
    for (cid, name), items in b.by_customer().items():
        for n, it in enumerate(items):
            usd = n % 3 == 1
            original = round(it.open / 100 / rate, 2) if usd else it.open / 100
            row = [cid, name, it.document or f"SKD{cid}{n:04d}", it.date, it.due, it.open / 100,
                   original, "美元" if usd else "人民币", "张伟"]  # fmt: skip
            if aging:
                days = (AS_OF - it.due).days
                slot = 0 if days <= 0 else 1 if days <= 30 else 2 if days <= 60 else 3
                slot = slot if days <= 90 else 4
                row += [it.open / 100 if i == slot else None for i in range(5)]
            rows.append(row)
        sub = sum(i.open for i in items) / 100
        rows.append(["", f"{name}(小计)", "", "", "", sub, None, "", ""])
    rows.append(["合计", "", "", "", "", b.total / 100, None, "", ""])
    return build_xlsx({"应收款明细": rows})


# --- QuickBooks Online --------------------------------------------------------------

QB_HEADER = ["", "Date", "Transaction type", "Num", "Customer full name", "Due date", "Amount",
             "Open balance"]  # fmt: skip
QB_SECTIONS = [
    ("Current", -(10**6), 0),
    ("1 - 30 days past due", 1, 30),
    ("31 - 60 days past due", 31, 60),
    ("61 - 90 days past due", 61, 90),
    ("91 or more days past due", 91, 10**6),
]


def quickbooks_csv(b: Book) -> bytes:
    """Three title lines, sections per age closed by "Total for ...", TOTAL, a footer;
    `Parent:Job` customer names; payments and credits without a Num."""
    us = lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}"  # noqa: E731
    rows: list[list] = [["Craig's Design and Landscaping Services"], ["A/R Aging Detail"],
                        [f"As of {AS_OF:%B} {AS_OF.day}, {AS_OF.year}"], [], QB_HEADER]  # fmt: skip
    for label, low, high in QB_SECTIONS:
        part = [i for i in b.items if low <= (AS_OF - i.due).days <= high]
        if not part:
            continue
        rows.append([label])
        for it in part:
            kind = {"invoice": "Invoice", "credit": "Credit Memo", "payment": "Payment"}[it.kind]
            num = it.document if it.kind == "invoice" else ""
            name = f"{it.customer_name}:Project {it.customer_id[-1]}"
            rows.append(["", us(it.date), kind, num, name, us(it.due), money(it.amount),
                         money(it.open)])  # fmt: skip
        rows.append([f"Total for {label}", "", "", "", "", "", money(sum(i.amount for i in part)),
                     money(sum(i.open for i in part))])  # fmt: skip
    rows.append(["TOTAL", "", "", "", "", "", money(sum(i.amount for i in b.items)),
                 money(b.total)])  # fmt: skip
    rows += [[], [], ["Cash Basis Tuesday, July 1, 2025 10:15 AM GMT-07:00"]]
    return _csv(rows).encode("utf-8")


# --- Xero ------------------------------------------------------------------------------

XERO_HEADER = ["Invoice Date", "Invoice Number", "Invoice Reference", "Due Date", "Current",
               "< 1 Month", "1 Month", "2 Months", "3 Months", "Older", "Total"]  # fmt: skip


def xero_xlsx(b: Book) -> bytes:
    """Title lines with "As at", the contact only as a heading row, age columns and Total,
    `Total <contact>` lines, credits and overpayments without a number, a final Total."""
    rows: list[list] = [["Aged Receivables Detail"], ["Demo Company (Global)"],
                        [f"As at {AS_OF.day} {AS_OF:%B %Y}"], ["Ageing by due date"], [],
                        XERO_HEADER]  # fmt: skip
    for (_cid, name), items in b.by_customer().items():
        rows.append([name])
        for it in items:
            days = (AS_OF - it.due).days
            slot = 0 if days <= 0 else min(5, 1 + days // 30)
            ages = [it.open / 100 if i == slot else None for i in range(6)]
            num = it.document if it.kind == "invoice" else ""
            ref = "Overpayment" if it.kind == "payment" else "Credit Note" if num == "" else "PO"
            rows.append([it.date, num, ref, it.due, *ages, it.open / 100])
        sub = sum(i.open for i in items) / 100
        rows.append([f"Total {name}", None, None, None, None, None, None, None, None, None, sub])
    rows.append(["Total", None, None, None, None, None, None, None, None, None, b.total / 100])
    return build_xlsx({"Aged Receivables Detail": rows})


# --- Odoo ------------------------------------------------------------------------------

ODOO_HEADER = ["Date", "Entry", "Journal", "Account", "Partner", "Ref - Label", "Due date",
               "Residual", "Current", "Age ≤ 30 d.", "Age ≤ 60 d.", "Age ≤ 90 d.",
               "Age ≤ 120 d.", "Older"]  # fmt: skip


def odoo_xlsx(b: Book) -> bytes:
    """OCA Aged Partner Balance with details: filters block, account line, a partner title
    row and the header repeated under each partner, "Partner cumul aged balance" lines."""
    rows: list[list] = [
        ["Aged Partner Balance - My Company - EUR"],
        ["Date at filter", "Target moves filter", "Account balance at 0 filter"],
        [AS_OF.strftime("%m/%d/%Y"), "All posted entries", "Hide"],
        [],
        ["121000 - Account Receivable"],
    ]
    for (_cid, name), items in b.by_customer().items():
        rows.append([name])
        rows.append(ODOO_HEADER)
        for n, it in enumerate(items):
            entry = f"INV/2025/{it.document}" if it.document else f"BNK1/2025/{_cid}{n:03d}"
            rows.append([it.date, entry, "Customer Invoices", "121000", name, "", it.due,
                         it.open / 100, None, None, None, None, None, None])  # fmt: skip
        sub = sum(i.open for i in items) / 100
        rows.append(["Partner cumul aged balance", None, None, None, None, None, None, sub])
    return build_xlsx({"Aged Partner Balance": rows})


# --- ERPNext ---------------------------------------------------------------------------

ERPNEXT_HEADER = ["Posting Date", "Customer", "Voucher Type", "Voucher No", "Due Date",
                  "Invoiced Amount", "Paid Amount", "Credit Note", "Outstanding Amount",
                  "Age (Days)", "0-30", "31-60", "61-90", "91-120", "121-Above"]  # fmt: skip


def erpnext_csv(b: Book) -> bytes:
    """dd-mm-yyyy dates, invoiced / paid / credit note / outstanding, no report date."""
    rows: list[list] = [ERPNEXT_HEADER]
    for it in b.items:
        if it.kind != "invoice":
            continue  # credits and payments on account are their own reports in ERPNext
        paid = it.amount - it.open
        rows.append([it.date.strftime("%d-%m-%Y"), it.customer_name, "Sales Invoice",
                     f"ACC-SINV-{it.document}", it.due.strftime("%d-%m-%Y"), money(it.amount, thousands=""),
                     money(paid, thousands=""), "0.00", money(it.open, thousands=""),
                     str((AS_OF - it.date).days), "", "", "", "", ""])  # fmt: skip
    return _csv(rows).encode("utf-8")


def erpnext_total(b: Book) -> int:
    return sum(i.open for i in b.items if i.kind == "invoice")


# --- a hand-kept Chinese workbook ------------------------------------------------------


def handkept_xlsx(b: Book) -> bytes:
    """导出日期 title, 金额 and 已收金额 with no payment date, a 合计 row."""
    rows: list[list] = [[f"导出日期：{AS_OF.year}年{AS_OF.month}月{AS_OF.day}日"],
                        ["客户编号", "客户名称", "发票号", "开票日期", "到期日", "金额", "已收金额"]]  # fmt: skip
    invoices = [i for i in b.items if i.kind == "invoice"]
    for it in invoices:
        rows.append([it.customer_id, it.customer_name, f"FP{it.document}", it.date, it.due,
                     it.amount / 100, (it.amount - it.open) / 100 or None])  # fmt: skip
    rows.append(["合计", "", "", "", "", sum(i.amount for i in invoices) / 100,
                 sum(i.amount - i.open for i in invoices) / 100])  # fmt: skip
    return build_xlsx({"应收账款": rows})


def handkept_total(b: Book) -> int:
    return sum(i.open for i in b.items if i.kind == "invoice")


# --- a summary aging report --------------------------------------------------------------


def summary_csv(b: Book) -> bytes:
    rows: list[list] = [["Customer", "Current", "1-30", "31-60", "61-90", "Over 90", "Total"]]
    for (_cid, name), items in b.by_customer().items():
        total = sum(i.open for i in items)
        rows.append([name, money(total), "0.00", "0.00", "0.00", "0.00", money(total)])
    return _csv(rows).encode("utf-8")


# --- 用友 U8 / T+ 客户往来明细账 (三栏式) ---------------------------------------------

YONYOU_HEADER = ["月", "日", "凭证号", "单据编号", "摘要", "借方", "贷方", "方向", "余额"]


@dataclass
class Ledger3:
    rows: list[list]
    balances: dict[str, int]  # customer id -> closing balance, cents (debit side > 0)


def yonyou_ledger(seed: int = 21, names=NAMES_ZH, months: int = 6) -> Ledger3:
    """Customer blocks under a `客户编码：… 客户名称：…` heading: 期初余额, debits and credits
    with the running balance and its 方向, 本月合计 and 本年累计 after every month."""
    rng = random.Random(seed)
    rows: list[list] = [["客户往来明细账"], [f"科目：1122 应收账款    期间：{AS_OF.year}.01-"
                        f"{AS_OF.year}.{months:02d}"], YONYOU_HEADER]  # fmt: skip
    balances: dict[str, int] = {}
    voucher = 0
    for cid, name in names:
        rows.append([f"客户编码：{cid}  客户名称：{name}"])
        balance = rng.randint(0, 3_000_000)
        rows.append([1, 1, "", "", "期初余额", None, None, _side(balance), abs(balance) / 100])
        ytd_debit = ytd_credit = 0
        for month in range(1, months + 1):
            debit_sum = credit_sum = 0
            for day in sorted(rng.sample(range(1, 28), 4)):
                voucher += 1
                if rng.random() < 0.6 or balance <= 0:
                    amount = rng.randint(10_000, 2_000_000)
                    balance += amount
                    debit_sum += amount
                    rows.append([month, day, f"记-{voucher:04d}", f"XS{voucher:05d}", "销售发票",
                                 amount / 100, None, _side(balance), abs(balance) / 100])  # fmt: skip
                else:
                    amount = rng.randint(1_000, balance + 500_000)  # may overpay
                    balance -= amount
                    credit_sum += amount
                    rows.append([month, day, f"收-{voucher:04d}", "", "收款", None,
                                 amount / 100, _side(balance), abs(balance) / 100])  # fmt: skip
            ytd_debit += debit_sum
            ytd_credit += credit_sum
            rows.append([month, None, "", "", "本月合计", debit_sum / 100, credit_sum / 100,
                         _side(balance), abs(balance) / 100])  # fmt: skip
            rows.append([month, None, "", "", "本年累计", ytd_debit / 100, ytd_credit / 100,
                         _side(balance), abs(balance) / 100])  # fmt: skip
        balances[cid] = balance
    return Ledger3(rows, balances)


def _side(balance: int) -> str:
    return "借" if balance > 0 else "贷" if balance < 0 else "平"
