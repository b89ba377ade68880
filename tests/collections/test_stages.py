"""Stage rules: grade and segment choose the strategy, negative days, never twice, disputes and
pending promises stop dunning, stages passed are skipped."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.collections.worklist import staged_items
from creditdash.risk.policy import default_policy
from tests.collections.conftest import (
    AS_OF,
    dispute_rows,
    inputs_with,
    promise_rows,
    sent_rows,
)


def staged(ledger, inputs=None, risk=None, as_of=AS_OF) -> pd.DataFrame:
    frame, _ = staged_items(ledger, as_of, inputs or inputs_with(), risk)
    return frame.set_index("invoice_id")


def risk_of(**grades: str) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": list(grades), "grade": list(grades.values()),
                         "pd": 0.1, "exposure_cents": 0})  # fmt: skip


def test_each_invoice_reaches_the_last_stage_its_days_past_due_reach(company):
    s = staged(company)
    assert s.loc[["I11", "I12", "I13", "I14", "I21", "I31", "I32"], "stage"].tolist() == [
        "courtesy", "reminder", "second_reminder", "final", "warning", "reminder", "legal"
    ]  # fmt: skip
    assert s.loc["I11", "dpd"] == -3  # a courtesy reminder three days before the due date
    assert s["due"].all() and set(s["strategy_id"]) == {"standard"}
    assert s.loc["I14", "channels"] == ("email", "letter")  # final: email, letter and a hold
    assert s.loc["I32", "channels"] == ("letter",)
    assert s.loc["I14", "next_stage"] == "legal"
    assert s.loc["I14", "next_stage_date"] == pd.Timestamp("2026-07-29")  # due 04-30 + 90
    assert "I22" not in s.index and "I41" not in s.index  # paid


def test_a_day_earlier_the_courtesy_stage_is_not_reached(company):
    s = staged(company, as_of="2026-06-29")
    assert s.loc["I11", "stage"] == "" and not s.loc["I11", "due"]
    assert s.loc["I11", "next_stage"] == "courtesy"
    assert s.loc["I11", "next_stage_date"] == pd.Timestamp("2026-06-30")


def test_the_grade_chooses_the_high_risk_strategy(company):
    s = staged(company, risk=risk_of(C1="E", C2="B", C3="D"))
    assert s.loc["I12", "strategy_id"] == "high_risk" and s.loc["I21", "strategy_id"] == "standard"
    # high risk: -7 courtesy, +1 reminder, +15 warning, +30 final, +60 legal
    assert s.loc[["I11", "I13", "I14"], "stage"].tolist() == ["courtesy", "warning", "legal"]
    assert s.loc["I32", "stage"] == "legal"


def test_the_segment_chooses_a_strategy_of_its_own(company):
    policy = default_policy()
    policy["dunning"]["strategies"].insert(0, {
        "id": "key_accounts", "grades": [], "segments": ["Key account"],
        "stages": [{"id": "call", "days": 10, "actions": ["call"], "template": "reminder"}],
    })  # fmt: skip
    s = staged(company, inputs_with(policy))
    assert s.loc["I13", "strategy_id"] == "key_accounts" and s.loc["I13", "stage"] == "call"
    assert s.loc["I12", "stage"] == "" and not s.loc["I12", "due"]  # 1 day: before +10
    assert s.loc["I13", "channels"] == ("task",)  # a call: nothing to send, a task
    assert s.loc["I21", "strategy_id"] == "standard"  # SME


def test_grade_and_segment_must_both_match(company):
    policy = default_policy()
    policy["dunning"]["strategies"].insert(0, {
        "id": "risky_sme", "grades": ["C"], "segments": ["SME"],
        "stages": [{"id": "early", "days": -10, "actions": ["email"], "template": "courtesy"}],
    })  # fmt: skip
    s = staged(company, inputs_with(policy), risk=risk_of(C1="C", C2="C", C3="A"))
    assert s.loc["I21", "strategy_id"] == "risky_sme"  # C and SME
    assert s.loc["I12", "strategy_id"] == "standard"  # C but Key account
    assert s.loc["I31", "strategy_id"] == "standard"  # SME but A


def test_a_stage_delivered_is_never_due_again_for_that_invoice(company):
    sent = sent_rows(("I12", "reminder", "email"), ("I14", "final", "email"))
    s = staged(company, inputs_with(sent=sent))
    assert not s.loc["I12", "due"] and s.loc["I12", "channels"] == ()
    assert s.loc["I14", "due"] and s.loc["I14", "channels"] == ("letter",)  # letter still due
    assert s.loc["I11", "due"]  # another invoice of the same customer is unaffected


def test_an_invoice_that_skipped_stages_gets_only_the_one_it_reached(company):
    # I14 was never dunned: at 61 days it gets the final notice, not the four before it
    s = staged(company)
    assert s.loc["I14", "stage"] == "final"
    later = staged(company, inputs_with(sent=sent_rows(("I14", "final", "email"),
                                                       ("I14", "final", "letter"))),
                   as_of="2026-07-29")  # fmt: skip
    assert later.loc["I14", "stage"] == "legal" and later.loc["I14", "due"]


@pytest.mark.parametrize("resolution,resolved,blocked", [
    (None, None, True), ("upheld", "2026-06-20", False), ("credit", "2026-07-05", True),
])  # fmt: skip
def test_an_open_dispute_stops_dunning_the_invoice(company, resolution, resolved, blocked):
    disputes = dispute_rows((1, "I13", "C1", "2026-06-15", resolution, resolved))
    s = staged(company, inputs_with(disputes=disputes))
    assert s.loc["I13", "disputed"] == blocked
    assert s.loc["I13", "due"] == (not blocked)
    assert s.loc["I12", "due"]


def test_the_ledgers_disputed_flag_stops_dunning_too(company):
    invoices = company.invoices.assign(disputed=company.invoices["invoice_id"] == "I21")
    from creditdash.ledger import Ledger

    flagged = Ledger.from_frames(company.customers, invoices, company.payments)
    s = staged(flagged)
    assert s.loc["I21", "disputed"] and not s.loc["I21", "due"]


def test_a_pending_promise_pauses_the_invoices_it_names_until_its_deadline(company):
    promises = promise_rows((1, "C1", 200_000, "2026-07-05", "2026-06-28", ["I12"]))
    s = staged(company, inputs_with(promises=promises))
    assert s.loc["I12", "paused"] and not s.loc["I12", "due"]
    assert s.loc["I13", "due"]  # not named
    # 2026-07-09: deadline (07-05 + 3 grace days) passed unpaid: broken, dunned again
    s = staged(company, inputs_with(promises=promises), as_of="2026-07-09")
    assert not s.loc["I12", "paused"] and s.loc["I12", "due"]


def test_a_promise_naming_no_invoice_pauses_the_whole_account(company):
    promises = promise_rows((1, "C3", 50_000, "2026-07-10", "2026-06-29", []))
    s = staged(company, inputs_with(promises=promises))
    assert not s.loc[["I31", "I32"], "due"].any()
    assert s.loc["I21", "due"]
