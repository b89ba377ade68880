"""Which system's report a sheet is, and the few column meanings that depend on it.

The header synonyms (`synonyms`) read most columns alike whatever exported
them; a handful mean different things by report:

- SAP FBL5N's "Amount in local currency" is the **open** amount of an
  open-items list (no clearing date column), the original amount otherwise;
- Xero's "Total" beside its age columns is the amount outstanding;
- 金蝶's 尚未收款金额(本位币) is in the company's own currency, so its 币别
  column (the document's currency) does not describe it;
- a summary aging report (one row per customer, totals by age, no
  documents) holds no invoices at all.

`recognise` names the layout (shown to the user) and returns the fields
with those meanings applied. Each layout is recognised by the columns it
has, not by file names, so a variant with a column more or less is still
read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from creditdash.ingest.synonyms import normalise_header

# normalised headers each layout has; a sheet with `need` of them is that layout
_SIGNATURES: dict[str, tuple[int, set[str]]] = {
    "sap_fbl5n": (
        5,
        {
            "account",
            "customer",
            "assignment",
            "documentnumber",
            "documenttype",
            "documentdate",
            "netduedate",
            "arrearsafternetduedate",
            "amountinlocalcurrency",
            "localcurrency",
            "clearingdocument",
        },
    ),
    "sap_fbl5n_de": (
        5,
        {
            "konto",
            "zuordnung",
            "belegnummer",
            "belegart",
            "belegdatum",
            "nettofälligkeit",
            "verzug",
            "betraginhauswährung",
            "hauswährung",
            "ausgleichsbeleg",
        },
    ),
    "kingdee_receivables": (
        4,
        {
            "往来单位编码",
            "往来单位名称",
            "单据编号",
            "业务日期",
            "到期日",
            "尚未收款金额本位币",
            "尚未收款金额原币",
            "币别",
            "销售员",
            "单据类型",
        },
    ),
    "yonyou_ledger": (3, {"凭证号", "摘要", "借方", "贷方", "方向", "余额", "年", "月", "日"}),
    "quickbooks_ar_aging_detail": (
        5,
        {
            "date",
            "transactiontype",
            "num",
            "customerfullname",
            "customer",
            "duedate",
            "amount",
            "openbalance",
        },
    ),
    "xero_aged_receivables_detail": (
        5,
        {
            "invoicedate",
            "invoicenumber",
            "invoicereference",
            "reference",
            "duedate",
            "current",
            "<1month",
            "1month",
            "2months",
            "3months",
            "older",
            "total",
        },
    ),
    "odoo_aged_partner_balance": (
        5,
        {"date", "entry", "journal", "account", "partner", "reflabel", "duedate", "residual"},
    ),
    "erpnext_accounts_receivable": (
        5,
        {
            "postingdate",
            "customer",
            "party",
            "partytype",
            "receivableaccount",
            "vouchertype",
            "voucherno",
            "duedate",
            "invoicedamount",
            "paidamount",
            "creditnote",
            "outstandingamount",
        },
    ),
}
_TITLES = {
    "quickbooks_ar_aging_detail": re.compile(r"a/r aging detail", re.IGNORECASE),
    "xero_aged_receivables_detail": re.compile(r"aged receivables detail", re.IGNORECASE),
    "odoo_aged_partner_balance": re.compile(r"aged partner balance", re.IGNORECASE),
    "kingdee_receivables": re.compile(r"应收款(?:明细表|账龄分析表)"),
    "yonyou_ledger": re.compile(r"往来明细账|明细账"),
}
# a column of an aging report that holds one age bucket's amounts
AGE_COLUMN = re.compile(
    r"^(?:current|notyetdue|notdue|未到期|未逾期|older|over\d+|\d+(?:\+|andover|ormore)|"
    r"[<>≤≥]\d+\w*|\d+(?:-|~|至|到)\d+\w*|\d+months?|\d+days?|\d+天以上|\d+年以上|\d+年以内|"
    r"逾期\S*|账龄\S*天|.*天$)",
    re.IGNORECASE,
)
_LOCAL = re.compile(r"本位币|本币|local|hauswährung|\blc\b", re.IGNORECASE)
_DOCUMENT_CURRENCY = re.compile(r"币别|原币|document|beleg", re.IGNORECASE)


def recognise(
    headers: Sequence[str], fields: Sequence[str | None], title: Sequence[str] = ()
) -> tuple[str, list[str | None]]:
    """(layout key, fields with the layout's meanings applied) of a sheet.

    Keys: one of `_SIGNATURES`, "summary_aging" or "generic".
    """
    keys = [normalise_header(h) for h in headers]
    present = set(keys)
    fields = list(fields)
    layout = "generic"
    best = 0
    for name, (need, signature) in _SIGNATURES.items():
        hits = len(present & signature)
        if hits >= need and hits > best:
            layout, best = name, hits
    if layout == "generic":
        text = " ".join(title)
        layout = next((name for name, pattern in _TITLES.items() if pattern.search(text)), layout)
    ages = [i for i, h in enumerate(headers) if is_age_column(h) and not fields[i]]
    if _is_summary(fields, len(ages)):
        return "summary_aging", fields
    if layout in ("sap_fbl5n", "sap_fbl5n_de"):
        fields = _fbl5n(fields)
    if {"debit", "credit"} <= set(fields):
        fields = _movements(keys, fields)
    if len(ages) >= 2 and "open_amount" not in fields and "total" in keys:
        fields[keys.index("total")] = "open_amount"  # Xero: Total = amount outstanding
    return layout, _local_currency(headers, fields)


def is_age_column(header: str) -> bool:
    """A header naming an age bucket: Current, 1-30, < 1 Month, Older, 31-60天, 90天以上."""
    return bool(AGE_COLUMN.match(re.sub(r"\s+", "", str(header).casefold())))


def _is_summary(fields: list[str | None], n_ages: int) -> bool:
    """One row per customer with age buckets and no document or date columns."""
    f = set(fields)
    documents = {"invoice_id", "invoice_date", "due_date", "payment_date", "payment_id"}
    return n_ages >= 2 and bool(f & {"customer_id", "customer_name"}) and not f & documents


def _fbl5n(fields: list[str | None]) -> list[str | None]:
    """FBL5N: without a clearing date the amount column is what is still open."""
    if "payment_date" in fields or "open_amount" in fields:
        return fields
    return ["open_amount" if f == "amount" else f for f in fields]


_VOUCHERS = {"凭证号", "凭证编号", "凭证字号", "凭证", "voucher", "voucherno", "vouchernumber"}


def _movements(keys: list[str], fields: list[str | None]) -> list[str | None]:
    """A debit / credit ledger: 凭证号 is the voucher, not the document (单据编号)."""
    return ["voucher" if k in _VOUCHERS else f for k, f in zip(keys, fields, strict=True)]


def _local_currency(headers: Sequence[str], fields: list[str | None]) -> list[str | None]:
    """A money column in the company's own currency is not described by a document-currency
    column (金蝶's 币别 beside 尚未收款金额(本位币)): that column is left unmapped."""
    money = [h for h, f in zip(headers, fields, strict=True) if f in ("amount", "open_amount")]
    if not money or not all(_LOCAL.search(h) for h in money):
        return fields
    return [
        None if f == "currency" and _DOCUMENT_CURRENCY.search(h) else f
        for h, f in zip(headers, fields, strict=True)
    ]
