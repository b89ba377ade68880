"""Internal view against third-party view: where they disagree, and exposure above outside limits."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from creditdash.risk.policy import grade_names
from creditdash.risk.scorecard import grade_of

GRADE_GAP = 2


def disagreements(table: pd.DataFrame, policy: Mapping) -> pd.DataFrame:
    """Customers with a third-party report: customer_id, customer_name, grade (internal),
    score, bureau_provider, bureau_score (0-100), bureau_grade (that score read on the
    policy's grade bands), grade_gap (bureau minus internal, in grades: > 0 the outside
    view is worse), exposure_cents, above_bureau_limit_cents, above_insured_cents,
    disagree (|gap| >= 2 or exposure above an outside limit). Biggest disagreement first.
    """
    known = table[table["bureau_score"].notna() | table["bureau_recommended_limit_cents"].notna()
                  | table["bureau_insured_limit_cents"].notna()].copy()  # fmt: skip
    names = grade_names(policy)
    rank = {g: i for i, g in enumerate(names)}
    score = known["bureau_score"].to_numpy(dtype=float)
    # numpy reads None as an object scalar; its stubs accept no None here
    bureau_grade = np.where(np.isnan(score), None, grade_of(np.nan_to_num(score), policy))  # type: ignore[call-overload]
    gap = [
        np.nan if b is None else rank[b] - rank[g]
        for b, g in zip(bureau_grade, known["grade"], strict=True)
    ]
    exposure = known["exposure_cents"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "customer_id": known["customer_id"].to_numpy(),
            "customer_name": known["customer_name"].to_numpy(),
            "grade": known["grade"].to_numpy(),
            "score": known["score"].to_numpy(),
            "bureau_provider": known["bureau_provider"].to_numpy(),
            "bureau_score": score,
            "bureau_grade": bureau_grade,
            "grade_gap": np.array(gap, dtype=float),
            "exposure_cents": exposure.astype(np.int64),
            "above_bureau_limit_cents": _above(exposure, known["bureau_recommended_limit_cents"]),
            "above_insured_cents": _above(exposure, known["bureau_insured_limit_cents"]),
        }
    )
    out["disagree"] = (
        (np.abs(np.nan_to_num(out["grade_gap"])) >= GRADE_GAP)
        | (out["above_bureau_limit_cents"] > 0)
        | (out["above_insured_cents"] > 0)
    )
    order = np.argsort(-np.abs(np.nan_to_num(out["grade_gap"].to_numpy())), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def _above(exposure: np.ndarray, limit: pd.Series) -> np.ndarray:
    cap = limit.astype("float64").to_numpy(na_value=np.nan)
    return np.where(np.isnan(cap), 0, np.clip(exposure - np.nan_to_num(cap), 0, None)).astype(
        np.int64
    )
