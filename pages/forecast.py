"""Cash-flow forecast: 13-week collections, cash plan, stress scenarios and the track record."""

import pandas as pd
import streamlit as st

import ui
from creditdash.aging import to_money
from creditdash.errors import CreditDashError
from creditdash.exports import to_csv_bytes, to_xlsx_bytes
from creditdash.forecast import cashplan, charts
from creditdash.forecast.backtest import recent_backtest
from creditdash.forecast.stress import Scenario, run_scenarios
from creditdash.forecast.weekly import cash_forecast

ui.page_guard("pages/forecast.py")
st.title("Cash-flow forecast")
if ui.empty_state():
    st.stop()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
as_of = ui.as_of()
currency = ui.settings().reporting_currency
weeks = 13
st.caption(
    f"Week 1 is the 7 days after {as_of:%Y-%m-%d}; figures in {currency}. Open invoices are "
    "collected on each customer's own payment history (amount-weighted, recent behaviour first, "
    "shrunk to its segment and the book when history is thin); new sales on a statsmodels "
    "invoicing forecast."
)
try:
    with st.spinner("Forecasting…"):
        forecast = ui.shared(cash_forecast, as_of, weeks)
except CreditDashError as err:
    st.error(str(err))
    st.stop()
weekly = forecast.weekly
shown_weekly = to_money(weekly)

c1, c2, c3, c4 = st.columns(4)
c1.metric(
    "Open invoices collected (13 wk)",
    ui.money_compact(weekly["expected_cents"].sum() / 100),
    help="Sum over 13 weeks of outstanding x P(paid in the week), per open invoice.",
)
c2.metric(
    "New sales collected (13 wk)",
    ui.money_compact(weekly["new_sales_collections_cents"].sum() / 100),
    help="Forecast invoicing per week x the book's curve of days from invoice to payment. "
    f"Invoicing model: {weekly.attrs.get('sales_model')}.",
)
c3.metric(
    "Open AR not expected in 13 wk",
    ui.money_compact(
        (
            forecast.invoices["outstanding_cents"] - forecast.invoices["expected_in_horizon_cents"]
        ).sum()
        / 100
    ),
    help="Outstanding of open invoices minus what they are expected to bring within 13 weeks "
    "(later payments, disputes, deep-overdue items and never-paid risk).",
)
c4.metric(
    "Total collected (13 wk)",
    ui.money_compact(weekly["total_expected_cents"].sum() / 100),
    help="Expected total of both layers. Its P10 (from 1,000 simulations in which a customer's "
    f"invoices move together) is {ui.money(weekly['cumulative_p10_cents'].iloc[-1] / 100)}.",
)
st.plotly_chart(charts.collections_chart(weekly, currency), key="fc_chart")
with st.expander("Weekly figures"):
    st.dataframe(
        shown_weekly,
        hide_index=True,
        key="fc_weekly",
        column_config={c: ui.money_column(c) for c in shown_weekly.columns[3:]},
    )
d1, d2, d3, _ = st.columns([1, 1, 1.4, 3])
d1.download_button(
    "Forecast CSV", to_csv_bytes(shown_weekly), f"forecast_{as_of:%Y%m%d}.csv", "text/csv",
    key="fc_dl_csv",
)  # fmt: skip
d2.download_button(
    "Forecast XLSX",
    to_xlsx_bytes({"Forecast": shown_weekly}, set(shown_weekly.columns[3:])),
    f"forecast_{as_of:%Y%m%d}.xlsx",
    XLSX,
    key="fc_dl_xlsx",
)
d3.download_button(
    "Per-invoice detail XLSX",
    to_xlsx_bytes({"Invoices": to_money(forecast.invoices)}),
    f"forecast_invoices_{as_of:%Y%m%d}.xlsx",
    XLSX,
    key="fc_dl_invoices",
)

# ------------------------------------------------------------ cash plan
st.subheader("13-week cash plan")
engine = ui.engine()
saved = cashplan.list_plans(engine)
p1, p2, p3 = st.columns([2, 1, 1])
choice = p1.selectbox("Plan", ["(new plan)", *saved], key="fc_plan_choice")
revision = st.session_state.setdefault("fc_plan_rev", 0)
source = st.session_state.get("fc_plan_source")
if source is None or source[0] != choice:
    plan = (
        cashplan.load_plan(engine, choice)
        if choice != "(new plan)"
        else cashplan.CashPlan("My plan", 0, 0)
    )
    st.session_state["fc_plan_source"] = (choice, plan)
    source = (choice, plan)
plan = source[1]
opening = p2.number_input(
    "Opening cash", value=plan.opening_cash_cents / 100, step=100_000.0, key=f"fc_open_{choice}",
    help="Cash in the bank at the end of the as-of date.",
)  # fmt: skip
minimum = p3.number_input(
    "Minimum cash", value=plan.minimum_cash_cents / 100, step=100_000.0, key=f"fc_min_{choice}",
    help="The balance the company must not go below (covenant or buffer).",
)  # fmt: skip
upload = st.file_uploader(
    "Upload plan lines (CSV or XLSX: week, Other receipts, Payroll, Suppliers, Tax, "
    "Loan service, Other payments)",
    type=["csv", "xlsx"],
    key="fc_plan_upload",
)
if upload is not None and st.session_state.get("fc_plan_uploaded") != upload.file_id:
    try:
        lines = cashplan.read_plan_file(upload.name, upload.getvalue(), weeks)
        st.session_state["fc_plan_source"] = (choice, cashplan.CashPlan(plan.name, 0, 0, lines))
        st.session_state["fc_plan_uploaded"] = upload.file_id
        st.session_state["fc_plan_rev"] = revision + 1
        st.rerun()
    except CreditDashError as err:
        st.error(str(err))
edited = st.data_editor(
    cashplan.lines_to_money(plan.lines),
    hide_index=True,
    disabled=["week"],
    key=f"fc_plan_editor_{choice}_{revision}",
    column_config={label: ui.money_column(label) for label in cashplan.CATEGORY_LABELS.values()},
)
try:
    lines = cashplan.lines_from_money(edited, weeks)
    current = cashplan.CashPlan(plan.name, round(opening * 100), round(minimum * 100), lines)
except CreditDashError as err:
    st.error(str(err))
    st.stop()
table = cashplan.plan_table(weekly, current)
short = cashplan.first_shortfall(table, current.minimum_cash_cents)
if short:
    st.error(
        f"Cash falls below the minimum in week {short['week']} "
        f"({short['start']:%Y-%m-%d} – {short['end']:%Y-%m-%d}): closing "
        f"{ui.money(short['closing_cents'] / 100)}, short by "
        f"**{ui.money(short['shortfall_cents'] / 100)}**.",
        icon=":material/warning:",
    )
else:
    prudent = cashplan.first_shortfall(table, current.minimum_cash_cents, "closing_p10_cents")
    if prudent:
        st.warning(
            f"The expected balance stays above the minimum, but at P10 collections it falls "
            f"below in week {prudent['week']} by {ui.money(prudent['shortfall_cents'] / 100)}."
        )
    else:
        st.success("The closing balance stays above the minimum in all 13 weeks.")
s1, s2, _ = st.columns([2, 1, 3])
name = s1.text_input("Save as", plan.name, key="fc_plan_name")
if s2.button("Save plan", key="fc_plan_save"):
    try:
        cashplan.save_plan(
            engine,
            cashplan.CashPlan(name, current.opening_cash_cents, current.minimum_cash_cents, lines),
        )
        st.toast(f"Saved cash plan {name!r}.")
    except CreditDashError as err:
        st.error(str(err))

# ------------------------------------------------------------ stress
st.subheader("Stress scenarios")
segments = sorted(set(ui.ledger().customers["segment"].dropna().astype(str)) - {""})
x1, x2, x3, x4 = st.columns(4)
late = x1.number_input("Everyone pays later by (days)", 0, 180, 15, key="fc_st_days")
top = x2.number_input("Largest customers that delay", 1, 50, 5, key="fc_st_top")
top_days = x3.number_input("… by (days)", 0, 180, 30, key="fc_st_top_days")
group = x4.selectbox("Segment that defaults", segments or ["(none)"], key="fc_st_segment")
scenarios = [
    Scenario(f"All pay {late} d later", "delay_all", days=int(late)),
    Scenario(f"Top {top} delay {top_days} d", "delay_largest", days=int(top_days), top=int(top)),
    Scenario(f"{group} defaults", "default", attribute="segment", value=group),
]
stress = run_scenarios(ui.ledger(), forecast, scenarios)
tables = {}
for name_, part in stress.groupby("scenario", sort=False):
    frame = part.reset_index(drop=True)
    frame["cumulative_p10_cents"] = frame["total_p10_cents"].cumsum()
    tables[name_] = cashplan.plan_table(frame, current)
tables["Base case"] = table
st.plotly_chart(
    charts.balance_chart(tables, current.minimum_cash_cents, currency), key="fc_balance"
)
rows = []
for name_, t in tables.items():
    s = cashplan.first_shortfall(t, current.minimum_cash_cents)
    rows.append({
        "scenario": name_,
        "collections_13w": t["collections_cents"].sum() / 100,
        "closing_week_13": t["closing_cents"].iloc[-1] / 100,
        "first_week_below_minimum": s["week"] if s else None,
        "shortfall": s["shortfall_cents"] / 100 if s else 0.0,
    })  # fmt: skip
summary = pd.DataFrame(rows)
st.dataframe(
    summary, hide_index=True, key="fc_stress_table",
    column_config={c: ui.money_column(c) for c in ("collections_13w", "closing_week_13", "shortfall")},
)  # fmt: skip
plan_xlsx = {"Cash plan": to_money(table), "Scenarios": summary}
st.download_button(
    "Cash plan and scenarios XLSX",
    to_xlsx_bytes(plan_xlsx),
    f"cash_plan_{as_of:%Y%m%d}.xlsx",
    XLSX,
    key="fc_dl_plan",
)

# ------------------------------------------------------------ back-test
st.subheader("Track record (back-test)")
try:
    with st.spinner("Back-testing the last 12 origins…"):
        bt = ui.shared(recent_backtest, as_of)
except CreditDashError as err:
    st.info(str(err))
    st.stop()
summ = bt.summary
b1, b2, b3, b4 = st.columns(4)
b1.metric("WAPE, model", ui.pct(summ["wape"]),
          help="sum |actual - forecast| / sum actual over 13 weeks, averaged over origins.")  # fmt: skip
b2.metric("WAPE, due-date baseline", ui.pct(summ["baseline_due_date"]),
          help="Every open invoice paid in full on its due date (overdue: week 1).")  # fmt: skip
b3.metric("WAPE, average-delay baseline", ui.pct(summ["baseline_avg_delay"]),
          help="Paid on due date + the customer's amount-weighted average delay so far.")  # fmt: skip
b4.metric("P10-P90 coverage", ui.pct(summ["coverage_p10_p90"]),
          help="Share of back-test weeks whose actual collections fell inside the band "
          "(target 70-90%).")  # fmt: skip
if summ["approximate_weeks"]:
    st.caption(
        f"{summ['approximate_weeks']} week(s) include payments derived from open-items "
        "snapshots: their dates are export dates, so those weeks are approximate."
    )
g1, g2 = st.columns(2)
g1.plotly_chart(charts.backtest_chart(bt.weeks, 3, currency), key="fc_bt_chart")
g2.plotly_chart(charts.wape_chart(bt.origins), key="fc_bt_wape")
bt_frame = to_money(bt.origins)
st.download_button(
    "Back-test XLSX",
    to_xlsx_bytes({"Origins": bt_frame, "Weeks": to_money(bt.weeks)}),
    f"backtest_{as_of:%Y%m%d}.xlsx",
    XLSX,
    key="fc_dl_bt",
)
