"""The 13-week cash-in forecast: existing invoices and new sales, as one weekly frame.

`cash_forecast(ledger, as_of, weeks)` returns one row per forecast week
(money int64 cents):

    week, start, end                  week k = as_of + 7(k-1) + 1 .. as_of + 7k
    expected, p10, p50, p90           collections of invoices open at as_of
    new_sales                         forecast invoicing in the week
    new_sales_collections             collections of those new invoices
    new_sales_p10, new_sales_p90      their band
    total_expected, total_p10, total_p90
                                      both layers; the band from the summed
                                      simulations, not the sum of the bands
    cumulative_p10                    P10 of the total collected by week end
(every money column ends in `_cents`). `attrs["sales_model"]` names the
invoicing model chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from creditdash.forecast.collections import CollectionsForecast
from creditdash.forecast.nonpayment import DefaultRisk, fit_collections
from creditdash.forecast.sales import SalesForecast
from creditdash.forecast.timing import PaymentTiming
from creditdash.ledger import DateLike, Ledger


@dataclass(frozen=True, eq=False)
class CashForecast:
    """The weekly frame (module doc), the fitted parts and the per-invoice detail.

    `never_paid_from` says where the chance of never being paid came from:
    "risk" (the risk model's PD) or "history" (each customer's own curve).
    """

    weekly: pd.DataFrame
    invoices: pd.DataFrame
    collections: CollectionsForecast
    sales: SalesForecast | None
    never_paid_from: str = "history"


def cash_forecast(
    ledger: Ledger,
    as_of: DateLike,
    weeks: int = 13,
    *,
    new_sales: bool = True,
    n_sims: int = 1000,
    risk: bool = True,
) -> CashForecast:
    """Collections of open invoices plus (optionally) the new-sales layer, week by week.

    With `risk`, the chance an open invoice is never paid comes from the risk
    model's PD where the history allows one (`creditdash.forecast.nonpayment`).
    """
    default_risk = DefaultRisk(ledger) if risk else None
    existing = fit_collections(
        CollectionsForecast(weeks=weeks, n_sims=n_sims), ledger, as_of, default_risk
    )
    sales = None
    if new_sales:
        timing = PaymentTiming(reference="invoice").fit(ledger, as_of)
        sales = SalesForecast(weeks=weeks, n_sims=n_sims).fit(ledger, as_of, timing=timing)
    return CashForecast(
        weekly=combine(existing, sales),
        invoices=existing.invoices_,
        collections=existing,
        sales=sales,
        never_paid_from="risk" if existing.never_paid_ is not None else "history",
    )


def combine(existing: CollectionsForecast, sales: SalesForecast | None) -> pd.DataFrame:
    """The weekly frame from a fitted collections forecast and (optionally) sales forecast."""
    frame = existing.weekly_.copy()
    samples = existing.samples_
    if sales is not None:
        s = sales.forecast_
        frame["new_sales_cents"] = s["sales_cents"].to_numpy()
        frame["new_sales_collections_cents"] = s["collections_cents"].to_numpy()
        frame["new_sales_p10_cents"] = s["collections_p10_cents"].to_numpy()
        frame["new_sales_p90_cents"] = s["collections_p90_cents"].to_numpy()
        n = min(len(samples), len(sales.samples_))
        samples = samples[:n] + sales.samples_[:n]
        frame.attrs["sales_model"] = sales.model_
    else:
        for col in ("new_sales", "new_sales_collections", "new_sales_p10", "new_sales_p90"):
            frame[f"{col}_cents"] = 0
        frame.attrs["sales_model"] = None
    frame["total_expected_cents"] = frame["expected_cents"] + frame["new_sales_collections_cents"]
    q = np.quantile(samples, [0.1, 0.9], axis=0)
    frame["total_p10_cents"] = np.rint(q[0]).astype(np.int64)
    frame["total_p90_cents"] = np.rint(q[1]).astype(np.int64)
    cumulative = np.quantile(np.cumsum(samples, axis=1), 0.1, axis=0)
    frame["cumulative_p10_cents"] = np.rint(cumulative).astype(np.int64)
    return frame
