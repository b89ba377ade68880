"""Customer risk and Credit policy pages: run on demo and empty data; widgets do their job."""

from __future__ import annotations

import os

import pytest

from creditdash.risk.policy_store import current_policy, policy_versions
from creditdash.risk.requests import list_requests
from creditdash.store import open_store

RISK, POLICY = "pages/risk.py", "pages/policy.py"


def run_page(at, page: str):
    at.run()
    at.switch_page(page)
    at.run()
    return at


def frame_with(at, column: str):
    """The first dataframe on the page that has `column` (AppTest keeps no dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def engine():
    return open_store(os.environ["CREDITDASH_DB_URL"])


@pytest.mark.parametrize("page", [RISK, POLICY])
@pytest.mark.parametrize("data", ["demo", "empty"])
def test_risk_pages_run_without_exception(request, page, data):
    at = request.getfixturevalue(f"{data}_app")
    run_page(at, page)
    assert not at.exception, [e.value for e in at.exception]
    if data == "empty" and page == RISK:
        assert any("No receivables yet" in i.value for i in at.info)


def test_risk_page_shows_grades_watchlist_and_detail(demo_app):
    at = run_page(demo_app, RISK)
    metrics = {m.label: m for m in at.metric}
    assert metrics["Customers scored"].value == "300"
    assert all(m.help for m in at.metric)
    table = frame_with(at, "recommended_limit")
    assert len(table) == 300 and set(table["grade"]) <= set("ABCDE")
    assert len(frame_with(at, "action")) > 0
    explanation = frame_with(at, "points_lost")
    assert explanation["points_lost"].is_monotonic_decreasing


def test_limit_request_from_the_page_is_recorded_then_approved(demo_app):
    at = run_page(demo_app, RISK)
    customer = at.selectbox(key="risk_customer").value
    at.text_input(key="req_who").set_value("wang.lei")
    at.number_input(key="req_amount").set_value(2_000_000.0)
    at.text_input(key="req_reason").set_value("Seasonal peak")
    at.button[[b.label for b in at.button].index("Submit limit request")].click().run()
    assert not at.exception and any("recorded" in s.value for s in at.success)
    at.run()
    at.text_input(key="dec_who").set_value("manager")
    at.text_input(key="dec_reason").set_value("Good record")
    at.button[[b.label for b in at.button].index("Approve")].click().run()
    assert not at.exception
    requests = list_requests(engine(), customer)
    assert requests.iloc[0]["status"] == "approved" and requests.iloc[0]["decided_by"] == "manager"


def test_policy_save_needs_a_name_and_adds_a_version(demo_app):
    at = run_page(demo_app, POLICY)
    other = at.text_area[0]
    other.set_value(other.value.replace('"grace_days": 15', '"grace_days": 20'))
    at.button[0].click().run()
    assert any("`who` must name the person" in e.value for e in at.error)
    at.text_input(key="pol_who").set_value("li.na")
    at.text_input(key="pol_note").set_value("More grace")
    at.text_area[0].set_value(at.text_area[0].value.replace('"grace_days": 15', '"grace_days": 20'))
    at.button[0].click().run()
    assert not at.exception
    assert current_policy(engine()).policy["limits"]["grace_days"] == 20
    assert list(policy_versions(engine())["author"]) == ["li.na", "system"]


def test_policy_page_reports_bad_json(demo_app):
    at = run_page(demo_app, POLICY)
    at.text_input(key="pol_who").set_value("li.na")
    at.text_area[0].set_value("{not json")
    at.button[0].click().run()
    assert any("not valid JSON" in e.value for e in at.error)
