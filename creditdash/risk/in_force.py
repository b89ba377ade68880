"""What grading a customer reads besides the ledger: the credit policy in force, the
third-party reports and the approved limit requests, as one bundle.

Every view that shows grades or alerts (the Customer risk page, the command line,
the weekly review and its pack, the snapshot taken after an import) grades with the
same bundle, so that on the same day they say the same thing.

    inputs = risk_inputs(engine)
    assess(ledger, as_of, inputs.policy, inputs.bureau, inputs.limits)
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine

from creditdash.risk.bureau import read_reports
from creditdash.risk.policy import default_policy
from creditdash.risk.policy_store import current_policy
from creditdash.risk.requests import approved_limits


@dataclass(frozen=True, eq=False)
class RiskInputs:
    """policy: the policy as canonical JSON text; version: its version in the store (None:
    the default policy, no store); bureau: the stored reports (`read_reports`) or None;
    limits: approved limit requests as sorted (customer_id, cents) pairs."""

    policy: str
    version: int | None = None
    bureau: pd.DataFrame | None = None
    limits: tuple[tuple[str, int], ...] = ()

    @classmethod
    def default(cls) -> RiskInputs:
        """The default policy with no reports and no approved requests (no store)."""
        return cls(json.dumps(default_policy(), ensure_ascii=False, sort_keys=True))


def risk_inputs(engine: Engine | Connection) -> RiskInputs:
    """The policy in force, the stored reports and the approved limits of `engine`'s store."""
    stored = current_policy(engine)
    limits = tuple(sorted(approved_limits(engine).items()))
    return RiskInputs(stored.json, stored.version, read_reports(engine), limits)
