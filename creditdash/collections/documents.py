"""Statements of account (对账单) and dunning letters (催款函) as data.

A `Statement` is a customer's account at an as-of date: its open items
(`aging.open_items`), unapplied cash and its aging buckets; `total_cents` is
the customer's total of `aging.aging` at that date, to the cent (the items'
outstanding plus the unapplied cash). Late interest and fees per the policy's
`penalties` are shown apart and never added to that total: late interest =
outstanding x `late_interest_pct_year`% x dpd / 365 on each undisputed overdue
invoice (a disputed one accrues nothing), summed for the customer and rounded
half up to the cent, then spread over the invoices so that their cents add up
to that sum (largest remainder); the fee is `late_fee` per such invoice.

A `Letter` is one dunning message: a stage's template (subject and body, in the
letter's language) filled in for the invoices it lists, with the interest and
fee the stage charges. Its fields (`creditdash.risk.dunning.TEMPLATE_FIELDS`):
`overdue` is the outstanding of the listed invoices, `amount_due` that plus the
charges, `balance` the statement's total, `pay_by` the as-of date plus the
policy's `pay_within_days`.

The renderers are in `creditdash.collections.render` (HTML and PDF) and
`creditdash.collections.sheets` (XLSX).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from babel.dates import format_date

from creditdash.aging import aging, bucket_labels, open_items
from creditdash.errors import NotFound
from creditdash.i18n import babel_locale, money
from creditdash.ledger import DateLike, Ledger
from creditdash.risk.penalties import half_up
from creditdash.risk.policy import penalty_settings

ITEM_COLUMNS = ["invoice_id", "invoice_date", "due_date", "amount_cents", "paid_cents",
                "outstanding_cents", "dpd", "bucket", "disputed", "interest_cents",
                "fee_cents", "currency", "outstanding_original_cents"]  # fmt: skip


@dataclass(frozen=True)
class Letterhead:
    """The company's name and the lines under it (address, phone, bank account)."""

    name: str = ""
    lines: tuple[str, ...] = ()

    @classmethod
    def from_lines(cls, lines: Sequence[str]) -> Letterhead:
        """The letterhead of settings.letterhead: the first line is the company's name."""
        return cls(lines[0], tuple(lines[1:])) if lines else cls()


NO_LETTERHEAD = Letterhead()


@dataclass(frozen=True, eq=False)
class Statement:
    """One customer's statement of account at `as_of` (see the module docstring).

    items: ITEM_COLUMNS, one row per open item (credit notes included), oldest first;
    buckets: bucket label -> cents (due-date basis, default edges).
    """

    customer_id: str
    customer_name: str
    as_of: date
    currency: str
    items: pd.DataFrame
    unapplied_cents: int
    buckets: dict[str, int]
    total_cents: int
    letterhead: Letterhead = NO_LETTERHEAD

    @property
    def overdue_cents(self) -> int:
        """Outstanding of the undisputed items past their due date."""
        items = self.items
        return int(items.loc[(items["dpd"] > 0) & ~items["disputed"], "outstanding_cents"].sum())

    @property
    def disputed_cents(self) -> int:
        return int(self.items.loc[self.items["disputed"], "outstanding_cents"].sum())

    @property
    def interest_cents(self) -> int:
        return int(self.items["interest_cents"].sum())

    @property
    def fees_cents(self) -> int:
        return int(self.items["fee_cents"].sum())


def statements_at(
    ledger: Ledger,
    as_of: DateLike,
    policy: Mapping,
    customer_ids: Sequence[str] | None = None,
    *,
    disputed_ids: set[str] | frozenset[str] = frozenset(),
    letterhead: Letterhead = NO_LETTERHEAD,
    items: pd.DataFrame | None = None,
) -> dict[str, Statement]:
    """A Statement per customer id (every customer with a balance when None), by id.

    `disputed_ids` are invoices with a dispute open at as_of (besides the ledger's flag);
    `items` is `aging.open_items(ledger, as_of)` when the caller has it already. An id
    that is not in the ledger raises NotFound.
    """
    day = pd.Timestamp(as_of)
    table = aging(ledger, as_of, by="customer")
    known = set(ledger_customer_ids(ledger))
    if customer_ids is None:
        wanted = list(table["customer_id"])
    else:
        wanted = list(dict.fromkeys(customer_ids))
        for customer in wanted:
            if customer not in known:
                raise NotFound.coded(
                    "collections.error.customer_missing",
                    "Customer {customer!r} is not in the stored ledger.",
                    customer=customer,
                )
    items = open_items(ledger, as_of) if items is None else items
    items = items[items["customer_id"].isin(wanted)]
    items = _with_charges(items, policy, disputed_ids)
    labels = bucket_labels()
    rows = table.set_index("customer_id")
    names = ledger.customers.drop_duplicates("customer_id").set_index("customer_id")
    by_customer = dict(tuple(items.groupby("customer_id", sort=False)))
    out = {}
    for customer in wanted:
        mine = by_customer.get(customer, items.iloc[0:0])
        if customer in rows.index:
            row = rows.loc[customer]
            buckets = {label: int(row[label]) for label in labels}
            unapplied, total = int(row["unapplied"]), int(row["total"])
        else:
            buckets, unapplied, total = dict.fromkeys(labels, 0), 0, 0
        name = names["customer_name"].get(customer)
        out[customer] = Statement(
            customer_id=customer,
            customer_name="" if pd.isna(name) else str(name),
            as_of=day.date(),
            currency=ledger.currency,
            items=mine[ITEM_COLUMNS].reset_index(drop=True),
            unapplied_cents=unapplied,
            buckets=buckets,
            total_cents=total,
            letterhead=letterhead,
        )
    return out


def ledger_customer_ids(ledger: Ledger) -> pd.Series:
    return ledger.customers["customer_id"]


def _with_charges(
    items: pd.DataFrame, policy: Mapping, disputed_ids: set[str] | frozenset[str]
) -> pd.DataFrame:
    """Items with `disputed` (flag or open dispute), `interest_cents` and `fee_cents`."""
    terms = penalty_settings(policy)
    out = items.copy()
    out["disputed"] = (
        out["disputed"].to_numpy(dtype=bool) | out["invoice_id"].isin(disputed_ids).to_numpy()
    )
    outstanding = out["outstanding_cents"].to_numpy(dtype=np.float64)
    dpd = out["dpd"].to_numpy(dtype=np.float64)
    charged = (dpd > 0) & (outstanding > 0) & ~out["disputed"].to_numpy()
    raw = np.where(charged, outstanding * terms["late_interest_pct_year"] / 100 * dpd / 365, 0.0)
    out["interest_cents"] = _spread(raw, out["customer_id"].to_numpy())
    out["fee_cents"] = np.where(charged, half_up(np.array([terms["late_fee"] * 100]))[0], 0)
    out["fee_cents"] = out["fee_cents"].astype(np.int64)
    return out


def _spread(raw: np.ndarray, customers: np.ndarray) -> np.ndarray:
    """Whole cents per row adding up, per customer, to the customer's sum rounded half up."""
    out = np.floor(raw).astype(np.int64)
    if not len(raw):
        return out
    codes, _ = pd.factorize(customers)
    target = half_up(np.bincount(codes, weights=raw))
    short = target - np.bincount(codes, weights=out, minlength=len(target)).astype(np.int64)
    rest = raw - out
    # largest remainders first within each customer take the missing cents
    order = np.lexsort((-rest, codes))
    rank = np.empty(len(raw), dtype=np.int64)
    starts = np.searchsorted(codes[order], np.arange(len(target)))
    rank[order] = np.arange(len(raw)) - starts[codes[order]]
    return out + (rank < short[codes]).astype(np.int64)


@dataclass(frozen=True, eq=False)
class Letter:
    """A dunning letter: `statement` of its customer, the `stage` (id and flags), the
    listed invoices (`items`: the statement's rows), subject and body in `language`."""

    statement: Statement
    strategy_id: str
    stage_id: str
    language: str
    items: pd.DataFrame
    subject: str
    body: str
    interest_cents: int
    fees_cents: int
    pay_by: date

    @property
    def overdue_cents(self) -> int:
        return int(self.items["outstanding_cents"].sum())

    @property
    def amount_due_cents(self) -> int:
        return self.overdue_cents + self.interest_cents + self.fees_cents


def long_date(day: date, lang: str) -> str:
    """27 November 2026 / 2026年11月27日."""
    return format_date(day, "long", locale=babel_locale(lang))


def make_letter(
    statement: Statement,
    invoice_ids: Sequence[str],
    stage: Mapping,
    strategy_id: str,
    template: Mapping[str, Mapping[str, str]],
    language: str,
    pay_within_days: int,
) -> Letter:
    """The letter of `stage` (a stage of the policy) listing `invoice_ids`, in `language`."""
    items = statement.items[statement.items["invoice_id"].isin(set(invoice_ids))]
    interest = int(items["interest_cents"].sum()) if stage.get("interest") else 0
    fees = int(items["fee_cents"].sum()) if stage.get("fee") else 0
    pay_by = statement.as_of + timedelta(days=int(pay_within_days))
    overdue = int(items["outstanding_cents"].sum())
    cur = statement.currency

    def amount(cents: int) -> str:
        return money(cents / 100, cur, language)

    fields = {
        "customer_name": statement.customer_name or statement.customer_id,
        "customer_id": statement.customer_id,
        "company": statement.letterhead.name,
        "as_of": long_date(statement.as_of, language),
        "balance": amount(statement.total_cents),
        "overdue": amount(overdue),
        "interest": amount(interest),
        "fees": amount(fees),
        "amount_due": amount(overdue + interest + fees),
        "pay_by": long_date(pay_by, language),
        "invoices": len(items),
        "oldest_dpd": int(items["dpd"].max()) if len(items) else 0,
    }
    text = template[language]
    return Letter(
        statement=statement,
        strategy_id=strategy_id,
        stage_id=str(stage["id"]),
        language=language,
        items=items.reset_index(drop=True),
        subject=text["subject"].format(**fields),
        body=text["body"].format(**fields).strip(),
        interest_cents=interest,
        fees_cents=fees,
        pay_by=pay_by,
    )
