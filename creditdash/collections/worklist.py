"""The collections worklist at an as-of date: who to call first and what is due.

One row per customer with something to do: an undisputed overdue amount, a
dunning stage due (a courtesy reminder before the due date counts), or a
broken promise while money is still owed. Rows are ordered by priority:

1. a broken promise first (the customer's latest promise is broken or partly kept);
2. then expected loss = PD x exposure (the risk model's PD; without one, 0);
3. then overdue weighted by days past due (sum of outstanding x dpd over the
   undisputed overdue items);
4. then the overdue amount, then the customer id.

`priority` is the row's rank (1 = call first). Disputed invoices stay out of
the overdue, the stages and the weights; their open amount is in `disputed_cents`.

WORKLIST_COLUMNS (money in int64 cents):

priority, customer_id, customer_name, collector (email, "" for none),
salesperson, region, segment, grade, overdue_cents, days_past_due_max,
expected_loss_cents, pd, exposure_cents, weighted_overdue (cent-days),
disputed_cents, next_stage, next_stage_date (when it became or becomes due),
next_action ("email+call", ...), due_now (a stage is due at as_of),
promise_status, open_promises, promised_cents, broken_promise, open_disputes,
last_contact (date), last_contact_kind, last_contact_outcome, credit_status
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from creditdash.aging import open_items
from creditdash.collections import records
from creditdash.collections.promises import judge_promises, latest_status
from creditdash.collections.stages import pending_cover, stage_items, strategies_of
from creditdash.i18n import Text
from creditdash.ledger import DateLike, Ledger
from creditdash.risk.dunning import dunning_of

WORKLIST_COLUMNS = [
    "priority", "customer_id", "customer_name", "collector", "salesperson", "region",
    "segment", "grade", "overdue_cents", "days_past_due_max", "expected_loss_cents", "pd",
    "exposure_cents", "weighted_overdue", "disputed_cents", "next_stage", "next_stage_date",
    "next_action", "due_now", "promise_status", "open_promises", "promised_cents",
    "broken_promise", "open_disputes", "last_contact", "last_contact_kind",
    "last_contact_outcome", "credit_status",
]  # fmt: skip
FILTERS = ("collector", "salesperson", "region", "grade")
BROKEN = ("broken", "partly_kept")


@dataclass(frozen=True, eq=False)
class CollectionsInputs:
    """What the collections views read besides the ledger: the policy in force and what
    collectors recorded (frames of `creditdash.collections.records`), the dunning log and
    each customer's credit status (`creditdash.risk.holds.credit_statuses`)."""

    policy: Mapping
    promises: pd.DataFrame
    disputes: pd.DataFrame
    contacts: pd.DataFrame
    assignments: pd.DataFrame
    sent: pd.DataFrame
    statuses: pd.DataFrame

    @property
    def dunning(self) -> dict:
        return dunning_of(self.policy)

    @classmethod
    def empty(cls, policy: Mapping) -> CollectionsInputs:
        """Nothing recorded yet, under `policy` (for tests and a ledger without a store)."""

        def frame(columns: list[str]) -> pd.DataFrame:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})

        return cls(
            policy=policy,
            promises=frame(records.PROMISE_COLUMNS),
            disputes=frame(records.DISPUTE_COLUMNS),
            contacts=frame(records.CONTACT_COLUMNS),
            assignments=frame(records.ASSIGNMENT_COLUMNS),
            sent=frame(records.SENT_COLUMNS),
            statuses=frame(["customer_id", "status"]),
        )


def collections_inputs(engine: Engine, policy: Mapping | None = None) -> CollectionsInputs:
    """The stored records and the policy in force (or `policy`)."""
    from creditdash.risk.holds import credit_statuses
    from creditdash.risk.policy_store import current_policy

    chosen = policy if policy is not None else current_policy(engine).policy
    return CollectionsInputs(
        policy=chosen,
        promises=records.promises(engine),
        disputes=records.disputes(engine),
        contacts=records.contacts(engine),
        assignments=records.assignments(engine),
        sent=records.sent_items(engine),
        statuses=credit_statuses(engine),
    )


@dataclass(frozen=True, eq=False)
class Worklist:
    """The worklist (WORKLIST_COLUMNS, by priority), the values each filter offers
    (over the whole worklist, before filtering), totals of the rows shown and notes
    (i18n Texts) on what the figures rest on."""

    rows: pd.DataFrame
    options: dict[str, list[str]] = field(default_factory=dict)
    notes: list[Text] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        rows = self.rows
        return {
            "customers": len(rows),
            "overdue_cents": int(rows["overdue_cents"].sum()),
            "expected_loss_cents": int(rows["expected_loss_cents"].sum()),
            "disputed_cents": int(rows["disputed_cents"].sum()),
            "broken_promises": int(rows["broken_promise"].sum()),
            "due_now": int(rows["due_now"].sum()),
        }


def staged_items(
    ledger: Ledger,
    as_of: DateLike,
    inputs: CollectionsInputs,
    risk: pd.DataFrame | None = None,
    *,
    items: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(open items with their stages (`stages.stage_items`), the judged promises).

    `items` is `aging.open_items(ledger, as_of)` when the caller has it already.
    """
    dunning = inputs.dunning
    items = open_items(ledger, as_of) if items is None else items
    judged = judge_promises(ledger, inputs.promises, as_of, dunning.get("promise_grace_days", 3))
    paused_invoices, paused_customers = pending_cover(judged)
    open_now = records.open_disputes_at(inputs.disputes, as_of)
    grades = None
    if risk is not None and len(risk):
        grades = risk.drop_duplicates("customer_id").set_index("customer_id")["grade"]
    staged = stage_items(
        items,
        as_of,
        dunning,
        grades=grades,
        disputed_ids=set(open_now["invoice_id"]),
        paused_invoices=paused_invoices,
        paused_customers=paused_customers,
        sent=inputs.sent,
    )
    return staged, judged


def worklist(
    ledger: Ledger,
    as_of: DateLike,
    inputs: CollectionsInputs,
    risk: pd.DataFrame | None = None,
    *,
    collector: str | None = None,
    salesperson: str | None = None,
    region: str | None = None,
    grade: str | None = None,
    items: pd.DataFrame | None = None,
) -> Worklist:
    """The worklist at as_of (see the module docstring), filtered to the values given.

    `risk` has customer_id, grade, pd and exposure_cents per customer (the risk
    table of `creditdash.risk.assess`); without it no customer has a grade or a PD
    and exposure is the customer's open items.
    """
    staged, judged = staged_items(ledger, as_of, inputs, risk, items=items)
    table = _per_customer(staged, as_of, inputs.dunning)
    table = _with_risk(table, risk)
    table = _with_records(table, judged, inputs, as_of)
    keep = (
        (table["overdue_cents"] > 0)
        | table["due_now"]
        | (table["broken_promise"] & (table["balance_cents"] > 0))
    )
    table = _ranked(table[keep])
    options = {name: sorted(v for v in pd.unique(table[name]) if v) for name in FILTERS}
    chosen = {"collector": collector, "salesperson": salesperson, "region": region,
              "grade": grade}  # fmt: skip
    for name, value in chosen.items():
        if value is not None and value != "":
            wanted = value.strip().lower() if name == "collector" else value
            table = table[table[name] == wanted]
    notes = []
    if risk is None or risk["pd"].isna().all():
        notes.append(Text("collections.note.no_pd"))
    return Worklist(table[WORKLIST_COLUMNS].reset_index(drop=True), options, notes)


def _per_customer(staged: pd.DataFrame, as_of: DateLike, dunning: Mapping) -> pd.DataFrame:
    """One row per customer with open items: amounts, days and the next stage."""
    codes, customers = pd.factorize(staged["customer_id"], sort=True)
    k = len(customers)
    outstanding = staged["outstanding_cents"].to_numpy(dtype=np.int64)
    dpd = staged["dpd"].to_numpy(dtype=np.int64)
    disputed = staged["disputed"].to_numpy(dtype=bool)
    counted = ~disputed & (dpd > 0)
    overdue = np.bincount(codes, weights=np.where(counted, outstanding, 0), minlength=k)
    weighted = np.bincount(codes, weights=np.where(counted, outstanding * dpd, 0.0), minlength=k)
    worst = np.full(k, 0, dtype=np.int64)
    positive = counted & (outstanding > 0)
    np.maximum.at(worst, codes[positive], dpd[positive])
    balance = np.bincount(codes, weights=outstanding, minlength=k)
    in_dispute = np.bincount(codes, weights=np.where(disputed, outstanding, 0), minlength=k)
    first = pd.Series(np.arange(len(staged))).groupby(codes).first().to_numpy()
    head = staged.iloc[first]
    table = pd.DataFrame(
        {
            "customer_id": customers.astype("str"),
            "customer_name": head["customer_name"].to_numpy(),
            "salesperson": head["salesperson"].to_numpy(),
            "region": head["region"].to_numpy(),
            "segment": head["segment"].to_numpy(),
            "strategy_id": head["strategy_id"].to_numpy(),
            "overdue_cents": np.rint(overdue).astype(np.int64),
            "days_past_due_max": worst,
            "weighted_overdue": weighted,
            "balance_cents": np.rint(balance).astype(np.int64),
            "disputed_cents": np.rint(in_dispute).astype(np.int64),
            "open_exposure_cents": np.rint(balance).astype(np.int64),
        }
    )
    return table.join(_next_stages(staged, codes, k, as_of, dunning))


def _next_stages(
    staged: pd.DataFrame, codes: np.ndarray, k: int, as_of: DateLike, dunning: Mapping
) -> pd.DataFrame:
    """Per customer: the most advanced stage due now, else the earliest one coming."""
    by_id = {s.id: s for s in strategies_of(dunning)}
    due = staged["due"].to_numpy(dtype=bool)
    days = staged["stage_days"].to_numpy(dtype=np.int64)
    reached_on = staged["due_date"].to_numpy(dtype="datetime64[D]") + days.astype("timedelta64[D]")
    frame = pd.DataFrame({"code": codes, "due": due, "days": days, "stage": staged["stage"],
                          "reached_on": reached_on, "next": staged["next_stage"],
                          "next_on": staged["next_stage_date"],
                          "dunnable": staged["dunnable"].to_numpy(dtype=bool),
                          "strategy": staged["strategy_id"]})  # fmt: skip
    stage = np.full(k, "", dtype=object)
    when = np.full(k, np.datetime64("NaT"), dtype="datetime64[us]")
    now = np.zeros(k, dtype=bool)
    action = np.full(k, "", dtype=object)
    coming = frame[frame["dunnable"] & frame["next"].ne("")].sort_values(["code", "next_on"])
    coming = coming.drop_duplicates("code")
    stage[coming["code"]] = coming["next"].to_numpy()
    when[coming["code"]] = coming["next_on"].to_numpy(dtype="datetime64[us]")
    strategy = np.full(k, "", dtype=object)
    strategy[coming["code"]] = coming["strategy"].to_numpy()
    due_rows = frame[frame["due"]].sort_values(["code", "days", "reached_on"],
                                               ascending=[True, False, True])  # fmt: skip
    due_rows = due_rows.drop_duplicates("code")
    stage[due_rows["code"]] = due_rows["stage"].to_numpy()
    when[due_rows["code"]] = due_rows["reached_on"].to_numpy(dtype="datetime64[us]")
    strategy[due_rows["code"]] = due_rows["strategy"].to_numpy()
    now[due_rows["code"]] = True
    actions = {(s, st.id): "+".join(st.actions) for s, spec in by_id.items() for st in spec.stages}
    named = np.flatnonzero(stage != "")
    action[named] = [actions[(strategy[i], stage[i])] for i in named]
    return pd.DataFrame({"next_stage": stage, "next_stage_date": when, "due_now": now,
                         "next_action": action})  # fmt: skip


def _with_risk(table: pd.DataFrame, risk: pd.DataFrame | None) -> pd.DataFrame:
    if risk is None or not len(risk):
        table["grade"] = ""
        table["pd"] = np.nan
        table["exposure_cents"] = table["open_exposure_cents"]
    else:
        info = risk.drop_duplicates("customer_id").set_index("customer_id")
        ids = table["customer_id"]
        table["grade"] = ids.map(info["grade"]).fillna("").astype("str")
        table["pd"] = ids.map(info["pd"]).astype("float64")
        exposure = ids.map(info["exposure_cents"]).astype("float64")
        table["exposure_cents"] = exposure.fillna(table["open_exposure_cents"]).astype(np.int64)
    loss = table["pd"].to_numpy() * table["exposure_cents"].clip(lower=0).to_numpy()
    table["expected_loss_cents"] = np.rint(np.nan_to_num(loss)).astype(np.int64)
    return table


def _lookup(ids: pd.Series, values: pd.Series) -> np.ndarray:
    """`values` (indexed by customer id) for each of `ids`; missing ones are NA."""
    values = values[~values.index.duplicated()]
    return values.reindex(pd.Index(ids.astype("str"))).to_numpy()


def _with_records(
    table: pd.DataFrame, judged: pd.DataFrame, inputs: CollectionsInputs, as_of: DateLike
) -> pd.DataFrame:
    ids = table["customer_id"]
    status = latest_status(judged).set_index("customer_id")
    table["promise_status"] = pd.Series(_lookup(ids, status["promise_status"])).fillna("")
    table["promise_status"] = table["promise_status"].astype("str").to_numpy()
    for name in ("open_promises", "promised_cents"):
        found = pd.Series(_lookup(ids, status[name]), dtype="float64")
        table[name] = found.fillna(0).astype(np.int64).to_numpy()
    table["broken_promise"] = table["promise_status"].isin(BROKEN).to_numpy()
    open_now = records.open_disputes_at(inputs.disputes, as_of)
    counts = pd.Series(_lookup(ids, open_now["customer_id"].value_counts()), dtype="float64")
    table["open_disputes"] = counts.fillna(0).astype(np.int64).to_numpy()
    day = pd.Timestamp(as_of)
    seen = inputs.contacts[inputs.contacts["contact_date"] <= day]
    seen = seen.sort_values(["contact_date", "contact_id"], ascending=False, kind="stable")
    last = seen.drop_duplicates("customer_id").set_index("customer_id")
    when = pd.Series(_lookup(ids, last["contact_date"].astype("datetime64[us]")))
    table["last_contact"] = pd.to_datetime(when).astype("datetime64[us]").to_numpy()
    for name, column in (("last_contact_kind", "kind"), ("last_contact_outcome", "outcome")):
        table[name] = pd.Series(_lookup(ids, last[column])).fillna("").astype("str").to_numpy()
    table["collector"] = records.collectors_of(table, inputs.assignments).to_numpy()
    statuses = inputs.statuses.set_index("customer_id")["status"]
    table["credit_status"] = pd.Series(_lookup(ids, statuses)).fillna("").astype("str").to_numpy()
    return table


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    order = np.lexsort(
        (
            table["customer_id"].to_numpy(dtype=object),
            -table["overdue_cents"].to_numpy(dtype=np.float64),
            -table["weighted_overdue"].to_numpy(dtype=np.float64),
            -table["expected_loss_cents"].to_numpy(dtype=np.float64),
            ~table["broken_promise"].to_numpy(dtype=bool),
        )
    )
    out = table.iloc[order].reset_index(drop=True)
    out.insert(0, "priority", np.arange(1, len(out) + 1, dtype=np.int64))
    return out


def worklist_rows(rows: pd.DataFrame) -> list[dict]:
    """The command line's rows: money in currency units, dates as ISO text, empty as None."""
    out = []
    for record in rows.to_dict("records"):
        row = {}
        for key, value in record.items():
            name = key.removesuffix("_cents")
            if key.endswith("_cents"):
                value = round(value / 100, 2)
            elif isinstance(value, pd.Timestamp):
                value = value.date().isoformat()
            if value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
                value = None
            row[name] = value
        out.append(row)
    return json.loads(json.dumps(out, default=_plain))


def _plain(value: object) -> object:
    item = getattr(value, "item", None)
    return item() if callable(item) else str(value)
