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


def test_minimum_above_balance_calls_out_the_first_week(demo_app):
    at = run_page(demo_app, PAGE)
    at.number_input(key="fc_min_(new plan)").set_value(1e12).run()
    assert not at.exception
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
