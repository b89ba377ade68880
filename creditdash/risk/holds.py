"""Credit holds: a credit manager applies a watchlist action to a customer or releases it.

A customer's credit status is the newest row of `risk_credit_holds` for it:

warn             warned (the warning acknowledged): orders go ahead
hold             new orders are held
cash_in_advance  new orders only against payment in advance
(none)           no row yet, or the newest row is a release

Applying and releasing need the `set_credit_status` permission (credit
manager) and a reason; each change is a new row and an audit entry. The
watchlist marks each alert `applied` when the customer's status is at least
as severe as the alert's action, else `due`.

`check_order` is what an order-entry system asks before it accepts an order:

prepay  the status is cash in advance
hold    the status is hold, or exposure + the order exceeds the credit limit
        (an approved limit request over the customer master)
allow   otherwise (no limit on record means no limit check)

Its reason comes as a catalogue key (`risk.order.<code>`, ORDER_TEXTS in
English) with the figures that fill it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from creditdash import audit
from creditdash.auth import Actor, authorise
from creditdash.errors import InvalidArgument, NotFound
from creditdash.ledger import DateLike, Ledger
from creditdash.risk.policy import ACTION_SEVERITY
from creditdash.store.models import Customer
from creditdash.store.risk_models import CreditHold

HOLD_ACTIONS = ("warn", "hold", "cash_in_advance")
RELEASE = "release"
STATES = ("due", "applied")
DECISIONS = ("allow", "hold", "prepay")
STATUS_COLUMNS = ["customer_id", "status", "reason", "rule", "decided_by", "decided_at"]
HISTORY_COLUMNS = ["hold_id", "customer_id", "action", "reason", "rule", "decided_by",
                   "decided_at"]  # fmt: skip
ORDER_TEXTS = {
    "prepay_status": "Cash in advance: the customer's credit status asks for payment "
    "before delivery ({reason}).",
    "hold_status": "New orders are on hold for this customer ({reason}).",
    "over_limit": "Exposure {exposure} + this order {amount} = {after}, over the credit "
    "limit {limit} by {over}.",
    "within_limit": "Exposure {exposure} + this order {amount} = {after}, within the credit "
    "limit {limit}.",
    "no_limit": "No credit limit on record; exposure after this order {after}.",
    "warned": "Warned ({reason}); exposure {exposure} + this order {amount} = {after}, "
    "within the credit limit {limit}.",
}


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _reason(reason: str) -> str:
    if not reason or not str(reason).strip():
        raise InvalidArgument.coded(
            "risk.error.empty",
            "`{what}` must not be empty: a credit decision needs it on record.",
            what="reason",
        )
    return str(reason).strip()


def _status(s: Session, customer_id: str) -> str:
    newest = s.scalars(
        select(CreditHold.action)
        .where(CreditHold.customer_id == customer_id)
        .order_by(CreditHold.hold_id.desc())
        .limit(1)
    ).first()
    return "" if newest in (None, RELEASE) else newest


def _change(
    engine: Engine, customer_id: str, action: str, reason: str, actor: Actor, rule: str | None
) -> int:
    authorise(actor, "set_credit_status")
    reason = _reason(reason)
    with Session(engine) as s, s.begin():
        if s.get(Customer, customer_id) is None:
            raise NotFound.coded(
                "risk.error.customer_missing",
                "Customer {customer!r} is not in the customer master.",
                customer=customer_id,
            )
        before = _status(s, customer_id)
        if action == RELEASE and not before:
            raise InvalidArgument.coded(
                "risk.error.nothing_to_release",
                "Customer {customer} has no credit action to release.",
                customer=customer_id,
            )
        if action == before:
            raise InvalidArgument.coded(
                "risk.error.status_unchanged",
                "Customer {customer} already has the credit status {status}; nothing changes.",
                customer=customer_id,
                status=action,
            )
        row = CreditHold(
            customer_id=customer_id,
            action=action,
            reason=reason,
            rule=rule or None,
            decided_by=actor.who,
            decided_at=_now(),
        )
        s.add(row)
        s.flush()
        audit.record(
            s.connection(),
            actor.who,
            "credit_status_released" if action == RELEASE else "credit_status_applied",
            "customer",
            customer_id,
            before={"status": before or None},
            after={"status": None if action == RELEASE else action, "rule": rule or None},
            detail=reason,
        )
        return int(row.hold_id)


def apply_action(
    engine: Engine,
    customer_id: str,
    action: str,
    reason: str,
    actor: Actor,
    *,
    rule: str | None = None,
) -> int:
    """`actor` sets the customer's credit status to `action` (HOLD_ACTIONS), with a reason and
    the watchlist rule that prompted it; audited. Returns the new row's id."""
    if action not in HOLD_ACTIONS:
        raise InvalidArgument.coded(
            "risk.error.hold_action",
            "`action` must be one of {actions}. Got {value!r}.",
            actions=", ".join(HOLD_ACTIONS),
            value=action,
        )
    return _change(engine, customer_id, action, reason, actor, rule)


def release(engine: Engine, customer_id: str, reason: str, actor: Actor) -> int:
    """`actor` clears the customer's credit status, with a reason; audited. Returns the new row's
    id."""
    return _change(engine, customer_id, RELEASE, reason, actor, None)


def status_history(engine: Engine, customer_id: str | None = None) -> pd.DataFrame:
    """Every change, newest first (HISTORY_COLUMNS); one customer's when `customer_id`."""
    query = select(*(getattr(CreditHold, c) for c in HISTORY_COLUMNS)).order_by(
        CreditHold.hold_id.desc()
    )
    if customer_id is not None:
        query = query.where(CreditHold.customer_id == customer_id)
    with Session(engine) as s:
        rows = s.execute(query).all()
    frame = pd.DataFrame.from_records(rows, columns=HISTORY_COLUMNS)
    text = ["customer_id", "action", "reason", "rule", "decided_by"]
    return frame.astype(
        {"hold_id": "int64", "decided_at": "datetime64[us]"} | dict.fromkeys(text, "object")
    )


def credit_statuses(engine: Engine) -> pd.DataFrame:
    """Customers with a credit status now (STATUS_COLUMNS), one row each, by customer_id."""
    history = status_history(engine)
    newest = history.drop_duplicates("customer_id", keep="first")
    active = newest[newest["action"] != RELEASE].rename(columns={"action": "status"})
    return active[STATUS_COLUMNS].sort_values("customer_id").reset_index(drop=True)


def status_of(statuses: pd.DataFrame, customer_ids: pd.Series) -> pd.Series:
    """The status of each id ("" for none), same index as `customer_ids`."""
    found = dict(zip(statuses["customer_id"], statuses["status"], strict=True))
    return pd.Series(
        [found.get(c, "") for c in customer_ids], index=customer_ids.index, dtype="str"
    )


def with_status(table: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """`table` (one row per customer) with `credit_status` ("" for none)."""
    return table.assign(credit_status=status_of(statuses, table["customer_id"]))


def mark_watchlist(hits: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """`hits` (a watchlist) with the customer's `credit_status` and `state`: applied when
    that status is at least as severe as the alert's hold action, else due."""
    status = status_of(statuses, hits["customer_id"])
    held = status.map(ACTION_SEVERITY).fillna(-1).to_numpy()
    wanted = hits["action"].map(ACTION_SEVERITY).to_numpy(dtype=float)
    holdable = hits["action"].isin(HOLD_ACTIONS).to_numpy()
    state = np.where(holdable & (held >= wanted), "applied", "due")
    return hits.assign(credit_status=status, state=state)


def due_action(hits: pd.DataFrame, customer_id: str) -> tuple[str, str] | None:
    """(action, rule) of the customer's most severe alert that is `due` (a marked
    watchlist, most severe first), or None when nothing is due."""
    mine = hits[
        (hits["customer_id"] == customer_id)
        & (hits["state"] == "due")
        & hits["action"].isin(HOLD_ACTIONS)
    ]
    if mine.empty:
        return None
    top = mine.sort_values("severity", ascending=False, kind="stable").iloc[0]
    return str(top["action"]), str(top["rule"])


@dataclass(frozen=True)
class OrderDecision:
    """The answer to an order: `decision` (DECISIONS), `code` (ORDER_TEXTS key) and the
    `params` filling its text (money there in currency units, formatted), the credit
    status, and the figures in cents."""

    decision: str
    code: str
    status: str
    exposure_cents: int
    amount_cents: int
    limit_cents: int | None
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def exposure_after_cents(self) -> int:
        return self.exposure_cents + self.amount_cents

    @property
    def reason(self) -> str:
        """The reason in English."""
        return ORDER_TEXTS[self.code].format(**self.params)


def _money(cents: int) -> str:
    return f"{cents / 100:,.2f}"


def check_order(
    engine: Engine,
    customer_id: str,
    amount_cents: int,
    as_of: DateLike,
    *,
    ledger: Ledger | None = None,
    currency: str = "CNY",
) -> OrderDecision:
    """Whether a new order of `amount_cents` for the customer may go ahead at as_of.

    `ledger` is the stored ledger (loaded from `engine` in `currency` when not given);
    exposure is the customer's receivables at as_of (`features_at`), the limit the
    latest approved limit request or else the customer master's.
    """
    from creditdash.risk.features import features_at
    from creditdash.risk.requests import approved_limits
    from creditdash.store import load_ledger

    whole = isinstance(amount_cents, int | np.integer) and not isinstance(amount_cents, bool)
    if not whole or amount_cents < 0:
        raise InvalidArgument.coded(
            "risk.error.order_amount",
            "`amount` must be a whole number of cents >= 0. Got {value!r}.",
            value=amount_cents,
        )
    ledger = ledger if ledger is not None else load_ledger(engine, currency)
    master = ledger.customers[ledger.customers["customer_id"] == customer_id]
    if master.empty:
        raise NotFound.coded(
            "risk.error.customer_missing",
            "Customer {customer!r} is not in the customer master.",
            customer=customer_id,
        )
    features = features_at(ledger, as_of)
    mine = features.loc[features["customer_id"] == customer_id, "exposure_cents"]
    exposure = int(mine.iloc[0]) if len(mine) else 0
    limit = approved_limits(engine).get(customer_id)
    if limit is None and not pd.isna(master["credit_limit_cents"].iloc[0]):
        limit = int(master["credit_limit_cents"].iloc[0])
    with Session(engine) as s:
        status = _status(s, customer_id)
        why = ""
        if status:
            why = s.scalars(
                select(CreditHold.reason)
                .where(CreditHold.customer_id == customer_id)
                .order_by(CreditHold.hold_id.desc())
                .limit(1)
            ).one()
    return _decide(status, why, exposure, int(amount_cents), limit)


def _decide(status: str, why: str, exposure: int, amount: int, limit: int | None) -> OrderDecision:
    after = exposure + amount
    params = {"reason": why, "exposure": _money(exposure), "amount": _money(amount),
              "after": _money(after), "limit": "-" if limit is None else _money(limit),
              "over": "-" if limit is None else _money(max(after - limit, 0))}  # fmt: skip
    if status == "cash_in_advance":
        decision, code = "prepay", "prepay_status"
    elif status == "hold":
        decision, code = "hold", "hold_status"
    elif limit is not None and after > limit:
        decision, code = "hold", "over_limit"
    elif limit is None:
        decision, code = "allow", "no_limit"
    else:
        decision, code = "allow", "warned" if status == "warn" else "within_limit"
    return OrderDecision(decision, code, status, exposure, amount, limit, params)
