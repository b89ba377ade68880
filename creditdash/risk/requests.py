"""Limit change requests: submit, approve or reject with a reason (the audit trail).

Each decision is a new `risk_limit_decisions` row; the request row keeps
its latest status for quick listing. An approved request's limit is the
customer's limit from then on (`approved_limits`), over the master data.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from creditdash import audit
from creditdash.auth import Actor, authorise
from creditdash.errors import InvalidArgument, NotFound
from creditdash.money import cents_to_decimal
from creditdash.store.risk_models import LimitDecision, LimitRequest

STATUSES = ("pending", "approved", "rejected")


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _need(text: str, what: str) -> str:
    if not text or not str(text).strip():
        raise InvalidArgument.coded(
            "risk.error.empty",
            "`{what}` must not be empty: a credit decision needs it on record.",
            what=what,
        )
    return str(text).strip()


def submit_request(
    engine: Engine,
    customer_id: str,
    requested_limit_cents: int,
    reason: str,
    actor: Actor,
    current_limit_cents: int | None = None,
) -> int:
    """Record a request for a new limit by `actor` (audited); returns its id."""
    who = authorise(actor, "request_limit").who
    if requested_limit_cents < 0:
        raise InvalidArgument.coded(
            "risk.error.requested_limit",
            "`requested_limit` must be >= 0. Got {value:,.2f}.",
            value=requested_limit_cents / 100,
        )
    row = LimitRequest(
        customer_id=_need(customer_id, "customer_id"),
        current_limit=None
        if current_limit_cents is None
        else cents_to_decimal(current_limit_cents),
        requested_limit=cents_to_decimal(int(requested_limit_cents)),
        reason=_need(reason, "reason"),
        requested_by=who,
        requested_at=_now(),
        status="pending",
    )
    with Session(engine) as s, s.begin():
        s.add(row)
        s.flush()
        audit.record(
            s.connection(),
            who,
            "limit_requested",
            "customer",
            row.customer_id,
            before={"limit": None if current_limit_cents is None else current_limit_cents / 100},
            after={"requested_limit": requested_limit_cents / 100, "request_id": row.request_id},
            detail=row.reason,
        )
        return int(row.request_id)


def decide_request(
    engine: Engine, request_id: int, approve: bool, reason: str, actor: Actor
) -> str:
    """`actor` approves or rejects a pending request, with a reason (audited); returns the new
    status."""
    who = authorise(actor, "decide_limit").who
    reason = _need(reason, "reason")
    status = "approved" if approve else "rejected"
    with Session(engine) as s, s.begin():
        row = s.get(LimitRequest, request_id)
        if row is None:
            raise NotFound.coded(
                "risk.error.request_missing", "Limit request #{id} does not exist.", id=request_id
            )
        if row.status != "pending":
            raise InvalidArgument.coded(
                "risk.error.request_decided",
                "Limit request #{id} is already {status}; only a pending request can be "
                "decided. Submit a new request instead.",
                id=request_id,
                status=row.status,
            )
        when = _now()
        row.status, row.decided_by, row.decided_at, row.decision_reason = status, who, when, reason
        s.add(
            LimitDecision(
                request_id=request_id,
                decision=status,
                decided_by=who,
                decided_at=when,
                reason=reason,
            )
        )
        audit.record(
            s.connection(),
            who,
            f"limit_{status}",
            "customer",
            row.customer_id,
            before={"status": "pending", "limit": _money(row.current_limit)},
            after={
                "status": status,
                "limit": _money(row.requested_limit),
                "request_id": request_id,
            },
            detail=reason,
        )
    return status


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 100)


def list_requests(engine: Engine | Connection, customer_id: str | None = None) -> pd.DataFrame:
    """Requests newest first: request_id, customer_id, current_limit_cents,
    requested_limit_cents, reason, requested_by, requested_at, status, decided_by,
    decided_at, decision_reason."""
    query = select(LimitRequest).order_by(LimitRequest.request_id.desc())
    if customer_id is not None:
        query = query.where(LimitRequest.customer_id == customer_id)
    with Session(engine) as s:
        rows = [
            {
                "request_id": r.request_id,
                "customer_id": r.customer_id,
                "current_limit_cents": _cents(r.current_limit),
                "requested_limit_cents": _cents(r.requested_limit),
                "reason": r.reason,
                "requested_by": r.requested_by,
                "requested_at": r.requested_at,
                "status": r.status,
                "decided_by": r.decided_by,
                "decided_at": r.decided_at,
                "decision_reason": r.decision_reason,
            }
            for r in s.scalars(query)
        ]
    columns = [
        "request_id", "customer_id", "current_limit_cents", "requested_limit_cents", "reason",
        "requested_by", "requested_at", "status", "decided_by", "decided_at", "decision_reason",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("current_limit_cents", "requested_limit_cents"):
        frame[col] = frame[col].astype("Int64")
    return frame


def decision_log(engine: Engine) -> pd.DataFrame:
    """Every decision ever taken, oldest first: decision_id, request_id, customer_id,
    decision, decided_by, decided_at, reason, requested_limit_cents."""
    with Session(engine) as s:
        rows = s.execute(
            select(
                LimitDecision.decision_id,
                LimitDecision.request_id,
                LimitRequest.customer_id,
                LimitDecision.decision,
                LimitDecision.decided_by,
                LimitDecision.decided_at,
                LimitDecision.reason,
                LimitRequest.requested_limit,
            )
            .join(LimitRequest, LimitRequest.request_id == LimitDecision.request_id)
            .order_by(LimitDecision.decision_id)
        ).all()
    frame = pd.DataFrame.from_records(
        rows,
        columns=[
            "decision_id", "request_id", "customer_id", "decision", "decided_by", "decided_at",
            "reason", "requested_limit",
        ],
    )  # fmt: skip
    frame["requested_limit_cents"] = frame.pop("requested_limit").map(_cents).astype("Int64")
    return frame


def approved_limits(engine: Engine | Connection) -> dict[str, int]:
    """customer_id -> the limit (cents) of its latest approved request."""
    log = list_requests(engine)
    approved = log[log["status"] == "approved"].sort_values(["decided_at", "request_id"])
    latest = approved.drop_duplicates("customer_id", keep="last")
    return {
        str(c): int(v)
        for c, v in zip(latest["customer_id"], latest["requested_limit_cents"], strict=True)
    }
