"""The chance an open invoice is never paid, from the risk model's PD where there is one.

The PD of `creditdash.risk` is the chance that an invoice of the customer
goes 90+ days past due within 12 months. It ranks customers well, but it is
not the chance of never being paid: slow payers reach 90 days and still pay.
So the PD sorts the customers with open invoices into `PD_BANDS` bands
(quantiles of their PD) and a band's chance of never being paid is the share
its customers' payment curves leave unpaid (`PaymentTiming.unpaid_share`,
weighted by their open undisputed outstanding): the level comes from the
book's own history, the ordering from the risk model. Without a PD model
(too little history, so the risk module uses its scorecard alone) there is
no chance to give and every customer keeps its own curve's.

`DefaultRisk` gives the PD at any date from what was known then: each
date's model is trained on the month ends whose 12-month outcome is known
at that date (`creditdash.risk.outcomes.training_dates`), exactly as the
risk page fits it, with each month end's training rows built once, so a
back-test over many origins refits cheaply and never looks ahead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.errors import InsufficientHistory
from creditdash.forecast.collections import (
    CollectionsForecast,
    OpenInvoices,
    open_invoices,
    timing_settings,
)
from creditdash.forecast.timing import PaymentTiming
from creditdash.ledger import DateLike, Ledger, ledger_arrays
from creditdash.risk import PDModel, features_at, training_design
from creditdash.risk.outcomes import training_dates

PD_BANDS = 5


class DefaultRisk:
    """PD per customer_id at any date, using nothing dated after it.

    `at(as_of)` returns a Series (index customer_id, values 0..1) or None
    when the history is too thin for a PD model; `note_` then holds why.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._designs: dict[pd.Timestamp, pd.DataFrame] = {}
        self._models: dict[tuple, PDModel | str] = {}
        self.note_ = ""

    def at(self, as_of: DateLike) -> pd.Series | None:
        dates = tuple(training_dates(self.ledger, as_of))
        if dates not in self._models:
            self._models[dates] = self._fit(dates)
        model = self._models[dates]
        if isinstance(model, str):
            self.note_ = model
            return None
        self.note_ = ""
        features = features_at(self.ledger, as_of)
        return pd.Series(
            model.predict(features).to_numpy(), index=features["customer_id"].to_numpy(), name="pd"
        )

    def _fit(self, dates: tuple) -> PDModel | str:
        """The PD model on these training dates, or the reason there is none."""
        for date in dates:
            if date not in self._designs:
                self._designs[date] = training_design(self.ledger, [date])
        parts = [self._designs[d] for d in dates]
        design = pd.concat(parts, ignore_index=True) if parts else training_design(self.ledger, [])
        try:
            return PDModel().fit(design)
        except InsufficientHistory as err:
            return str(err)


def never_paid_chance(
    ledger: Ledger,
    default_pd: pd.Series,
    timing: PaymentTiming,
    items: OpenInvoices,
    bands: int = PD_BANDS,
) -> pd.Series:
    """Chance an undisputed open invoice is never paid, per customer_id (NaN: keep its curve's).

    `default_pd` is the risk model's PD per customer_id; `timing` the fitted
    payment curves and `items` the invoices open at the same date.
    """
    ids = ledger_arrays(ledger).customers["customer_id"].to_numpy()
    pd_ = default_pd.reindex(ids).to_numpy(dtype=np.float64)
    undisputed = ~items.disputed
    weight = np.bincount(
        items.customer[undisputed], weights=items.outstanding[undisputed], minlength=len(ids)
    )
    known = ~np.isnan(pd_) & (weight > 0)
    if not known.any():
        return pd.Series(np.nan, index=ids, name="never_paid")
    edges = np.quantile(pd_[known], np.linspace(0.0, 1.0, bands + 1)[1:-1])
    band = np.searchsorted(edges, np.nan_to_num(pd_), side="right")
    unpaid = timing.unpaid_share(timing.customer_curve_)
    money = np.bincount(band[known], weights=weight[known], minlength=bands)
    never = np.bincount(band[known], weights=weight[known] * unpaid[known], minlength=bands)
    level = np.divide(never, money, out=np.full(bands, np.nan), where=money > 0)
    chance = np.where(np.isnan(pd_), np.nan, level[band])
    return pd.Series(chance, index=ids, name="never_paid")


def fit_collections(
    model: CollectionsForecast, ledger: Ledger, as_of: DateLike, risk: DefaultRisk | None
) -> CollectionsForecast:
    """`model` fitted at as_of, with the never-paid chance from `risk`'s PD when it has one."""
    timing = PaymentTiming(**timing_settings(model.timing)).fit(ledger, as_of)
    chance = None
    default_pd = risk.at(as_of) if risk is not None else None
    if default_pd is not None:
        chance = never_paid_chance(ledger, default_pd, timing, open_invoices(ledger, as_of))
    return model.fit(ledger, as_of, never_paid=chance, timing=timing)
