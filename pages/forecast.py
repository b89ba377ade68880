"""Cash-flow forecast: 13-week collections, cash plan, stress scenarios and the track record."""

import pandas as pd
import streamlit as st

import ui
from creditdash.aging import to_money
from creditdash.errors import CreditDashError
from creditdash.exports import XLSX_MIME, to_csv_bytes, to_xlsx_bytes
from creditdash.forecast import cashplan, charts
from creditdash.forecast.backtest import recent_backtest
from creditdash.forecast.promises import with_promises
from creditdash.forecast.stress import Scenario, run_scenarios
from creditdash.forecast.view import stored_promises
from creditdash.forecast.weekly import cash_forecast
from creditdash.risk.policy_store import current_policy
from creditdash.simulate.baseline import customer_grades

ui.page_guard("pages/forecast.py")
st.title(ui.tr("forecast.title"))
if ui.empty_state():
    st.stop()


def column_labels(frame: pd.DataFrame, money: list[str]) -> dict:
    """Headers in the user's language (forecast.col.<name>); `money` columns as money."""
    labels = {c: ui.tr(f"forecast.col.{c}") for c in frame.columns}
    return {c: ui.money_column(label) if c in money else label for c, label in labels.items()}


as_of = ui.as_of()
engine = ui.engine()
currency = ui.settings().reporting_currency
weeks = 13
st.caption(ui.tr("forecast.caption", as_of=f"{as_of:%Y-%m-%d}", currency=currency))
try:
    with st.spinner(ui.tr("forecast.spinner")):
        forecast = ui.shared(cash_forecast, as_of, weeks)
    promised = stored_promises(engine, ui.ledger(), as_of)  # promises change without an import
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()
weekly = with_promises(forecast, promised)  # the plan below rolls on the total with promises
shown_weekly = to_money(weekly)
st.caption(ui.tr(f"forecast.never_paid.{forecast.never_paid_from}"))

c1, c5, c2, c3, c4 = ui.tile_columns(5)
c1.metric(
    ui.tr("forecast.metric.open", weeks=weeks),
    ui.money_compact(weekly["expected_cents"].sum() / 100),
    help=ui.tr("forecast.metric.open.help", weeks=weeks),
)
c5.metric(
    ui.tr("forecast.metric.promised", weeks=weeks),
    ui.money_compact(weekly["promised_cents"].sum() / 100),
    help=ui.tr("forecast.metric.promised.help", count=len(promised)),
)
c2.metric(
    ui.tr("forecast.metric.new", weeks=weeks),
    ui.money_compact(weekly["new_sales_collections_cents"].sum() / 100),
    help=ui.tr("forecast.metric.new.help", model=weekly.attrs.get("sales_model")),
)
c3.metric(
    ui.tr("forecast.metric.later", weeks=weeks),
    ui.money_compact(
        (
            forecast.invoices["outstanding_cents"] - forecast.invoices["expected_in_horizon_cents"]
        ).sum()
        / 100
    ),
    help=ui.tr("forecast.metric.later.help", weeks=weeks),
)
c4.metric(
    ui.tr("forecast.metric.total", weeks=weeks),
    ui.money_compact(weekly["total_expected_cents"].sum() / 100),
    help=ui.tr(
        "forecast.metric.total.help", p10=ui.money(weekly["cumulative_p10_cents"].iloc[-1] / 100)
    ),
)
st.plotly_chart(ui.localised(charts.collections_chart(weekly, currency, ui.lang())), key="fc_chart")
with st.expander(ui.tr("forecast.weekly")):
    st.dataframe(
        shown_weekly,
        hide_index=True,
        key="fc_weekly",
        column_config=column_labels(shown_weekly, list(shown_weekly.columns[3:])),
    )
d1, d2, d3, _ = st.columns([1, 1, 1.4, 3])
# the files are built on click (default arguments pin this run's frames), not on every rerun
d1.download_button(
    ui.tr("forecast.download.csv"), lambda frame=shown_weekly: to_csv_bytes(frame),
    f"forecast_{as_of:%Y%m%d}.csv", "text/csv", key="fc_dl_csv", on_click="ignore",
)  # fmt: skip
d2.download_button(
    ui.tr("forecast.download.xlsx"),
    lambda frame=shown_weekly: to_xlsx_bytes({"Forecast": frame}, set(frame.columns[3:])),
    f"forecast_{as_of:%Y%m%d}.xlsx",
    XLSX_MIME,
    key="fc_dl_xlsx",
    on_click="ignore",
)
d3.download_button(
    ui.tr("forecast.download.invoices"),
    lambda invoices=forecast.invoices: to_xlsx_bytes({"Invoices": to_money(invoices)}),
    f"forecast_invoices_{as_of:%Y%m%d}.xlsx",
    XLSX_MIME,
    key="fc_dl_invoices",
    on_click="ignore",
)

# ------------------------------------------------------------ cash plan
st.subheader(ui.tr("forecast.plan.title", weeks=weeks))
NEW_PLAN = "(new plan)"  # the option (and widget-key part) of an unsaved plan
saved = cashplan.list_plans(engine)
p1, p2, p3 = st.columns([2, 1, 1])
choice = p1.selectbox(
    ui.tr("forecast.plan.choice"),
    [NEW_PLAN, *saved],
    format_func=lambda p: ui.tr("forecast.plan.new") if p == NEW_PLAN else p,
    key="fc_plan_choice",
)
revision = st.session_state.setdefault("fc_plan_rev", 0)
source = st.session_state.get("fc_plan_source")
if source is None or source[0] != choice:
    plan = (
        cashplan.load_plan(engine, choice)
        if choice != NEW_PLAN
        else cashplan.CashPlan(ui.tr("forecast.plan.default_name"), None, 0)  # opening: asked for
    )
    st.session_state["fc_plan_source"] = (choice, plan)
    source = (choice, plan)
plan = source[1]
given = plan.opening_cash_cents
opening = p2.number_input(
    ui.tr("forecast.plan.opening"), value=None if given is None else given / 100, step=100_000.0,
    key=f"fc_open_{choice}", help=ui.tr("forecast.plan.opening.help"),
    placeholder=ui.tr("forecast.plan.opening.placeholder"),
)  # fmt: skip
minimum = p3.number_input(
    ui.tr("forecast.plan.minimum"), value=plan.minimum_cash_cents / 100, step=100_000.0,
    key=f"fc_min_{choice}", help=ui.tr("forecast.plan.minimum.help"),
)  # fmt: skip
upload = st.file_uploader(
    ui.tr("forecast.plan.upload"),
    type=["csv", "xlsx"],
    key="fc_plan_upload",
)
ui.localise_uploader("fc_plan_upload", ["csv", "xlsx"])
if upload is not None and st.session_state.get("fc_plan_uploaded") != upload.file_id:
    try:
        lines = cashplan.read_plan_file(upload.name, upload.getvalue(), weeks)
        uploaded = cashplan.CashPlan(
            plan.name, plan.opening_cash_cents, plan.minimum_cash_cents, lines
        )
        st.session_state["fc_plan_source"] = (choice, uploaded)
        st.session_state["fc_plan_uploaded"] = upload.file_id
        st.session_state["fc_plan_rev"] = revision + 1
        st.rerun()
    except CreditDashError as err:
        st.error(ui.error_text(err))
edited = st.data_editor(
    cashplan.lines_to_money(plan.lines),
    hide_index=True,
    disabled=["week"],
    key=f"fc_plan_editor_{choice}_{revision}",
    # the editor's columns are the categories' English labels, which lines_from_money reads back
    column_config={
        "week": ui.tr("forecast.col.week"),
        **{
            label: ui.money_column(ui.tr(f"forecast.category.{category}"))
            for category, label in cashplan.CATEGORY_LABELS.items()
        },
    },
)
try:
    lines = cashplan.lines_from_money(edited, weeks)
    opening_cents = None if opening is None else round(opening * 100)
    current = cashplan.CashPlan(plan.name, opening_cents, round(minimum * 100), lines)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()
table = cashplan.plan_table(weekly, current)
verdict = cashplan.plan_verdict(table, current.minimum_cash_cents)
short = verdict.shortfall
if not verdict.opening_given:
    st.info(ui.tr("forecast.plan.no_opening"), icon=":material/info:")
elif verdict.status == "short":
    st.error(
        ui.tr(
            "forecast.plan.short",
            week=short["week"],
            start=f"{short['start']:%Y-%m-%d}",
            end=f"{short['end']:%Y-%m-%d}",
            closing=ui.money(short["closing_cents"] / 100),
            shortfall=ui.money(short["shortfall_cents"] / 100),
        ),
        icon=":material/warning:",
    )
elif verdict.status == "short_p10":
    st.warning(
        ui.tr(
            "forecast.plan.short_p10",
            week=short["week"],
            shortfall=ui.money(short["shortfall_cents"] / 100),
        )
    )
else:
    st.success(ui.tr("forecast.plan.ok", weeks=weeks))
may_save = ui.permitted("edit_cash_plan")  # anyone may try figures; saving needs the role
s1, s2, _ = st.columns([2, 1, 3])
name = s1.text_input(ui.tr("forecast.plan.save_as"), plan.name, key="fc_plan_name")
if s2.button(ui.tr("forecast.plan.save"), key="fc_plan_save", disabled=not may_save):
    try:
        cashplan.save_plan(
            engine,
            cashplan.CashPlan(name, current.opening_cash_cents, current.minimum_cash_cents, lines),
            ui.actor(),
        )
        st.toast(ui.tr_md("forecast.plan.saved", name=name))
    except CreditDashError as err:
        st.error(ui.error_text(err))

# ------------------------------------------------------------ stress
st.subheader(ui.tr("forecast.stress.title"))
segments = sorted(set(ui.ledger().customers["segment"].dropna().astype(str)) - {""})
# grades under the credit policy in force (as on the terms and provisions pages)
grades = ui.computed(customer_grades, as_of, current_policy(engine).json)
# each option's label -> (what it selects, its value)
groups = {s: ("segment", s) for s in segments}
if grades is not None:
    groups |= {ui.tr("forecast.stress.grade", grade=g): ("grade", g) for g in sorted(set(grades))}
x1, x2, x3, x4 = st.columns(4)
late = x1.number_input(ui.tr("forecast.stress.late"), 0, 180, 15, key="fc_st_days")
top = x2.number_input(ui.tr("forecast.stress.top"), 1, 50, 5, key="fc_st_top")
top_days = x3.number_input(ui.tr("forecast.stress.top_days"), 0, 180, 30, key="fc_st_top_days")
chosen = x4.selectbox(
    ui.tr("forecast.stress.segment"),
    list(groups) or [ui.tr("forecast.stress.no_segment")],
    key="fc_st_segment",
)
kind, value = groups.get(chosen, ("segment", chosen))
if kind == "grade":
    in_grade = tuple(grades.index[grades == value])
    defaults = Scenario(
        ui.tr("forecast.scenario.default", group=chosen), "default", customers=in_grade
    )
else:
    defaults = Scenario(
        ui.tr("forecast.scenario.default", group=value), "default", attribute="segment", value=value
    )
scenarios = [
    Scenario(ui.tr("forecast.scenario.delay_all", days=late), "delay_all", days=int(late)),
    Scenario(
        ui.tr("forecast.scenario.delay_largest", top=top, days=top_days),
        "delay_largest",
        days=int(top_days),
        top=int(top),
    ),
    defaults,
]
stress = run_scenarios(ui.ledger(), forecast, scenarios)
# the plan's own table stands for the base case
tables = {ui.tr("forecast.scenario.base"): table, **cashplan.scenario_plans(stress, current)}
if not verdict.opening_given:
    st.caption(ui.tr("forecast.plan.no_opening.chart"))
else:
    st.plotly_chart(
        ui.localised(charts.balance_chart(tables, current.minimum_cash_cents, currency, ui.lang())),
        key="fc_balance",
    )
rows = []
for name_, t in tables.items():
    judged = cashplan.plan_verdict(t, current.minimum_cash_cents)
    s = judged.shortfall if judged.status == "short" else None  # on the expected closing
    rows.append({
        "scenario": name_,
        "collections_13w": t["collections_cents"].sum() / 100,
        "closing_week_13": t["closing_cents"].iloc[-1] / 100,
        "first_week_below_minimum": s["week"] if s else None,
        "shortfall": s["shortfall_cents"] / 100 if s else (0.0 if judged.opening_given else None),
    })  # fmt: skip
summary = pd.DataFrame(rows)
ui.table(
    summary, key="fc_stress_table",
    column_config=column_labels(summary, ["collections_13w", "closing_week_13", "shortfall"]),
)  # fmt: skip
plan_xlsx = {"Cash plan": to_money(table), "Scenarios": summary}
st.download_button(
    ui.tr("forecast.stress.download"),
    lambda sheets=plan_xlsx: to_xlsx_bytes(sheets),
    f"cash_plan_{as_of:%Y%m%d}.xlsx",
    XLSX_MIME,
    key="fc_dl_plan",
    on_click="ignore",
)

# ------------------------------------------------------------ back-test
st.subheader(ui.tr("forecast.bt.title"))
try:
    with st.spinner(ui.tr("forecast.bt.spinner")):
        bt = ui.shared(recent_backtest, as_of)
except CreditDashError as err:
    st.info(ui.error_text(err))
    st.stop()
summ = bt.summary
b1, b2, b3, b4 = st.columns(4)
b1.metric(ui.tr("forecast.bt.wape"), ui.pct(summ["wape"]), help=ui.tr("forecast.bt.wape.help"))
b2.metric(ui.tr("forecast.bt.due"), ui.pct(summ["baseline_due_date"]),
          help=ui.tr("forecast.bt.due.help"))  # fmt: skip
b3.metric(ui.tr("forecast.bt.delay"), ui.pct(summ["baseline_avg_delay"]),
          help=ui.tr("forecast.bt.delay.help"))  # fmt: skip
b4.metric(ui.tr("forecast.bt.coverage"), ui.pct(summ["coverage_p10_p90"]),
          help=ui.tr("forecast.bt.coverage.help"))  # fmt: skip
if summ["approximate_weeks"]:
    st.caption(ui.tr("forecast.bt.approximate", weeks=summ["approximate_weeks"]))
g1, g2 = st.columns(2)
g1.plotly_chart(
    ui.localised(charts.backtest_chart(bt.weeks, 3, currency, ui.lang())), key="fc_bt_chart"
)
g2.plotly_chart(ui.localised(charts.wape_chart(bt.origins, ui.lang())), key="fc_bt_wape")
bt_frame = to_money(bt.origins)
st.download_button(
    ui.tr("forecast.bt.download"),
    lambda origins=bt_frame, weeks=bt.weeks: to_xlsx_bytes(
        {"Origins": origins, "Weeks": to_money(weeks)}
    ),
    f"backtest_{as_of:%Y%m%d}.xlsx",
    XLSX_MIME,
    key="fc_dl_bt",
    on_click="ignore",
)
