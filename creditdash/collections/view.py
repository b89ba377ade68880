"""What the Collections page shows of one customer, and disputed amounts for the aging.

`customer_view` gathers, at an as-of date, a customer's open items with their
dunning stage, its statement, contacts, promises (judged), disputes, what
was sent, and its row of the worklist, so that a page only renders it.

`customer_letter` is the dunning letter of the most advanced stage a customer's
dunnable invoices have reached (sent or not), for the page to offer as a document.

`disputed_amounts` is the open amount of disputed invoices per customer (the
ledger's disputed flag or a dispute open at as_of), for the aging to show
apart from what is collectable.

`assignments_view` is who collects from whom: each customer's and each
salesperson's collector, each customer's letter language, and the users who
may collect, for the screen on which a credit manager assigns them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import creditdash.collections.records as records
from creditdash.aging import open_items
from creditdash.collections.documents import (
    NO_LETTERHEAD,
    Letter,
    Letterhead,
    Statement,
    make_letter,
    statements_at,
)
from creditdash.collections.mail import addresses
from creditdash.collections.promises import keeping_rates, rate_of
from creditdash.collections.worklist import CollectionsInputs, staged_items, worklist
from creditdash.errors import NotFound
from creditdash.ledger import DateLike, Ledger

ASSIGNED_COLUMNS = ["customer_id", "customer_name", "salesperson", "collector", "own_collector",
                    "salesperson_collector", "language", "own_language"]  # fmt: skip
SALESPEOPLE_COLUMNS = ["salesperson", "customers", "collector"]
DISPUTED_COLUMNS = ["customer_id", "customer_name", "disputed_cents", "disputed_items",
                    "recorded_cents"]  # fmt: skip


@dataclass(frozen=True, eq=False)
class CustomerView:
    """One customer at as_of. Frames: `items` (open items with their stage, see
    `stages.stage_items`), `contacts`, `promises` (judged), `disputes` (open and
    resolved), `sent` (invoice_id, stage_id, channel, send_id, sent_at);
    `row` is the customer's worklist row (None when nothing is to do); `choices` are what
    the record forms offer: contact kinds, dispute reasons, resolutions, the open invoices
    and the invoices with a dispute not yet resolved (`open_disputes`)."""

    customer_id: str
    customer_name: str
    as_of: pd.Timestamp
    language: str
    collector: str
    emails: list[str]
    bad_emails: list[str]
    credit_status: str
    keeping_rate: float
    statement: Statement
    items: pd.DataFrame
    contacts: pd.DataFrame
    promises: pd.DataFrame
    disputes: pd.DataFrame
    sent: pd.DataFrame
    row: dict | None = None
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)


def customer_view(
    ledger: Ledger,
    as_of: DateLike,
    inputs: CollectionsInputs,
    customer_id: str,
    risk: pd.DataFrame | None = None,
    *,
    letterhead: Letterhead = NO_LETTERHEAD,
) -> CustomerView:
    """The customer's view at as_of (see CustomerView); NotFound for an unknown id."""
    master = ledger.customers[ledger.customers["customer_id"] == customer_id]
    if master.empty:
        raise NotFound.coded(
            "collections.error.customer_missing",
            "Customer {customer!r} is not in the stored ledger.",
            customer=customer_id,
        )
    items = open_items(ledger, as_of)
    staged, judged = staged_items(ledger, as_of, inputs, risk, items=items)
    mine = staged[staged["customer_id"] == customer_id].reset_index(drop=True)
    open_now = records.open_disputes_at(inputs.disputes, as_of)
    statement = statements_at(ledger, as_of, inputs.policy, [customer_id],
                              disputed_ids=set(open_now["invoice_id"]), letterhead=letterhead,
                              items=items)[customer_id]  # fmt: skip
    rows = worklist(ledger, as_of, inputs, risk, items=items).rows
    row = rows[rows["customer_id"] == customer_id]
    good, bad = addresses(master["email"].iloc[0])
    language = records.languages_of(pd.Series([customer_id]), inputs.assignments,
                                    inputs.dunning.get("default_language", "zh")).iloc[0]  # fmt: skip
    first = master.iloc[[0]][["customer_id", "salesperson"]]
    statuses = dict(zip(inputs.statuses["customer_id"], inputs.statuses["status"], strict=True))
    invoice_ids = set(ledger.invoices.loc[ledger.invoices["customer_id"] == customer_id,
                                          "invoice_id"])  # fmt: skip
    return CustomerView(
        customer_id=customer_id,
        customer_name=statement.customer_name,
        as_of=pd.Timestamp(as_of),
        language=str(language),
        collector=str(records.collectors_of(first, inputs.assignments).iloc[0]),
        emails=good,
        bad_emails=bad,
        credit_status=statuses.get(customer_id, ""),
        keeping_rate=float(rate_of(keeping_rates(judged), pd.Series([customer_id])).iloc[0]),
        statement=statement,
        items=mine,
        contacts=inputs.contacts[inputs.contacts["customer_id"] == customer_id].reset_index(
            drop=True
        ),
        promises=judged[judged["customer_id"] == customer_id].reset_index(drop=True),
        disputes=inputs.disputes[inputs.disputes["customer_id"] == customer_id].reset_index(
            drop=True
        ),
        sent=inputs.sent[inputs.sent["invoice_id"].isin(invoice_ids)].reset_index(drop=True),
        row=None if row.empty else row.iloc[0].to_dict(),
        choices={
            "contact_kind": records.CONTACT_KINDS,
            "dispute_reason": records.DISPUTE_REASONS,
            "resolution": records.RESOLUTIONS,
            "invoices": tuple(mine.loc[mine["outstanding_cents"] > 0, "invoice_id"]),
            "open_disputes": tuple(
                inputs.disputes.loc[
                    (inputs.disputes["customer_id"] == customer_id)
                    & inputs.disputes["resolved_on"].isna(),
                    "invoice_id",
                ]
            ),
        },
    )


@dataclass(frozen=True, eq=False)
class Assignments:
    """Who collects from whom. `customers` (ASSIGNED_COLUMNS, by customer id): collector is
    the one who collects (own_collector, the customer's own assignment, else
    salesperson_collector; "" for nobody), language the letters' language (own_language,
    the customer's own setting, "" when it follows the policy's `default_language`).
    `salespeople` (SALESPEOPLE_COLUMNS, by name): each salesperson's collector ("" for none)
    and how many customers it has. `collectors` are the users who may collect (their
    role may record collections), by email; `languages` the languages letters are written in.
    """

    customers: pd.DataFrame
    salespeople: pd.DataFrame
    collectors: tuple[str, ...]
    languages: tuple[str, ...]
    default_language: str


def assignments_view(customers: pd.DataFrame, inputs: CollectionsInputs,
                     users: pd.DataFrame) -> Assignments:  # fmt: skip
    """The Assignments of `customers` (the ledger's customer master: customer_id,
    customer_name, salesperson) under the stored assignments (`inputs.assignments`);
    `users` is the roles table (`auth.list_roles`: email, role)."""
    from creditdash.auth import allows
    from creditdash.risk.dunning import LANGUAGES

    assigned = inputs.assignments
    default = str(inputs.dunning.get("default_language", "zh"))
    master = customers[["customer_id", "customer_name", "salesperson"]].copy()
    master["salesperson"] = master["salesperson"].fillna("").astype("str")
    master = master.sort_values("customer_id", kind="stable").reset_index(drop=True)

    def by(scope: str, column: str, keys: pd.Series) -> pd.Series:
        """The `column` of each key's `scope` assignment ("" where none is set)."""
        rows = assigned[(assigned["scope"] == scope) & assigned[column].notna()]
        found = dict(zip(rows["key"], rows[column], strict=True))
        return pd.Series([str(found.get(k, "")) for k in keys], index=keys.index, dtype="str")

    own = by("customer", "collector", master["customer_id"])
    via = by("salesperson", "collector", master["salesperson"])
    own_language = by("customer", "language", master["customer_id"])
    table = master.assign(
        collector=own.where(own != "", via),
        own_collector=own,
        salesperson_collector=via,
        language=own_language.where(own_language != "", default),
        own_language=own_language,
    )[ASSIGNED_COLUMNS]
    named = master[master["salesperson"] != ""]
    counts = named.groupby("salesperson", sort=True).size()
    salespeople = pd.DataFrame(
        {
            "salesperson": counts.index.astype("str"),
            "customers": counts.to_numpy(dtype="int64"),
            "collector": by("salesperson", "collector", pd.Series(counts.index)).to_numpy(),
        }
    )[SALESPEOPLE_COLUMNS]
    may = [str(e) for e, r in zip(users["email"], users["role"], strict=True)
           if allows(str(r), "record_collection")]  # fmt: skip
    return Assignments(table, salespeople, tuple(sorted(may)), tuple(LANGUAGES), default)


def customer_letter(view: CustomerView, dunning: Mapping, language: str) -> Letter | None:
    """The letter of the most advanced stage reached by the customer's dunnable invoices
    (open, undisputed, under no pending promise), listing every such invoice at that stage,
    in `language`; None when no dunnable invoice has reached a stage. `dunning` is the
    policy's dunning section the view was staged with (`CollectionsInputs.dunning`)."""
    items = view.items
    reached = items[items["dunnable"] & items["stage"].ne("")]
    if reached.empty:
        return None
    top = reached.sort_values(["stage_days", "due_date", "invoice_id"],
                              ascending=[False, True, True], kind="stable").iloc[0]  # fmt: skip
    strategy_id, stage_id = str(top["strategy_id"]), str(top["stage"])
    listed = reached[(reached["strategy_id"] == strategy_id) & (reached["stage"] == stage_id)]
    strategy = next(s for s in dunning["strategies"] if s["id"] == strategy_id)
    stage = next(st for st in strategy["stages"] if st["id"] == stage_id)
    return make_letter(view.statement, tuple(listed["invoice_id"]), stage, strategy_id,
                       dunning["templates"][stage["template"]], language,
                       dunning.get("pay_within_days", 7))  # fmt: skip


def disputed_amounts(
    ledger: Ledger,
    as_of: DateLike,
    disputes: pd.DataFrame | None = None,
    *,
    items: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """DISPUTED_COLUMNS, one row per customer with a disputed open amount at as_of, largest
    first: disputed_cents (open amount of invoices flagged disputed in the ledger or with
    a dispute open at as_of, `records.disputes` rows), disputed_items, recorded_cents (the
    part disputed through a dispute record)."""
    items = open_items(ledger, as_of) if items is None else items
    recorded = set()
    if disputes is not None and len(disputes):
        recorded = set(records.open_disputes_at(disputes, as_of)["invoice_id"])
    by_record = items["invoice_id"].isin(recorded)
    flagged = items["disputed"].to_numpy(dtype=bool) | by_record.to_numpy()
    hit = items[flagged]
    if hit.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c.endswith(("cents", "items"))
                                          else "str") for c in DISPUTED_COLUMNS})  # fmt: skip
    outstanding = hit["outstanding_cents"].to_numpy(dtype="int64")
    hit = hit.assign(recorded_cents=np.where(by_record[flagged].to_numpy(), outstanding, 0))
    # a customer without a name is still a customer: its group is kept (dropna=False)
    grouped = hit.groupby(["customer_id", "customer_name"], sort=False, dropna=False)
    out = pd.DataFrame(
        {
            "disputed_cents": grouped["outstanding_cents"].sum(),
            "disputed_items": grouped.size(),
            "recorded_cents": grouped["recorded_cents"].sum(),
        }
    ).reset_index()
    out = out.astype({"disputed_cents": "int64", "disputed_items": "int64",
                      "recorded_cents": "int64"})  # fmt: skip
    return out.sort_values(["disputed_cents", "customer_id"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)[DISPUTED_COLUMNS]  # fmt: skip
