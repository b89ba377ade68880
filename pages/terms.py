"""Credit terms: what new terms do to sales, DSO, cash, bad debt and profit; working capital."""

import streamlit as st

import ui
from creditdash import working_capital as wc
from creditdash.errors import CreditDashError
from creditdash.exports import to_csv_bytes, to_xlsx_bytes
from creditdash.simulate import (
    BASELINE_DEFINITIONS,
    COMPONENTS,
    Scenario,
    Selection,
    break_even,
    break_even_default_rate,
    compare,
    cost_of_forgoing_discount,
    customer_grades,
    measure_baseline,
    parse_inputs,
    scenario_inputs,
    selection_options,
    simulate,
    tornado,
)
from creditdash.simulate.charts import tornado_chart, waterfall
from creditdash.store.terms import delete_scenario, list_scenarios, save_scenario

ui.page_guard("pages/terms.py")
st.title("Credit terms")
if ui.empty_state():
    st.stop()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
as_of = ui.as_of()
currency = ui.settings().reporting_currency
engine = ui.engine()
st.caption(
    f"Measured over the 365 days to {as_of:%Y-%m-%d}; every figure is a year, in {currency}. "
    "Move the sliders: the results follow."
)


def _grades():
    try:
        from creditdash.risk.policy_store import current_policy
    except ImportError:
        return None
    return ui.computed(customer_grades, as_of, current_policy(engine).json)


KINDS = {
    "all": "All customers",
    "grade": "A risk grade",
    "segment": "A segment",
    "region": "A region",
    "customers": "A list of customers",
}
grades = _grades()
kinds = [k for k in KINDS if k != "grade" or grades is not None]

# --- who and what ------------------------------------------------------------
left, right = st.columns([1, 2])
kind = left.selectbox("Customers", kinds, format_func=KINDS.get, key="terms_kind")
values: list[str] = []
if kind == "grade":
    options = sorted(grades.unique().tolist())
    values = right.multiselect("Grades", options, default=options[-1:], key="terms_grades")
elif kind in ("segment", "region", "customers"):
    options = selection_options(ui.ledger(), kind)
    values = right.multiselect(
        KINDS[kind].removeprefix("A ").capitalize(),
        options,
        default=options[:1],
        key=f"terms_{kind}",
    )
try:
    selection = Selection(kind, tuple(values))
    baseline = ui.computed(measure_baseline, as_of, selection, grades if kind == "grade" else None)
except CreditDashError as err:
    st.error(str(err))
    st.stop()

st.subheader(f"Today: {baseline.selection} ({baseline.customers} customers)")
tiles = [
    ("credit_sales", "Credit sales", ui.money_compact(baseline.credit_sales)),
    ("ar", "AR", ui.money_compact(baseline.ar)),
    ("dso", "DSO", ui.days(baseline.dso)),
    ("terms_days", "Terms", ui.days(baseline.terms_days)),
    ("days_late", "Days late", ui.days(baseline.days_late)),
    ("bad_debt_rate", "Bad-debt rate", ui.pct(baseline.bad_debt_rate * 100)),
]
for column, (key, label, text) in zip(st.columns(len(tiles)), tiles, strict=True):
    column.metric(label, text, help=BASELINE_DEFINITIONS[key], border=True)

# --- new terms and assumptions -----------------------------------------------
today_terms = int(round(baseline.terms_days))
t1, t2, t3 = st.columns(3)
with t1:
    st.markdown("**New terms**")
    net = st.slider(
        "Net days", 0, 180, today_terms, 5 if today_terms % 5 == 0 else 1, key="terms_net"
    )
    discount = st.slider("Cash discount %", 0.0, 5.0, 0.0, 0.25, key="terms_discount")
    discount_days = st.slider("Discount days", 0, 30, 10, key="terms_discount_days")
    late = st.slider("Late interest % a year", 0.0, 24.0, 0.0, 0.5, key="terms_late")
with t2:
    st.markdown("**How customers react**")
    take_up = st.slider(
        "Share of sales taking the discount %",
        0,
        100,
        40,
        5,
        key="terms_take_up",
        help="Counts only when a discount is offered.",
    )
    sales_change = st.slider("Sales response %", -30.0, 30.0, 0.0, 0.5, key="terms_sales")
    bad_change = st.slider(
        "Bad-debt rate change (points)",
        -2.0,
        5.0,
        0.0,
        0.1,
        key="terms_bad",
        help="Added to the measured bad-debt rate.",
    )
with t3:
    st.markdown("**Company figures**")
    variable = st.slider("Variable cost ratio %", 0, 100, 70, 1, key="terms_variable")
    capital = st.slider("Cost of capital % a year", 0.0, 20.0, 8.0, 0.5, key="terms_capital")
    if net == today_terms:
        st.caption(f"Net days at today's measured terms ({baseline.terms_days:.1f} d): unchanged.")

try:
    scenario = Scenario(
        net_days=None if net == today_terms else float(net),
        discount=discount / 100,
        discount_days=float(discount_days),
        late_interest=late / 100,
        take_up=take_up / 100,
        sales_change=sales_change / 100,
        bad_debt_change=bad_change / 100,
        variable_cost_ratio=variable / 100,
        cost_of_capital=capital / 100,
    )
    result = simulate(baseline, scenario)
    spread = tornado(baseline, scenario)
except CreditDashError as err:
    st.error(str(err))
    st.stop()

# --- results -----------------------------------------------------------------
st.subheader("Effect of the new terms, a year")
effect = result.effect
row1 = [
    (
        "New DSO",
        ui.days(result.dso_new),
        ui.days(result.dso_new - baseline.dso),
        "inverse",
        "DSO1 = t x D + (1 - t) x (DSO0 + N1 - N0): takers pay on the discount day, the rest keep their lateness.",
    ),
    ("New AR", ui.money_compact(result.ar_new), None, "off", "AR1 = S1 x DSO1 / 365."),
    (
        "Cash released",
        ui.money_compact(result.cash_released),
        None,
        "off",
        "AR0 - AR1: positive frees cash, negative ties more cash up in receivables.",
    ),
    (
        "Carrying cost",
        ui.money_compact(scenario.cost_of_capital * scenario.variable_cost_ratio * result.ar_new),
        ui.money_compact(-effect.carrying_cost),
        "normal",
        "k x v x AR1; the change is -k x v x (AR1 - AR0).",
    ),
    ("Discount cost", ui.money_compact(effect.discount_cost), None, "off", "d x t x S1."),
]
row2 = [
    (
        "Bad debt",
        ui.money_compact(result.bad_debt_rate_new * result.sales_new),
        ui.money_compact(-effect.bad_debt),
        "normal",
        "b1 x S1; the change is -(b1 S1 - b0 S0).",
    ),
    ("Contribution", ui.money_compact(effect.contribution), None, "off", "(1 - v) x (S1 - S0)."),
    (
        "Late interest",
        ui.money_compact(effect.late_interest),
        None,
        "off",
        COMPONENTS["late_interest"],
    ),
    (
        "Net annual effect",
        ui.money_compact(result.net),
        None,
        "off",
        "Contribution - change in bad debt - discount cost - change in carrying cost + late interest.",
    ),
    (
        "NPV",
        ui.money_compact(result.npv),
        None,
        "off",
        "Net annual effect / k: the effect as a perpetuity (= -v x (AR1 - AR0) + the other components / k).",
    ),
]
for row in (row1, row2):
    for column, (label, text, delta, colour, formula) in zip(st.columns(5), row, strict=True):
        shown_delta = None if delta in (None, ui.days(0.0), ui.money_compact(0.0)) else delta
        column.metric(label, text, delta=shown_delta, delta_color=colour, help=formula, border=True)

chart_left, chart_right = st.columns(2)
components = result.components()
chart_left.plotly_chart(waterfall(components, currency=currency), key="terms_waterfall")
chart_right.plotly_chart(tornado_chart(spread, result.net, currency=currency), key="terms_tornado")

notes = []
for name, label in (("sales_change", "sales response"), ("take_up", "discount take-up")):
    value = break_even(baseline, scenario, name)
    if value is not None:
        inside = name != "take_up" or 0 <= value <= 1
        notes.append(
            f"break-even {label}: **{value:+.2%}**" + ("" if inside else " (outside 0-100%)")
        )
if scenario.discount > 0 and scenario.discount_days < (scenario.net_days or baseline.terms_days):
    terms_net = scenario.net_days or baseline.terms_days
    forgo = cost_of_forgoing_discount(scenario.discount, scenario.discount_days, terms_net)
    even = break_even_default_rate(
        scenario.discount, scenario.discount_days, terms_net, scenario.cost_of_capital
    )
    notes.append(f"cost to a customer of forgoing the discount: **{forgo:.2%}** a year")
    notes.append(f"break-even default rate of the discount: **{even:.2%}**")
if notes:
    st.markdown(
        " · ".join(notes),
        help=(
            "Break-even: the value at which the net annual effect is zero (the others held). "
            "Cost of forgoing d/D net N = d / (1 - d) x 365 / (N - D). Break-even default rate = "
            "1 - (1 - d)(1 + k (N - D) / 365): above it the discount pays for itself."
        ),
    )

shown = result.table()
d1, d2, _ = st.columns([1, 1, 4])
stem = f"terms_{as_of:%Y%m%d}"
d1.download_button("Download CSV", to_csv_bytes(shown), f"{stem}.csv", "text/csv", key="terms_csv")
d2.download_button(
    "Download XLSX",
    to_xlsx_bytes(
        {"Scenario": shown, "Components": components, "Tornado": spread},
        {"baseline", "scenario", "change", "amount", "net_low", "net_high", "swing"},
    ),
    f"{stem}.xlsx",
    XLSX,
    key="terms_xlsx",
)

# --- saved scenarios ----------------------------------------------------------
st.subheader("Saved scenarios")
s1, s2 = st.columns([3, 1])
name = s1.text_input("Scenario name", key="terms_name", placeholder="e.g. SME to 45 days")
if s2.button("Save scenario", key="terms_save"):
    try:
        actor = ui.actor()
        actor.require("save_scenario")
        save_scenario(engine, name, scenario_inputs(selection, scenario), who=actor.who)
        st.success(f"Saved {name.strip()!r}.")
    except CreditDashError as err:
        st.error(str(err))
saved = list_scenarios(engine)
if saved.empty:
    st.caption("No saved scenarios yet: name the one above and save it to compare it later.")
else:
    chosen = st.multiselect(
        "Compare", saved["name"].tolist(), default=saved["name"].tolist()[:3], key="terms_compare"
    )
    results = {}
    try:
        for row in saved[saved["name"].isin(chosen)].itertuples():
            saved_selection, saved_scenario = parse_inputs(row.inputs)
            saved_grades = grades if saved_selection.kind == "grade" else None
            base = ui.computed(measure_baseline, as_of, saved_selection, saved_grades)
            results[row.name] = simulate(base, saved_scenario)
    except CreditDashError as err:
        st.error(str(err))
    if results:
        side = compare({"current sliders": result, **results})
        st.dataframe(side, hide_index=True, key="terms_side_by_side")
        st.download_button(
            "Download comparison (CSV)",
            to_csv_bytes(side),
            f"scenarios_{as_of:%Y%m%d}.csv",
            "text/csv",
            key="terms_compare_csv",
        )
    gone = st.selectbox("Delete a saved scenario", ["—", *saved["name"]], key="terms_delete_name")
    if gone != "—" and st.button("Delete", key="terms_delete"):
        try:
            ui.actor().require("save_scenario")
            delete_scenario(engine, gone)
            st.rerun()
        except CreditDashError as err:
            st.error(str(err))

# --- working capital ----------------------------------------------------------
st.subheader("Working capital")
w1, w2, w3 = st.columns(3)
inventory = w1.number_input(
    f"Inventory ({currency})", 0.0, value=0.0, step=100_000.0, key="wc_inventory"
)
payables = w2.number_input(
    f"Accounts payable ({currency})", 0.0, value=0.0, step=100_000.0, key="wc_ap"
)
cogs = w3.number_input(
    f"Cost of goods sold a year ({currency}, 0 = unknown)",
    0.0,
    value=0.0,
    step=1_000_000.0,
    key="wc_cogs",
)
try:
    figures = ui.computed(
        wc.working_capital,
        as_of,
        inventory=inventory,
        ap=payables,
        cogs=cogs or None,
        cost_of_capital=scenario.cost_of_capital,
    )
except CreditDashError as err:
    st.error(str(err))
    st.stop()
defs = wc.WORKING_CAPITAL_DEFINITIONS
wc_tiles = [
    ("wcr", ui.money_compact),
    ("dso", ui.days),
    ("dio", ui.days),
    ("dpo", ui.days),
    ("ccc", ui.days),
    ("cash_per_dso_day", ui.money_compact),
    ("overdue_financing_cost", ui.money_compact),
]
LABELS = {
    "wcr": "WCR",
    "dso": "DSO",
    "dio": "DIO",
    "dpo": "DPO",
    "ccc": "Cash conversion cycle",
    "cash_per_dso_day": "Cash per day of DSO",
    "overdue_financing_cost": "Cost of overdue AR a year",
}
for tiles_row in (wc_tiles[:4], wc_tiles[4:]):
    for column, (key, fmt) in zip(st.columns(4), tiles_row, strict=False):
        column.metric(LABELS[key], fmt(figures[key]), help=defs[key], border=True)
st.caption(
    f"Whole book at {as_of:%Y-%m-%d}: AR {ui.money(figures['ar'])}, overdue {ui.money(figures['overdue_ar'])}, "
    f"credit sales {ui.money(figures['credit_sales'])} a year. DIO, DPO and the cycle need the cost of goods sold."
)
