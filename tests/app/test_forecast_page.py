"""The Cash-flow forecast page: runs on demo and empty data; the plan reacts to its inputs."""

from __future__ import annotations

import pytest

from tests.app.test_pages import run_page

PAGE = "pages/forecast.py"


@pytest.mark.parametrize("data", ["demo", "empty"])
def test_forecast_page_runs(request, data):
    at = request.getfixturevalue(f"{data}_app")
    run_page(at, PAGE)
    assert not at.exception, [e.value for e in at.exception]
    if data == "empty":
        assert any("No receivables yet" in i.value for i in at.info)
    else:
        assert all(m.help for m in at.metric)
        assert any(m.label == "WAPE, model" for m in at.metric)
        assert any("never paid comes from" in c.value for c in at.caption)


def test_minimum_above_balance_calls_out_the_first_week(demo_app):
    at = run_page(demo_app, PAGE)
    at.number_input(key="fc_open_(new plan)").set_value(0.0).run()
    at.number_input(key="fc_min_(new plan)").set_value(1e12).run()
    assert not at.exception
    assert any("falls below the minimum in week 1" in e.value for e in at.error)


def test_opening_cash_is_asked_for_and_nothing_is_judged_without_it(demo_app):
    at = run_page(demo_app, PAGE)
    opening = at.number_input(key="fc_open_(new plan)")
    assert opening.value is None  # no default: 0 would make "stays above the minimum" trivial
    at.number_input(key="fc_min_(new plan)").set_value(1e12).run()
    assert not at.exception
    assert any("Enter the opening cash" in i.value for i in at.info)
    assert not any("falls below the minimum" in e.value for e in at.error)
    assert not any("stays above the minimum" in s.value for s in at.success)
    assert any("balance chart needs the opening cash" in c.value for c in at.caption)
    at.button(key="fc_plan_save").click().run()
    assert any("saved with its opening cash" in e.value for e in at.error)
    at.number_input(key="fc_open_(new plan)").set_value(5e6).run()
    assert not any("Enter the opening cash" in i.value for i in at.info)
    assert any("falls below the minimum in week 1" in e.value for e in at.error)


def test_a_risk_grade_can_default_in_the_stress_scenarios(demo_app):
    at = run_page(demo_app, PAGE)
    box = at.selectbox(key="fc_st_segment")
    grade_e = next(o for o in box.options if "Grade E" in str(o))
    assert grade_e
    box.select_index(box.options.index(grade_e)).run()
    assert not at.exception
    names = [str(v) for frame in at.dataframe for v in frame.value.iloc[:, 0].tolist()]
    assert any("Grade E customers" in n for n in names)


def test_the_grade_scenario_uses_the_policy_in_force(demo_app, tmp_path):
    from creditdash.auth import Actor
    from creditdash.risk.policy import default_policy
    from creditdash.risk.policy_store import save_policy
    from creditdash.store import open_store

    policy = default_policy()
    names = {g["grade"]: f"G{i + 1}" for i, g in enumerate(policy["grades"])}
    for grade in policy["grades"]:
        grade["grade"] = names[grade["grade"]]
    for cap in policy["caps"]:
        cap["max_grade"] = names[cap["max_grade"]]
    for strategy in policy["dunning"]["strategies"]:  # dunning names grades too
        strategy["grades"] = [names[g] for g in strategy["grades"]]
    engine = open_store(f"sqlite:///{tmp_path / 'app.sqlite'}")
    save_policy(engine, policy, Actor("li.na", "credit_manager"), note="Grades renamed")
    engine.dispose()
    at = run_page(demo_app, PAGE)
    assert not at.exception
    options = [str(o) for o in at.selectbox(key="fc_st_segment").options]
    assert any(o.startswith("Grade G") for o in options)
    assert "Grade E customers" not in options


def test_a_recorded_promise_enters_the_weekly_forecast_and_the_total(demo_app):
    import os
    from datetime import timedelta

    from creditdash.aging import open_items
    from creditdash.auth import LOCAL
    from creditdash.collections.records import record_promise
    from creditdash.store import load_ledger, open_store

    at = run_page(demo_app, PAGE)
    weekly = next(d.value for d in at.dataframe if "promised" in d.value.columns)
    assert weekly["promised"].sum() == 0  # the demo has no promise to pay
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    ledger = load_ledger(engine)
    as_of = ledger.last_date.date()
    items = open_items(ledger, as_of)
    owed = items.groupby("customer_id")["outstanding_cents"].sum()
    paid_today = set(
        ledger.payments.loc[ledger.payments["payment_date"] >= str(as_of), "customer_id"]
    )
    customer = owed.drop(list(paid_today), errors="ignore").idxmax()  # its promise stays open
    record_promise(engine, LOCAL, customer, 1_000_000, as_of + timedelta(days=9), made_on=as_of)
    engine.dispose()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    weekly = next(d.value for d in at.dataframe if "promised" in d.value.columns)
    # 10,000.00 in week 2 (as_of + 8 .. as_of + 14), weighted by the book's rate (one half)
    assert weekly["promised"].tolist()[:3] == [0, 5_000.0, 0]
    assert (weekly["total_expected"] - weekly["expected_with_promises"]
            - weekly["new_sales_collections"]).abs().max() < 0.01  # fmt: skip
    assert weekly["expected_with_promises"].sum() <= weekly["expected"].sum() + 5_000.0 + 0.13
    assert any(m.label == "Promised payments (13 wk)" and "1 open promise" in m.help
               for m in at.metric)  # fmt: skip
