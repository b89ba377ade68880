"""Saving credit-term scenarios and individually assessed provisions (tables in terms_models)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from creditdash.errors import InvalidArgument, NotFound
from creditdash.store.terms_models import IndividualProvision, TermsScenario

SCENARIO_COLUMNS = ["name", "inputs", "created_at", "who"]
INDIVIDUAL_COLUMNS = ["customer_id", "rate", "reason", "created_at", "who"]


def save_scenario(engine: Engine, name: str, inputs: dict, who: str = "local") -> None:
    """Store `inputs` (a JSON-able dict) under `name`, replacing a scenario of that name."""
    name = (name or "").strip()
    if not name:
        raise InvalidArgument("`name` of a scenario must not be empty.")
    if len(name) > 200:
        raise InvalidArgument(
            f"`name` of a scenario must be at most 200 characters. Got {len(name)}."
        )
    text = json.dumps(inputs, sort_keys=True, ensure_ascii=False)
    with Session(engine) as s, s.begin():
        row = s.scalars(select(TermsScenario).where(TermsScenario.name == name)).one_or_none()
        if row is None:
            s.add(TermsScenario(name=name, inputs=text, created_at=_now(), who=who))
        else:
            row.inputs, row.created_at, row.who = text, _now(), who


def list_scenarios(engine: Engine) -> pd.DataFrame:
    """Saved scenarios, newest first: name, inputs (dict), created_at, who."""
    with Session(engine) as s:
        rows = s.scalars(select(TermsScenario).order_by(TermsScenario.created_at.desc())).all()
        records = [(r.name, json.loads(r.inputs), r.created_at, r.who) for r in rows]
    return pd.DataFrame.from_records(records, columns=SCENARIO_COLUMNS)


def load_scenario(engine: Engine, name: str) -> dict:
    """The inputs saved under `name`; NotFound when there is none."""
    with Session(engine) as s:
        row = s.scalars(select(TermsScenario).where(TermsScenario.name == name)).one_or_none()
        if row is None:
            raise NotFound(f"No saved scenario is named {name!r}.")
        return json.loads(row.inputs)


def delete_scenario(engine: Engine, name: str) -> None:
    with Session(engine) as s, s.begin():
        done = s.execute(delete(TermsScenario).where(TermsScenario.name == name))
        if done.rowcount == 0:
            raise NotFound(f"No saved scenario is named {name!r}.")


def set_individual(
    engine: Engine, customer_id: str, rate: float, reason: str, who: str = "local"
) -> None:
    """Provide for `customer_id` individually at `rate` (0..1) for `reason` (replaces an earlier entry)."""
    if not 0 <= rate <= 1:
        raise InvalidArgument(f"`rate` must be a share between 0 and 1. Got {rate!r}.")
    if not (reason or "").strip():
        raise InvalidArgument("`reason` must say why the customer is assessed individually.")
    value = Decimal(str(round(float(rate), 6)))
    with Session(engine) as s, s.begin():
        row = s.get(IndividualProvision, customer_id)
        if row is None:
            s.add(
                IndividualProvision(
                    customer_id=customer_id,
                    rate=value,
                    reason=reason.strip(),
                    created_at=_now(),
                    who=who,
                )
            )
        else:
            row.rate, row.reason, row.created_at, row.who = value, reason.strip(), _now(), who


def list_individual(engine: Engine) -> pd.DataFrame:
    """Individually assessed customers: customer_id, rate (float), reason, created_at, who."""
    with Session(engine) as s:
        rows = s.scalars(select(IndividualProvision).order_by(IndividualProvision.customer_id))
        records = [(r.customer_id, float(r.rate), r.reason, r.created_at, r.who) for r in rows]
    return pd.DataFrame.from_records(records, columns=INDIVIDUAL_COLUMNS)


def remove_individual(engine: Engine, customer_id: str) -> None:
    with Session(engine) as s, s.begin():
        done = s.execute(
            delete(IndividualProvision).where(IndividualProvision.customer_id == customer_id)
        )
        if done.rowcount == 0:
            raise NotFound(f"Customer {customer_id!r} is not assessed individually.")


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
