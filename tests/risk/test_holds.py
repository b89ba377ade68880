"""Credit holds: apply and release with a reason, role checks, audit, watchlist state, orders."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from creditdash import i18n
from creditdash.audit import audit_log
from creditdash.auth import Actor, PermissionDenied
from creditdash.errors import InvalidArgument, NotFound
from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.risk.holds import (
    ORDER_TEXTS,
    apply_action,
    check_order,
    credit_statuses,
    due_action,
    mark_watchlist,
    release,
    status_history,
    with_status,
)
from creditdash.risk.requests import decide_request, submit_request

LEDGER = """Invoice No,Customer ID,Customer Name,Invoice Date,Due Date,Amount,Settled Date
INV-1,C1,Acme,2024-01-05,2024-02-04,"1,000.00",2024-02-10
INV-2,C1,Acme,2024-02-01,2024-03-02,500.50,
INV-3,C2,北京华盛,2024-02-15,2024-03-16,"2,000.00",
"""
AS_OF = date(2024, 5, 31)
MANAGER = Actor("mo@x.cn", "credit_manager")


@pytest.fixture
def store(engine):
    import_sources(engine, [Source("ledger.csv", LEDGER.encode())])
    return engine


def test_apply_and_release_keep_a_history_and_the_current_status(store):
    apply_action(store, "C1", "warn", "Reminded by phone", MANAGER, rule="oldest_60")
    apply_action(store, "C1", "hold", "No answer", MANAGER)
    apply_action(store, "C2", "cash_in_advance", "Legal case", MANAGER, rule="legal")
    statuses = credit_statuses(store).set_index("customer_id")
    assert statuses.loc["C1", "status"] == "hold" and statuses.loc["C1", "reason"] == "No answer"
    assert statuses.loc["C2", "rule"] == "legal" and statuses.loc["C2", "decided_by"] == "mo@x.cn"
    release(store, "C1", "Paid in full", MANAGER)
    assert list(credit_statuses(store)["customer_id"]) == ["C2"]
    history = status_history(store, "C1")
    assert list(history["action"]) == ["release", "hold", "warn"]  # newest first
    assert history.iloc[-1]["rule"] == "oldest_60"


def test_only_a_credit_manager_may_change_the_status_and_each_change_is_audited(store):
    with pytest.raises(PermissionDenied, match="needs the credit manager role"):
        apply_action(store, "C1", "hold", "x", Actor("ann@x.cn", "analyst"))
    assert credit_statuses(store).empty and audit_log(store, action="credit_status_applied").empty
    apply_action(store, "C1", "hold", "Over limit", MANAGER, rule="over_limit")
    with pytest.raises(PermissionDenied):
        release(store, "C1", "x", Actor("v@x.cn", "viewer"))
    release(store, "C1", "Paid", MANAGER)
    log = audit_log(store)
    released, applied = log.iloc[0], log.iloc[1]
    assert (applied["action"], applied["who"], applied["entity_id"], applied["detail"]) == (
        "credit_status_applied", "mo@x.cn", "C1", "Over limit",
    )  # fmt: skip
    assert applied["before"] == '{"status": null}'
    assert applied["after"] == '{"rule": "over_limit", "status": "hold"}'
    assert released["action"] == "credit_status_released" and released["detail"] == "Paid"
    assert released["before"] == '{"status": "hold"}'


def test_bad_changes_are_refused_with_a_reason(store):
    with pytest.raises(InvalidArgument, match="`action` must be one of warn, hold, "):
        apply_action(store, "C1", "shout", "x", MANAGER)
    with pytest.raises(InvalidArgument, match="`reason` must not be empty"):
        apply_action(store, "C1", "hold", "  ", MANAGER)
    with pytest.raises(NotFound, match="Customer 'ZZ' is not in the customer master"):
        apply_action(store, "ZZ", "hold", "x", MANAGER)
    with pytest.raises(InvalidArgument, match="C1 has no credit action to release"):
        release(store, "C1", "x", MANAGER)
    apply_action(store, "C1", "hold", "x", MANAGER)
    with pytest.raises(InvalidArgument) as err:
        apply_action(store, "C1", "hold", "again", MANAGER)
    assert str(err.value) == "Customer C1 already has the credit status hold; nothing changes."
    assert i18n.t(err.value.code, "zh", **err.value.params) == (
        "客户 C1 的信用状态已经是 hold；无需更改。"
    )
    assert len(status_history(store)) == 1


def _hits() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C1", "C2"],
            "rule": ["cash", "over_limit", "oldest_60", "clean_record"],
            "action": ["cash_in_advance", "hold", "warn", "review_increase"],
            "severity": [3, 2, 1, 0],
        }
    )


def test_the_watchlist_says_which_actions_are_applied_and_which_are_due():
    statuses = pd.DataFrame({"customer_id": ["C1"], "status": ["hold"]})
    marked = mark_watchlist(_hits(), statuses)
    assert list(marked["state"]) == ["due", "applied", "applied", "due"]
    assert list(marked["credit_status"]) == ["hold", "hold", "hold", ""]
    assert due_action(marked, "C1") == ("cash_in_advance", "cash")
    assert due_action(marked, "C2") is None  # a limit review is not a credit hold
    table = with_status(pd.DataFrame({"customer_id": ["C2", "C1"]}), statuses)
    assert list(table["credit_status"]) == ["", "hold"]


def test_check_order_follows_the_status_then_the_limit(store):
    # C1 owes 500.50 at the as-of date and has no limit on record yet
    first = check_order(store, "C1", 40_000, AS_OF)
    assert (first.decision, first.code, first.limit_cents) == ("allow", "no_limit", None)
    assert first.exposure_cents == 50_050 and first.exposure_after_cents == 90_050
    rid = submit_request(store, "C1", 100_000, "First limit", Actor("ann", "analyst"))
    decide_request(store, rid, True, "ok", MANAGER)
    inside = check_order(store, "C1", 40_000, AS_OF)
    assert (inside.decision, inside.code, inside.limit_cents) == ("allow", "within_limit", 100_000)
    over = check_order(store, "C1", 60_000, AS_OF)
    assert (over.decision, over.code) == ("hold", "over_limit")
    assert over.reason == (
        "Exposure 500.50 + this order 600.00 = 1,100.50, over the credit limit 1,000.00 by 100.50."
    )
    apply_action(store, "C1", "warn", "Slow payer", MANAGER)
    warned = check_order(store, "C1", 40_000, AS_OF)
    assert (warned.decision, warned.code, warned.status) == ("allow", "warned", "warn")
    apply_action(store, "C1", "hold", "Bounced cheque", MANAGER)
    held = check_order(store, "C1", 1, AS_OF)
    assert held.decision == "hold"
    assert held.reason == "New orders are on hold for this customer (Bounced cheque)."
    apply_action(store, "C1", "cash_in_advance", "Court case", MANAGER)
    assert check_order(store, "C1", 1, AS_OF).decision == "prepay"
    release(store, "C1", "Settled", MANAGER)
    assert check_order(store, "C1", 40_000, AS_OF).code == "within_limit"


def test_check_order_reasons_read_in_chinese_and_bad_orders_are_refused(store):
    assert all(i18n.t(f"risk.order.{k}", "en") == text for k, text in ORDER_TEXTS.items())
    over = check_order(store, "C2", 100, date(2024, 2, 14))  # before C2's first invoice
    assert over.exposure_cents == 0 and over.code == "no_limit"
    zh = i18n.t(f"risk.order.{over.code}", "zh", **over.params)
    assert zh == "没有信用额度记录；本订单后的风险敞口为 1.00。"
    with pytest.raises(InvalidArgument, match="whole number of cents >= 0. Got -5"):
        check_order(store, "C1", -5, AS_OF)
    with pytest.raises(InvalidArgument, match="Got 12.5"):
        check_order(store, "C1", 12.5, AS_OF)
    with pytest.raises(NotFound, match="'ZZ' is not in the customer master"):
        check_order(store, "ZZ", 100, AS_OF)
