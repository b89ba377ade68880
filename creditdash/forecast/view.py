"""What the Forecast page and the forecast command read besides the ledger's forecast.

`open_promises` is the open promises to pay among collectors' records, judged at
as_of and weighted by each customer's keeping rate, ready for
`creditdash.forecast.promises.with_promises`; `stored_promises` reads them from the
store under the credit policy in force.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from creditdash.ledger import DateLike, Ledger


def open_promises(
    ledger: Ledger, promises: pd.DataFrame, as_of: DateLike, grace_days: int = 3
) -> pd.DataFrame:
    """What the open promises (`collections.records.promises` rows) still bring at as_of:
    `collections.promises.promised_payments` of them judged with `grace_days`."""
    from creditdash.collections.promises import judge_promises, promised_payments

    return promised_payments(judge_promises(ledger, promises, as_of, grace_days))


def stored_promises(engine: Engine, ledger: Ledger, as_of: DateLike) -> pd.DataFrame:
    """The open promises in the store at as_of (`collections.promises.open_promises`: one row
    per promise: customer_id, promised_date, remaining_cents, invoice_ids, keeping_rate),
    judged with the grace days of the credit policy in force."""
    from creditdash.collections import records
    from creditdash.risk.dunning import dunning_of
    from creditdash.risk.policy_store import current_policy

    grace = int(dunning_of(current_policy(engine).policy).get("promise_grace_days", 3))
    return open_promises(ledger, records.promises(engine), as_of, grace)
