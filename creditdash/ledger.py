"""The in-memory ledger every figure is computed from.

A `Ledger` holds the canonical frames of `creditdash.frames` with every
amount in the reporting currency at its transaction date's rate
(`amount_cents`, int64); items in another currency also keep their amount in
that currency (`original_cents`), so that balances can be translated at the
rate in force at an as-of date (see `FxArrays`). It is
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
import pyarrow as pa
import pyarrow.compute as pc

from creditdash.arrowmem import arrow_on_malloc
from creditdash.documents import spread_over_items
from creditdash.errors import InvalidArgument
from creditdash.frames import (
    CUSTOMER_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    RATE_COLUMNS,
    conform,
    empty_frame,
)


@dataclass(frozen=True, eq=False)
class Ledger:
    """Customers, invoices and payments in one reporting currency.

    customers  one row per customer_id (CUSTOMER_COLUMNS)
    invoices   one row per invoice_id (INVOICE_COLUMNS), amount_cents signed,
               in `currency` (the reporting currency) at the invoice date's rate;
               optionally `original_cents`: the amount in the invoice's own
               `currency`
    payments   one row per payment_id (PAYMENT_COLUMNS); invoice_id <NA> is
               unapplied cash; optionally `currency` and `original_cents`: the
               currency the payment settles in and its amount in it
    rates      currency, rate_date, rate (RATE_COLUMNS): units of `currency` per
               unit of the foreign currency, to translate balances at an as-of date

    An invoice or payment is a foreign-currency item when it has
    `original_cents` and a currency other than the reporting one; every other
    row is in the reporting currency. Payments settle in their invoice's
    currency (`store.load.to_reporting` gives an applied payment its invoice's
    currency and unapplied cash its customer's).
    """

    customers: pd.DataFrame
    invoices: pd.DataFrame
    payments: pd.DataFrame
    currency: str = "CNY"
    rates: pd.DataFrame | None = None
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_frames(
        cls,
        customers: pd.DataFrame | None = None,
        invoices: pd.DataFrame | None = None,
        payments: pd.DataFrame | None = None,
        currency: str = "CNY",
        rates: pd.DataFrame | None = None,
    ) -> Ledger:
        """A ledger from (possibly partial) frames; missing customers are derived from invoices.

        The optional foreign-currency columns (`original_cents`, and a payment's
        `currency`) are kept; `rates` translates foreign balances at an as-of date.
        """
        if invoices is not None and payments is not None:
            # a payment naming a document (not one of its items) pays its items, oldest due first
            payments = spread_over_items(invoices, payments)
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
        codes = _customer_codes(cust["customer_id"], inv["customer_id"], pay["customer_id"])
        if codes.unseen:
            codes, missing = codes.unseen_sorted()
            extra = conform(pd.DataFrame({"customer_id": missing}), CUSTOMER_COLUMNS)
            cust = pd.concat([cust, extra], ignore_index=True) if len(cust) else extra
        inv = _with_originals(invoices, inv, ("original_cents",))
        pay = _with_originals(payments, pay, ("currency", "original_cents"))
        table = None if rates is None else conform(rates, RATE_COLUMNS)
        ledger = cls(customers=cust, invoices=inv, payments=pay, currency=currency, rates=table)
        # The lookup that found the missing customers is the costly part of the
        # arrays' customer codes: keep it for `ledger_arrays`.
        ledger._cache[_CODES_KEY] = codes
        return ledger

    @property
    def is_empty(self) -> bool:
        return self.invoices.empty

    @property
    def has_foreign_currency(self) -> bool:
        """True when some invoice or payment is in a currency other than the reporting one."""
        return ledger_arrays(self).fx is not None

    @property
    def first_date(self) -> pd.Timestamp | None:
        return None if self.is_empty else self.invoices["invoice_date"].min()

    @property
    def last_date(self) -> pd.Timestamp | None:
        """The latest invoice or payment date, where the data runs to: the default as-of date.

        A ledger exported on the 30th whose last invoice is of the 20th holds the cash of the
        days between; an as-of date on the 20th would show it as still owed.
        """
        if self.is_empty:
            return None
        newest = self.invoices["invoice_date"].max()
        paid = self.payments["payment_date"].max() if len(self.payments) else pd.NaT
        return paid if pd.notna(paid) and paid > newest else newest


def _with_originals(
    source: pd.DataFrame | None, frame: pd.DataFrame, columns: tuple[str, ...]
) -> pd.DataFrame:
    """`frame` (conformed from `source`) with `source`'s foreign-currency `columns`, if it has them."""
    if source is None or not set(columns) <= set(source.columns):
        return frame
    extra = {}
    for column in columns:
        values = source[column].to_numpy()
        if column == "original_cents":
            extra[column] = values.astype(np.int64)
        else:
            extra[column] = pd.Series(values, index=frame.index, dtype="str")
    return frame.assign(**extra)


# --- cached arrays -----------------------------------------------------------
#
# Every figure at an as-of date (aging, KPIs, the monthly AR chart) is a few
# vectorised passes over these arrays, built once per ledger and kept in
# `Ledger._cache`. Invoices and payments are sorted by date, so "dated on or
# before D" is a prefix of each array (one `searchsorted`, no mask).

DateLike = str | dt.date | np.datetime64  # pd.Timestamp and datetime are dt.date too
_ARRAYS_KEY = "arrays"
_CODES_KEY = "customer_codes"  # a _CustomerCodes, from `Ledger.from_frames` until arrays are built
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
class FxArrays:
    """The ledger's foreign-currency items, to translate balances at an as-of date.

    `invoices` / `payments` are the sorted positions (ascending) in
    `LedgerArrays` of the invoices / payments in a foreign currency; per item
    the code of its currency (an index into `currencies`) and its amount in
    that currency (int64 cents). `rate_days[k]` / `rate_values[k]` are the
    rates of `currencies[k]`, sorted by date (days since 1970-01-01).
    """

    reporting: str
    currencies: tuple[str, ...]
    invoices: np.ndarray
    invoice_currency: np.ndarray
    invoice_original: np.ndarray
    payments: np.ndarray
    payment_currency: np.ndarray
    payment_original: np.ndarray
    rate_days: tuple[np.ndarray, ...]
    rate_values: tuple[np.ndarray, ...]
    invoice_index: np.ndarray  # per sorted invoice: its index in `invoices`, -1 when not foreign

    def position_of(self, invoice: np.ndarray) -> np.ndarray:
        """The index in `invoices` of each sorted invoice position (-1: not foreign)."""
        return self.invoice_index[invoice]

    def rates_at(self, day: int, needed: np.ndarray) -> np.ndarray:
        """The rate in force at `day` (the latest dated on or before it) per currency.

        NaN for a currency without one; a currency marked in `needed` (a bool
        per currency) without one raises InvalidArgument naming it and the date.
        """
        rates = np.full(len(self.currencies), np.nan)
        for code, (days, values) in enumerate(zip(self.rate_days, self.rate_values, strict=True)):
            position = int(np.searchsorted(days, day, side="right")) - 1
            if position >= 0:
                rates[code] = values[position]
        missing = [c for c, need, r in zip(self.currencies, needed, rates, strict=True)
                   if need and np.isnan(r)]  # fmt: skip
        if missing:
            raise InvalidArgument.coded(
                "error.ledger.no_rate",
                "No exchange rate from {currencies} to {reporting} dated on or before {date}: "
                "balances at that date are translated at the rate in force then. "
                "Add that rate to the rates file (currency, date, rate).",
                currencies=", ".join(missing),
                reporting=self.reporting,
                date=day_to_timestamp(day).date().isoformat(),
            )
        return rates


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
    `fx` holds the foreign-currency items (None when every item is in the
    reporting currency).
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
    fx: FxArrays | None = None
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
                with arrow_on_malloc():  # see creditdash.arrowmem
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
        raise InvalidArgument.coded(
            "error.ledger.date", "`{name}` must be a date such as '2025-03-20'. Got {value!r}.",
            name=name, value=value,
        )  # fmt: skip
    return int(np.datetime64(stamp.date(), "D").astype(np.int64))


def day_to_timestamp(day: int) -> pd.Timestamp:
    """The inverse of `day_number`."""
    return pd.Timestamp(np.datetime64(int(day), "D"))


DAY_US = 86_400_000_000  # microseconds in a day: datetime64[us] <-> day numbers
_NAT = np.iinfo(np.int64).min  # NaT's integer, kept as it is


def _days(column: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 (floored, as numpy's cast to days), NaT as _NAT; in integers,
    a tenth of the time of a datetime64 cast."""
    us = column.to_numpy(dtype="datetime64[us]").view(np.int64)
    days = us // DAY_US
    days[us == _NAT] = _NAT
    return days


def _date_order(days: np.ndarray) -> np.ndarray:
    """The stable sort order of `days`."""
    if len(days) and int(days.max()) - int(days.min()) < 2**16:
        # The same order, by numpy's radix sort for 16-bit keys (several times faster).
        return np.argsort((days - days.min()).astype(np.uint16), kind="stable")
    return np.argsort(days, kind="stable")


def _ids(column: pd.Series) -> pa.Array:
    """An id column as one pyarrow string array; missing ids are nulls."""
    ids = pa.array(column.astype("str"), type=pa.large_string(), from_pandas=True)
    if isinstance(ids, pa.ChunkedArray):  # one chunk is used as it is: no copy
        return ids.chunk(0) if ids.num_chunks == 1 else ids.combine_chunks()
    return ids


def _positions(found: pa.Array) -> np.ndarray:
    """`pc.index_in` results as intp positions, -1 where not found."""
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)


@dataclass(frozen=True, eq=False)
class _CustomerCodes:
    """Customer ids in code order and the code of each invoice and payment (frame order).

    The first `len(ids) - unseen` codes follow the first row of each id in the
    customers frame; the `unseen` ids, found only on invoices or payments,
    come after them. A missing id (null) is an id like any other.
    """

    ids: pa.Array
    invoices: np.ndarray
    payments: np.ndarray
    unseen: int

    def unseen_sorted(self) -> tuple[_CustomerCodes, list[str | None]]:
        """The same codes with the unseen ids in sorted order, and those ids."""
        known = len(self.ids) - self.unseen
        unseen = self.ids[known:]
        order = pc.sort_indices(unseen).to_numpy().astype(np.intp)
        recode = np.arange(len(self.ids), dtype=np.intp)
        recode[known + order] = np.arange(known, len(self.ids), dtype=np.intp)
        ids = pa.concat_arrays([self.ids[:known], unseen.take(order)])
        codes = _CustomerCodes(ids, recode[self.invoices], recode[self.payments], self.unseen)
        return codes, ids[known:].to_pylist()


def _customer_codes(
    customer_ids: pd.Series, invoice_customers: pd.Series, payment_customers: pd.Series
) -> _CustomerCodes:
    """Each invoice's and payment's customer as a code (see `_CustomerCodes`)."""
    # Hash lookups in the customers' (few) ids on pyarrow arrays: far cheaper
    # than factorizing every invoice's and payment's id.
    uniques = pc.unique(_ids(customer_ids))
    known = len(uniques)
    codes = []
    for column in (invoice_customers, payment_customers):
        ids = _ids(column)
        found = pc.index_in(ids, value_set=uniques, skip_nulls=False)
        if found.null_count:
            uniques = pa.concat_arrays([uniques, pc.unique(ids.filter(found.is_null()))])
            found = pc.index_in(ids, value_set=uniques, skip_nulls=False)
        codes.append(_positions(found))
    return _CustomerCodes(uniques, codes[0], codes[1], len(uniques) - known)


def _customers(ledger: Ledger) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """Customer keys and attributes (one row per code) and the code of each invoice and payment.

    Codes follow `ledger.customers` order; customers seen only on invoices or
    payments (a Ledger built without `from_frames`) are appended in order of
    first appearance, invoices before payments.
    """
    cust = ledger.customers
    codes = ledger._cache.pop(_CODES_KEY, None)
    if codes is None:
        codes = _customer_codes(
            cust["customer_id"], ledger.invoices["customer_id"], ledger.payments["customer_id"]
        )
    first_row = cust.drop_duplicates("customer_id").set_index("customer_id")
    index = pd.Index(pd.array(codes.ids, dtype="str"), name="customer_id")
    table = first_row.reindex(index).reset_index()
    keys = table[["customer_id", "customer_name"]].astype("str")
    attributes = pd.DataFrame(index=table.index)
    for attr in ("segment", "region", "salesperson"):
        text = table[attr].astype("str").str.strip()
        attributes[attr] = text.mask(text.isna() | (text == ""), NO_ATTRIBUTE)
    return keys, attributes, codes.invoices, codes.payments


def _invoice_positions(invoice_ids: pd.Series, applied_to: pd.Series) -> np.ndarray:
    """Row of each payment's invoice in `invoice_ids`; -1 for unapplied or unknown invoices.

    Ids are unique by contract; should one repeat, its first row is used. An
    invoice without id matches no payment.
    """
    found = pc.index_in(_ids(applied_to), value_set=_ids(invoice_ids), skip_nulls=True)
    return _positions(found)


def _build_arrays(ledger: Ledger) -> LedgerArrays:
    inv, pay = ledger.invoices, ledger.payments
    customers, attributes, inv_customer, pay_customer = _customers(ledger)

    inv_day_raw = _days(inv["invoice_date"])
    inv_order = _date_order(inv_day_raw)
    inv_day = inv_day_raw[inv_order]
    due_day = _days(inv["due_date"])[inv_order]
    # A missing due date (NaT) is treated as due on the invoice date.
    due_day = np.where(due_day == _NAT, inv_day, due_day)
    inv_amount = inv["amount_cents"].to_numpy(dtype=np.int64)[inv_order]

    pay_day_raw = _days(pay["payment_date"])
    pay_order = _date_order(pay_day_raw)
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
        fx=_fx_arrays(ledger, inv_order, pay_order),
    )


def _foreign(frame: pd.DataFrame, reporting: str) -> np.ndarray:
    """Per row: an item in a currency other than `reporting` (it has `original_cents`)."""
    if "original_cents" not in frame.columns or "currency" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    currency = frame["currency"]
    return (currency.notna() & (currency != "") & (currency != reporting)).to_numpy(dtype=bool)


def _fx_arrays(ledger: Ledger, inv_order: np.ndarray, pay_order: np.ndarray) -> FxArrays | None:
    """The foreign-currency items in sorted order and the rates of their currencies."""
    inv, pay = ledger.invoices, ledger.payments
    inv_foreign = _foreign(inv, ledger.currency)[inv_order]
    pay_foreign = _foreign(pay, ledger.currency)[pay_order]
    if not inv_foreign.any() and not pay_foreign.any():
        return None
    inv_rows = inv_order[inv_foreign]
    pay_rows = pay_order[pay_foreign]
    inv_currency = inv["currency"].to_numpy(dtype=object)[inv_rows]
    pay_currency = pay["currency"].to_numpy(dtype=object)[pay_rows]
    codes, currencies = pd.factorize(np.concatenate([inv_currency, pay_currency]), sort=True)
    codes = codes.astype(np.intp)
    rates = ledger.rates if ledger.rates is not None else empty_frame(RATE_COLUMNS)
    rates = rates.dropna(subset=["rate_date", "rate"]).sort_values("rate_date", kind="stable")
    by_currency = {code: table for code, table in rates.groupby("currency", sort=False)}
    rate_days, rate_values = [], []
    for currency in currencies:
        table = by_currency.get(currency, rates.iloc[0:0])
        rate_days.append(_days(table["rate_date"]))
        rate_values.append(table["rate"].to_numpy(dtype=np.float64))
    return FxArrays(
        reporting=ledger.currency,
        currencies=tuple(str(c) for c in currencies),
        invoices=np.flatnonzero(inv_foreign),
        invoice_currency=codes[: len(inv_rows)],
        invoice_original=inv["original_cents"].to_numpy(dtype=np.int64)[inv_rows],
        payments=np.flatnonzero(pay_foreign),
        payment_currency=codes[len(inv_rows) :],
        payment_original=pay["original_cents"].to_numpy(dtype=np.int64)[pay_rows],
        rate_days=tuple(rate_days),
        rate_values=tuple(rate_values),
        invoice_index=_index_of(inv_foreign),
    )


def _index_of(chosen: np.ndarray) -> np.ndarray:
    """Per row: its rank among the chosen rows, -1 for the others."""
    index = np.full(len(chosen), -1, dtype=np.intp)
    index[chosen] = np.arange(int(chosen.sum()), dtype=np.intp)
    return index
