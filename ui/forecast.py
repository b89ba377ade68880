"""The Forecast page's parts: the headline and weekly table, the cash plan, the stress
scenarios and the back-test.

Each function takes what it needs and draws with st.*; the words, tiles and frames come
from `creditdash.forecast.view`, the charts find their own words.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

import ui
from creditdash.aging import to_money
from creditdash.errors import CreditDashError
from creditdash.exports import XLSX_MIME, to_csv_bytes, to_xlsx_bytes
from creditdash.forecast import cashplan, charts
from creditdash.forecast.backtest import recent_backtest
from creditdash.forecast.stress import run_scenarios
from creditdash.forecast.view import (
    SUMMARY_MONEY,
    forecast_tiles,
    headers,
    stress_groups,
    stress_scenarios,
    stress_summary,
)
from creditdash.forecast.weekly import CashForecast
from creditdash.risk.policy_store import current_policy
from creditdash.simulate.baseline import customer_grades

NEW_PLAN = "(new plan)"  # the option (and widget-key part) of an unsaved plan


def headline(
    forecast: CashForecast, weekly: pd.DataFrame, promises: int, as_of: date, currency: str
) -> None:
    """The tiles, the weekly chart, the weekly table and its downloads."""
    ui.tiles(forecast_tiles(forecast, weekly, promises, currency, ui.lang()))
    st.plotly_chart(
        ui.localised(charts.collections_chart(weekly, currency, ui.lang())), key="fc_chart"
    )
    shown = to_money(weekly)
    with st.expander(ui.tr("forecast.weekly")):
        st.dataframe(shown, hide_index=True, key="fc_weekly",
                     column_config=ui.columns(headers(shown.columns, ui.lang())))  # fmt: skip
    d1, d2, d3, _ = st.columns([1, 1, 1.4, 3])
    # the files are built on click (from this run's frames), not on every rerun
    d1.download_button(
        ui.tr("forecast.download.csv"), lambda: to_csv_bytes(shown),
        f"forecast_{as_of:%Y%m%d}.csv", "text/csv", key="fc_dl_csv", on_click="ignore",
    )  # fmt: skip
    d2.download_button(
        ui.tr("forecast.download.xlsx"),
        lambda: to_xlsx_bytes({"Forecast": shown}, set(shown.columns[3:])),
        f"forecast_{as_of:%Y%m%d}.xlsx", XLSX_MIME, key="fc_dl_xlsx", on_click="ignore",
    )  # fmt: skip
    d3.download_button(
        ui.tr("forecast.download.invoices"),
        lambda: to_xlsx_bytes({"Invoices": to_money(forecast.invoices)}),
        f"forecast_invoices_{as_of:%Y%m%d}.xlsx", XLSX_MIME, key="fc_dl_invoices",
        on_click="ignore",
    )  # fmt: skip


def chosen_plan(engine: Engine) -> tuple[str, cashplan.CashPlan]:
    """The plan chosen (a saved one, or a new one without opening cash), as last uploaded."""
    choice = st.session_state["fc_plan_choice"]
    source = st.session_state.get("fc_plan_source")
    if source is None or source[0] != choice:
        plan = (
            cashplan.load_plan(engine, choice)
            if choice != NEW_PLAN
            else cashplan.CashPlan(ui.tr("forecast.plan.default_name"), None, 0)  # asked for
        )
        source = (choice, plan)
        st.session_state["fc_plan_source"] = source
    return source


def cash_plan(engine: Engine, weekly: pd.DataFrame) -> tuple[pd.DataFrame, cashplan.CashPlan]:
    """The plan's inputs (choice, opening and minimum cash, upload, the weekly editor), its
    verdict and saving; returns the plan table rolled on `weekly` and the plan as edited.
    Stops the page when the edited lines are not a plan."""
    weeks = len(weekly)
    p1, p2, p3 = st.columns([2, 1, 1])
    p1.selectbox(ui.tr("forecast.plan.choice"), [NEW_PLAN, *cashplan.list_plans(engine)],
                 format_func=lambda p: ui.tr("forecast.plan.new") if p == NEW_PLAN else p,
                 key="fc_plan_choice")  # fmt: skip
    revision = st.session_state.setdefault("fc_plan_rev", 0)
    choice, plan = chosen_plan(engine)
    given = plan.opening_cash_cents
    opening = p2.number_input(
        ui.tr("forecast.plan.opening"), value=None if given is None else given / 100,
        step=100_000.0, key=f"fc_open_{choice}", help=ui.tr("forecast.plan.opening.help"),
        placeholder=ui.tr("forecast.plan.opening.placeholder"),
    )  # fmt: skip
    minimum = p3.number_input(
        ui.tr("forecast.plan.minimum"), value=plan.minimum_cash_cents / 100, step=100_000.0,
        key=f"fc_min_{choice}", help=ui.tr("forecast.plan.minimum.help"),
    )  # fmt: skip
    _upload(choice, plan, weeks, revision)
    edited = st.data_editor(
        cashplan.lines_to_money(plan.lines), hide_index=True, disabled=["week"],
        key=f"fc_plan_editor_{choice}_{revision}",
        # the editor's columns are the categories' English labels, which lines_from_money reads
        column_config={"week": ui.tr("forecast.col.week"),
                       **{label: ui.money_column(ui.tr(f"forecast.category.{category}"))
                          for category, label in cashplan.CATEGORY_LABELS.items()}},
    )  # fmt: skip
    try:
        lines = cashplan.lines_from_money(edited, weeks)
        opening_cents = None if opening is None else round(opening * 100)
        current = cashplan.CashPlan(plan.name, opening_cents, round(minimum * 100), lines)
    except CreditDashError as err:
        st.error(ui.error_text(err))
        st.stop()
    table = cashplan.plan_table(weekly, current)
    _verdict(cashplan.plan_verdict(table, current.minimum_cash_cents), weeks)
    _save(engine, current)
    return table, current


def _upload(choice: str, plan: cashplan.CashPlan, weeks: int, revision: int) -> None:
    upload = st.file_uploader(ui.tr("forecast.plan.upload"), type=["csv", "xlsx"],
                              key="fc_plan_upload")  # fmt: skip
    ui.localise_uploader("fc_plan_upload", ["csv", "xlsx"])
    if upload is None or st.session_state.get("fc_plan_uploaded") == upload.file_id:
        return
    try:
        lines = cashplan.read_plan_file(upload.name, upload.getvalue(), weeks)
    except CreditDashError as err:
        st.error(ui.error_text(err))
        return
    uploaded = cashplan.CashPlan(plan.name, plan.opening_cash_cents, plan.minimum_cash_cents, lines)
    st.session_state["fc_plan_source"] = (choice, uploaded)
    st.session_state["fc_plan_uploaded"] = upload.file_id
    st.session_state["fc_plan_rev"] = revision + 1
    st.rerun()


def _verdict(verdict: cashplan.PlanVerdict, weeks: int) -> None:
    short = verdict.shortfall or {}
    if not verdict.opening_given:
        st.info(ui.tr("forecast.plan.no_opening"), icon=":material/info:")
    elif verdict.status == "short":
        st.error(ui.tr("forecast.plan.short", week=short["week"],
                       start=f"{short['start']:%Y-%m-%d}", end=f"{short['end']:%Y-%m-%d}",
                       closing=ui.money(short["closing_cents"] / 100),
                       shortfall=ui.money(short["shortfall_cents"] / 100)),
                 icon=":material/warning:")  # fmt: skip
    elif verdict.status == "short_p10":
        st.warning(ui.tr("forecast.plan.short_p10", week=short["week"],
                         shortfall=ui.money(short["shortfall_cents"] / 100)))  # fmt: skip
    else:
        st.success(ui.tr("forecast.plan.ok", weeks=weeks))


def _save(engine: Engine, current: cashplan.CashPlan) -> None:
    may_save = ui.permitted("edit_cash_plan")  # anyone may try figures; saving needs the role
    s1, s2, _ = st.columns([2, 1, 3])
    name = s1.text_input(ui.tr("forecast.plan.save_as"), current.name, key="fc_plan_name")
    if s2.button(ui.tr("forecast.plan.save"), key="fc_plan_save", disabled=not may_save):
        try:
            cashplan.save_plan(engine, cashplan.CashPlan(
                name, current.opening_cash_cents, current.minimum_cash_cents, current.lines
            ), ui.actor())  # fmt: skip
            st.toast(ui.tr_md("forecast.plan.saved", name=name))
        except CreditDashError as err:
            st.error(ui.error_text(err))


def stress(engine: Engine, forecast: CashForecast, table: pd.DataFrame,
           current: cashplan.CashPlan, as_of: date, currency: str) -> None:  # fmt: skip
    """The stress scenarios' inputs, the balance chart, the summary and its download."""
    lang = ui.lang()
    # grades under the credit policy in force (as on the terms and provisions pages)
    grades = ui.computed(customer_grades, as_of, current_policy(engine).json)
    groups = stress_groups(ui.ledger().customers["segment"].dropna().astype(str), grades, lang)
    x1, x2, x3, x4 = st.columns(4)
    late = x1.number_input(ui.tr("forecast.stress.late"), 0, 180, 15, key="fc_st_days")
    top = x2.number_input(ui.tr("forecast.stress.top"), 1, 50, 5, key="fc_st_top")
    top_days = x3.number_input(ui.tr("forecast.stress.top_days"), 0, 180, 30, key="fc_st_top_days")
    chosen = x4.selectbox(ui.tr("forecast.stress.segment"),
                          list(groups) or [ui.tr("forecast.stress.no_segment")],
                          key="fc_st_segment")  # fmt: skip
    scenarios = stress_scenarios(chosen, groups, grades, late=int(late), top=int(top),
                                 top_days=int(top_days), lang=lang)  # fmt: skip
    stressed = run_scenarios(ui.ledger(), forecast, scenarios)
    # the plan's own table stands for the base case
    tables = {ui.tr("forecast.scenario.base"): table, **cashplan.scenario_plans(stressed, current)}
    if current.opening_cash_cents is None:
        st.caption(ui.tr("forecast.plan.no_opening.chart"))
    else:
        fig = charts.balance_chart(tables, current.minimum_cash_cents, currency, lang)
        st.plotly_chart(ui.localised(fig), key="fc_balance")
    summary = stress_summary(tables, current.minimum_cash_cents)
    ui.table(summary, key="fc_stress_table",
             column_config=ui.columns(headers(summary.columns, lang, SUMMARY_MONEY)))  # fmt: skip
    sheets = {"Cash plan": to_money(table), "Scenarios": summary}
    st.download_button(ui.tr("forecast.stress.download"), lambda: to_xlsx_bytes(sheets),
                       f"cash_plan_{as_of:%Y%m%d}.xlsx", XLSX_MIME, key="fc_dl_plan",
                       on_click="ignore")  # fmt: skip


def backtest(as_of: date, currency: str) -> None:
    """The forecast's track record: accuracy tiles, the charts and the download."""
    try:
        with st.spinner(ui.tr("forecast.bt.spinner")):
            bt = ui.shared(recent_backtest, as_of)
    except CreditDashError as err:
        st.info(ui.error_text(err))
        return
    summ = bt.summary
    figures = (("wape", "wape"), ("due", "baseline_due_date"), ("delay", "baseline_avg_delay"),
               ("coverage", "coverage_p10_p90"))  # fmt: skip
    for column, (name, key) in zip(st.columns(4), figures, strict=True):
        column.metric(ui.tr(f"forecast.bt.{name}"), ui.pct(summ[key]),
                      help=ui.tr(f"forecast.bt.{name}.help"))  # fmt: skip
    if summ["approximate_weeks"]:
        st.caption(ui.tr("forecast.bt.approximate", weeks=summ["approximate_weeks"]))
    g1, g2 = st.columns(2)
    g1.plotly_chart(ui.localised(charts.backtest_chart(bt.weeks, 3, currency, ui.lang())),
                    key="fc_bt_chart")  # fmt: skip
    g2.plotly_chart(ui.localised(charts.wape_chart(bt.origins, ui.lang())), key="fc_bt_wape")
    origins = to_money(bt.origins)
    st.download_button(
        ui.tr("forecast.bt.download"),
        lambda: to_xlsx_bytes({"Origins": origins, "Weeks": to_money(bt.weeks)}),
        f"backtest_{as_of:%Y%m%d}.xlsx", XLSX_MIME, key="fc_dl_bt", on_click="ignore",
    )  # fmt: skip
