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
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Engine

import creditdash.collections.records as records
from creditdash.aging import open_items
from creditdash.collections.open_figures import customer_figures, item_rows, ledger_rows
from creditdash.collections.promises import judge_promises, latest_status
from creditdash.collections.stages import pending_cover, stage_items
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
    and exposure is the customer's open items. `items` is `aging.open_items(ledger,
    as_of)` when the caller has it already; without it the open items are read from
    the ledger's arrays and never made a frame.
    """
    rows = ledger_rows(ledger, as_of) if items is None else item_rows(items)
    dunning = inputs.dunning
    judged = judge_promises(ledger, inputs.promises, as_of, dunning.get("promise_grace_days", 3))
    customers = rows.customers
    lookup = _ByCustomer(customers["customer_id"])
    grades = _grades(lookup, risk)
    status = latest_status(judged).set_index("customer_id")
    promise_status = lookup(status["promise_status"]).fillna("").astype("str")
    broken = promise_status.isin(BROKEN).to_numpy()
    paused_invoices, paused_customers = pending_cover(judged)
    figures = customer_figures(
        rows,
        dunning,
        grades,
        disputed_ids=set(records.open_disputes_at(inputs.disputes, as_of)["invoice_id"]),
        paused_invoices=paused_invoices,
        paused_customers=paused_customers,
        sent=inputs.sent,
    )
    keep = figures.present & (
        (figures.overdue > 0) | figures.due_now | (broken & (figures.balance > 0))
    )
    chosen = np.flatnonzero(keep)
    table = pd.DataFrame(
        {
            **{name: customers[name].take(chosen).reset_index(drop=True)
               for name in ("customer_id", "customer_name", "salesperson", "region", "segment")},
            "overdue_cents": figures.overdue[chosen],
            "days_past_due_max": figures.worst[chosen],
            "weighted_overdue": figures.weighted[chosen],
            "balance_cents": figures.balance[chosen],
            "disputed_cents": figures.in_dispute[chosen],
            "next_stage": pd.Series(figures.next_stage[chosen], dtype="str"),
            "next_stage_date": figures.next_stage_date[chosen],
            "due_now": figures.due_now[chosen],
            "next_action": pd.Series(figures.next_action[chosen], dtype="str"),
            "grade": pd.Series(grades[chosen], dtype="str"),
            "promise_status": promise_status.take(chosen).reset_index(drop=True),
            "broken_promise": broken[chosen],
        }
    )  # fmt: skip
    table = _with_risk(table, risk, lookup, chosen)
    table = _with_records(table, status, inputs, as_of, lookup, chosen)
    table = _ranked(table)
    options = {name: sorted(v for v in pd.unique(table[name]) if v) for name in FILTERS}
    chosen_values = {"collector": collector, "salesperson": salesperson, "region": region,
                     "grade": grade}  # fmt: skip
    for name, value in chosen_values.items():
        if value is not None and value != "":
            wanted = value.strip().lower() if name == "collector" else value
            table = table[table[name] == wanted]
    notes = []
    if risk is None or risk["pd"].isna().all():
        notes.append(Text("collections.note.no_pd"))
    return Worklist(table[WORKLIST_COLUMNS].reset_index(drop=True), options, notes)


class _ByCustomer:
    """Figures kept by customer id (records, the risk table) looked up per customer code."""

    def __init__(self, ids: pd.Series) -> None:
        self.ids = _arrow_text(ids)

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, keys: pd.Index | pd.Series) -> np.ndarray:
        """Per customer code: the position of its id in `keys` (the first, when repeated),
        -1 when it is not there."""
        # index_in gives the first position of a value the set repeats
        found = pc.index_in(self.ids, value_set=_arrow_text(pd.Series(keys)))
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)

    def __call__(
        self, values: pd.Series, codes: np.ndarray | None = None, rows: np.ndarray | None = None
    ) -> pd.Series:
        """`values` (indexed by customer id; the first of a repeated id counts) for each
        customer code in `codes` (default: every code); NA where there is none. `rows` is
        `self.rows(values.index)` when the caller has it. Index 0..len-1."""
        rows = self.rows(values.index) if rows is None else rows
        if codes is not None:
            rows = rows[codes]
        return values.reset_index(drop=True).reindex(rows).reset_index(drop=True)


def _arrow_text(values: pd.Series) -> pa.Array:
    """Ids as one pyarrow string array (missing ones null)."""
    text = pa.array(values.astype("str"), type=pa.large_string(), from_pandas=True)
    return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text


def _grades(lookup: _ByCustomer, risk: pd.DataFrame | None) -> np.ndarray:
    """Each customer's grade in the risk table, "" for none (per code)."""
    if risk is None or not len(risk):
        return np.full(len(lookup), "", dtype=object)
    info = risk.set_index("customer_id")["grade"]
    return lookup(info).fillna("").astype("str").to_numpy(dtype=object)


def _with_risk(
    table: pd.DataFrame, risk: pd.DataFrame | None, lookup: _ByCustomer, codes: np.ndarray
) -> pd.DataFrame:
    if risk is None or not len(risk):
        table["pd"] = np.nan
        table["exposure_cents"] = table["balance_cents"]
    else:
        rows = lookup.rows(risk["customer_id"])
        info = risk.set_index("customer_id")
        table["pd"] = lookup(info["pd"], codes, rows).astype("float64").to_numpy()
        exposure = lookup(info["exposure_cents"], codes, rows).astype("float64")
        table["exposure_cents"] = exposure.fillna(table["balance_cents"]).astype(np.int64)
    loss = table["pd"].to_numpy() * table["exposure_cents"].clip(lower=0).to_numpy()
    table["expected_loss_cents"] = np.rint(np.nan_to_num(loss)).astype(np.int64)
    return table


def _with_records(
    table: pd.DataFrame,
    status: pd.DataFrame,
    inputs: CollectionsInputs,
    as_of: DateLike,
    lookup: _ByCustomer,
    codes: np.ndarray,
) -> pd.DataFrame:
    for name in ("open_promises", "promised_cents"):
        found = pd.Series(lookup(status[name], codes), dtype="float64")
        table[name] = found.fillna(0).astype(np.int64).to_numpy()
    open_now = records.open_disputes_at(inputs.disputes, as_of)
    counts = pd.Series(lookup(open_now["customer_id"].value_counts(), codes), dtype="float64")
    table["open_disputes"] = counts.fillna(0).astype(np.int64).to_numpy()
    day = pd.Timestamp(as_of)
    seen = inputs.contacts[inputs.contacts["contact_date"] <= day]
    seen = seen.sort_values(["contact_date", "contact_id"], ascending=False, kind="stable")
    last = seen.drop_duplicates("customer_id").set_index("customer_id")
    when = lookup(last["contact_date"].astype("datetime64[us]"), codes)
    table["last_contact"] = pd.to_datetime(when).astype("datetime64[us]").to_numpy()
    for name, column in (("last_contact_kind", "kind"), ("last_contact_outcome", "outcome")):
        table[name] = lookup(last[column], codes).fillna("").astype("str").to_numpy()
    table["collector"] = records.collectors_of(table, inputs.assignments).to_numpy()
    statuses = inputs.statuses.set_index("customer_id")["status"]
    table["credit_status"] = lookup(statuses, codes).fillna("").astype("str").to_numpy()
    return table


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    # Arrow sorts text by its UTF-8 bytes, which is the order of its code points (Python's).
    by_id = np.empty(len(table), dtype=np.int64)
    by_id[pc.sort_indices(_arrow_text(table["customer_id"])).to_numpy()] = np.arange(len(table))
    order = np.lexsort(
        (
            by_id,
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
