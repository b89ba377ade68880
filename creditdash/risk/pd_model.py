"""Probability of default: a logistic model trained on the company's own history.

Time-consistent design: for each training date T (month ends whose
outcome window ends by the as-of date), the features at T (`features_at`,
nothing after T) are paired with the outcome in (T, T + 12 months]
(`outcomes.defaults_within`). Customers already in default at T and
customers with neither exposure nor sales in the year before T are left
out. One customer appears at many dates, so standard errors are clustered
by customer.

    model = PDModel().fit(training_design(ledger, dates))
    model.coef_          # coefficient table with 95% confidence intervals
    model.predict(features_at(ledger, as_of))
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from creditdash.errors import InsufficientHistory, NotFitted
from creditdash.ledger import DateLike, Ledger
from creditdash.risk.features import features_at
from creditdash.risk.outcomes import DEFAULT_DPD, defaults_within, training_dates

# model input: (feature, lower clip, upper clip); NaN becomes `fill`
MODEL_INPUTS: dict[str, tuple[float, float, float]] = {
    "days_late_recent": (-30.0, 120.0, 0.0),
    "days_late_trend": (-60.0, 60.0, 0.0),
    "share_paid_late": (0.0, 1.0, 0.0),
    "worst_dpd_open": (0.0, 90.0, 0.0),
    "overdue_share": (0.0, 1.0, 0.0),
    "utilisation": (0.0, 3.0, 0.0),
    "disputed_share": (0.0, 1.0, 0.0),
}
MIN_EVENTS = 10
MIN_ROWS = 50
MIN_DATES = 2


def design_matrix(features: pd.DataFrame) -> pd.DataFrame:
    """The model's inputs from a `features_at` frame: clipped, NaN filled, plus log tenure."""
    x = pd.DataFrame(index=features.index)
    for name, (low, high, fill) in MODEL_INPUTS.items():
        values = features[name].astype("float64").to_numpy(na_value=np.nan)
        x[name] = np.clip(np.nan_to_num(values, nan=fill), low, high)
    x["log_tenure_months"] = np.log1p(features["tenure_days"].to_numpy(dtype=float) / 30.0)
    return x


def training_design(
    ledger: Ledger,
    dates: Sequence[DateLike],
    *,
    horizon_days: int = 365,
    bureau: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rows (customer, date T): `features_at(T)` columns, `as_of` (T) and `defaulted` (bool).

    Only customers not in default at T (worst_dpd_open < 90) with exposure or
    sales in the year before T. Every feature uses data dated <= T; only
    `defaulted` looks into (T, T + horizon_days].
    """
    parts = []
    for date in dates:
        f = features_at(ledger, date, bureau)
        keep = (f["worst_dpd_open"] < DEFAULT_DPD) & (
            (f["exposure_cents"] > 0) | (f["sales_12m_cents"] > 0)
        )
        f = f[keep]
        outcome = defaults_within(ledger, date, horizon_days)[["customer_id", "defaulted"]]
        parts.append(
            f.merge(outcome, on="customer_id", how="left").assign(as_of=pd.Timestamp(date))
        )
    if not parts:
        return pd.DataFrame(columns=["as_of", "customer_id", "defaulted"])
    return pd.concat(parts, ignore_index=True)


class PDModel:
    """Logistic regression of `defaulted` on `design_matrix` (statsmodels Logit).

    Settings: min_events (defaults needed), min_rows, min_dates.
    Fitted: coef_ (feature, coef, std_err, ci_low, ci_high, p_value,
    odds_ratio), n_rows_, n_events_, dates_ (training dates), result_.
    """

    def __init__(
        self, *, min_events: int = MIN_EVENTS, min_rows: int = MIN_ROWS, min_dates: int = MIN_DATES
    ):
        self.min_events = min_events
        self.min_rows = min_rows
        self.min_dates = min_dates

    def fit(self, design: pd.DataFrame) -> PDModel:
        """Fit on a `training_design` frame; InsufficientHistory when it is too thin."""
        import statsmodels.api as sm

        dates = sorted(design["as_of"].unique()) if len(design) else []
        events = int(design["defaulted"].sum()) if len(design) else 0
        self._check_enough(len(design), events, len(dates))
        x = sm.add_constant(design_matrix(design), has_constant="add")
        y = design["defaulted"].astype(float).to_numpy()
        groups = pd.factorize(design["customer_id"])[0]
        with warnings.catch_warnings():
            # a quasi-separated small history warns; the CIs then say how little is known
            warnings.simplefilter("ignore")
            try:
                result = sm.Logit(y, x).fit(
                    disp=0, maxiter=200, cov_type="cluster", cov_kwds={"groups": groups}
                )
            except np.linalg.LinAlgError as err:
                raise InsufficientHistory.coded(
                    "risk.error.pd_singular",
                    "The PD model cannot be fitted on this history ({reason}); "
                    "the scorecard is used alone.",
                    reason=str(err),
                ) from None
        ci = result.conf_int(0.05)
        self.coef_ = pd.DataFrame(
            {
                "feature": list(x.columns),
                "coef": result.params.to_numpy(),
                "std_err": result.bse.to_numpy(),
                "ci_low": ci.iloc[:, 0].to_numpy(),
                "ci_high": ci.iloc[:, 1].to_numpy(),
                "p_value": result.pvalues.to_numpy(),
                "odds_ratio": np.exp(result.params.to_numpy()),
            }
        )
        self.result_ = result
        self.n_rows_, self.n_events_ = len(design), events
        self.dates_ = [pd.Timestamp(d) for d in dates]
        return self

    def _check_enough(self, rows: int, events: int, dates: int) -> None:
        if dates < self.min_dates:
            raise InsufficientHistory.coded(
                "risk.error.pd_dates",
                "The PD model needs at least {need} training dates, each with a full "
                "12 months of history after it; this history gives {dates}. "
                "The scorecard is used alone.",
                need=self.min_dates,
                dates=dates,
            )
        if events < self.min_events:
            raise InsufficientHistory.coded(
                "risk.error.pd_events",
                "The PD model needs at least {need} defaults (an invoice {dpd}+ days past due "
                "within 12 months of a training date); this history has {events}. "
                "The scorecard is used alone.",
                need=self.min_events,
                dpd=DEFAULT_DPD,
                events=events,
            )
        if rows < self.min_rows:
            raise InsufficientHistory.coded(
                "risk.error.pd_rows",
                "The PD model needs at least {need} customer-dates to learn from; "
                "this history has {rows}. The scorecard is used alone.",
                need=self.min_rows,
                rows=rows,
            )

    def predict(self, features: pd.DataFrame) -> pd.Series:
        """PD within 12 months per row (0..1); 1.0 for customers already 90+ days past due."""
        if not hasattr(self, "result_"):
            raise NotFitted.coded(
                "risk.error.pd_not_fitted",
                "The PD model must be fitted before `predict`; call `fit` first.",
            )
        import statsmodels.api as sm

        x = sm.add_constant(design_matrix(features), has_constant="add")
        pd_ = np.asarray(self.result_.predict(x), dtype=float)
        in_default = features["worst_dpd_open"].to_numpy() >= DEFAULT_DPD
        return pd.Series(np.where(in_default, 1.0, pd_), index=features.index, name="pd")


def fit_pd_model(
    ledger: Ledger,
    as_of: DateLike,
    bureau: pd.DataFrame | None = None,
    *,
    horizon_days: int = 365,
) -> PDModel:
    """A PD model trained on every month end whose 12-month outcome is known at as_of."""
    dates = training_dates(ledger, as_of, horizon_days=horizon_days)
    design = training_design(ledger, dates, horizon_days=horizon_days, bureau=bureau)
    return PDModel().fit(design)
