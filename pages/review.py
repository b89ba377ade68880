"""Weekly review: the week's story, scorecards and the review pack; the URL carries week and filters."""

from datetime import date, timedelta

import streamlit as st

import ui
from creditdash.errors import CreditDashError
from creditdash.exports import to_csv_bytes, to_xlsx_bytes
from creditdash.kpis import kpi_definitions
from creditdash.report import find_chromium, html_to_pdf, review_html, review_xlsx
from creditdash.review import build_review, list_snapshots, take_snapshot, week_figures
from creditdash.review import charts as review_charts
from creditdash.review.scorecards import scorecard_definitions
from creditdash.review.story import extra_definitions, filter_options

# A link opened in a new session is routed through app.py, which drops the query string:
# keep it for the page's first run.
if "review_week" not in st.session_state and "_review_url" not in st.session_state:
    st.session_state["_review_url"] = st.query_params.to_dict()
ui.page_guard("pages/review.py")
st.title("Weekly review")
if ui.empty_state():
    st.stop()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL = "All"
ledger = ui.ledger()
anchor = ui.as_of()
weeks = [anchor - timedelta(days=7 * k) for k in range(26)]
options = ui.computed(filter_options)

# Query parameters fill the widgets on the first run of the page; the widgets write them back.
params = st.session_state.pop("_review_url", None) or st.query_params.to_dict()
if "review_week" not in st.session_state:
    try:
        asked = date.fromisoformat(params.get("week", ""))
    except ValueError:
        asked = anchor
    st.session_state["review_week"] = asked
    st.session_state["review_salesperson"] = params.get("salesperson", ALL)
    st.session_state["review_region"] = params.get("region", ALL)
if st.session_state["review_week"] not in weeks:
    weeks = sorted({*weeks, st.session_state["review_week"]}, reverse=True)
for key, values in (
    ("review_salesperson", options["salesperson"]),
    ("review_region", options["region"]),
):
    if st.session_state[key] not in (ALL, *values):
        st.warning(f"`{st.session_state[key]}` is not a known {key.split('_')[1]}; showing all.")
        st.session_state[key] = ALL

c1, c2, c3 = st.columns([1, 1, 1])
week = c1.selectbox(
    "Week ending",
    weeks,
    format_func=lambda d: f"{d:%Y-%m-%d} ({d:%a})",
    key="review_week",
    help="The review looks from the end of this day: weeks step back 7 days from the sidebar's "
    "as-of date. A recorded snapshot of the week is shown as recorded.",
)
salesperson = c2.selectbox("Salesperson", [ALL, *options["salesperson"]], key="review_salesperson")
region = c3.selectbox("Region", [ALL, *options["region"]], key="review_region")
st.query_params.update({"week": week.isoformat()})
for name, value in (("salesperson", salesperson), ("region", region)):
    if value == ALL:
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = value

engine = ui.engine()
try:
    review = build_review(
        ledger,
        week,
        engine=engine,
        salesperson=None if salesperson == ALL else salesperson,
        region=None if region == ALL else region,
        compute=lambda w, optional: ui.computed(week_figures, w, optional=optional),
    )
except CreditDashError as err:
    st.error(str(err))
    st.stop()

currency = ui.settings().reporting_currency
info = review.recorded["current"]
if info is None:
    st.caption(
        f"Week ending {week:%Y-%m-%d}: computed from the ledger now (no snapshot recorded). "
        "Changes are against a week and four weeks earlier."
    )
else:
    st.caption(
        f"Week ending {week:%Y-%m-%d}: recorded snapshot #{info.snapshot_id} of "
        f"{info.created_at:%Y-%m-%d %H:%M} (import #{info.import_id}, {info.trigger}), "
        "shown as recorded."
    )
if salesperson != ALL or region != ALL:
    st.info(
        "Customer lists are filtered; the KPI tiles are the whole book.",
        icon=":material/filter_alt:",
    )

# --- KPI tiles -------------------------------------------------------------------------------
FORMAT = {"money": ui.money_compact, "pct": ui.pct, "days": ui.days}
rows = list(review.kpis.itertuples())
for start in range(0, len(rows), 5):
    for column, r in zip(st.columns(5), rows[start : start + 5], strict=False):
        fmt = FORMAT[r.unit]
        four = "–" if r.four_week is None else fmt(r.four_week).replace("¥", "")
        column.metric(
            r.label,
            fmt(r.value),
            delta=None if r.wow is None else fmt(r.wow).replace("¥", ""),
            delta_color={"up": "normal", "down": "inverse"}.get(r.better, "off"),
            help=(kpi_definitions.get(r.key) or extra_definitions.get(r.key, ""))
            + f" Change over 4 weeks: {four}."
            + (f" Exactly {ui.money(r.value)}." if r.unit == "money" else ""),
            border=True,
            chart_data=[v for v in review.trends[r.key] if v is not None],
        )

left, right = st.columns(2)
left.plotly_chart(review_charts.ar_trend_chart(review.trends, currency), key="rv_trend")
right.plotly_chart(review_charts.aging_change_chart(review.aging, currency), key="rv_aging")

# --- the week's story ------------------------------------------------------------------------
money = {c: ui.money_column(c) for c in ("overdue_before", "overdue_now", "change", "total_now")}
st.subheader("Biggest movers", help=extra_definitions["movers"])
if review.movers_up.empty and review.movers_down.empty:
    st.info("No customer's overdue balance changed this week.")
else:
    m1, m2 = st.columns(2)
    m1.markdown("**Overdue grew most**")
    m1.dataframe(review.movers_up, hide_index=True, column_config=money, key="rv_up")
    m2.markdown("**Overdue shrank most**")
    m2.dataframe(review.movers_down, hide_index=True, column_config=money, key="rv_down")

st.subheader("Alerts", help="Ledger rules: " + "; ".join(
    ["over limit", "an item over 90 days past due", "a disputed invoice open"]
) + ", plus the risk watchlist where it exists.")  # fmt: skip
a1, a2 = st.columns(2)
alert_cols = {"key": None, "amount": ui.money_column("amount")}
a1.markdown(f"**New this week ({len(review.alerts_new)})**")
a1.dataframe(review.alerts_new, hide_index=True, column_config=alert_cols, key="rv_new")
a2.markdown(f"**Resolved this week ({len(review.alerts_resolved)})**")
a2.dataframe(review.alerts_resolved, hide_index=True, column_config=alert_cols, key="rv_resolved")

st.subheader("Forecast vs actual and broken promises", help=extra_definitions["broken_promises"])
if review.forecast_vs_actual is None:
    st.caption("Needs last week's forecast: none was recorded, so there is nothing to compare.")
else:
    fva = review.forecast_vs_actual
    f1, f2, f3 = st.columns(3)
    f1.metric("Forecast for the week", ui.money_compact(fva["expected"]), border=True,
              help=extra_definitions["forecast_vs_actual"])  # fmt: skip
    f2.metric("Received", ui.money_compact(fva["actual"]), border=True)
    f3.metric("Variance", ui.money_compact(fva["variance"]), border=True)
if review.broken_promises is not None:
    st.dataframe(review.broken_promises, hide_index=True, key="rv_promises",
                 column_config={"outstanding": ui.money_column("outstanding")})  # fmt: skip

c_late, c_conc = st.columns(2)
with c_late:
    st.subheader("Current but chronically late", help=extra_definitions["chronic_late"])
    if review.chronic_late.empty:
        st.caption("No customer fits this week.")
    else:
        st.dataframe(review.chronic_late, hide_index=True, key="rv_chronic",
                     column_config={c: ui.money_column(c) for c in ("total", "current")})  # fmt: skip
with c_conc:
    top10 = review.current["concentration"]["top10_pct"]
    st.subheader("Concentration", help=extra_definitions["top10_pct"])
    st.caption(f"The 10 largest balances hold {ui.pct(top10)} of total AR.")
    st.dataframe(review.top_customers, hide_index=True, key="rv_top",
                 column_config={c: ui.money_column(c) for c in ("total", "overdue")})  # fmt: skip

# --- scorecards ------------------------------------------------------------------------------
st.subheader("Scorecards", help=scorecard_definitions["rank"])
tabs = st.tabs(["By salesperson", "By region"])
for tab, by in zip(tabs, ("salesperson", "region"), strict=True):
    table = review.scorecards[by]
    with tab:
        if table.empty:
            st.caption("No balances at this date.")
            continue
        chosen = salesperson if by == "salesperson" else region
        st.dataframe(
            table,
            hide_index=True,
            key=f"rv_score_{by}",
            column_config={
                "group": st.column_config.TextColumn(by.capitalize()),
                "ar": ui.money_column("AR", scorecard_definitions["ar"]),
                "overdue": ui.money_column("Overdue"),
                "overdue_pct": st.column_config.NumberColumn(
                    "Overdue %", format="%.1f", help=scorecard_definitions["overdue_pct"]),
                "sales": ui.money_column("Sales (window)"),
                "dso": st.column_config.NumberColumn("DSO", format="%.1f", help=scorecard_definitions["dso"]),
                "cei": st.column_config.NumberColumn("CEI", format="%.1f", help=scorecard_definitions["cei"]),
                "write_offs": ui.money_column("Write-offs", scorecard_definitions["write_offs"]),
                "cei_4w": st.column_config.NumberColumn("CEI Δ 4w", format="%+.1f"),
                "overdue_pct_4w": st.column_config.NumberColumn("Overdue % Δ 4w", format="%+.1f"),
                "rank_4w": st.column_config.NumberColumn("Rank 4w ago"),
                "overdue_pct_trend": st.column_config.LineChartColumn("Overdue % trend"),
                "cei_trend": st.column_config.LineChartColumn("CEI trend"),
            },
        )  # fmt: skip
        if chosen != ALL and chosen in set(table["group"]):
            row = table.loc[table["group"] == chosen].iloc[0]
            st.caption(f"{chosen}: rank {row['rank']} of {len(table)}, CEI {ui.pct(row['cei'])}, "
                       f"overdue {ui.pct(row['overdue_pct'])}.")  # fmt: skip
        st.plotly_chart(review_charts.scorecard_chart(table, by.capitalize()), key=f"rv_chart_{by}")
        st.download_button(
            f"Download {by} scorecards (CSV)",
            to_csv_bytes(table.drop(columns=["overdue_pct_trend", "cei_trend"])),
            f"scorecards_{by}_{week:%Y%m%d}.csv",
            "text/csv",
            key=f"dl_score_{by}",
        )

for note in review.notes:
    st.caption(f"ⓘ {note}")

# --- the pack and the snapshots --------------------------------------------------------------
st.subheader("Review pack")
stem = f"credit_review_{week:%Y%m%d}"
locked = not ui.actor().can("generate_report")
p1, p2, p3, p4 = st.columns(4)
p1.download_button("Download XLSX pack", lambda: review_xlsx(review), f"{stem}.xlsx", XLSX,
                   key="dl_pack_xlsx", icon=":material/table_view:", disabled=locked)  # fmt: skip
p2.download_button("Download HTML report", lambda: review_html(review), f"{stem}.html",
                   "text/html", key="dl_pack_html", icon=":material/html:", disabled=locked)  # fmt: skip
if find_chromium():
    p3.download_button("Download PDF", lambda: html_to_pdf(review_html(review)), f"{stem}.pdf",
                       "application/pdf", key="dl_pack_pdf", icon=":material/picture_as_pdf:",
                       disabled=locked)  # fmt: skip
else:
    p3.caption("PDF needs chromium on the server.")
label = "Record this week" if info is None else "Re-record from current data"
if p4.button(label, key="rv_snapshot", disabled=not ui.actor().can("take_snapshot"), help="Store this week's figures in the database, so the "
             "week can be shown exactly as it is now after later imports."):  # fmt: skip
    try:
        taken = take_snapshot(
            engine, ledger, week, trigger="manual", replace=info is not None, actor=ui.actor()
        )
    except CreditDashError as err:
        st.error(str(err))
    else:
        word = "Recorded" if taken.created else "Already recorded from the same data:"
        st.success(f"{word} snapshot #{taken.snapshot_id} for the week ending {week:%Y-%m-%d}.")
        st.rerun()

with st.expander("Recorded snapshots"):
    recorded = list_snapshots(engine)
    if recorded.empty:
        st.caption("None yet: snapshots are recorded at each import and with the button above.")
    else:
        st.dataframe(recorded, hide_index=True, key="rv_snapshots")
        st.download_button("Download list (XLSX)", to_xlsx_bytes({"Snapshots": recorded}),
                           "review_snapshots.xlsx", XLSX, key="dl_snapshots")  # fmt: skip
