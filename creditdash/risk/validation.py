"""Back-testing the PD model and the scorecard on later dates (out of time).

The training dates (month ends whose 12-month outcome is known at the
as-of date) are split in time: the model is fitted on the earlier ones and
judged on the later ones, which it never saw. Outcome windows of the two
sets overlap in calendar time; a strict split would need two years of
outcomes after the first training date.

AUC   probability that a customer who defaulted got a higher PD than one
      who did not (ties count half); 0.5 is a coin toss, 1 perfect
KS    largest gap between the PD distributions of defaulters and the rest
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from creditdash.errors import InsufficientHistory
from creditdash.ledger import DateLike, Ledger
from creditdash.risk.outcomes import training_dates
from creditdash.risk.pd_model import PDModel, training_design
from creditdash.risk.policy import grade_names
from creditdash.risk.scorecard import score_customers


def auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve by the rank-sum (Mann-Whitney) formula; None if one class is empty."""
    y = np.asarray(labels, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = pd.Series(np.asarray(scores, dtype=float)).rank(method="average").to_numpy()
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def ks(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """Kolmogorov-Smirnov statistic between the scores of positives and negatives (0..1)."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=float)
    if y.all() or not y.any():
        return None
    grid = np.unique(s)
    pos = np.searchsorted(np.sort(s[y]), grid, side="right") / y.sum()
    neg = np.searchsorted(np.sort(s[~y]), grid, side="right") / (~y).sum()
    return float(np.max(np.abs(pos - neg)))


@dataclass(frozen=True)
class Backtest:
    """Out-of-time results.

    auc, ks            of the PD model on the test rows
    scorecard_auc      of (100 - score) on the same rows, for comparison
    calibration        per grade: grade, rows, predicted (mean PD), observed (default rate)
    by_date            per test date: as_of, rows, defaults, auc
    train_dates, test_dates, model
    """

    auc: float | None
    ks: float | None
    scorecard_auc: float | None
    calibration: pd.DataFrame
    by_date: pd.DataFrame
    train_dates: list[pd.Timestamp]
    test_dates: list[pd.Timestamp]
    model: PDModel
    test_rows: pd.DataFrame


def pd_backtest(
    ledger: Ledger,
    as_of: DateLike,
    policy: Mapping,
    bureau: pd.DataFrame | None = None,
    *,
    train_share: float = 0.6,
    horizon_days: int = 365,
) -> Backtest:
    """Fit on the earlier training dates, score the later ones (see the module docstring)."""
    dates = list(training_dates(ledger, as_of, horizon_days=horizon_days))
    if len(dates) < 3:
        raise InsufficientHistory.coded(
            "risk.error.backtest_dates",
            "A back-test needs at least 3 month ends with 12 months of outcome after them "
            "and 6 months of history before; up to {as_of} there are {dates}.",
            as_of=f"{pd.Timestamp(as_of):%Y-%m-%d}",
            dates=len(dates),
        )
    cut = min(max(2, round(len(dates) * train_share)), len(dates) - 1)
    design = training_design(ledger, dates, horizon_days=horizon_days, bureau=bureau)
    train = design[design["as_of"].isin(dates[:cut])]
    test = design[design["as_of"].isin(dates[cut:])].reset_index(drop=True)
    model = PDModel().fit(train)
    test = test.assign(pd=model.predict(test).to_numpy())
    scored = score_customers(test, policy)
    test = test.assign(score=scored["score"].to_numpy(), grade=scored["grade"].to_numpy())
    y = test["defaulted"].to_numpy(dtype=bool)
    return Backtest(
        auc=auc(y, test["pd"].to_numpy()),
        ks=ks(y, test["pd"].to_numpy()),
        scorecard_auc=auc(y, 100 - test["score"].to_numpy()),
        calibration=calibration_by_grade(test, policy),
        by_date=_by_date(test),
        train_dates=list(dates[:cut]),
        test_dates=list(dates[cut:]),
        model=model,
        test_rows=test[["as_of", "customer_id", "score", "grade", "pd", "defaulted"]],
    )


def calibration_by_grade(rows: pd.DataFrame, policy: Mapping) -> pd.DataFrame:
    """grade, rows, predicted (mean pd), observed (share defaulted), in grade order."""
    grouped = rows.groupby("grade", observed=True).agg(
        rows=("pd", "size"), predicted=("pd", "mean"), observed=("defaulted", "mean")
    )
    grades = [g for g in grade_names(policy) if g in grouped.index]
    return grouped.reindex(grades).reset_index()


def _by_date(test: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for date, part in test.groupby("as_of"):
        y = part["defaulted"].to_numpy(dtype=bool)
        rows.append(
            {
                "as_of": date,
                "rows": len(part),
                "defaults": int(y.sum()),
                "auc": auc(y, part["pd"].to_numpy()),
            }
        )
    return pd.DataFrame(rows)
