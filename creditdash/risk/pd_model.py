"""Probability of default: a logistic model trained on the company's own history.

What the PD means: the chance that the customer has an undisputed invoice
90 or more days past due (and still materially unpaid) within the next 12
months. A customer that already has one is in default: its PD is 1.

Time-consistent design: for each training date T (month ends whose
outcome window ends by the as-of date), the features at T (`features_at`,
nothing after T) are paired with the outcome in (T, T + 12 months]
(`outcomes.defaults_within`). Customers already in default at T and
customers with neither exposure nor sales in the year before T are left
out. One customer appears at many dates, so standard errors are clustered
by customer.

How the model is fitted (`PDModel.fit`):

1. Inputs (MODEL_INPUTS) are clipped to a sensible range. An input with too
   few values (e.g. utilisation when no customer has a credit limit, the
   third-party score without reports), one that is constant, or one that is
   a linear combination of the inputs kept before it is left out, and
   `dropped_features_` says which and why.
2. Ridge (L2-penalised) logistic regression on the standardised inputs, so a
   nearly separating or nearly repeated input cannot make the fit fail.
3. Monotone effects: each input has a business direction (`ModelInput.sign`:
   risk rises with days late, falls with tenure and the third-party score).
   An input whose coefficient comes out against it (usually because it
   overlaps other inputs) is left out and the model refitted, one at a time,
   worst first, until every coefficient agrees with its direction.
4. Calibration out of time: the model is fitted on the earlier two thirds of
   the training dates and Platt-scaled (a + b x log-odds) on the later
   third, so its PDs match the default rates of the most recent outcomes.
   Without enough later dates or defaults the PDs are left uncalibrated and
   `calibration_note_` says so.
5. PDs are kept within [PD_FLOOR, PD_CEILING]: no history this size can tell
   a 0.01% risk from a 0.05% one, or 99.9% from 99%.

    model = PDModel().fit(training_design(ledger, dates))
    model.coef_              # coefficients with cluster-robust 95% intervals
    model.dropped_features_  # [(feature, reason Text), ...]
    model.predict(features_at(ledger, as_of))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from creditdash.errors import InsufficientHistory, NotFitted
from creditdash.i18n import Text
from creditdash.ledger import DateLike, Ledger
from creditdash.risk.features import features_at
from creditdash.risk.outcomes import DEFAULT_DPD, defaults_within, training_dates
from creditdash.risk.pd_fit import RidgeFit, platt, ridge_logit, screen_inputs, sigmoid


class ModelInput(NamedTuple):
    """One model input: clip range, the value a missing one takes (None: the training
    median) and its business direction (+1 risk rises with it, -1 falls, 0 either)."""

    low: float
    high: float
    fill: float | None
    sign: int


MODEL_INPUTS: dict[str, ModelInput] = {
    "days_late_recent": ModelInput(-30.0, 120.0, 0.0, +1),
    "days_late_trend": ModelInput(-60.0, 60.0, 0.0, +1),
    "share_paid_late": ModelInput(0.0, 1.0, 0.0, +1),
    "worst_dpd_open": ModelInput(0.0, 90.0, 0.0, +1),
    "overdue_share": ModelInput(0.0, 1.0, 0.0, +1),
    "utilisation": ModelInput(0.0, 3.0, None, +1),
    # a dispute is a quarrel about the goods, not a sign the customer cannot pay
    "disputed_share": ModelInput(0.0, 1.0, 0.0, 0),
    "bureau_score": ModelInput(0.0, 100.0, None, -1),
    "legal_events": ModelInput(0.0, 10.0, None, +1),
}
TENURE_INPUT = "log_tenure_months"
SIGNS = {**{name: spec.sign for name, spec in MODEL_INPUTS.items()}, TENURE_INPUT: -1}
MIN_EVENTS = 10
MIN_ROWS = 50
MIN_DATES = 2
PENALTY = 1.0  # ridge strength on standardised coefficients (log-likelihood units)
CALIBRATION_SHARE = 1 / 3  # the later share of training dates kept for calibration
MIN_CALIBRATION_EVENTS = 5
PD_FLOOR = 0.0005  # 0.05%: the Basel III floor for a corporate PD
PD_CEILING = 0.99
PD_MEANING = Text("risk.pd.meaning")  # what a PD is, wherever one is shown


def model_inputs(features: pd.DataFrame) -> pd.DataFrame:
    """The candidate inputs from a `features_at` frame: clipped, NaN kept, plus log tenure."""
    x = pd.DataFrame(index=features.index)
    for name, spec in MODEL_INPUTS.items():
        values = features[name].astype("float64").to_numpy(na_value=np.nan)
        x[name] = np.clip(values, spec.low, spec.high)
    x[TENURE_INPUT] = np.log1p(features["tenure_days"].to_numpy(dtype=float) / 30.0)
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
    """Ridge logistic regression of `defaulted` on `model_inputs`, sign-checked and
    calibrated out of time (see the module docstring).

    Settings: min_events (defaults needed), min_rows, min_dates, penalty (ridge
    strength), calibration_share (the later share of training dates used to
    calibrate).
    Fitted: coef_ (feature, coef, std_err, ci_low, ci_high, p_value, odds_ratio;
    intervals from cluster-robust errors of the penalised fit, which leave out the
    penalty's small pull towards zero), features_ (the inputs used),
    dropped_features_ ([(feature, reason Text)]), fills_ (value of a missing input),
    calibration_ ({"a", "b", "rows", "events", "from"} or None),
    calibration_note_ (Text or None: why there is no calibration), n_rows_,
    n_events_, fit_rows_ (rows the coefficients were fitted on), dates_.
    """

    calibration_: dict[str, Any] | None
    calibration_note_: Text | None

    def __init__(
        self,
        *,
        min_events: int = MIN_EVENTS,
        min_rows: int = MIN_ROWS,
        min_dates: int = MIN_DATES,
        penalty: float = PENALTY,
        calibration_share: float = CALIBRATION_SHARE,
    ):
        self.min_events = min_events
        self.min_rows = min_rows
        self.min_dates = min_dates
        self.penalty = penalty
        self.calibration_share = calibration_share

    def fit(self, design: pd.DataFrame) -> PDModel:
        """Fit on a `training_design` frame; InsufficientHistory when it is too thin."""
        dates = sorted(design["as_of"].unique()) if len(design) else []
        events = int(design["defaulted"].sum()) if len(design) else 0
        self._check_enough(len(design), events, len(dates))
        raw = model_inputs(design)
        y = design["defaulted"].to_numpy(dtype=float)
        groups = pd.factorize(design["customer_id"])[0]
        later = self._calibration_rows(design, dates, y)
        early = ~later if later is not None else np.ones(len(y), dtype=bool)
        fit = self._fit_monotone(raw[early], y[early], pd.factorize(groups[early])[0])
        if later is not None:
            score = fit.linear(self._filled(raw[later]))
            a, b = platt(score, y[later])
            if b > 0:
                cut = pd.Timestamp(design.loc[later, "as_of"].min())
                self.calibration_ = {"a": a, "b": b, "rows": int(later.sum()),
                                     "events": int(y[later].sum()), "from": cut}  # fmt: skip
            else:
                self.calibration_note_ = Text("risk.pd.calibration.no_skill")
        self._store(fit, events, len(design), int(early.sum()), dates)
        return self

    def _calibration_rows(self, design: pd.DataFrame, dates: list, y: np.ndarray):
        """The rows of the later training dates to calibrate on, or None (and a note)."""
        self.calibration_, self.calibration_note_ = None, None
        n_late = int(np.floor(len(dates) * self.calibration_share))
        n_early = len(dates) - n_late
        if n_late < 1 or n_early < self.min_dates:
            self.calibration_note_ = Text(
                "risk.pd.calibration.dates", {"dates": len(dates), "need": self.min_dates + 2}
            )
            return None
        later = design["as_of"].to_numpy() >= np.datetime64(dates[n_early])
        late_events = int(y[later].sum())
        early_events = int(y[~later].sum())
        if late_events < MIN_CALIBRATION_EVENTS or early_events < self.min_events:
            self.calibration_note_ = Text(
                "risk.pd.calibration.events",
                {"events": late_events, "need": MIN_CALIBRATION_EVENTS},
            )
            return None
        return later

    def _fit_monotone(self, raw: pd.DataFrame, y: np.ndarray, groups: np.ndarray) -> RidgeFit:
        """Screen the inputs, fit, and drop inputs against their direction until none is."""
        screened = screen_inputs(raw, {n: s.fill for n, s in MODEL_INPUTS.items()})
        self.fills_ = screened.fills
        self.features_ = list(screened.kept)
        self.dropped_features_ = list(screened.dropped)
        while True:
            if not self.features_:
                raise InsufficientHistory.coded(
                    "risk.error.pd_no_inputs",
                    "The PD model has no usable input on this history: {dropped}. "
                    "The scorecard is used alone.",
                    dropped="; ".join(f"{f} ({why})" for f, why in self.dropped_features_),
                )
            try:
                fit = ridge_logit(self._filled(raw), y, groups, self.penalty)
            except np.linalg.LinAlgError as err:
                raise InsufficientHistory.coded(
                    "risk.error.pd_singular",
                    "The PD model cannot be fitted on this history ({reason}); "
                    "the scorecard is used alone.",
                    reason=str(err),
                ) from None
            signs = np.array([SIGNS[f] for f in self.features_])
            against = signs * fit.coef[1:] * fit.scale < 0
            if not against.any():
                return fit
            worst = int(np.argmax(np.where(against, np.abs(fit.coef[1:] * fit.scale), -1)))
            name = self.features_.pop(worst)
            way = "rises" if signs[worst] > 0 else "falls"
            self.dropped_features_.append(
                (name, Text("risk.pd.dropped.against", {"coef": f"{fit.coef[1 + worst]:+.3g}",
                                                         "way": Text(f"risk.pd.way.{way}")}))
            )  # fmt: skip

    def _filled(self, raw: pd.DataFrame) -> np.ndarray:
        """The inputs in use, missing values filled as fitted: (rows, len(features_))."""
        cols = [raw[f].to_numpy(dtype=float) for f in self.features_]
        x = np.column_stack(cols) if cols else np.empty((len(raw), 0))
        fills = np.array([self.fills_[f] for f in self.features_])
        return np.where(np.isfinite(x), x, fills)

    def _store(self, fit: RidgeFit, events: int, rows: int, fit_rows: int, dates) -> None:
        se = np.sqrt(np.clip(np.diag(fit.cov), 0, None))
        z = np.divide(fit.coef, se, out=np.full_like(se, np.nan), where=se > 0)
        self.coef_ = pd.DataFrame(
            {
                "feature": ["const", *self.features_],
                "coef": fit.coef,
                "std_err": se,
                "ci_low": fit.coef - 1.959964 * se,
                "ci_high": fit.coef + 1.959964 * se,
                "p_value": [math.erfc(abs(v) / math.sqrt(2)) for v in z],
                "odds_ratio": np.exp(fit.coef),
            }
        )
        self.fit_ = fit
        self.n_rows_, self.n_events_, self.fit_rows_ = rows, events, fit_rows
        self.dates_ = [pd.Timestamp(d) for d in dates]

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
        """PD within 12 months per row, in [PD_FLOOR, PD_CEILING]; 1.0 for customers
        already 90+ days past due (in default)."""
        if not hasattr(self, "fit_"):
            raise NotFitted.coded(
                "risk.error.pd_not_fitted",
                "The PD model must be fitted before `predict`; call `fit` first.",
            )
        eta = self.fit_.linear(self._filled(model_inputs(features)))
        if self.calibration_ is not None:
            eta = self.calibration_["a"] + self.calibration_["b"] * eta
        pd_ = np.clip(sigmoid(eta), PD_FLOOR, PD_CEILING)
        in_default = features["worst_dpd_open"].to_numpy() >= DEFAULT_DPD
        return pd.Series(np.where(in_default, 1.0, pd_), index=features.index, name="pd")

    def notes(self) -> list[Text]:
        """What a reader of the PDs should know: each input left out and why, and the
        calibration (or why there is none)."""
        out = [
            Text("risk.pd.note.dropped", {"feature": Text(f"risk.var.{f}"), "why": why})
            for f, why in self.dropped_features_
        ]
        if self.calibration_ is not None:
            c = self.calibration_
            out.append(Text("risk.pd.note.calibrated", {
                "since": f"{c['from']:%Y-%m-%d}", "rows": c["rows"], "events": c["events"]}))  # fmt: skip
        elif self.calibration_note_ is not None:
            out.append(self.calibration_note_)
        return out


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
