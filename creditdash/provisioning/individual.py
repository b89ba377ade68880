"""Customers provided for individually (单项计提; table `individual_provisions`,
creditdash.store.terms_models). `creditdash.provisioning.provision` takes them out of the
provision matrix.

Every addition, change and removal is checked against the actor's role and
recorded in the audit trail (creditdash.audit) in the same transaction: who,
when, the entry before and after.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from creditdash import audit
from creditdash.auth import Actor, authorise
from creditdash.errors import InvalidArgument, NotFound
from creditdash.store.terms_models import IndividualProvision

INDIVIDUAL_COLUMNS = ["customer_id", "rate", "reason", "created_at", "who"]
# individual assessments (单项计提) are credit decisions: the credit manager's role
INDIVIDUAL_PERMISSION = "edit_policy"
INDIVIDUAL_ADDED = "individual_provision_added"
INDIVIDUAL_CHANGED = "individual_provision_changed"
INDIVIDUAL_REMOVED = "individual_provision_removed"


def set_individual(
    engine: Engine, customer_id: str, rate: float, reason: str, *, actor: Actor
) -> None:
    """Provide for `customer_id` individually at `rate` (0..1) for `reason`; replaces an earlier entry.

    `actor` must be allowed to edit the credit policy (creditdash.auth); the
    addition or change is audited with the entry before and after.
    """
    authorise(actor, INDIVIDUAL_PERMISSION)
    customer_id = str(customer_id or "").strip()
    if not customer_id:
        raise InvalidArgument.coded(
            "terms.err.customer_empty", "`customer_id` must name the customer assessed."
        )
    if not 0 <= rate <= 1:
        raise InvalidArgument.coded(
            "terms.err.share",
            "`{name}` must be a share between 0 and 1. Got {value!r}.",
            name="rate",
            value=rate,
        )
    if not (reason or "").strip():
        raise InvalidArgument.coded(
            "terms.err.reason_empty", "`reason` must say why the customer is assessed individually."
        )
    value = Decimal(str(round(float(rate), 6)))
    with Session(engine) as s, s.begin():
        row = s.get(IndividualProvision, customer_id)
        before = None if row is None else _entry(row)
        if row is None:
            row = IndividualProvision(customer_id=customer_id, rate=value, reason=reason.strip())
            s.add(row)
        row.rate, row.reason, row.created_at, row.who = value, reason.strip(), _now(), actor.who
        s.flush()
        audit.record(
            s.connection(),
            actor.who,
            INDIVIDUAL_ADDED if before is None else INDIVIDUAL_CHANGED,
            "customer",
            customer_id,
            before=before,
            after=_entry(row),
            detail=row.reason,
        )


def list_individual(engine: Engine) -> pd.DataFrame:
    """Individually assessed customers: customer_id, rate (float), reason, created_at, who."""
    with Session(engine) as s:
        rows = s.scalars(select(IndividualProvision).order_by(IndividualProvision.customer_id))
        records = [(r.customer_id, float(r.rate), r.reason, r.created_at, r.who) for r in rows]
    return pd.DataFrame.from_records(records, columns=INDIVIDUAL_COLUMNS)


def remove_individual(engine: Engine, customer_id: str, *, actor: Actor) -> None:
    """Return `customer_id` to the provision matrix (role-checked and audited like `set_individual`)."""
    authorise(actor, INDIVIDUAL_PERMISSION)
    with Session(engine) as s, s.begin():
        row = s.get(IndividualProvision, customer_id)
        if row is None:
            raise NotFound.coded(
                "terms.err.not_individual",
                "Customer {customer!r} is not assessed individually.",
                customer=customer_id,
            )
        before = _entry(row)
        s.delete(row)
        s.flush()
        audit.record(
            s.connection(),
            actor.who,
            INDIVIDUAL_REMOVED,
            "customer",
            customer_id,
            before=before,
            after=None,
        )


def _entry(row: IndividualProvision) -> dict[str, object]:
    """What the audit trail keeps of an individual assessment."""
    return {"rate": float(row.rate), "reason": row.reason}


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
