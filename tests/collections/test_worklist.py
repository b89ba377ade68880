"""The worklist: who is on it, in which order, with which columns and filters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.collections.view import disputed_amounts
from creditdash.collections.worklist import WORKLIST_COLUMNS, worklist, worklist_rows
from creditdash.risk.dunning import dunning_of
from creditdash.risk.policy import default_policy
from tests.collections.conftest import (
    AS_OF,
    dispute_rows,
    inputs_with,
    promise_rows,
    sent_rows,
)


def risk(pds: dict[str, float], exposure: dict[str, int] | None = None) -> pd.DataFrame:
    exposure = exposure or {"C1": 1_000_000, "C2": 500_000, "C3": 130_000}
    return pd.DataFrame({"customer_id": list(pds), "grade": "B", "pd": list(pds.values()),
                         "exposure_cents": [exposure[c] for c in pds]})  # fmt: skip


def test_one_row_per_customer_with_something_to_do_and_the_figures_by_hand(company):
    result = worklist(company, AS_OF, inputs_with())
    rows = result.rows.set_index("customer_id")
    assert list(result.rows.columns) == WORKLIST_COLUMNS
    assert set(rows.index) == {"C1", "C2", "C3"}  # C4 owes nothing
    # C1: overdue I12 + I13 + I14 (I11 is not due yet); worst 61 days
    assert rows.loc["C1", "overdue_cents"] == 900_000
    assert rows.loc["C1", "days_past_due_max"] == 61
    assert rows.loc["C1", "weighted_overdue"] == 200_000 * 1 + 300_000 * 20 + 400_000 * 61
    assert rows.loc["C1", "next_stage"] == "final"  # the most advanced stage due now
    assert rows.loc["C1", "next_action"] == "email+letter+hold" and rows.loc["C1", "due_now"]
    assert rows.loc["C3", "next_stage"] == "legal" and rows.loc["C3", "salesperson"] == "张伟"
    assert rows.loc["C2", "exposure_cents"] == 500_000  # without a risk table: open items
    assert result.notes[0].code == "collections.note.no_pd"
    # without a PD, the order is the overdue weighted by days past due
    assert list(result.rows["customer_id"]) == ["C1", "C2", "C3"]
    assert list(result.rows["priority"]) == [1, 2, 3]


def test_broken_promises_first_then_expected_loss_then_weighted_overdue(company):
    table = risk({"C1": 0.01, "C2": 0.5, "C3": 0.9})
    # expected loss: C1 10,000.00 x 0.01 = 100.00; C2 2,500.00; C3 1,170.00
    order = worklist(company, AS_OF, inputs_with(), table).rows
    assert list(order["customer_id"]) == ["C2", "C3", "C1"]
    assert order.set_index("customer_id").loc["C3", "expected_loss_cents"] == 117_000
    # C1 broke a promise (due 06-20, deadline 06-23, nothing paid): first whatever its loss
    promises = promise_rows((1, "C1", 100_000, "2026-06-20", "2026-06-15", []))
    order = worklist(company, AS_OF, inputs_with(promises=promises), table).rows
    assert list(order["customer_id"]) == ["C1", "C2", "C3"]
    first = order.iloc[0]
    assert first["broken_promise"] and first["promise_status"] == "broken"
    # equal expected loss: the overdue weighted by days past due decides
    same = risk({"C1": 0.0, "C2": 0.0, "C3": 0.0})
    assert list(worklist(company, AS_OF, inputs_with(), same).rows["customer_id"]) == [
        "C1", "C2", "C3"]  # fmt: skip


def test_a_disputed_invoice_leaves_the_overdue_and_shows_apart(company):
    disputes = dispute_rows((1, "I21", "C2", "2026-06-10", None, None))
    result = worklist(company, AS_OF, inputs_with(disputes=disputes))
    rows = result.rows.set_index("customer_id")
    assert "C2" not in rows.index  # nothing else to do for C2
    totals = disputed_amounts(company, AS_OF, disputes).set_index("customer_id")
    assert totals.loc["C2", "disputed_cents"] == 500_000
    assert totals.loc["C2", "recorded_cents"] == 500_000 and totals.loc["C2", "disputed_items"] == 1
    disputes = dispute_rows((1, "I13", "C1", "2026-06-10", None, None))
    rows = worklist(company, AS_OF, inputs_with(disputes=disputes)).rows.set_index("customer_id")
    assert (
        rows.loc["C1", "overdue_cents"] == 600_000 and rows.loc["C1", "disputed_cents"] == 300_000
    )
    assert rows.loc["C1", "open_disputes"] == 1


def test_disputed_amounts_include_the_ledgers_own_flag(company):
    from creditdash.ledger import Ledger

    invoices = company.invoices.assign(disputed=company.invoices["invoice_id"].isin(["I32"]))
    flagged = Ledger.from_frames(company.customers, invoices, company.payments)
    table = disputed_amounts(flagged, AS_OF)
    assert table.to_dict("records") == [{"customer_id": "C3", "customer_name": "丙公司",
                                         "disputed_cents": 70_000, "disputed_items": 1,
                                         "recorded_cents": 0}]  # fmt: skip
    assert disputed_amounts(company, AS_OF).empty


def test_filters_by_collector_salesperson_region_and_grade(company):
    assignments = pd.DataFrame({"scope": ["salesperson"], "key": ["张伟"],
                                "collector": ["chen@x.cn"], "language": [None]})  # fmt: skip
    inputs = inputs_with(assignments=assignments)
    table = risk({"C1": 0.1, "C2": 0.1, "C3": 0.1}).assign(grade=["A", "B", "A"])
    result = worklist(company, AS_OF, inputs, table, collector="Chen@x.cn")
    assert list(result.rows["customer_id"]) == ["C1", "C3"]
    assert result.options["collector"] == ["chen@x.cn"]
    assert result.options["salesperson"] == ["张伟", "李娜"]
    assert list(worklist(company, AS_OF, inputs, table, salesperson="李娜").rows["customer_id"]) == [
        "C2"]  # fmt: skip
    assert list(worklist(company, AS_OF, inputs, table, region="华北").rows["customer_id"]) == [
        "C3"
    ]
    assert list(worklist(company, AS_OF, inputs, table, grade="A").rows["customer_id"]) == [
        "C1", "C3"]  # fmt: skip
    assert worklist(company, AS_OF, inputs, table, grade="E").rows.empty


def test_last_contact_open_promises_and_credit_status_are_on_the_row(company):
    contacts = pd.DataFrame({
        "contact_id": [1, 2, 3], "customer_id": ["C1", "C1", "C1"],
        "kind": ["call", "email", "visit"], "outcome": ["no answer", "sent", "later"],
        "note": "", "contact_date": pd.to_datetime(["2026-06-01", "2026-06-20", "2026-07-09"]),
        "recorded_by": "t", "recorded_at": pd.Timestamp("2026-06-01"),
    })  # fmt: skip
    promises = promise_rows((1, "C2", 100_000, "2026-07-10", "2026-06-28", ["I21"]))
    statuses = pd.DataFrame({"customer_id": ["C3"], "status": ["hold"]})
    inputs = inputs_with(contacts=contacts, promises=promises, statuses=statuses)
    rows = worklist(company, AS_OF, inputs).rows.set_index("customer_id")
    assert rows.loc["C1", "last_contact"] == pd.Timestamp("2026-06-20")  # 07-09 is after
    assert rows.loc["C1", "last_contact_kind"] == "email"
    assert rows.loc["C2", "promise_status"] == "pending" and rows.loc["C2", "open_promises"] == 1
    assert rows.loc["C2", "promised_cents"] == 100_000
    assert rows.loc["C2", "next_stage"] == ""  # its only invoice is under the promise
    assert rows.loc["C3", "credit_status"] == "hold" and rows.loc["C2", "credit_status"] == ""
    printed = {r["customer_id"]: r for r in worklist_rows(worklist(company, AS_OF, inputs).rows)}
    assert printed["C1"]["overdue"] == 9000.0 and printed["C1"]["last_contact"] == "2026-06-20"
    assert printed["C3"]["last_contact"] is None


def test_nothing_open_means_an_empty_worklist(company):
    result = worklist(company, "2026-01-15", inputs_with())
    assert result.rows.empty and result.totals["customers"] == 0
    assert np.isclose(result.totals["overdue_cents"], 0)


def random_company(seed: int):
    """A seeded random ledger with what a worklist must cope with: partial and unapplied
    payments, credit notes, invoices without a due date, the ledger's disputed flag; and
    records of every kind (named and open-ended promises, open and resolved disputes,
    contacts, sends, assignments, holds) and a risk table missing some customers."""
    from creditdash.ledger import Ledger

    rng = np.random.default_rng(seed)
    n_customers, n_invoices = 40, 1500
    ids = [f"K{i:02d}" for i in range(n_customers)]
    customers = pd.DataFrame({
        "customer_id": ids, "customer_name": [f"客户{i}" for i in range(n_customers)],
        "segment": rng.choice(["Key account", "SME", "Distributor"], n_customers),
        "region": rng.choice(["华东", "华南"], n_customers),
        "salesperson": rng.choice(["S1", "S2", "S3"], n_customers),
    })  # fmt: skip
    day = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 540, n_invoices), "D")
    due = day + pd.to_timedelta(rng.choice([0, 30, 60, 90], n_invoices), "D")
    amount = rng.integers(1_000, 500_000, n_invoices)
    amount[rng.random(n_invoices) < 0.03] *= -1  # credit notes
    invoices = pd.DataFrame({
        "invoice_id": [f"N{i:05d}" for i in range(n_invoices)],
        "customer_id": rng.choice(ids[:-3], n_invoices),  # the last three owe nothing
        "invoice_date": day, "due_date": due.where(rng.random(n_invoices) > 0.02),
        "amount_cents": amount, "disputed": rng.random(n_invoices) < 0.03,
    })  # fmt: skip
    paid = rng.random(n_invoices) < 0.6
    share = np.where(rng.random(n_invoices) < 0.2, 0.5, 1.0)
    payments = pd.DataFrame({
        "payment_id": [f"P{i:05d}" for i in range(int(paid.sum()))],
        "customer_id": invoices["customer_id"][paid].to_numpy(),
        "invoice_id": invoices["invoice_id"][paid].where(rng.random(int(paid.sum())) > 0.05)
        .to_numpy(),  # some cash unapplied
        "payment_date": (due[paid] + pd.to_timedelta(rng.integers(-20, 120, int(paid.sum())),
                                                     "D")).to_numpy(),
        "amount_cents": (amount[paid] * share[paid]).astype("int64"),
    })  # fmt: skip
    ledger = Ledger.from_frames(customers, invoices, payments)
    some = lambda k: rng.choice(ids, k)  # noqa: E731
    named = [tuple(rng.choice(invoices["invoice_id"], 2)) if rng.random() < 0.4 else ()
             for _ in range(30)]  # fmt: skip
    promises = promise_rows(*(
        (i, c, int(rng.integers(10_000, 900_000)),
         str((pd.Timestamp("2026-05-01") + pd.Timedelta(days=int(rng.integers(0, 70)))).date()),
         str((pd.Timestamp("2026-04-01") + pd.Timedelta(days=int(rng.integers(0, 60)))).date()),
         named[i])
        for i, c in enumerate(some(30))
    ))  # fmt: skip
    disputed = rng.choice(invoices["invoice_id"], 25)
    owner = invoices.set_index("invoice_id").loc[disputed, "customer_id"]
    disputes = dispute_rows(*(
        (i, inv, c, "2026-05-20", "upheld" if i % 3 == 0 else None,
         "2026-06-10" if i % 3 == 0 else None)
        for i, (inv, c) in enumerate(zip(disputed, owner, strict=True))
    ))  # fmt: skip
    contacts = pd.DataFrame({
        "contact_id": np.arange(60), "customer_id": some(60),
        "kind": rng.choice(["call", "email", "visit"], 60), "outcome": rng.choice(["ok", "later"], 60),
        "note": "", "contact_date": pd.Timestamp("2026-05-01")
        + pd.to_timedelta(rng.integers(0, 90, 60), "D"),
        "recorded_by": "t", "recorded_at": pd.Timestamp("2026-05-01"),
    })  # fmt: skip
    stages = ["courtesy", "reminder", "second_reminder", "warning", "final", "legal"]
    sent = sent_rows(*zip(rng.choice(invoices["invoice_id"], 300), rng.choice(stages, 300),
                          rng.choice(["email", "letter", "task"], 300), strict=True))  # fmt: skip
    assignments = pd.DataFrame({"scope": ["salesperson", "customer", "customer"],
                                "key": ["S1", ids[0], ids[1]],
                                "collector": ["a@x.cn", "b@x.cn", None], "language": None})  # fmt: skip
    statuses = pd.DataFrame({"customer_id": some(5), "status": "hold"})
    policy = default_policy()
    dunning = dunning_of(policy)
    sme = {**dunning["strategies"][-1], "id": "sme", "segments": ["SME"]}
    sme["stages"] = sme["stages"][1:4]
    dunning["strategies"].insert(1, sme)
    inputs = inputs_with({**policy, "dunning": dunning}, promises=promises, disputes=disputes,
                         sent=sent, contacts=contacts, assignments=assignments,
                         statuses=statuses)  # fmt: skip
    rated = ids[: n_customers - 6]
    risk_table = pd.DataFrame({
        "customer_id": rated, "grade": rng.choice(list("ABCDE"), len(rated)),
        "pd": np.where(rng.random(len(rated)) < 0.1, np.nan, rng.random(len(rated)) / 3),
        "exposure_cents": rng.integers(0, 5_000_000, len(rated)),
    })  # fmt: skip
    return ledger, inputs, risk_table


def plain_worklist(ledger, as_of, inputs, risk_table) -> pd.DataFrame:
    """The worklist's figures worked out item by item in plain Python, from the module
    docstrings (no arrays, no grouping), in priority order."""
    from creditdash.aging import open_items
    from creditdash.collections.promises import judge_promises

    day = pd.Timestamp(as_of)
    dunning = inputs.dunning
    rated = {r.customer_id: r for r in risk_table.itertuples()}
    judged = judge_promises(ledger, inputs.promises, as_of, dunning["promise_grace_days"])
    pending = judged[judged["status"] == "pending"]
    paused_invoices = {i for ids in pending["invoice_ids"] for i in ids}
    paused_customers = set(pending.loc[[not ids for ids in pending["invoice_ids"]], "customer_id"])
    d = inputs.disputes
    open_disputes = d[
        (d["opened_on"] <= day) & (d["resolved_on"].isna() | (d["resolved_on"] > day))
    ]
    done: dict = {}
    for r in inputs.sent.itertuples():
        done.setdefault((r.invoice_id, r.stage_id), set()).add(r.channel)
    out: dict = {}
    for position, item in enumerate(open_items(ledger, as_of).itertuples()):
        c = out.setdefault(item.customer_id, {
            "customer_id": item.customer_id, "customer_name": item.customer_name,
            "salesperson": item.salesperson, "region": item.region, "segment": item.segment,
            "overdue_cents": 0, "days_past_due_max": 0, "weighted_overdue": 0,
            "disputed_cents": 0, "balance": 0, "due": [], "coming": []})  # fmt: skip
        rating = rated.get(item.customer_id)
        grade = rating.grade if rating is not None else ""
        strategy = next(s for s in dunning["strategies"]
                        if (not s["grades"] or grade in s["grades"])
                        and (not s["segments"] or item.segment in s["segments"]))  # fmt: skip
        reached = [st for st in strategy["stages"] if st["days"] <= item.dpd]
        coming = strategy["stages"][len(reached) :]
        disputed = item.disputed or item.invoice_id in set(open_disputes["invoice_id"])
        paused = item.invoice_id in paused_invoices or item.customer_id in paused_customers
        dunnable = item.outstanding_cents > 0 and not disputed and not paused
        c["balance"] += item.outstanding_cents
        if disputed:
            c["disputed_cents"] += item.outstanding_cents
        elif item.dpd > 0:
            c["overdue_cents"] += item.outstanding_cents
            c["weighted_overdue"] += item.outstanding_cents * item.dpd
            if item.outstanding_cents > 0:
                c["days_past_due_max"] = max(c["days_past_due_max"], item.dpd)
        no_date = pd.isna(item.due_date)
        if reached:
            stage = reached[-1]
            channels = [ch for ch in ("email", "letter") if ch in stage["actions"]] or ["task"]
            delivered = done.get((item.invoice_id, stage["id"]), set())
            on = pd.NaT if no_date else item.due_date + pd.Timedelta(days=stage["days"])
            if dunnable and set(channels) - delivered:
                c["due"].append(((-stage["days"], no_date, on if not no_date else 0, position),
                                 stage, on))  # fmt: skip
        if coming and dunnable:
            on = pd.NaT if no_date else item.due_date + pd.Timedelta(days=coming[0]["days"])
            c["coming"].append(((no_date, on if not no_date else 0, position), coming[0], on))
    rows = []
    for c in out.values():
        chosen = min(c["due"], key=lambda x: x[0]) if c["due"] else None
        chosen = chosen or (min(c["coming"], key=lambda x: x[0]) if c["coming"] else None)
        c["next_stage"] = chosen[1]["id"] if chosen else ""
        c["next_action"] = "+".join(chosen[1]["actions"]) if chosen else ""
        c["next_stage_date"] = chosen[2] if chosen else pd.NaT
        c["due_now"] = bool(c.pop("due"))
        c.pop("coming")
        mine = judged[judged["customer_id"] == c["customer_id"]]
        latest = mine.sort_values(["promised_date", "promise_id"]).tail(1)
        c["promise_status"] = latest["status"].iloc[0] if len(latest) else ""
        c["broken_promise"] = c["promise_status"] in ("broken", "partly_kept")
        if not (
            c["overdue_cents"] > 0 or c["due_now"] or (c["broken_promise"] and c["balance"] > 0)
        ):
            continue
        rating = rated.get(c["customer_id"])
        c["grade"] = rating.grade if rating is not None else ""
        c["pd"] = rating.pd if rating is not None else np.nan
        c["exposure_cents"] = rating.exposure_cents if rating is not None else c["balance"]
        c["expected_loss_cents"] = (
            0 if np.isnan(c["pd"]) else round(c["pd"] * max(c["exposure_cents"], 0))
        )
        c["open_promises"] = int((mine["status"] == "pending").sum())
        c["promised_cents"] = int(mine.loc[mine["status"] == "pending", "remaining_cents"].sum())
        c["open_disputes"] = int((open_disputes["customer_id"] == c["customer_id"]).sum())
        talks = inputs.contacts[(inputs.contacts["customer_id"] == c["customer_id"])
                                & (inputs.contacts["contact_date"] <= day)]  # fmt: skip
        last = talks.sort_values(["contact_date", "contact_id"]).tail(1)
        c["last_contact"] = last["contact_date"].iloc[0] if len(last) else pd.NaT
        c["last_contact_kind"] = last["kind"].iloc[0] if len(last) else ""
        a = inputs.assignments
        own = a[
            (a["scope"] == "customer") & (a["key"] == c["customer_id"]) & a["collector"].notna()
        ]
        by_sales = a[(a["scope"] == "salesperson") & (a["key"] == c["salesperson"])]
        c["collector"] = (own["collector"].iloc[0] if len(own)
                          else by_sales["collector"].iloc[0] if len(by_sales) else "")  # fmt: skip
        held = inputs.statuses[inputs.statuses["customer_id"] == c["customer_id"]]
        c["credit_status"] = held["status"].iloc[0] if len(held) else ""
        rows.append(c)
    rows.sort(key=lambda c: (not c["broken_promise"], -c["expected_loss_cents"],
                             -c["weighted_overdue"], -c["overdue_cents"], c["customer_id"]))  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_worklist_matches_a_plain_item_by_item_computation(seed):
    from creditdash.aging import open_items

    ledger, inputs, risk_table = random_company(seed)
    seen = []
    for as_of in ("2026-06-30", "2026-05-15", "2025-09-01"):
        rows = worklist(ledger, as_of, inputs, risk_table).rows
        plain = plain_worklist(ledger, as_of, inputs, risk_table)
        assert len(rows) > 5 and list(rows["customer_id"]) == list(plain["customer_id"])
        seen.append(rows)
        for column in plain.columns.drop("balance"):
            expected, got = plain[column].tolist(), rows[column].tolist()
            assert got == expected or pd.Series(got).equals(pd.Series(expected)), column
        # given the open items it has, the worklist reads the same figures from them
        again = worklist(ledger, as_of, inputs, risk_table, items=open_items(ledger, as_of))
        pd.testing.assert_frame_equal(again.rows, rows, check_exact=True)
    # every case the comparison is there for came up
    every = pd.concat(seen)
    assert every["due_now"].any() and (~every["due_now"]).any()
    assert every["broken_promise"].any() and every["open_promises"].gt(0).any()
    assert every["disputed_cents"].ne(0).any() and every["open_disputes"].gt(0).any()
    assert every["grade"].eq("").any() and every["pd"].isna().any()
    assert every["collector"].ne("").any() and every["last_contact"].notna().any()


def test_disputed_amounts_split_flagged_from_recorded_and_keep_a_customer_without_a_name(company):
    from creditdash.ledger import Ledger

    invoices = company.invoices.assign(disputed=company.invoices["invoice_id"].isin(["I32"]))
    customers = company.customers.assign(
        customer_name=company.customers["customer_name"].where(
            company.customers["customer_id"] != "C3"
        )
    )
    flagged = Ledger.from_frames(customers, invoices, company.payments)
    disputes = dispute_rows((1, "I21", "C2", "2026-06-10", None, None))
    table = disputed_amounts(flagged, AS_OF, disputes).set_index("customer_id")
    assert table["disputed_cents"].to_dict() == {"C2": 500_000, "C3": 70_000}
    assert table["recorded_cents"].to_dict() == {"C2": 500_000, "C3": 0}
    assert table["disputed_items"].to_dict() == {"C2": 1, "C3": 1}
