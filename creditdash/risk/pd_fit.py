"""The numerics under the PD model: screening inputs, a ridge logistic fit, Platt scaling.

All functions take plain arrays or frames and know nothing of ledgers.

screen_inputs   which columns can enter a fit: enough values, not constant, not a
                linear combination of the columns kept before it (a greedy rank test,
                the same answer a pivoted QR gives for columns in this order)
ridge_logit     logistic regression with an L2 penalty on the standardised
                coefficients (the intercept is not penalised), by Newton's method;
                the penalty keeps the fit finite when a column nearly separates the
                outcome or two columns nearly repeat each other
sandwich        the cluster-robust covariance of that fit (customers repeat over dates)
platt           a + b * logit: the map from a model's score to calibrated odds
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from creditdash.i18n import Text

MIN_PRESENT_SHARE = 0.25  # a column with fewer values than this share of the rows is left out
COLLINEAR_R2 = 1 - 1e-6  # explained by the kept columns at least this well: collinear
MAX_NEWTON = 100
TOLERANCE = 1e-9
PLATT_PENALTY = 1e-3


@dataclass(frozen=True)
class Screened:
    """The outcome of `screen_inputs`: the columns kept (in order), each column's fill
    value, and (feature, reason) for every column left out, the reason an `i18n.Text`."""

    kept: list[str]
    fills: dict[str, float]
    dropped: list[tuple[str, Text]]


def screen_inputs(
    raw: pd.DataFrame,
    fills: dict[str, float | None],
    *,
    min_present_share: float = MIN_PRESENT_SHARE,
) -> Screened:
    """Screen the columns of `raw` (one row per observation, NaN = unknown) for a fit.

    `fills` gives each column's value for a missing one; None fills with the median
    of the values present. Columns are tried in order, so a later column that repeats
    an earlier one is the one left out.
    """
    n = len(raw)
    kept: list[str] = []
    used: dict[str, float] = {}
    dropped: list[tuple[str, Text]] = []
    basis = np.ones((n, 1))
    for name in raw.columns:
        values = raw[name].to_numpy(dtype=float)
        present = int(np.isfinite(values).sum())
        if present < max(1.0, min_present_share * n):
            dropped.append((name, _why("missing", present=present, rows=n)))
            continue
        fill = fills.get(name)
        fill = float(np.nanmedian(values)) if fill is None else float(fill)
        x = np.where(np.isfinite(values), values, fill)
        if np.ptp(x) == 0:
            dropped.append((name, _why("constant", value=f"{x[0]:g}")))
            continue
        if _explained(basis, x) >= COLLINEAR_R2:
            other = max(kept, key=lambda k: abs(np.corrcoef(x, basis[:, kept.index(k) + 1])[0, 1]))
            dropped.append((name, _why("collinear", other=Text(f"risk.var.{other}"))))
            continue
        kept.append(name)
        used[name] = fill
        basis = np.column_stack([basis, x])
    return Screened(kept, used, dropped)


def _why(reason: str, **params: object) -> Text:
    return Text(f"risk.pd.dropped.{reason}", params)


def _explained(basis: np.ndarray, x: np.ndarray) -> float:
    """R² of x regressed on the columns of `basis` (which include the intercept)."""
    centred = x - x.mean()
    total = float(centred @ centred)
    coef, *_ = np.linalg.lstsq(basis, x, rcond=None)
    residual = x - basis @ coef
    return 1.0 - float(residual @ residual) / total


@dataclass(frozen=True)
class RidgeFit:
    """A fitted ridge logistic regression on standardised columns.

    coef[0] is the intercept, coef[1:] the per-unit coefficients of the columns
    on their own scale; `cov` is their cluster-robust covariance (same order).
    """

    coef: np.ndarray
    cov: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    iterations: int

    def linear(self, x: np.ndarray) -> np.ndarray:
        """The linear predictor (log-odds) for rows of x (same columns as the fit)."""
        return self.coef[0] + np.asarray(x, dtype=float) @ self.coef[1:]


def ridge_logit(x: np.ndarray, y: np.ndarray, groups: np.ndarray, penalty: float) -> RidgeFit:
    """Maximise sum log-likelihood - penalty / 2 * |beta_std|^2 over the standardised columns.

    x: (rows, columns) floats without an intercept; y: 0/1; groups: cluster codes
    (0..k-1) for the covariance. Coefficients are returned on the columns' own scale.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    z = np.column_stack([np.ones(len(x)), (x - mean) / scale])
    ridge = np.full(z.shape[1], float(penalty))
    ridge[0] = 0.0
    beta = np.zeros(z.shape[1])
    rate = np.clip(y.mean(), 1e-6, 1 - 1e-6)
    beta[0] = np.log(rate / (1 - rate))
    iterations = 0
    while iterations < MAX_NEWTON:
        iterations += 1
        p = _sigmoid(z @ beta)
        gradient = z.T @ (y - p) - ridge * beta
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(ridge)
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < TOLERANCE:
            break
    p = _sigmoid(z @ beta)
    hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(ridge)
    cov_std = sandwich(z, y - p, groups, hessian, ridge * beta)
    # back to the columns' own scale: beta_x = beta_z / scale, intercept absorbs the means
    to_raw = np.eye(z.shape[1])
    to_raw[1:, 1:] = np.diag(1 / scale)
    to_raw[0, 1:] = -mean / scale
    return RidgeFit(to_raw @ beta, to_raw @ cov_std @ to_raw.T, mean, scale, iterations)


def sandwich(
    z: np.ndarray, residual: np.ndarray, groups: np.ndarray, hessian: np.ndarray, shrink: np.ndarray
) -> np.ndarray:
    """H^-1 (sum over clusters of s_g s_g') H^-1 with s_g a cluster's penalised score.

    Each cluster carries its share of the penalty's gradient (`shrink`), so the scores
    sum to zero at the optimum, as in the unpenalised case. A small-sample factor
    g / (g - 1) is applied, as statsmodels does for clustered errors.
    """
    codes = np.asarray(groups)
    k = int(codes.max()) + 1 if len(codes) else 0
    scores = np.zeros((k, z.shape[1]))
    np.add.at(scores, codes, z * residual[:, None])
    scores -= shrink / max(k, 1)
    meat = scores.T @ scores * (k / max(k - 1, 1))
    bread = np.linalg.inv(hessian)
    return bread @ meat @ bread


def platt(score: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(a, b) of the logistic fit y ~ a + b * score: Platt's calibration map.

    A token penalty (PLATT_PENALTY) keeps b finite when the score separates y perfectly.
    """
    x = np.asarray(score, dtype=float)[:, None]
    fit = ridge_logit(x, y, np.zeros(len(y), dtype=int), PLATT_PENALTY)
    return float(fit.coef[0]), float(fit.coef[1])


def _sigmoid(eta: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(eta, -35, 35)))


def sigmoid(eta: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-eta)), safe for large |eta|."""
    return _sigmoid(np.asarray(eta, dtype=float))
