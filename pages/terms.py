"""Credit terms: what new terms do to sales, DSO, cash, bad debt and profit; working capital."""

import streamlit as st

import ui
import ui.terms as page
from creditdash import working_capital as wc
from creditdash.errors import CreditDashError
from creditdash.exports import to_csv_bytes
from creditdash.forecast import cash_forecast
from creditdash.risk.in_force import risk_inputs
from creditdash.simulate import (
    Baseline,
    Selection,
    SimulationResult,
    book_payment_curve,
    collections_basis,
    compare,
    customer_grades,
    measure_baseline,
    scenario_inputs,
)
from creditdash.simulate.charts import collections_shift_chart, tornado_chart, waterfall
from creditdash.simulate.scenarios import delete_scenario, list_scenarios, save_scenario
from creditdash.simulate.view import MONEY_COLUMNS, saved_results, terms_view

ui.page_guard("pages/terms.py")
st.title(ui.tr("terms.title"))
if ui.empty_state():
    st.stop()

CURRENT = "current sliders"  # the comparison's column of the scenario on screen
as_of, lang, engine = ui.as_of(), ui.lang(), ui.engine()
currency = ui.settings().reporting_currency
st.caption(ui.tr("terms.caption", as_of=f"{as_of:%Y-%m-%d}", currency=currency))
# grades as the Customer risk page makes them (the policy in force, reports, limits)
grades = ui.computed(customer_grades, as_of, risk_inputs(engine))


def measure(selection: Selection) -> Baseline:
    """The chosen customers' baseline today (grades only for a selection by grade)."""
    chosen_grades = grades if selection.kind == "grade" else None
    return ui.computed(measure_baseline, as_of, selection, chosen_grades)


# --- who, today, and the new terms --------------------------------------------
kind, values = page.chosen_customers(grades)
try:
    selection = Selection(kind, tuple(values))
    baseline = measure(selection)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()
who = selection.in_words(lang)
st.subheader(ui.tr_md("terms.today", selection=who, customers=baseline.customers))
page.today_tiles(baseline)
try:
    scenario = page.scenario(baseline)
    basis = no_basis = None
    try:  # the base cash forecast (shared with the Cash-flow forecast page), the payment curve
        with st.spinner(ui.tr("terms.weekly.spinner")):
            forecast = ui.shared(cash_forecast, as_of, 13)
            basis = collections_basis(forecast, ui.computed(book_payment_curve, as_of))
    except CreditDashError as err:
        no_basis = err
    view = terms_view(baseline, scenario, basis)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()
result = view.result

# --- results -----------------------------------------------------------------
st.subheader(ui.tr("terms.effect"))
st.markdown(ui.tr("terms.levels"))
page.level_tiles(view)
st.markdown(ui.tr("terms.changes"))  # what the new terms add to profit a year
rate = ui.pct(scenario.cost_of_capital * 100)
profit = {"net": result.net, "npv": result.npv}
page.tiles(
    [
        (ui.tr(f"terms.out.{k}", k=rate), ui.money_compact(v), ui.tr(f"terms.out.help.{k}", k=rate))
        for k, v in profit.items()
    ]
)
chart_left, chart_right = st.columns(2)
chart_left.plotly_chart(
    ui.localised(waterfall(view.components, currency, lang)), key="terms_waterfall"
)
chart_right.plotly_chart(
    ui.localised(tornado_chart(view.spread, result.net, currency, lang)), key="terms_tornado"
)
if notes := view.notes(lang):
    st.markdown(" · ".join(notes), help=ui.tr("terms.be.help"))

# --- the next 13 weeks --------------------------------------------------------
if no_basis is not None:
    st.caption(ui.tr("terms.weekly.unavailable", reason=ui.error_text(no_basis)))
if view.weekly is not None:
    st.subheader(ui.tr("terms.weekly"), help=ui.tr("terms.weekly.formula"))
    page.tiles(
        [
            (ui.tr(f"terms.weekly.tile.{k}"), ui.money_compact(view.weeks_total(k)),
             ui.tr(f"terms.weekly.def.{k}"))
            for k in ("base", "scenario")
        ],
        per_row=2,
    )  # fmt: skip
    st.plotly_chart(
        ui.localised(collections_shift_chart(view.weekly, currency, lang)),
        key="terms_weekly_chart",
    )
# the chosen customers' cash: 13 weeks of receipts against the steady-state cash released
st.markdown("**" + ui.tr_md("terms.cash", selection=who) + "**")
page.cash_tiles(view)
cash = view.cash
if cash is not None and cash.share_realised is None and abs(cash.weeks_total) < 0.005:
    st.caption(ui.tr("terms.cash.same"))
elif cash is not None:
    st.caption(
        ui.tr_md(
            "terms.cash.why",
            as_of=f"{as_of:%Y-%m-%d}",
            receivables=ui.money_compact(cash.receivables),
            extra=ui.money_compact(cash.extra_invoicing),
            discounts=ui.money_compact(cash.discounts),
        )
    )
ui.download_pair(
    result.table(), view.sheets(), f"terms_{as_of:%Y%m%d}", "terms", set(MONEY_COLUMNS)
)

# --- saved scenarios ----------------------------------------------------------
st.subheader(ui.tr("terms.saved"))
may_save = ui.permitted("save_scenario")
s1, s2 = st.columns([3, 1])
name = s1.text_input(
    ui.tr("terms.name"), key="terms_name", placeholder=ui.tr("terms.name.placeholder")
)
if s2.button(ui.tr("terms.save"), key="terms_save", disabled=not may_save):
    try:
        save_scenario(engine, name, scenario_inputs(selection, scenario), ui.actor())
        st.success(ui.tr_md("terms.saved_one", name=repr(name.strip())))
    except CreditDashError as err:
        st.error(ui.error_text(err))
saved = list_scenarios(engine)
if saved.empty:
    st.caption(ui.tr("terms.no_saved"))
else:
    names = saved["name"].tolist()
    chosen = st.multiselect(ui.tr("terms.compare"), names, default=names[:3], key="terms_compare")
    results: dict[str, SimulationResult] = {}
    try:
        results.update(saved_results(saved, chosen, measure))  # those before a failing one stay
    except CreditDashError as err:
        st.error(ui.error_text(err))
    if results:
        side = compare({CURRENT: result, **results})
        headers = {"figure": ui.tr("terms.col.figure"), CURRENT: ui.tr("terms.col.current")}
        st.dataframe(side, hide_index=True, key="terms_side_by_side", column_config=headers)
        st.download_button(
            ui.tr("terms.download_compare"),
            to_csv_bytes(side),
            f"scenarios_{as_of:%Y%m%d}.csv",
            "text/csv",
            key="terms_compare_csv",
        )
    gone = st.selectbox(ui.tr("terms.delete_which"), ["—", *names], key="terms_delete_name",
                        disabled=not may_save)  # fmt: skip
    if gone != "—" and st.button(ui.tr("terms.delete"), key="terms_delete", disabled=not may_save):
        try:
            delete_scenario(engine, gone, ui.actor())
            st.rerun()
        except CreditDashError as err:
            st.error(ui.error_text(err))

# --- working capital ----------------------------------------------------------
st.subheader(ui.tr("terms.wc"))
u1, u2 = st.columns([3, 1])
upload = u1.file_uploader(
    ui.tr("terms.wc.upload"),
    type=["csv", "xlsx", "xls"],
    key="wc_upload",
    help=ui.tr("terms.wc.upload.help"),
)
ui.localise_uploader("wc_upload", ["csv", "xlsx", "xls"])
u2.download_button(
    ui.tr("terms.wc.template"),
    wc.figures_template(lang),
    "working_capital_template.csv",
    "text/csv",
    key="wc_template",
)
page.apply_uploaded_figures(upload, as_of)
typed = {}
steps = {"inventory": 100_000.0, "ap": 100_000.0, "cogs": 1_000_000.0}
for column, (figure, step) in zip(st.columns(3), steps.items(), strict=True):
    st.session_state.setdefault(f"wc_{figure}", 0.0)  # typed in, or filled from the upload
    typed[figure] = column.number_input(
        ui.tr(f"terms.wc.{figure}", currency=currency), 0.0, step=step, key=f"wc_{figure}"
    )
try:
    figures = ui.computed(
        wc.working_capital,
        as_of,
        inventory=typed["inventory"],
        ap=typed["ap"],
        cogs=typed["cogs"] or None,
        cost_of_capital=scenario.cost_of_capital,
    )
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()
page.working_capital_tiles(figures)
st.caption(
    ui.tr(
        "terms.wc.caption",
        as_of=f"{as_of:%Y-%m-%d}",
        ar=ui.money(figures["ar"]),
        overdue=ui.money(figures["overdue_ar"]),
        sales=ui.money(figures["credit_sales"]),
    )
)
