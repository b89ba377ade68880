"""Reading the stored ledger back into a `Ledger` (one reporting currency)."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from creditdash.documents import spread_over_items
from creditdash.errors import InvalidArgument
from creditdash.frames import CUSTOMER_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS, conform
from creditdash.ledger import Ledger
from creditdash.store.models import Customer, Import, Invoice, Payment, Rate

_CENTS = "CAST(ROUND(amount * 100) AS BIGINT)"


def _connected(bind: Engine | Connection):
    """A connection to read with: `bind` itself when it is one (its open transaction is seen)."""
    return nullcontext(bind) if isinstance(bind, Connection) else bind.connect()


def _frame(engine: Engine, sql: str, columns: list[str]) -> pd.DataFrame:
    with _connected(engine) as conn:
        rows = conn.exec_driver_sql(sql).fetchall()
    return pd.DataFrame.from_records(rows, columns=columns)


def _dates(values: pd.Series) -> pd.Series:
    if values.empty:
        return values.astype("datetime64[us]")
    if isinstance(values.iloc[0], str):
        return pd.to_datetime(values, format="%Y-%m-%d").astype("datetime64[us]")
    return pd.to_datetime(values).astype("datetime64[us]")


def read_customers(engine: Engine) -> pd.DataFrame:
    """The customers table as a canonical frame (credit limit in its own currency's cents)."""
    cols = [c for c in CUSTOMER_COLUMNS if c != "credit_limit_cents"]
    sql = (
        "SELECT "
        + ", ".join(cols)
        + ", CAST(ROUND(credit_limit * 100) AS BIGINT) FROM customers ORDER BY customer_id"
    )
    frame = _frame(engine, sql, [*cols, "credit_limit_cents"])
    return conform(frame, CUSTOMER_COLUMNS)


def read_invoices(engine: Engine) -> pd.DataFrame:
    """The invoices table, amounts in their own currency's cents."""
    sql = (
        "SELECT invoice_id, customer_id, invoice_date, due_date, "
        f"{_CENTS}, currency, disputed, source, document_id, part FROM invoices"
    )
    frame = _frame(engine, sql, INVOICE_COLUMNS)
    frame["invoice_date"] = _dates(frame["invoice_date"])
    frame["due_date"] = _dates(frame["due_date"])
    frame["disputed"] = frame["disputed"].astype(bool)
    return conform(frame, INVOICE_COLUMNS)


def read_payments(engine: Engine) -> pd.DataFrame:
    """The payments table, amounts in cents of their invoice's (or customer's) currency."""
    sql = (
        f"SELECT payment_id, customer_id, invoice_id, payment_date, {_CENTS}, source FROM payments"
    )
    frame = _frame(engine, sql, PAYMENT_COLUMNS)
    frame["payment_date"] = _dates(frame["payment_date"])
    return conform(frame, PAYMENT_COLUMNS)


def read_rates(engine: Engine) -> pd.DataFrame:
    with _connected(engine) as conn:
        rows = conn.execute(select(Rate.currency, Rate.rate_date, Rate.rate)).all()
    frame = pd.DataFrame.from_records(rows, columns=["currency", "rate_date", "rate"])
    frame["rate_date"] = pd.to_datetime(frame["rate_date"]).astype("datetime64[us]")
    frame["rate"] = frame["rate"].astype(float)
    return frame


def rate_for(rates: pd.DataFrame, currency: pd.Series, dates: pd.Series) -> np.ndarray:
    """The rate in force at each date: the latest on or before it, else the earliest after it.

    Returns NaN where the currency has no rate at all.
    """
    out = np.full(len(currency), np.nan)
    for code, table in rates.sort_values("rate_date").groupby("currency"):
        mask = (currency == code).to_numpy()
        if not mask.any():
            continue
        days = table["rate_date"].to_numpy()
        pos = np.searchsorted(days, dates.to_numpy()[mask], side="right") - 1
        out[mask] = table["rate"].to_numpy()[np.clip(pos, 0, len(days) - 1)]
    return out


def to_reporting(
    invoices: pd.DataFrame,
    payments: pd.DataFrame,
    customers: pd.DataFrame,
    rates: pd.DataFrame,
    currency: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invoices and payments with amount_cents in `currency` at their transaction dates' rates.

    Amounts come in their own currency's cents. Payments settle in their
    invoice's currency: a payment applied to an invoice is in that invoice's
    currency and converts at the invoice's rate, so a settled foreign invoice
    nets to zero; unapplied cash is in its customer's currency (else
    `currency`) and converts at its own date's rate. When any item is in
    another currency, both frames keep the amount in its own currency as
    `original_cents`, and payments get that `currency`: `Ledger` translates
    the open balances at an as-of date from them (see `creditdash.aging`).
    """
    reporting = invoices["currency"].fillna(currency) == currency
    pay_currency = _payment_currencies(invoices, payments, customers, currency)
    pay_foreign = pay_currency != currency
    if reporting.all() and not pay_foreign.any():
        return invoices, payments
    rate = rate_for(rates, invoices["currency"], invoices["invoice_date"])
    pay_own_rate = rate_for(rates, pay_currency, payments["payment_date"])
    missing = set(invoices.loc[~reporting & np.isnan(rate), "currency"])
    missing |= set(pay_currency[pay_foreign & np.isnan(pay_own_rate)])
    if missing:
        raise InvalidArgument.coded(
            "error.store.no_rate",
            "No exchange rate to {currency} for currency {missing}: upload a rates file "
            "(currency, date, rate).",
            currency=currency,
            missing=", ".join(sorted(missing)),
        )
    inv_rate = np.where(reporting, 1.0, rate)
    by_invoice = pd.Series(inv_rate, index=invoices["invoice_id"])
    by_invoice = by_invoice[~by_invoice.index.duplicated()]
    pay_rate = payments["invoice_id"].map(by_invoice).to_numpy(dtype=np.float64)
    pay_rate = np.where(np.isnan(pay_rate), np.where(pay_foreign, pay_own_rate, 1.0), pay_rate)
    invoices = invoices.assign(
        amount_cents=_converted(invoices["amount_cents"], inv_rate),
        original_cents=invoices["amount_cents"].to_numpy(dtype=np.int64),
    )
    payments = payments.assign(
        amount_cents=_converted(payments["amount_cents"], pay_rate),
        original_cents=payments["amount_cents"].to_numpy(dtype=np.int64),
        currency=pay_currency.to_numpy(),
    )
    return invoices, payments


def _payment_currencies(
    invoices: pd.DataFrame, payments: pd.DataFrame, customers: pd.DataFrame, currency: str
) -> pd.Series:
    """Each payment's currency: its invoice's, else its customer's, else `currency`."""
    of_invoice = invoices.drop_duplicates("invoice_id").set_index("invoice_id")["currency"]
    if "currency" in customers.columns:
        of_customer = customers.drop_duplicates("customer_id").set_index("customer_id")["currency"]
    else:
        of_customer = pd.Series(dtype="str")
    own = payments["invoice_id"].map(of_invoice.fillna(currency))
    own = own.fillna(payments["customer_id"].map(of_customer))
    return own.fillna(currency).replace("", currency).astype("str").reset_index(drop=True)


def _converted(cents: pd.Series, rate: np.ndarray) -> np.ndarray:
    return np.round(cents.to_numpy(dtype=np.int64) * rate).astype("int64")


def load_ledger(engine: Engine, currency: str = "CNY") -> Ledger:
    """The whole stored ledger in `currency` (see `to_reporting`)."""
    customers = read_customers(engine)
    invoices = read_invoices(engine)
    payments = read_payments(engine)
    rates = read_rates(engine)
    # payments naming a document pay its items (creditdash.documents), in their own currency
    payments = spread_over_items(invoices, payments)
    invoices, payments = to_reporting(invoices, payments, customers, rates, currency)
    return Ledger.from_frames(customers, invoices, payments, currency=currency, rates=rates)


def data_version(engine: Engine) -> tuple[int, int, int]:
    """Changes whenever the stored data does: (newest import id, applied imports, invoices)."""
    with _connected(engine) as conn:
        newest = conn.execute(select(func.max(Import.import_id))).scalar() or 0
        applied = conn.execute(
            select(func.count()).select_from(Import).where(Import.status == "applied")
        ).scalar()
        n_invoices = conn.execute(select(func.count()).select_from(Invoice)).scalar()
    return int(newest), int(applied or 0), int(n_invoices or 0)


def row_counts(engine: Engine) -> dict[str, int]:
    """How many customers, invoices, payments and applied imports are stored."""
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(model)).scalar() or 0)
            for name, model in (
                ("customers", Customer),
                ("invoices", Invoice),
                ("payments", Payment),
                ("imports", Import),
            )
        }
