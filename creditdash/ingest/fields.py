"""The canonical fields a column can map to: how each is parsed, what a bad
value's message says, and which fields each kind of sheet uses and needs.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

import creditdash.ingest.parse as parse

ATTRIBUTES = [
    "customer_name",
    "credit_code",
    "industry",
    "region",
    "segment",
    "salesperson",
    "email",
]
_TEXT = [
    "invoice_id",
    "customer_id",
    "payment_id",
    *ATTRIBUTES,
    "document_type",
    "clearing_id",
    "direction",
    "summary",
    "voucher",
]
_DATES = ["invoice_date", "due_date", "payment_date", "as_of", "rate_date"]
_MONEY = [
    "amount",
    "open_amount",
    "paid_amount",
    "credit_limit",
    "credit_note_amount",
    "debit",
    "credit",
]
PARSERS: dict[str, Callable[[pd.Series], parse.Parsed]] = {
    **{f: parse.parse_text for f in _TEXT},
    **{f: parse.parse_dates for f in _DATES},
    **{f: parse.parse_money for f in _MONEY},
    "disputed": parse.parse_bool,
    "payment_terms_days": parse.parse_days,
    "currency": parse.parse_currency,
    "rate": parse.parse_number,
    "days_overdue": parse.parse_number,
    # instalments and retention (质保金): creditdash.ingest.parts
    "instalment": parse.parse_text,
    "retention_amount": parse.parse_money,
    "retention_due_date": parse.parse_dates,
    "retention_pct": parse.parse_percent,
    "retention_months": parse.parse_months,
    "retention_days": parse.parse_days,
    # debit / credit ledgers: creditdash.ingest.movements
    "year": parse.parse_number,
    "month": parse.parse_number,
    "day": parse.parse_number,
}
# parser -> (catalogue code, English template) of the message for a cell it cannot read
BAD_VALUE: dict[Callable[[pd.Series], parse.Parsed], tuple[str, str]] = {
    parse.parse_dates: (
        "ingest.bad_date",
        "{value!r} is not a date. Write it as 2024-03-31, 3/31/2024 or 2024年3月31日.",
    ),
    parse.parse_money: (
        "ingest.bad_amount",
        "{value!r} is not an amount. Write a number such as 1234.56, 1,234.56, "
        "¥1,234.56 or (1,234.56).",
    ),
    parse.parse_bool: (
        "ingest.bad_flag",
        "{value!r} is not yes or no. Use yes/no, true/false, 1/0, 是/否, Y/N or x.",
    ),
    parse.parse_days: (
        "ingest.bad_days",
        "{value!r} is not a number of days. Write the payment terms as a number, e.g. 30.",
    ),
    parse.parse_currency: (
        "ingest.bad_currency",
        "{value!r} is not a currency. Use a 3-letter code such as CNY, USD or EUR.",
    ),
    parse.parse_number: (
        "ingest.bad_number",
        "{value!r} is not a number. Write the rate as a decimal number, e.g. 7.12.",
    ),
    parse.parse_percent: (
        "ingest.bad_percent",
        "{value!r} is not a percentage. Write it as 10%, 10 or 0.1.",
    ),
    parse.parse_months: (
        "ingest.bad_months",
        "{value!r} is not a number of months. Write it as 12, 12个月 or 1年; a period in days "
        "goes in a 质保期(天) / retention days column.",
    ),
}
_CUSTOMER = [*ATTRIBUTES, "credit_limit", "payment_terms_days"]
# a row's retention terms: a percentage of the invoice, kept until the period ends
RETENTION_TERMS = ["retention_pct", "retention_months", "retention_days"]
_PARTS = ["instalment", "retention_amount", "retention_due_date", *RETENTION_TERMS]
USES = {
    "invoices": [
        "invoice_id",
        "customer_id",
        *_CUSTOMER,
        "invoice_date",
        "due_date",
        "amount",
        "currency",
        "disputed",
        *_PARTS,
    ],
    "payments": [
        "payment_id",
        "invoice_id",
        "customer_id",
        *_CUSTOMER,
        "payment_date",
        "amount",
        "paid_amount",
        "instalment",
    ],
    "open_items": [
        "invoice_id",
        "customer_id",
        *_CUSTOMER,
        "invoice_date",
        "due_date",
        "amount",
        "open_amount",
        "paid_amount",
        "credit_note_amount",
        "currency",
        "as_of",
        "document_type",
        "days_overdue",
        "clearing_id",
        "payment_date",
        "instalment",
    ],
    "customers": ["customer_id", *_CUSTOMER, "currency", *RETENTION_TERMS],
    "rates": ["currency", "rate", "rate_date"],
}
USES["ledger"] = [*USES["invoices"], "payment_date", "paid_amount"]
USES["movements"] = [
    "customer_id",
    *_CUSTOMER,
    "invoice_id",
    "voucher",
    "summary",
    "invoice_date",
    "year",
    "month",
    "day",
    "debit",
    "credit",
    "open_amount",
    "direction",
    "currency",
]
# kind -> the columns it needs, each as the alternatives that serve
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "invoices": [("invoice_id",), ("invoice_date",), ("amount",), ("customer_id", "customer_name")],
    "payments": [
        ("payment_date",),
        ("amount", "paid_amount"),
        ("customer_id", "customer_name", "invoice_id"),
    ],
    "open_items": [
        ("invoice_id", "invoice_date", "due_date"),
        ("open_amount", "amount"),
        ("customer_id", "customer_name"),
    ],
    "customers": [("customer_id", "customer_name")],
    "rates": [("currency",), ("rate",)],
}
REQUIRED["ledger"] = REQUIRED["invoices"]
REQUIRED["movements"] = [
    ("debit",),
    ("credit",),
    ("customer_id", "customer_name"),
    ("invoice_date", "month"),
]
LABELS = {
    "invoice_id": "invoice id",
    "customer_id": "customer id",
    "customer_name": "customer name",
    "invoice_date": "invoice date",
    "payment_date": "payment (settled) date",
    "open_amount": "open amount",
    "paid_amount": "paid amount",
    "retention_amount": "retention (质保金)",
    "retention_due_date": "retention due date",
    "retention_pct": "retention percentage",
}


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))


def missing_columns(kind: str, present: set[str]) -> list[str]:
    """Labels of the required columns a sheet of `kind` lacks."""
    return [
        " or ".join(label(n) for n in need)
        for need in REQUIRED.get(kind, [])
        if not present & set(need)
    ]
