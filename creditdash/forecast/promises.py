"""What the forecast promises, in the shapes the weekly review records.

`weekly_forecast` is the 13-week collections table; `invoice_forecast` gives
each open invoice the week it is expected in (the week its chance of having
been paid passes one half), so that next week's review can list the
invoices that were expected and did not come (broken promises).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.forecast.collections import CollectionsForecast
from creditdash.ledger import DateLike, Ledger


def weekly_forecast(ledger: Ledger, as_of: DateLike, weeks: int = 13) -> pd.DataFrame:
    """week, start, end, expected, p10, p50, p90 (cents) of the invoices open at as_of."""
    return CollectionsForecast(weeks=weeks, n_sims=500).fit(ledger, as_of).weekly_


def invoice_forecast(ledger: Ledger, as_of: DateLike, weeks: int = 13) -> pd.DataFrame:
    """invoice_id, customer_id, outstanding_cents, expected_date (NaT beyond the horizon).

    expected_date is the last day of the first week by which the invoice is
    more likely paid than not.
    """
    model = CollectionsForecast(weeks=weeks, n_sims=100).fit(ledger, as_of)
    invoices = model.invoices_
    cumulative = np.cumsum(model.probabilities_[:, :weeks], axis=1)
    reached = cumulative >= 0.5
    week = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, 0)
    start = pd.Timestamp(as_of).normalize()
    expected = start + pd.to_timedelta(7 * week, unit="D")
    return pd.DataFrame(
        {
            "invoice_id": invoices["invoice_id"],
            "customer_id": invoices["customer_id"],
            "outstanding_cents": invoices["outstanding_cents"],
            "expected_date": pd.Series(expected).where(week > 0).to_numpy(),
        }
    )
