"""The Credit terms and Provisions pages: they run, sliders move the figures, scenarios save."""

from __future__ import annotations

import pytest

PAGES = ["pages/terms.py", "pages/provisions.py"]


def run_page(at, page: str):
    at.run()
    at.switch_page(page)
    at.run()
    return at


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("data", ["demo", "empty"])
def test_pages_run_without_exception(request, page, data):
    at = run_page(request.getfixturevalue(f"{data}_app"), page)
    assert not at.exception, [e.value for e in at.exception]
    if data == "empty":
        assert any("No receivables yet" in i.value for i in at.info)
    else:
        assert all(m.help for m in at.metric)  # every figure carries its formula


def test_a_slider_move_changes_the_net_effect(demo_app):
    at = run_page(demo_app, PAGES[0])
    assert metric(at, "Net annual effect") in ("¥0.00", "-¥0.00")
    at.slider(key="terms_net").set_value(90).run()
    at.slider(key="terms_sales").set_value(8.0).run()
    assert not at.exception
    assert metric(at, "Net annual effect") not in ("¥0.00", "-¥0.00")
    dso_today, dso_new = [m.value for m in at.metric if m.label == "DSO (365 days)"][:2]
    assert dso_new != dso_today


def test_a_segment_selection_and_a_saved_scenario(demo_app):
    at = run_page(demo_app, PAGES[0])
    at.selectbox(key="terms_kind").set_value("segment").run()
    at.multiselect(key="terms_segment").set_value(["SME"]).run()
    assert any("Segment: SME" in h.value for h in at.subheader)
    at.slider(key="terms_net").set_value(60).run()
    at.text_input(key="terms_name").set_value("SME to 60").run()
    at.button(key="terms_save").click().run()
    assert not at.exception
    assert any("Saved 'SME to 60'" in s.value for s in at.success)
    side = at.dataframe[0].value  # the only table on the page
    assert list(side.columns) == ["figure", "current sliders", "SME to 60"]


def test_saving_without_a_name_shows_the_rule(demo_app):
    at = run_page(demo_app, PAGES[0])
    at.button(key="terms_save").click().run()
    assert any("must not be empty" in e.value for e in at.error)


def test_bad_edges_and_hand_rates_on_provisions(demo_app):
    at = run_page(demo_app, PAGES[1])
    total = metric(at, "Provision")
    at.number_input(key="prov_overlay").set_value(20.0).run()
    assert metric(at, "Provision") != total
    at.radio(key="prov_source").set_value("hand").run()
    assert not at.exception
    at.text_input(key="prov_edges_due").set_value("60, 30").run()
    assert any("strictly increasing" in e.value for e in at.error)


def test_individual_assessment_moves_money_out_of_the_matrix(demo_app):
    at = run_page(demo_app, PAGES[1])
    assert metric(at, "Individual (单项计提)") == "¥0.00"
    at.selectbox(key="prov_customer").set_value("C0083")  # the largest exposure in the demo
    at.text_input(key="prov_reason").set_value("bankruptcy")
    at.button(key="FormSubmitter:prov_add_individual-Assess individually").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Individual (单项计提)") != "¥0.00"


def test_the_13_week_shift_follows_the_sliders(demo_app):
    at = run_page(demo_app, PAGES[0])
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Receipts difference, 13 weeks") in ("¥0.00", "-¥0.00")
    base = metric(at, "All customers' receipts, 13 weeks: base")
    at.slider(key="terms_net").set_value(120).run()
    assert not at.exception
    assert metric(at, "Receipts difference, 13 weeks").startswith("-¥")  # paid later: less in
    assert metric(at, "All customers' receipts, 13 weeks: base") == base
    assert any(s.value.startswith("The next 13 weeks") for s in at.subheader)


WC_HEADER = "Date,Inventory,Accounts payable,COGS (12 months)\n"


def test_uploaded_working_capital_figures_fill_the_inputs(demo_app):
    at = run_page(demo_app, PAGES[0])
    good = WC_HEADER + "2026-09-30,1000000,500000,4000000\n2026-10-31,1200000,600000,4800000\n"
    at.file_uploader(key="wc_upload").set_value(("wc.csv", good.encode(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="wc_inventory").value == 1_200_000  # the row in force at as-of
    assert at.number_input(key="wc_ap").value == 600_000
    assert at.number_input(key="wc_cogs").value == 4_800_000
    assert metric(at, "DIO").startswith("91.")  # 1,200,000 / 4,800,000 x 365 = 91.25 days
    assert any("Figures of 2026-10-31 from wc.csv" in c.value for c in at.caption)


def test_a_bad_working_capital_file_lists_its_problems_and_changes_nothing(demo_app):
    at = run_page(demo_app, PAGES[0])
    at.number_input(key="wc_inventory").set_value(5.0).run()
    bad = WC_HEADER + "2026-13-01,1000,500,4000\n2026-10-31,abc,-5,\n"
    at.file_uploader(key="wc_upload").set_value(("bad.csv", bad.encode(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("The file was not used: 3 problem(s)" in e.value for e in at.error)
    problems = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert list(zip(problems["row"], problems["column"], strict=True)) == [
        (2, "Date"),
        (3, "Inventory"),
        (3, "Accounts payable"),
    ]
    assert at.number_input(key="wc_inventory").value == 5.0


def test_each_portfolios_own_roll_rates_say_where_history_is_thin(demo_app):
    at = run_page(demo_app, PAGES[1])
    at.selectbox(key="prov_by").set_value("region").run()
    book_rates = metric(at, "Provision")
    at.checkbox(key="prov_per_portfolio").check().run()
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Provision") != book_rates
    assert any("Too little history" in i.value and "华北" in i.value for i in at.info)
