"""Customer risk: features at an as-of date, scorecard, PD model, limits, policy, rules,
penalties and rewards, credit holds and order checks, third-party reports (see each
module's docstring)."""

from creditdash.risk.assess import (
    assess,
    grade_summary,
    output_rows,
    risk_table,
    score_history,
    watchlist,
)
from creditdash.risk.features import features_at
from creditdash.risk.holds import apply_action, check_order, credit_statuses, release
from creditdash.risk.pd_model import PDModel, fit_pd_model, training_design
from creditdash.risk.penalties import penalties_at
from creditdash.risk.policy import DEFAULT_POLICY, check_policy, default_policy
from creditdash.risk.scorecard import explain, score_customers
from creditdash.risk.validation import pd_backtest

__all__ = [
    "DEFAULT_POLICY",
    "PDModel",
    "apply_action",
    "assess",
    "check_order",
    "check_policy",
    "credit_statuses",
    "default_policy",
    "explain",
    "features_at",
    "fit_pd_model",
    "grade_summary",
    "output_rows",
    "pd_backtest",
    "penalties_at",
    "release",
    "risk_table",
    "score_customers",
    "score_history",
    "training_design",
    "watchlist",
]
