"""New sales: a weekly invoicing forecast, and the collections it will bring.

The series is gross invoicing (positive invoices; credit notes left out) in
weeks that end on as_of, as_of - 7, ... so that history and forecast weeks
line up. Candidates, all from statsmodels (imported inside the functions:
it takes seconds to import):

    ets        ETSModel, additive error, damped additive trend
    sarimax    SARIMAX(1,0,0) with a constant, annual Fourier terms and
               Spring Festival regressors
    uc         UnobservedComponents: local level, annual seasonality as
               trigonometric terms (period 52.18 weeks), Spring Festival
               regressors

The model is chosen by a rolling-origin back-test on the history before
as_of (origins 13, 26, 39 weeks back, 13-week horizon, WAPE) against the
seasonal naive forecast (the same week a year earlier; the mean of the last
13 weeks when there is less than a year); the naive forecast is kept when
no model beats it. The Spring Festival regressors are the share of a week's
days within 0..7 days after the festival (factories close) and within the
week before or the two weeks after it (slow-down), from
`creditdash.calendar`.

Collections from new sales: each week's sales spread evenly over its days
and paid on the book's curve of days from invoice date (PaymentTiming with
reference="invoice", censoring handled). Bands: the sales forecast's own
prediction interval (normal, one common draw for all weeks) through that
linear map.

Frames (money int64 cents): `history_` week_end, sales_cents; `forecast_`
week, start, end, sales_cents, sales_p10_cents, sales_p90_cents,
collections_cents, collections_p10_cents, collections_p90_cents.
"""

from __future__ import annotations

import warnings
from typing import Protocol

import numpy as np
import pandas as pd

from creditdash.calendar import days_from_spring_festival
from creditdash.errors import InvalidArgument, NotFitted
from creditdash.forecast.collections import check_weeks, week_bounds
from creditdash.forecast.timing import PaymentTiming
from creditdash.ledger import DateLike, Ledger, day_number, day_to_timestamp, ledger_arrays

MODELS = ("ets", "sarimax", "uc")
NAIVE = "seasonal_naive"
_Z90 = 1.2815515655446004
_MIN_WEEKS = 30  # fewer weeks of history: seasonal naive only
_SEASON = 52


class Timing(Protocol):
    """What the sales forecast reads of a fitted `PaymentTiming`: its book curve."""

    book_curve_: int

    def daily_probabilities(self, curve: int, days: int) -> np.ndarray: ...


def weekly_sales(ledger: Ledger, as_of: DateLike, max_weeks: int = 260) -> pd.DataFrame:
    """Gross invoicing per week ending on as_of (oldest first): week_end, sales_cents.

    Starts at the first full week after the first invoice; at most `max_weeks`.
    """
    arrays = ledger_arrays(ledger)
    day = day_number(as_of)
    n = arrays.invoices_until(day)
    if n == 0:
        return pd.DataFrame({"week_end": pd.Series(dtype="datetime64[us]"), "sales_cents": []})
    first = int(arrays.invoice_day[0])
    count = min(max_weeks, (day - first + 1) // 7)
    amount = arrays.invoice_amount[:n]
    age = (day - arrays.invoice_day[:n]) // 7  # 0 = the week ending on as_of
    keep = (amount > 0) & (age < count)
    sums = np.bincount(age[keep], weights=amount[keep], minlength=count)[:count][::-1]
    ends = day - 7 * np.arange(count)[::-1]
    return pd.DataFrame(
        {
            "week_end": ends.astype("datetime64[D]").astype("datetime64[us]"),
            "sales_cents": np.rint(sums).astype(np.int64),
        }
    )


def festival_regressors(week_ends: np.ndarray) -> np.ndarray:
    """Spring Festival shares per week (rows) ending on `week_ends` (day numbers): core, shoulder."""
    days = np.asarray(week_ends, dtype=np.int64)[:, None] - np.arange(7)[None, :]
    rel = days_from_spring_festival(days)
    core = ((rel >= 0) & (rel <= 7)).mean(axis=1)
    shoulder = (((rel >= -7) & (rel < 0)) | ((rel > 7) & (rel <= 14))).mean(axis=1)
    return np.column_stack([core, shoulder])


def _fourier(week_ends: np.ndarray, harmonics: int = 2) -> np.ndarray:
    t = np.asarray(week_ends, dtype=np.float64) / 365.25 * 2 * np.pi
    cols = [f(k * t) for k in range(1, harmonics + 1) for f in (np.sin, np.cos)]
    return np.column_stack(cols)


def seasonal_naive(y: np.ndarray, weeks: int) -> np.ndarray:
    """The same week a year earlier (repeated); the mean of the last 13 weeks with < 1 year."""
    if len(y) >= _SEASON:
        base = y[-_SEASON:]
        return np.array([base[i % _SEASON] for i in range(weeks)], dtype=np.float64)
    return np.full(weeks, float(np.mean(y[-13:])) if len(y) else 0.0)


def fit_predict(
    name: str, y: np.ndarray, ends: np.ndarray, weeks: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the next `weeks` values of `y` under model `name`."""
    if name == NAIVE:
        mean = seasonal_naive(y, weeks)
        lag = _SEASON if len(y) > _SEASON + 4 else 1
        resid = y[lag:] - y[:-lag] if len(y) > lag else y - y.mean()
        return mean, np.full(weeks, float(np.std(resid)) if len(resid) else 0.0)
    scale = float(np.mean(np.abs(y))) or 1.0
    z = y / scale
    future = ends[-1] + 7 * np.arange(1, weeks + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' convergence chatter: the back-test judges
        result = _fit(name, z, ends)
        if name == "ets":
            pred = result.get_prediction(start=len(z), end=len(z) + weeks - 1)
            frame = pred.summary_frame(alpha=0.2)
            mean, low = frame["mean"].to_numpy(), frame["pi_lower"].to_numpy()
        else:
            exog = _exog(name, future)
            pred = result.get_forecast(weeks, exog=exog)
            mean = np.asarray(pred.predicted_mean)
            low = np.asarray(pred.conf_int(alpha=0.2))[:, 0]
    sd = np.maximum((mean - low) / _Z90, 0.0)
    if not np.all(np.isfinite(mean)) or not np.all(np.isfinite(sd)):
        raise InvalidArgument.coded(
            "forecast.err.sales_not_finite",
            "model {model!r} produced no finite forecast.",
            model=name,
        )
    return np.maximum(mean, 0.0) * scale, sd * scale


def _exog(name: str, ends: np.ndarray) -> np.ndarray:
    if name == "sarimax":
        return np.column_stack([_fourier(ends), festival_regressors(ends)])
    return festival_regressors(ends)


def _fit(name: str, z: np.ndarray, ends: np.ndarray):
    if name == "ets":
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        return ETSModel(pd.Series(z), error="add", trend="add", damped_trend=True).fit(disp=False)
    if name == "sarimax":
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        model = SARIMAX(z, exog=_exog(name, ends), order=(1, 0, 0), trend="c")
        return model.fit(disp=False, maxiter=200)
    if name == "uc":
        from statsmodels.tsa.statespace.structural import UnobservedComponents

        model = UnobservedComponents(
            z,
            level="local level",
            freq_seasonal=[{"period": 52.18, "harmonics": 2}],
            exog=_exog(name, ends),
        )
        return model.fit(disp=False, maxiter=200)
    raise InvalidArgument.coded(
        "forecast.err.sales_models",
        "`models` must be among {models}. Got {got!r}.",
        models=", ".join(MODELS),
        got=name,
    )


class SalesForecast:
    """Weekly invoicing forecast (model chosen by back-test) and the collections it brings.

    Settings: `weeks`, `models` (candidates from MODELS), `folds` (back-test
    origins, 13 weeks apart), `n_sims`, `seed`. After fit: `model_` (chosen
    name), `scores_` (name -> back-test WAPE %, NaN if it failed),
    `history_`, `forecast_` (frames in the module doc), `samples_` (new-sales
    collections per simulation x week, cents).
    """

    def __init__(
        self,
        weeks: int = 13,
        models: tuple[str, ...] = MODELS,
        folds: int = 3,
        n_sims: int = 1000,
        seed: int = 0,
    ) -> None:
        self.weeks = check_weeks(weeks)
        unknown = [m for m in models if m not in MODELS]
        if unknown:
            raise InvalidArgument.coded(
                "forecast.err.sales_models",
                "`models` must be among {models}. Got {got!r}.",
                models=", ".join(MODELS),
                got=unknown,
            )
        self.models = tuple(models)
        self.folds = int(folds)
        self.n_sims = int(n_sims)
        self.seed = seed

    def fit(
        self, ledger: Ledger, as_of: DateLike, *, timing: Timing | None = None
    ) -> SalesForecast:
        day = day_number(as_of)
        history = weekly_sales(ledger, as_of)
        y = history["sales_cents"].to_numpy(dtype=np.float64)
        ends = np.array([day_number(d) for d in history["week_end"]], dtype=np.int64)
        self.scores_ = self._scores(y, ends)
        finite = {k: v for k, v in self.scores_.items() if np.isfinite(v)}
        self.model_ = min(finite, key=finite.__getitem__) if finite else NAIVE
        try:
            mean, sd = fit_predict(self.model_, y, ends, self.weeks)
        except Exception:  # a model that fails on the full series falls back to the baseline
            self.model_ = NAIVE
            mean, sd = fit_predict(NAIVE, y, ends, self.weeks)
        if timing is None:
            timing = PaymentTiming(reference="invoice").fit(ledger, as_of)
        pay = timing.daily_probabilities(timing.book_curve_, 7 * self.weeks)
        matrix = collection_matrix(pay, self.weeks)
        z = np.random.default_rng(self.seed).standard_normal(self.n_sims)[:, None]
        sales_sims = np.maximum(mean[None, :] + z * sd[None, :], 0.0)
        self.samples_ = sales_sims @ matrix.T
        self.sales_samples_ = sales_sims
        self.pay_daily_ = pay
        self.history_ = history
        self.forecast_ = _forecast_frame(day, self.weeks, mean, sd, matrix, self.samples_)
        self.as_of_ = day
        return self

    def _scores(self, y: np.ndarray, ends: np.ndarray) -> dict[str, float]:
        h = 13
        candidates = (NAIVE, *self.models) if len(y) >= _MIN_WEEKS + h else (NAIVE,)
        scores = {}
        for name in candidates:
            errors, totals = 0.0, 0.0
            try:
                for j in range(self.folds, 0, -1):
                    cut = len(y) - j * h
                    if cut < (_MIN_WEEKS if name != NAIVE else 1):
                        continue
                    mean, _ = fit_predict(name, y[:cut], ends[:cut], h)
                    errors += float(np.abs(y[cut : cut + h] - mean).sum())
                    totals += float(y[cut : cut + h].sum())
                scores[name] = errors / totals * 100 if totals > 0 else np.nan
            except Exception:  # noqa: BLE001 - a candidate that cannot fit is not chosen
                scores[name] = np.nan
        return scores

    @property
    def weekly_(self) -> pd.DataFrame:
        if not hasattr(self, "forecast_"):
            raise NotFitted.coded(
                "forecast.err.sales_not_fitted",
                "SalesForecast is not fitted: call fit(ledger, as_of) first.",
            )
        return self.forecast_


def collection_matrix(pay_daily: np.ndarray, weeks: int) -> np.ndarray:
    """M[k, j]: share of week j's sales collected in week k (sales spread over j's 7 days).

    `pay_daily[d]` = P(paid d days after the invoice date), d = 0..7*weeks.
    """
    days = 7 * weeks
    m = np.zeros((weeks, weeks))
    for j in range(weeks):
        for s in range(7):
            sale_day = 7 * j + s + 1  # day after as_of
            lags = np.arange(0, days - sale_day + 1)
            pay_days = sale_day + lags
            week = (pay_days - 1) // 7
            np.add.at(m[:, j], week, pay_daily[lags] / 7)
    return m


def _forecast_frame(
    day: int, weeks: int, mean: np.ndarray, sd: np.ndarray, matrix: np.ndarray, samples: np.ndarray
) -> pd.DataFrame:
    frame = week_bounds(day_to_timestamp(day), weeks)
    frame["sales_cents"] = np.rint(mean).astype(np.int64)
    frame["sales_p10_cents"] = np.rint(np.maximum(mean - _Z90 * sd, 0)).astype(np.int64)
    frame["sales_p90_cents"] = np.rint(mean + _Z90 * sd).astype(np.int64)
    frame["collections_cents"] = np.rint(matrix @ mean).astype(np.int64)
    q = np.quantile(samples, [0.1, 0.9], axis=0)
    frame["collections_p10_cents"] = np.rint(q[0]).astype(np.int64)
    frame["collections_p90_cents"] = np.rint(q[1]).astype(np.int64)
    return frame


def sales_backtest_row(
    ledger: Ledger, origin: int, weeks: int, previous: str | None
) -> tuple[dict, str | None]:
    """Sales WAPE of the chosen model and of seasonal naive at one origin (actual invoicing)."""
    model = SalesForecast(weeks=weeks, folds=2, n_sims=100).fit(
        ledger, day_to_timestamp(origin), timing=_NoTiming()
    )
    future = weekly_sales(ledger, day_to_timestamp(origin + 7 * weeks), max_weeks=weeks)
    actual = future["sales_cents"].to_numpy(dtype=np.float64)
    history = model.history_["sales_cents"].to_numpy(dtype=np.float64)
    naive = seasonal_naive(history, weeks)
    total = actual.sum()
    row = {
        "sales_model": model.model_,
        "sales_wape": float(np.abs(actual - model.forecast_["sales_cents"]).sum() / total * 100)
        if total > 0
        else None,
        "sales_baseline_wape": float(np.abs(actual - naive).sum() / total * 100)
        if total > 0
        else None,
    }
    return row, model.model_


class _NoTiming:
    """Stands in for a fitted timing when only the sales figures are wanted."""

    book_curve_ = 0

    def daily_probabilities(self, curve: int, days: int) -> np.ndarray:
        return np.zeros(days + 1)
