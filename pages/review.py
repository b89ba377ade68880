"""Weekly review: the week's story, scorecards and the review pack; the URL carries week and filters."""

import streamlit as st

import ui
import ui.review as page
from creditdash.errors import CreditDashError
from creditdash.exports import XLSX_MIME, to_xlsx_bytes
from creditdash.review import list_snapshots, week_figures
from creditdash.review.charts import aging_change_chart, ar_trend_chart
from creditdash.review.story import filter_options
from creditdash.review.view import review_view, snapshots_in_words
from creditdash.risk.in_force import risk_inputs

# A link opened in a new session is routed through app.py, which drops the query string:
# keep it for the page's first run.
if "review_week" not in st.session_state and "_review_url" not in st.session_state:
    st.session_state["_review_url"] = st.query_params.to_dict()
ui.page_guard("pages/review.py")
st.title(ui.tr("review.title"))
if ui.empty_state():
    st.stop()

lang, ledger, engine = ui.lang(), ui.ledger(), ui.engine()
currency = ui.settings().reporting_currency
week, salesperson, region = page.filters(ui.as_of(), ui.computed(filter_options))
try:
    risk = risk_inputs(engine)  # grades and alerts as the Customer risk page makes them
    view = review_view(
        ledger, week, lang, engine=engine, salesperson=salesperson, region=region,
        compute=lambda w, optional: ui.computed(week_figures, w, optional=optional, risk=risk),
    )  # fmt: skip
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()
review = view.review

info = review.recorded["current"]
if info is None:
    st.caption(ui.tr("review.caption.computed", week=f"{week:%Y-%m-%d}"))
else:
    st.caption(ui.tr("review.caption.recorded", week=f"{week:%Y-%m-%d}", id=info.snapshot_id,
                     created=f"{info.created_at:%Y-%m-%d %H:%M}", import_id=info.import_id,
                     trigger=ui.tr(f"review.trigger.{info.trigger}")))  # fmt: skip
if salesperson or region:
    st.info(ui.tr("review.filtered"), icon=":material/filter_alt:")

# --- KPI tiles and trends --------------------------------------------------------------------
page.kpi_tiles(view)
left, right = st.columns(2)
left.plotly_chart(ui.localised(ar_trend_chart(review.trends, currency, lang)), key="rv_trend")
right.plotly_chart(ui.localised(aging_change_chart(review.aging, currency, lang)), key="rv_aging")

# --- the week's story ------------------------------------------------------------------------
MOVER_MONEY = ("overdue_before", "overdue_now", "change", "total_now")
st.subheader(ui.tr("review.movers"), help=ui.tr("review.def.movers"))
if review.movers_up.empty and review.movers_down.empty:
    st.info(ui.tr("review.movers.none"))
else:
    for column, way in zip(st.columns(2), ("up", "down"), strict=True):
        movers = getattr(review, f"movers_{way}")
        column.markdown(f"**{ui.tr(f'review.movers.{way}')}**")
        ui.table(movers, where=column, key=f"rv_{way}", first=("change", "overdue_now"),
                 column_config=page.headers(movers, MOVER_MONEY))  # fmt: skip

st.subheader(ui.tr("review.alerts"), help=ui.tr("review.alerts.help"))
alert_columns = {**page.headers(view.alerts_new, ("amount",)), "key": None}
shown_alerts = {"new": view.alerts_new, "resolved": view.alerts_resolved}
for column, (which, alerts) in zip(st.columns(2), shown_alerts.items(), strict=True):
    column.markdown(f"**{ui.tr(f'review.alerts.{which}', n=len(alerts))}**")
    ui.table(alerts, where=column, first=("amount",), column_config=alert_columns,
             key=f"rv_{which}")  # fmt: skip

st.subheader(ui.tr("review.fva"), help=ui.tr("review.def.broken_promises"))
if review.forecast_vs_actual is None:
    st.caption(ui.tr("review.fva.none"))
else:
    fva = review.forecast_vs_actual
    helps = {"expected": "review.def.forecast_vs_actual", "actual": "review.def.receipts",
             "variance": "review.fva.variance.help"}  # fmt: skip
    for column, (figure, help) in zip(st.columns(3), helps.items(), strict=True):
        column.metric(ui.tr(f"review.fva.{figure}"), ui.money_compact(fva[figure]), border=True,
                      help=ui.tr(help))  # fmt: skip
if review.broken_promises is not None:
    ui.table(review.broken_promises, key="rv_promises", empty=ui.tr("review.fva.kept"),
             column_config=page.headers(review.broken_promises, ("outstanding",)))  # fmt: skip

c_late, c_conc = st.columns(2)
with c_late:
    st.subheader(ui.tr("review.chronic"), help=ui.tr("review.def.chronic_late"))
    if review.chronic_late.empty:
        st.caption(ui.tr("review.chronic.none"))
    else:
        ui.table(review.chronic_late, key="rv_chronic", first=("total",),
                 column_config=page.headers(review.chronic_late, ("total", "current")))  # fmt: skip
with c_conc:
    top10 = review.current["concentration"]["top10_pct"]
    st.subheader(ui.tr("review.concentration"), help=ui.tr("review.def.top10_pct"))
    st.caption(ui.tr("review.concentration.caption", pct=ui.pct(top10)))
    ui.table(review.top_customers, key="rv_top", first=("total", "share_pct"),
             column_config=page.headers(review.top_customers, ("total", "overdue")))  # fmt: skip

# --- scorecards ------------------------------------------------------------------------------
st.subheader(ui.tr("review.scorecards"), help=ui.tr("review.score_def.rank"))
tabs = st.tabs([ui.tr("review.tab.salesperson"), ui.tr("review.tab.region")])
for tab, (by, chosen) in zip(tabs, (("salesperson", salesperson), ("region", region)), strict=True):
    with tab:
        page.scorecard(view, by, chosen)

# --- collections: promises and disputes of the week (the whole book) -------------------------
st.subheader(ui.tr("review.coll"), help=ui.tr("review.coll.help"))
page.collections(view)
for note in review.notes:
    st.caption(f"ⓘ {ui.said_md(note)}")

# --- the pack and the snapshots --------------------------------------------------------------
st.subheader(ui.tr("review.pack"))
page.pack(view, ledger)
with st.expander(ui.tr("review.snapshots")):
    recorded = list_snapshots(engine)
    if recorded.empty:
        st.caption(ui.tr("review.snapshots.none"))
    else:
        shown = snapshots_in_words(recorded, lang)
        snap_headers = {c: ui.tr(f"review.snap.{c}") for c in shown.columns}
        st.dataframe(shown, hide_index=True, key="rv_snapshots", column_config=snap_headers)
        st.download_button(ui.tr("review.snapshots.download"),
                           to_xlsx_bytes({ui.tr("review.sheet.snapshots"): recorded}),
                           "review_snapshots.xlsx", XLSX_MIME, key="dl_snapshots")  # fmt: skip
