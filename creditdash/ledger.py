"""The in-memory ledger every figure is computed from.

A `Ledger` holds the canonical frames of `creditdash.frames` with every
amount already in the reporting currency (`amount_cents`, int64). It is
built once per data version (the store's newest import) and shared; the
functions in `aging`, `kpis` and friends never mutate it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

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
