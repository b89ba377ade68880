"""What happened after a date T: did a customer default within the horizon?

Default (the PD model's outcome) = an undisputed invoice of the customer
reaches 90 days past due within (T, T + horizon] while still materially
unpaid (more than `MATERIAL_SHARE` of it open). Written-off invoices stay
open in the ledger (creditdash keeps no write-off marker), so they count
through the same test. Customers already 90+ days past due at T are in
default at T and are left out of a training date (see `training_design`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from creditdash.ledger import DateLike, Ledger, day_number, ledger_arrays
from creditdash.risk.features import disputed_sorted

DEFAULT_DPD = 90
MATERIAL_SHARE = 0.05
_SETTLE_KEY = "risk_settle_day"
NEVER = np.iinfo(np.int64).max // 2


def settle_days(ledger: Ledger) -> np.ndarray:
    """Per date-sorted invoice: the day its open amount first fell to <= MATERIAL_SHARE of it.

    NEVER for invoices that never got there (or credit notes). Cached on the ledger.
    """
    cached = ledger._cache.get(_SETTLE_KEY)
    if cached is not None:
        return cached
    arrays = ledger_arrays(ledger)
    n = len(arrays.invoice_day)
    target = arrays.payment_invoice
    keep = target >= 0
    pays = pd.DataFrame(
        {
            "inv": target[keep],
            "day": arrays.payment_day[keep],
            "amount": arrays.payment_amount[keep],
        }
    ).sort_values(["inv", "day"], kind="stable")
    paid = pays.groupby("inv", sort=False)["amount"].cumsum().to_numpy()
    inv = pays["inv"].to_numpy()
    need = arrays.invoice_amount[inv] * (1 - MATERIAL_SHARE)
    reached = paid >= need
    first = pays.loc[reached].groupby("inv")["day"].min()
    out = np.full(n, NEVER, dtype=np.int64)
    out[first.index.to_numpy()] = first.to_numpy()
    out[arrays.invoice_amount <= 0] = NEVER
    ledger._cache[_SETTLE_KEY] = out
    return out


def defaults_within(ledger: Ledger, as_of: DateLike, horizon_days: int = 365) -> pd.DataFrame:
    """Per customer with an invoice: customer_id, defaulted (bool), default_day_offset.

    `defaulted` when an undisputed positive invoice turns DEFAULT_DPD days
    past due on a day t in (T, T + horizon] and is not settled by t;
    default_day_offset is t - T for the first such invoice (NaN if none).
    """
    arrays = ledger_arrays(ledger)
    day = day_number(as_of)
    settle = settle_days(ledger)
    d90 = arrays.due_day + DEFAULT_DPD
    hit = (
        (d90 > day)
        & (d90 <= day + horizon_days)
        & (settle > d90)
        & (arrays.invoice_amount > 0)
        & ~disputed_sorted(ledger)
    )
    k = len(arrays.customers)
    first = np.full(k, np.inf)
    np.minimum.at(first, arrays.invoice_customer[hit], (d90[hit] - day).astype(float))
    return pd.DataFrame(
        {
            "customer_id": arrays.customers["customer_id"].to_numpy(),
            "defaulted": np.isfinite(first),
            "default_day_offset": np.where(np.isfinite(first), first, np.nan),
        }
    )


def monthly_dates(start: DateLike, end: DateLike, step_months: int = 1) -> list[pd.Timestamp]:
    """Month ends from the one on or after `start` to the one on or before `end`."""
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    ends = pd.date_range(first, last, freq="ME")
    return list(ends[:: max(1, int(step_months))])


def training_dates(
    ledger: Ledger,
    as_of: DateLike,
    *,
    horizon_days: int = 365,
    min_history_days: int = 180,
    step_months: int = 1,
) -> Sequence[pd.Timestamp]:
    """Dates T whose outcome window ends by as_of and that have min_history_days behind them."""
    if ledger.is_empty:
        return []
    start = ledger.first_date + pd.Timedelta(days=min_history_days)
    end = pd.Timestamp(as_of) - pd.Timedelta(days=horizon_days)
    if end < start:
        return []
    return monthly_dates(start, end, step_months)
