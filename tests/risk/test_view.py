"""The Customer risk page's view, worked by hand on the tiny ledger (tests/risk/conftest.py):
C1 owes I3 (500.00, due 2025-05-31, 30 days past due at 2025-06-30) under a limit of
1,000.00; C2 owes I4 (300.00, not yet due) and has no limit."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest

from creditdash.auth import LOCAL
from creditdash.i18n import Text
from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.ledger import Ledger
from creditdash.presentation import Column
from creditdash.risk.assess import risk_overview, score_history
from creditdash.risk.bureau import read_reports
from creditdash.risk.holds import STATUS_COLUMNS, apply_action, credit_statuses
from creditdash.risk.policy import DEFAULT_POLICY
from creditdash.risk.requests import submit_request
from creditdash.risk.view import (
    coefficients_frame,
    customer_detail,
    risk_view,
    third_party_frame,
    watchlist_frame,
)
from tests.risk.conftest import AS_OF, tiny_frames

NO_STATUS = pd.DataFrame(columns=STATUS_COLUMNS)


@pytest.fixture(scope="module")
def overview():
    return risk_overview(Ledger.from_frames(*tiny_frames()), AS_OF, DEFAULT_POLICY)


def test_tiles_count_customers_worst_grades_over_limit_and_new_alerts(overview):
    # C1 moved to the worst grade, 123.45 over its limit; one of the three alerts is new
    table = overview.table.assign(grade=["E", "A"], over_limit_cents=[12_345, 0])
    watch = overview.watchlist.assign(new=[True, False, False])
    view = risk_view(dataclasses.replace(overview, table=table, watchlist=watch), NO_STATUS,
                     DEFAULT_POLICY)  # fmt: skip
    assert [(tile.label, tile.value, tile.kind) for tile in view.tiles] == [
        (Text("risk.scored"), 2, "count"),
        (Text("risk.worst", {"grades": "D/E"}), 500.0, "compact"),  # C1's 500.00
        (Text("risk.over_limit"), 123.45, "compact"),
        (Text("risk.alerts"), "3 (1)", "text"),
    ]
    assert view.grades == ["A", "B", "C", "D", "E"]
    assert view.customers == {"C1": "C1 Alpha 有限公司", "C2": "C2 Beta Ltd"}


@pytest.mark.parametrize(
    ("lang", "status", "flags", "binding"),
    [
        ("en", "Orders on hold", "concentration;Chronic late", "needs"),  # as the catalogue says
        ("zh", "暂停接单", "集中度过高、长期迟付", "需求法"),
    ],
)
def test_the_portfolio_is_worded_in_the_readers_language(overview, lang, status, flags, binding):
    statuses = pd.DataFrame([{"customer_id": "C1", "status": "hold"}], columns=STATUS_COLUMNS)
    view = risk_view(overview, statuses, DEFAULT_POLICY, lang)
    c1 = view.portfolio.set_index("customer_id").loc["C1"]
    assert (c1["credit_status"], c1["flags"], c1["binding"]) == (status, flags, binding)
    assert (c1["exposure"], c1["overdue"], c1["credit_limit"]) == (500.0, 500.0, 1000.0)
    assert view.table.set_index("customer_id")["credit_status"].to_dict() == {
        "C1": "hold",
        "C2": "",
    }
    assert view.columns["exposure"].kind == "money" and view.columns["pd"].kind == "percent"
    assert view.columns["credit_status"].label == {"en": "Credit status", "zh": "信用状态"}[lang]


def test_the_watchlist_in_chinese_and_only_the_new_alerts(overview):
    view = risk_view(overview, NO_STATUS, DEFAULT_POLICY, "zh")
    shown = watchlist_frame(view.watchlist, "zh")
    assert list(shown["detail"]) == [
        "占应收账款总额的 62.5%",  # C1: 500 of 800
        "平均迟付 24 天；账龄表看似正常",
        "占应收账款总额的 37.5%",  # C2: 300 of 800
    ]
    assert set(shown["state"]) == {"待处置"} and set(shown["new"]) == {""}
    assert list(shown["exposure"]) == [500.0, 500.0, 300.0]
    assert watchlist_frame(view.watchlist, "zh", only_new=True).empty


@pytest.fixture
def store(sqlite_engine):
    """A store that knows C1 and C2, so credit statuses and limit requests can be recorded."""
    master = "Customer ID,Customer Name\nC1,Alpha 有限公司\nC2,Beta Ltd\n"
    import_sources(sqlite_engine, [Source("customers.csv", master.encode())])
    return sqlite_engine


def test_a_customers_detail(overview, store):
    sqlite_engine = store
    ledger = Ledger.from_frames(*tiny_frames())
    submit_request(sqlite_engine, "C1", 200_000, "Peak", LOCAL, 100_000)
    apply_action(sqlite_engine, "C1", "warn", "Late again", LOCAL, rule="concentration")
    view = risk_view(overview, credit_statuses(sqlite_engine), DEFAULT_POLICY)
    detail = customer_detail(
        ledger, sqlite_engine, date(2025, 6, 30), view, DEFAULT_POLICY, customer="C1",
        bureau=read_reports(sqlite_engine), history=score_history(ledger, AS_OF, DEFAULT_POLICY),
    )  # fmt: skip
    tiles = {tile.label.code: tile.value for tile in detail.tiles}
    assert tiles["risk.detail.score"] == "62 / C" and tiles["risk.col.pd"] is None
    assert tiles["risk.col.exposure"] == 500.0
    assert tiles["risk.col.late_interest"] == 2.47  # 500.00 x 6% x 30 / 365 = 2.466
    assert tiles["risk.detail.status"] == "Warned"
    assert detail.chronic_late and detail.credit_limit == 100_000
    assert detail.due is None  # the warning is applied
    assert list(detail.holds["action"]) == ["Warn (acknowledge the warning)"]
    assert detail.holds_columns["reason"] == Column("Reason")  # the hold's reason, not a request's
    assert list(detail.payments["days_late"]) == [10, 30]  # I1 paid 02-10, I2 paid 04-30
    assert list(detail.open_items["invoice_id"]) == ["I3"]
    assert detail.open_items["outstanding"].tolist() == [500.0]
    assert detail.limits["binds"].tolist() == [True, False, False, False, False]
    assert detail.limits["method"].iloc[0].startswith("Needs-based")
    assert detail.why["points_lost"].is_monotonic_decreasing
    assert detail.history["as_of"].iloc[-1] == pd.Timestamp(AS_OF)
    assert detail.requests["requested_limit"].tolist() == [2000.0]
    assert detail.requests["status"].tolist() == ["pending"]  # the English catalogue's word
    assert detail.pending == detail.requests["request_id"].tolist()
    assert "bureau_pd" in detail.bureau.columns and detail.bureau.empty


def test_a_due_action_is_said_in_the_readers_language(overview, sqlite_engine):
    ledger = Ledger.from_frames(*tiny_frames())
    view = risk_view(overview, NO_STATUS, DEFAULT_POLICY)
    hold = view.watchlist.assign(action=["hold", "warn", "warn"])
    view = dataclasses.replace(view, watchlist=hold.assign(state="due"))
    detail = customer_detail(
        ledger, sqlite_engine, date(2025, 6, 30), view, DEFAULT_POLICY, customer="C1",
        bureau=read_reports(sqlite_engine), history=score_history(ledger, AS_OF, DEFAULT_POLICY),
        lang="zh",
    )  # fmt: skip
    assert detail.due == ("hold", "concentration")
    assert detail.due_text == Text("risk.hold.due", {"action": "暂停接单", "rule": "集中度过高"})


def test_third_party_frame_in_money_and_model_coefficients_named(overview):
    table = overview.table.assign(
        bureau_score=[20.0, None],
        bureau_recommended_limit_cents=pd.array([30_000, None], dtype="Int64"),
        bureau_provider=["Dun", None],
    )
    shown = third_party_frame(table, DEFAULT_POLICY)
    assert shown[["customer_id", "exposure", "above_bureau_limit"]].values.tolist() == [
        ["C1", 500.0, 200.0]  # 500.00 exposure against an outside limit of 300.00
    ]
    assert not [c for c in shown.columns if c.endswith("_cents")]
    coef = pd.DataFrame({"feature": ["const", "made_up"], "coef": [0.123456, -1.0]})
    named = coefficients_frame(coef, "zh")
    assert named["coef"].tolist() == [0.1235, -1.0]
    assert named["feature"].iloc[1] == "made_up"  # a name the catalogue lacks shows as it is
    assert named["feature"].iloc[0] != "const"
