"""Customer risk: grades and exposure, risk map, watchlist, customer detail, third-party view."""

import streamlit as st

import ui
import ui.risk
from creditdash.errors import CreditDashError
from creditdash.risk import charts
from creditdash.risk.assess import risk_overview, score_history
from creditdash.risk.bureau import read_reports
from creditdash.risk.holds import credit_statuses
from creditdash.risk.labels import MONEY, headers
from creditdash.risk.policy_store import current_policy
from creditdash.risk.requests import approved_limits
from creditdash.risk.validation import pd_backtest
from creditdash.risk.view import (
    coefficients_frame,
    customer_detail,
    risk_view,
    third_party_frame,
    watchlist_frame,
)

ui.page_guard("pages/risk.py")
st.title(ui.tr("risk.title"))
if ui.empty_state():
    st.stop()

currency = ui.settings().reporting_currency
as_of = ui.as_of()
engine = ui.engine()
lang = ui.lang()


def downloads(frame, stem: str, key: str, money: set[str] | None = None) -> None:
    ui.download_pair(frame, {stem[:31]: frame}, stem, key, money)


try:
    stored = current_policy(engine)
    policy = stored.policy
    bureau = read_reports(engine)
    limits = tuple(sorted(approved_limits(engine).items()))
    with st.spinner(ui.tr("risk.scoring")):
        overview = ui.computed(risk_overview, as_of, stored.json, bureau, limits)
    view = risk_view(overview, credit_statuses(engine), policy, lang)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()

table = view.table
if table.empty:
    st.info(ui.tr("risk.no_customers", as_of=f"{as_of:%Y-%m-%d}"))
    st.stop()
st.caption(
    ui.tr("risk.caption", as_of=f"{as_of:%Y-%m-%d}", version=stored.version, currency=currency)
)
ui.tiles(view.tiles, per_row=4)
if overview.pd_error is not None:
    st.info(ui.error_text(overview.pd_error), icon=":material/info:")

portfolio, watch, detail_tab, outside, model = st.tabs(
    [ui.tr(f"risk.tab.{t}") for t in ("portfolio", "watchlist", "detail", "outside", "model")]
)

with portfolio:
    grades_chart = charts.grade_distribution(view.summary, currency=currency, lang=lang)
    st.plotly_chart(ui.localised(grades_chart), key="risk_grades")
    st.caption(ui.tr("risk.score_caption"))
    risk_map = charts.risk_map(table, view.grades, currency=currency, lang=lang)
    st.plotly_chart(ui.localised(risk_map), key="risk_map")
    ui.table(view.portfolio, key="risk_table", column_config=ui.columns(view.columns))
    downloads(view.portfolio, f"risk_{as_of:%Y%m%d}", "dl_risk", set(MONEY))

with watch:
    if view.watchlist.empty:
        st.success(ui.tr("risk.watch.none"))
    else:
        only_new = st.toggle(ui.tr("risk.watch.only_new"), key="risk_only_new")
        shown = watchlist_frame(view.watchlist, lang, only_new)
        columns = ui.columns(headers(shown.columns, lang))
        ui.table(shown, key="risk_watchlist", column_config=columns)
        st.caption(ui.tr("risk.watch.caption"))
        downloads(shown, f"watchlist_{as_of:%Y%m%d}", "dl_watch", {"exposure"})

with detail_tab:
    customers: list[str] = list(view.customers)
    customer = st.selectbox(ui.tr("risk.detail.customer"), customers,
                            format_func=view.customers.__getitem__, key="risk_customer")  # fmt: skip
    assert customer is not None  # the table has a row
    history = ui.computed(score_history, as_of, stored.json, bureau)
    detail = customer_detail(ui.ledger(), engine, as_of, view, policy, customer=customer,
                             bureau=bureau, history=history, lang=lang, currency=currency)  # fmt: skip
    ui.tiles(detail.tiles[:4], per_row=4)
    if detail.chronic_late:
        st.warning(ui.tr("risk.detail.chronic"))
    ui.tiles(detail.tiles[4:])
    st.subheader(ui.tr("risk.detail.credit_status"))
    done = st.session_state.pop("risk_hold_done", None)
    if done:
        st.success(done)
    if detail.due_text is not None:
        st.caption(ui.said_md(detail.due_text))
    if not detail.holds.empty:
        st.dataframe(detail.holds, hide_index=True, key="risk_holds",
                     column_config=ui.columns(detail.holds_columns))  # fmt: skip
    ui.risk.credit_status_form(engine, detail)
    left, right = st.columns(2)
    score_chart = charts.score_history_chart(detail.history, policy["grades"], lang=lang)
    left.plotly_chart(ui.localised(score_chart), key="risk_history")
    pays = charts.payment_behaviour(detail.payments, currency=currency, lang=lang)
    right.plotly_chart(ui.localised(pays), key="risk_payments")
    for title, frame, key in (
        ("why", detail.why, "risk_explain"),
        ("limits", detail.limits, "risk_limits"),
        ("items", detail.open_items, "risk_items"),
    ):
        st.subheader(ui.tr(f"risk.detail.{title}"))
        ui.table(frame, key=key, column_config=ui.columns(headers(frame.columns, lang)))
    st.subheader(ui.tr("risk.detail.bureau"))
    if detail.bureau.empty:
        st.caption(ui.tr("risk.detail.no_bureau"))
    else:
        columns = ui.columns(headers(detail.bureau.columns, lang))
        ui.table(detail.bureau, key="risk_bureau", column_config=columns)
    st.subheader(ui.tr("risk.detail.requests"))
    columns = ui.columns(headers(detail.requests.columns, lang))
    ui.table(detail.requests, key="risk_requests", column_config=columns)
    ui.risk.limit_request_forms(engine, detail)

with outside:
    disagree = third_party_frame(table, policy)
    if disagree.empty:
        st.info(ui.tr("risk.outside.none"))
    else:
        columns = ui.columns(headers(disagree.columns, lang))
        st.dataframe(disagree, hide_index=True, key="risk_disagree", column_config=columns)
        downloads(disagree, f"third_party_{as_of:%Y%m%d}", "dl_outside")
    ui.risk.bureau_import(engine, ui.ledger().customers)

with model:
    if overview.coef is None or overview.pd_rows is None:
        st.info(ui.tr("risk.model.none"))
    else:
        rows, events = overview.pd_rows
        st.caption(ui.tr("risk.model.caption", rows=f"{rows:,}", events=f"{events:,}"))
        st.caption(ui.tr("risk.pd.meaning"))
        for note in overview.pd_notes:
            st.caption(f"ⓘ {ui.said_md(note)}")
        coef = coefficients_frame(overview.coef, lang)
        columns = ui.columns(headers(coef.columns, lang))
        st.dataframe(coef, hide_index=True, key="risk_coef", column_config=columns)
        if st.button(ui.tr("risk.model.backtest"), key="risk_backtest"):
            try:
                bt = ui.shared(pd_backtest, as_of, policy, bureau)
                b1, b2, b3 = st.columns(3)
                b1.metric("AUC", f"{bt.auc:.3f}", help=ui.tr("risk.model.auc.help"))
                b2.metric("KS", f"{bt.ks:.3f}", help=ui.tr("risk.model.ks.help"))
                b3.metric(ui.tr("risk.model.card_auc"), f"{bt.scorecard_auc:.3f}",
                          help=ui.tr("risk.model.card_auc.help"))  # fmt: skip
                calibration = charts.calibration_chart(bt.calibration, lang=lang)
                st.plotly_chart(ui.localised(calibration), key="risk_calibration")
            except CreditDashError as err:
                st.error(ui.error_text(err))
