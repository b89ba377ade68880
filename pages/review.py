"""Weekly review: the week's story, scorecards and the review pack; the URL carries week and filters."""

from datetime import date, timedelta

import streamlit as st

import ui
from creditdash.audit import record_event
from creditdash.collections import collections_inputs
from creditdash.errors import CreditDashError
from creditdash.exports import XLSX_MIME, to_csv_bytes, to_xlsx_bytes
from creditdash.report import find_chromium, labels, review_html, review_pdf, review_xlsx
from creditdash.review import build_review, list_snapshots, take_snapshot, week_figures
from creditdash.review import charts as review_charts
from creditdash.review.collections import collections_review, with_amounts
from creditdash.review.story import filter_options
from creditdash.risk.in_force import risk_inputs

# A link opened in a new session is routed through app.py, which drops the query string:
# keep it for the page's first run.
if "review_week" not in st.session_state and "_review_url" not in st.session_state:
    st.session_state["_review_url"] = st.query_params.to_dict()
ui.page_guard("pages/review.py")
st.title(ui.tr("review.title"))
if ui.empty_state():
    st.stop()

ALL = "All"  # the filters' "no filter" option (its label follows the language)
lang = ui.lang()
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
for by in ("salesperson", "region"):
    key = f"review_{by}"
    if st.session_state[key] not in (ALL, *options[by]):
        st.warning(ui.tr_md(f"review.unknown.{by}", value=st.session_state[key]))
        st.session_state[key] = ALL


def column_labels(frame, money=()) -> dict:
    """column_config for a review frame: every header in the user's language, money formatted."""
    return {
        c: ui.money_column(labels.column(c, lang)) if c in money else labels.column(c, lang)
        for c in frame.columns
    }


def all_or(value: str) -> str:
    return ui.tr("review.all") if value == ALL else value


c1, c2, c3 = st.columns([1, 1, 1])
week = c1.selectbox(
    ui.tr("review.week"),
    weeks,
    format_func=lambda d: f"{d:%Y-%m-%d} ({ui.tr(f'review.weekday.{d.weekday()}')})",
    key="review_week",
    help=ui.tr("review.week.help"),
)
salesperson = c2.selectbox(
    ui.tr("group.salesperson"),
    [ALL, *options["salesperson"]],
    format_func=all_or,
    key="review_salesperson",
)
region = c3.selectbox(
    ui.tr("group.region"), [ALL, *options["region"]], format_func=all_or, key="review_region"
)
st.query_params.update({"week": week.isoformat()})
for name, value in (("salesperson", salesperson), ("region", region)):
    if value == ALL:
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = value

engine = ui.engine()
try:
    risk = risk_inputs(engine)  # grades and alerts as the Customer risk page makes them
    review = build_review(
        ledger,
        week,
        engine=engine,
        salesperson=None if salesperson == ALL else salesperson,
        region=None if region == ALL else region,
        compute=lambda w, optional: ui.computed(week_figures, w, optional=optional, risk=risk),
    )
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()

currency = ui.settings().reporting_currency
info = review.recorded["current"]
if info is None:
    st.caption(ui.tr("review.caption.computed", week=f"{week:%Y-%m-%d}"))
else:
    st.caption(
        ui.tr(
            "review.caption.recorded",
            week=f"{week:%Y-%m-%d}",
            id=info.snapshot_id,
            created=f"{info.created_at:%Y-%m-%d %H:%M}",
            import_id=info.import_id,
            trigger=ui.tr(f"review.trigger.{info.trigger}"),
        )
    )
if salesperson != ALL or region != ALL:
    st.info(ui.tr("review.filtered"), icon=":material/filter_alt:")

# --- KPI tiles -------------------------------------------------------------------------------
FORMAT = {"money": ui.money_compact, "pct": ui.pct, "days": ui.days}
rows = list(review.kpis.itertuples())
for start in range(0, len(rows), 3):  # three to a row: labels and figures fit whole
    for column, r in zip(st.columns(3), rows[start : start + 3], strict=False):
        fmt = FORMAT[r.unit]
        four = "–" if r.four_week is None else ui.change(fmt, r.four_week)
        column.metric(
            ui.tr(f"review.tile.{r.key}"),
            fmt(r.value),
            delta=None if r.wow is None else ui.change(fmt, r.wow),
            delta_color={"up": "normal", "down": "inverse"}.get(r.better, "off"),
            help=ui.tr(f"review.def.{r.key}")
            + ui.tr("review.four_weeks", value=four)
            + (ui.tr("kpi.exactly", value=ui.money(r.value)) if r.unit == "money" else ""),
            border=True,
            chart_data=[v for v in review.trends[r.key] if v is not None],
        )

left, right = st.columns(2)
left.plotly_chart(
    ui.localised(
        review_charts.ar_trend_chart(
            review.trends,
            currency,
            title=ui.tr("review.chart.trend"),
            names=(ui.tr("review.tile.total_ar"), ui.tr("review.tile.overdue_ar")),
            y_title=ui.tr("review.chart.ar"),
        )
    ),
    key="rv_trend",
)
right.plotly_chart(
    ui.localised(review_charts.aging_change_chart(
        review.aging,
        currency,
        title=ui.tr("review.chart.aging"),
        names=(ui.tr("review.chart.now"), ui.tr("review.chart.week_ago"),
               ui.tr("review.chart.four_weeks_ago")),
        y_title=ui.tr("chart.outstanding"),
        bucket_names={b: labels.bucket(b, lang) for b in labels.BUCKETS},
    )),
    key="rv_aging",
)  # fmt: skip

# --- the week's story ------------------------------------------------------------------------
MOVER_MONEY = ("overdue_before", "overdue_now", "change", "total_now")
st.subheader(ui.tr("review.movers"), help=ui.tr("review.def.movers"))
if review.movers_up.empty and review.movers_down.empty:
    st.info(ui.tr("review.movers.none"))
else:
    m1, m2 = st.columns(2)
    m1.markdown(f"**{ui.tr('review.movers.up')}**")
    ui.table(review.movers_up, where=m1, key="rv_up", first=("change", "overdue_now"),
             column_config=column_labels(review.movers_up, MOVER_MONEY))  # fmt: skip
    m2.markdown(f"**{ui.tr('review.movers.down')}**")
    ui.table(review.movers_down, where=m2, key="rv_down", first=("change", "overdue_now"),
             column_config=column_labels(review.movers_down, MOVER_MONEY))  # fmt: skip

st.subheader(ui.tr("review.alerts"), help=ui.tr("review.alerts.help"))
a1, a2 = st.columns(2)
new, resolved = (labels.values(f, lang) for f in (review.alerts_new, review.alerts_resolved))
alert_cols = {**column_labels(new, ("amount",)), "key": None}
a1.markdown(f"**{ui.tr('review.alerts.new', n=len(new))}**")
ui.table(new, where=a1, first=("amount",), column_config=alert_cols, key="rv_new")
a2.markdown(f"**{ui.tr('review.alerts.resolved', n=len(resolved))}**")
ui.table(resolved, where=a2, first=("amount",), column_config=alert_cols, key="rv_resolved")

st.subheader(ui.tr("review.fva"), help=ui.tr("review.def.broken_promises"))
if review.forecast_vs_actual is None:
    st.caption(ui.tr("review.fva.none"))
else:
    fva = review.forecast_vs_actual
    f1, f2, f3 = st.columns(3)
    f1.metric(ui.tr("review.fva.expected"), ui.money_compact(fva["expected"]), border=True,
              help=ui.tr("review.def.forecast_vs_actual"))  # fmt: skip
    f2.metric(ui.tr("review.fva.actual"), ui.money_compact(fva["actual"]), border=True,
              help=ui.tr("review.def.receipts"))  # fmt: skip
    f3.metric(ui.tr("review.fva.variance"), ui.money_compact(fva["variance"]), border=True,
              help=ui.tr("review.fva.variance.help"))  # fmt: skip
if review.broken_promises is not None:
    st.dataframe(review.broken_promises, hide_index=True, key="rv_promises",
                 column_config=column_labels(review.broken_promises, ("outstanding",)))  # fmt: skip

c_late, c_conc = st.columns(2)
with c_late:
    st.subheader(ui.tr("review.chronic"), help=ui.tr("review.def.chronic_late"))
    if review.chronic_late.empty:
        st.caption(ui.tr("review.chronic.none"))
    else:
        ui.table(review.chronic_late, key="rv_chronic", first=("total",),
                     column_config=column_labels(review.chronic_late, ("total", "current")))  # fmt: skip
with c_conc:
    top10 = review.current["concentration"]["top10_pct"]
    st.subheader(ui.tr("review.concentration"), help=ui.tr("review.def.top10_pct"))
    st.caption(ui.tr("review.concentration.caption", pct=ui.pct(top10)))
    ui.table(review.top_customers, key="rv_top", first=("total", "share_pct"),
                 column_config=column_labels(review.top_customers, ("total", "overdue")))  # fmt: skip

# --- scorecards ------------------------------------------------------------------------------
st.subheader(ui.tr("review.scorecards"), help=ui.tr("review.score_def.rank"))
tabs = st.tabs([ui.tr("review.tab.salesperson"), ui.tr("review.tab.region")])
for tab, by in zip(tabs, ("salesperson", "region"), strict=True):
    table = review.scorecards[by]
    with tab:
        if table.empty:
            st.caption(ui.tr("review.scorecards.none"))
            continue
        chosen = salesperson if by == "salesperson" else region
        number = st.column_config.NumberColumn
        st.dataframe(
            table,
            hide_index=True,
            key=f"rv_score_{by}",
            column_config={
                "rank": labels.column("rank", lang),
                "customers": labels.column("customers", lang),
                "group": st.column_config.TextColumn(ui.tr(f"group.{by}")),
                "ar": ui.money_column(ui.tr("review.score.ar"), ui.tr("review.score_def.ar")),
                "overdue": ui.money_column(ui.tr("review.score.overdue")),
                "overdue_pct": number(ui.tr("review.score.overdue_pct"), format="%.1f",
                                      help=ui.tr("review.score_def.overdue_pct")),
                "sales": ui.money_column(ui.tr("review.score.sales")),
                "dso": number(ui.tr("review.score.dso"), format="%.1f", help=ui.tr("review.score_def.dso")),
                "cei": number(ui.tr("review.score.cei"), format="%.1f", help=ui.tr("review.score_def.cei")),
                "write_offs": ui.money_column(ui.tr("review.score.write_offs"),
                                              ui.tr("review.score_def.write_offs")),
                "cei_4w": number(ui.tr("review.score.cei_4w"), format="%+.1f"),
                "overdue_pct_4w": number(ui.tr("review.score.overdue_pct_4w"), format="%+.1f"),
                "rank_4w": number(ui.tr("review.score.rank_4w")),
                "overdue_pct_trend": st.column_config.LineChartColumn(
                    ui.tr("review.score.overdue_pct_trend")),
                "cei_trend": st.column_config.LineChartColumn(ui.tr("review.score.cei_trend")),
            },
        )  # fmt: skip
        if chosen != ALL and chosen in set(table["group"]):
            row = table.loc[table["group"] == chosen].iloc[0]
            st.caption(ui.tr_md("review.scorecards.chosen", group=chosen, rank=row["rank"],
                                n=len(table), cei=ui.pct(row["cei"]),
                                overdue=ui.pct(row["overdue_pct"])))  # fmt: skip
        st.plotly_chart(
            ui.localised(review_charts.scorecard_chart(
                table,
                title=ui.tr(f"review.chart.score.{by}"),
                x_title=ui.tr("review.chart.cei_axis"),
                colour_title=ui.tr("review.score.overdue_pct"),
                hover_names=(ui.tr("review.score.cei"), ui.tr("review.chart.hover_overdue"),
                             ui.tr("review.chart.hover_rank")),
            )),
            key=f"rv_chart_{by}",
        )  # fmt: skip
        st.download_button(
            ui.tr(f"review.download_scores.{by}"),
            to_csv_bytes(table.drop(columns=["overdue_pct_trend", "cei_trend"])),
            f"scorecards_{by}_{week:%Y%m%d}.csv",
            "text/csv",
            key=f"dl_score_{by}",
        )

# --- collections: promises and disputes of the week (the whole book) -------------------------
st.subheader(ui.tr("review.coll"), help=ui.tr("review.coll.help"))
try:
    collections = collections_review(ledger, collections_inputs(engine), week)
except CreditDashError as err:
    st.error(ui.error_text(err))
    collections = None
if collections is not None:
    sums = collections.totals
    COLL_TILES = [
        ("promises_made", f"{sums['promises_made']:,}", ui.money_compact(sums["promised_cents"] / 100)),
        ("kept", f"{sums['kept']:,}", ui.money_compact(sums["kept_cents"] / 100)),
        ("broken", f"{sums['broken'] + sums['partly_kept']:,}",
         ui.money_compact((sums["broken_cents"] + sums["partly_kept_cents"]) / 100)),
        ("disputes_opened", f"{sums['disputes_opened']:,}", ui.money_compact(sums["disputed_cents"] / 100)),
        ("disputes_resolved", f"{sums['disputes_resolved']:,}",
         ui.days(sums["resolution_days"]) if sums["disputes_resolved"] else None),
        ("disputes_open", f"{sums['disputes_open']:,}",
         ui.days(sums["open_age_days"]) if sums["disputes_open"] else None),
    ]  # fmt: skip
    for start in range(0, len(COLL_TILES), 3):  # three to a row, as the tiles above
        for column, (name, value, detail) in zip(st.columns(3), COLL_TILES[start : start + 3],
                                                 strict=False):  # fmt: skip
            column.metric(ui.tr(f"review.coll.tile.{name}"), value,
                          help=ui.tr(f"review.coll.def.{name}"), border=True,
                          delta=None if detail is None else ui.tr(f"review.coll.detail.{name}",
                                                                  value=detail),
                          delta_color="off", delta_arrow="off")  # fmt: skip
    st.caption(ui.tr("review.coll.caption", days=collections.days))
    for tab, by in zip(st.tabs([ui.tr("review.coll.by.collector"), ui.tr("review.tab.salesperson")]),
                       ("collector", "salesperson"), strict=True):  # fmt: skip
        table = with_amounts(getattr(collections, f"by_{by}"))
        with tab:
            if table.empty:
                st.caption(ui.tr("review.coll.none"))
                continue
            if by == "collector":
                table["group"] = table["group"].replace("", ui.tr("review.coll.nobody"))
            st.dataframe(table, hide_index=True, key=f"rv_coll_{by}", placeholder="–", column_config={
                **column_labels(table, [c for c in table.columns if c.endswith("_amount")]),
                "group": ui.tr(f"review.coll.group.{by}"),
                "resolution_days": st.column_config.NumberColumn(
                    labels.column("resolution_days", lang), format="%.1f"),
                "open_age_days": st.column_config.NumberColumn(
                    labels.column("open_age_days", lang), format="%.1f"),
            })  # fmt: skip

for note in review.notes:
    st.caption(f"ⓘ {ui.said_md(note)}")

# --- the pack and the snapshots --------------------------------------------------------------
st.subheader(ui.tr("review.pack"))
stem = f"credit_review_{week:%Y%m%d}"
locked = not ui.actor().can("generate_report")
p1, p2, p3, p4 = st.columns(4)


def audited(kind: str, build):
    """Build a pack file on click and record who generated it."""

    def make() -> bytes:
        data = build()
        record_event(ui.engine(), ui.actor().who, "report_generated", "review_pack",
                     f"{week:%Y-%m-%d}", after={"format": kind, "lang": lang})  # fmt: skip
        return data

    return make


p1.download_button(ui.tr("review.pack.xlsx"), audited("xlsx", lambda: review_xlsx(review, lang, collections)), f"{stem}.xlsx",
                   XLSX_MIME, key="dl_pack_xlsx", icon=":material/table_view:", disabled=locked)  # fmt: skip
p2.download_button(ui.tr("review.pack.html"), audited("html", lambda: review_html(review, lang=lang)),
                   f"{stem}.html", "text/html", key="dl_pack_html", icon=":material/html:",
                   disabled=locked)  # fmt: skip
if find_chromium():
    p3.download_button(ui.tr("review.pack.pdf"), audited("pdf", lambda: review_pdf(review, lang)), f"{stem}.pdf",
                       "application/pdf", key="dl_pack_pdf", icon=":material/picture_as_pdf:",
                       disabled=locked)  # fmt: skip
else:
    p3.caption(ui.tr("review.pack.no_pdf"))
label = ui.tr("review.snapshot.record") if info is None else ui.tr("review.snapshot.rerecord")
with p4:
    may_snapshot = ui.permitted("take_snapshot")
if p4.button(label, key="rv_snapshot", disabled=not may_snapshot,
             help=ui.tr("review.snapshot.help")):  # fmt: skip
    try:
        taken = take_snapshot(
            engine, ledger, week, trigger="manual", replace=info is not None, actor=ui.actor()
        )
    except CreditDashError as err:
        st.error(ui.error_text(err))
    else:
        said = {"id": taken.snapshot_id, "week": f"{week:%Y-%m-%d}"}
        if taken.created:
            st.success(ui.tr("review.snapshot.recorded", **said))
        else:
            st.success(ui.tr("review.snapshot.already", **said))
        st.rerun()

with st.expander(ui.tr("review.snapshots")):
    recorded = list_snapshots(engine)
    if recorded.empty:
        st.caption(ui.tr("review.snapshots.none"))
    else:
        shown = recorded.assign(trigger=[ui.tr(f"review.trigger.{x}") for x in recorded["trigger"]])
        st.dataframe(shown, hide_index=True, key="rv_snapshots",
                     column_config={c: ui.tr(f"review.snap.{c}") for c in shown.columns})  # fmt: skip
        st.download_button(ui.tr("review.snapshots.download"),
                           to_xlsx_bytes({ui.tr("review.sheet.snapshots"): recorded}), "review_snapshots.xlsx", XLSX_MIME,
                           key="dl_snapshots")  # fmt: skip
