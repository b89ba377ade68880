"""Saved credit-term scenarios (table `terms_scenarios`, creditdash.store.terms_models).

Every save or removal of a scenario is checked against the actor's role and
recorded in the audit trail (creditdash.audit) in the same transaction:
who, when, the inputs before and after.
"""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from creditdash import audit
from creditdash.auth import Actor, authorise
from creditdash.errors import InvalidArgument, NotFound
from creditdash.store.terms_models import TermsScenario

SCENARIO_COLUMNS = ["name", "inputs", "created_at", "who"]
SCENARIO_SAVED = "scenario_saved"
SCENARIO_DELETED = "scenario_deleted"


def save_scenario(engine: Engine, name: str, inputs: dict, actor: Actor) -> None:
    """Store `inputs` (a JSON-able dict) under `name`, replacing a scenario of that name.

    `actor` must be allowed to save scenarios (creditdash.auth); the save is audited.
    """
    who = authorise(actor, "save_scenario").who
    name = (name or "").strip()
    if not name:
        raise InvalidArgument.coded(
            "terms.err.name_empty", "`name` of a scenario must not be empty."
        )
    if len(name) > 200:
        raise InvalidArgument.coded(
            "terms.err.name_long",
            "`name` of a scenario must be at most 200 characters. Got {length}.",
            length=len(name),
        )
    text = json.dumps(inputs, sort_keys=True, ensure_ascii=False)
    with Session(engine) as s, s.begin():
        row = s.scalars(select(TermsScenario).where(TermsScenario.name == name)).one_or_none()
        before = None if row is None else json.loads(row.inputs)
        if row is None:
            s.add(TermsScenario(name=name, inputs=text, created_at=_now(), who=who))
        else:
            row.inputs, row.created_at, row.who = text, _now(), who
        s.flush()
        audit.record(s.connection(), who, SCENARIO_SAVED, "terms_scenario", name,
                     before=before, after=inputs)  # fmt: skip


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
            raise NotFound.coded(
                "terms.err.no_scenario", "No saved scenario is named {name!r}.", name=name
            )
        return json.loads(row.inputs)


def delete_scenario(engine: Engine, name: str, actor: Actor) -> None:
    """Remove the scenario `name`; `actor` must be allowed to save scenarios; audited."""
    who = authorise(actor, "save_scenario").who
    with Session(engine) as s, s.begin():
        row = s.scalars(select(TermsScenario).where(TermsScenario.name == name)).one_or_none()
        if row is None:
            raise NotFound.coded(
                "terms.err.no_scenario", "No saved scenario is named {name!r}.", name=name
            )
        before = json.loads(row.inputs)
        s.delete(row)
        s.flush()
        audit.record(s.connection(), who, SCENARIO_DELETED, "terms_scenario", name,
                     before=before)  # fmt: skip


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
