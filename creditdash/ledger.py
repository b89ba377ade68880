"""The in-memory ledger every figure is computed from.

A `Ledger` holds the canonical frames of `creditdash.frames` with every
amount already in the reporting currency (`amount_cents`, int64). It is
built once per data version (the store's newest import) and shared; the
functions in `aging`, `kpis` and friends never mutate it. They read it through
`ledger_arrays(ledger)`: numpy arrays built on first use and kept in
`Ledger._cache`, so each figure at an as-of date is a few vectorised passes.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from creditdash.errors import InvalidArgument
from creditdash.frames import (
    CUSTOMER_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    conform,
    empty_frame,
)


@dataclass(frozen=True, eq=False)
class Ledger:
    """Customers, invoices and payments in one reporting currency.

    customers  one row per customer_id (CUSTOMER_COLUMNS)
    invoices   one row per invoice_id (INVOICE_COLUMNS), amount_cents signed
    payments   one row per payment_id (PAYMENT_COLUMNS); invoice_id <NA> is
               unapplied cash
    """

    customers: pd.DataFrame
    invoices: pd.DataFrame
    payments: pd.DataFrame
    currency: str = "CNY"
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_frames(
        cls,
        customers: pd.DataFrame | None = None,
        invoices: pd.DataFrame | None = None,
        payments: pd.DataFrame | None = None,
        currency: str = "CNY",
    ) -> Ledger:
        """A ledger from (possibly partial) frames; missing customers are derived from invoices."""
        inv = (
            conform(invoices, INVOICE_COLUMNS)
            if invoices is not None
            else empty_frame(INVOICE_COLUMNS)
        )
        pay = (
            conform(payments, PAYMENT_COLUMNS)
            if payments is not None
            else empty_frame(PAYMENT_COLUMNS)
        )
        cust = (
            conform(customers, CUSTOMER_COLUMNS)
            if customers is not None
            else empty_frame(CUSTOMER_COLUMNS)
        )
        known = set(cust["customer_id"])
        missing = sorted((set(inv["customer_id"]) | set(pay["customer_id"])) - known)
        if missing:
            extra = conform(pd.DataFrame({"customer_id": missing}), CUSTOMER_COLUMNS)
            cust = pd.concat([cust, extra], ignore_index=True) if len(cust) else extra
        return cls(customers=cust, invoices=inv, payments=pay, currency=currency)

    @property
    def is_empty(self) -> bool:
        return self.invoices.empty

    @property
    def first_date(self) -> pd.Timestamp | None:
        return None if self.is_empty else self.invoices["invoice_date"].min()

    @property
    def last_date(self) -> pd.Timestamp | None:
        """The latest invoice date: the default as-of date."""
        return None if self.is_empty else self.invoices["invoice_date"].max()


# --- cached arrays -----------------------------------------------------------
#
# Every figure at an as-of date (aging, KPIs, the monthly AR chart) is a few
# vectorised passes over these arrays, built once per ledger and kept in
# `Ledger._cache`. Invoices and payments are sorted by date, so "dated on or
# before D" is a prefix of each array (one `searchsorted`, no mask).

DateLike = str | dt.date | np.datetime64  # pd.Timestamp and datetime are dt.date too
_ARRAYS_KEY = "arrays"
_BUILD_LOCK = threading.Lock()  # app sessions share a ledger: build its arrays once
# Sums are taken with float64 `np.bincount`; they are exact while every partial
# sum stays below 2**53 cents. Ledgers beyond that fall back to int64 sums.
_FLOAT_EXACT_LIMIT = 2.0**52
NO_ATTRIBUTE = "(none)"


@dataclass(frozen=True, eq=False)
class GroupCodes:
    """A grouping of invoices and payments: `labels` holds one row per code (key columns)."""

    labels: pd.DataFrame
    invoice_codes: np.ndarray  # per sorted invoice
    payment_codes: np.ndarray  # per sorted payment


@dataclass(frozen=True, eq=False)
class LedgerArrays:
    """The ledger as numpy arrays; days are days since 1970-01-01.

    Invoices (length n) and payments (length m) are each sorted by date
    (stable); `invoice_order` / `payment_order` give each sorted row's
    position in `ledger.invoices` / `ledger.payments`. Amounts are int64 cents;
    `invoice_weights` / `payment_weights` are the same amounts in the dtype
    the sums use (float64 when exact, else int64). `payment_invoice` is the
    sorted position of the invoice a payment is applied to, -1 when unapplied
    or unknown. Customer codes index `customers` (customer_id, customer_name).
    """

    invoice_order: np.ndarray
    invoice_day: np.ndarray
    due_day: np.ndarray
    invoice_amount: np.ndarray
    invoice_amount_cumsum: np.ndarray  # length n + 1, starts at 0
    invoice_weights: np.ndarray
    invoice_customer: np.ndarray
    payment_order: np.ndarray
    payment_day: np.ndarray
    payment_amount: np.ndarray
    payment_weights: np.ndarray
    payment_invoice: np.ndarray
    payment_customer: np.ndarray
    customers: pd.DataFrame
    attributes: pd.DataFrame  # segment, region, salesperson per customer code
    _groups: dict = field(default_factory=dict, repr=False)

    def invoices_until(self, day: int) -> int:
        """How many invoices are dated on or before `day`."""
        return int(np.searchsorted(self.invoice_day, day, side="right"))

    def payments_until(self, day: int) -> int:
        """How many payments are dated on or before `day`."""
        return int(np.searchsorted(self.payment_day, day, side="right"))

    def group_codes(self, by: str) -> GroupCodes:
        """Codes for `by` ("customer" or a customer attribute), built on first use."""
        if by not in self._groups:
            self._groups[by] = self._build_group_codes(by)
        return self._groups[by]

    def _build_group_codes(self, by: str) -> GroupCodes:
        if by == "customer":
            return GroupCodes(self.customers, self.invoice_customer, self.payment_customer)
        values = self.attributes[by]
        codes, uniques = pd.factorize(values, sort=True)
        labels = pd.DataFrame({by: pd.Series(uniques, dtype="str")})
        codes = codes.astype(np.intp)
        return GroupCodes(labels, codes[self.invoice_customer], codes[self.payment_customer])


def ledger_arrays(ledger: Ledger) -> LedgerArrays:
    """The ledger's cached arrays; the one place that builds them (on first use)."""
    arrays = ledger._cache.get(_ARRAYS_KEY)
    if arrays is None:
        with _BUILD_LOCK:
            arrays = ledger._cache.get(_ARRAYS_KEY)
            if arrays is None:
                arrays = _build_arrays(ledger)
                ledger._cache[_ARRAYS_KEY] = arrays
    return arrays


def day_number(value: object, name: str = "as_of") -> int:
    """A date-like value as days since 1970-01-01; InvalidArgument names `name`."""
    stamp = pd.NaT
    if isinstance(value, str | dt.date | np.datetime64):
        try:
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError):
            stamp = pd.NaT
    if pd.isna(stamp):
        raise InvalidArgument(f"`{name}` must be a date such as '2025-03-20'. Got {value!r}.")
    return int(np.datetime64(stamp.date(), "D").astype(np.int64))


def day_to_timestamp(day: int) -> pd.Timestamp:
    """The inverse of `day_number`."""
    return pd.Timestamp(np.datetime64(int(day), "D"))


def _days(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype="datetime64[us]").astype("datetime64[D]").astype(np.int64)


def _customers(ledger: Ledger) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """Customer keys and attributes (one row per code) and the code of each invoice and payment.

    Codes follow `ledger.customers` order; customers seen only on invoices or
    payments (a Ledger built without `from_frames`) are appended.
    """
    cust, inv, pay = ledger.customers, ledger.invoices, ledger.payments
    ids = pd.concat(
        [cust["customer_id"], inv["customer_id"], pay["customer_id"]], ignore_index=True
    )
    codes, uniques = pd.factorize(ids, use_na_sentinel=False)
    first_row = cust.drop_duplicates("customer_id").set_index("customer_id")
    table = first_row.reindex(pd.Index(uniques, name="customer_id")).reset_index()
    keys = table[["customer_id", "customer_name"]].astype("str")
    attributes = pd.DataFrame(index=table.index)
    for attr in ("segment", "region", "salesperson"):
        text = table[attr].astype("str").str.strip()
        attributes[attr] = text.mask(text.isna() | (text == ""), NO_ATTRIBUTE)
    n_cust, n_inv = len(cust), len(inv)
    codes = codes.astype(np.intp)
    return keys, attributes, codes[n_cust : n_cust + n_inv], codes[n_cust + n_inv :]


def _invoice_positions(invoice_ids: pd.Series, applied_to: pd.Series) -> np.ndarray:
    """Row of each payment's invoice in `invoice_ids`; -1 for unapplied or unknown invoices.

    Ids are unique by contract; should one repeat, its first row is used.
    """
    codes, uniques = pd.factorize(pd.concat([invoice_ids, applied_to], ignore_index=True))
    n = len(invoice_ids)
    first_row = np.full(len(uniques) + 1, -1, dtype=np.intp)  # the extra slot serves code -1 (NA)
    first_row[codes[:n][::-1]] = np.arange(n - 1, -1, -1, dtype=np.intp)
    first_row[-1] = -1  # an invoice without id matches no payment
    return first_row[codes[n:]]


def _build_arrays(ledger: Ledger) -> LedgerArrays:
    inv, pay = ledger.invoices, ledger.payments
    customers, attributes, inv_customer, pay_customer = _customers(ledger)

    inv_day_raw = _days(inv["invoice_date"])
    inv_order = np.argsort(inv_day_raw, kind="stable")
    inv_day = inv_day_raw[inv_order]
    due_day = _days(inv["due_date"])[inv_order]
    # A missing due date (NaT) is treated as due on the invoice date.
    due_day = np.where(due_day == np.iinfo(np.int64).min, inv_day, due_day)
    inv_amount = inv["amount_cents"].to_numpy(dtype=np.int64)[inv_order]

    pay_day_raw = _days(pay["payment_date"])
    pay_order = np.argsort(pay_day_raw, kind="stable")
    pay_amount = pay["amount_cents"].to_numpy(dtype=np.int64)[pay_order]
    # Payments point at invoices' sorted positions; -1 stays -1 (unapplied).
    sorted_position = np.empty(len(inv_order) + 1, dtype=np.intp)
    sorted_position[inv_order] = np.arange(len(inv_order), dtype=np.intp)
    sorted_position[-1] = -1
    pay_invoice = sorted_position[_invoice_positions(inv["invoice_id"], pay["invoice_id"])]

    abs_total = np.abs(inv_amount).sum(dtype=np.float64) + np.abs(pay_amount).sum(dtype=np.float64)
    weight_dtype = np.float64 if abs_total < _FLOAT_EXACT_LIMIT else np.int64
    return LedgerArrays(
        invoice_order=inv_order,
        invoice_day=inv_day,
        due_day=due_day,
        invoice_amount=inv_amount,
        invoice_amount_cumsum=np.concatenate([[0], np.cumsum(inv_amount)]),
        invoice_weights=inv_amount.astype(weight_dtype),
        invoice_customer=inv_customer[inv_order],
        payment_order=pay_order,
        payment_day=pay_day_raw[pay_order],
        payment_amount=pay_amount,
        payment_weights=pay_amount.astype(weight_dtype),
        payment_invoice=pay_invoice[pay_order],
        payment_customer=pay_customer[pay_order],
        customers=customers,
        attributes=attributes,
    )
