"""The Weekly review page's filters, tiles, scorecards and pack buttons."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

import pandas as pd
import streamlit as st

import ui
from creditdash.audit import record_event
from creditdash.errors import CreditDashError
from creditdash.exports import XLSX_MIME, to_csv_bytes
from creditdash.ledger import Ledger
from creditdash.report import find_chromium, labels, review_html, review_pdf, review_xlsx
from creditdash.review import take_snapshot
from creditdash.review.charts import scorecard_chart
from creditdash.review.view import ReviewView

ALL = "All"  # the filters' "no filter" option (its label follows the language)
FORMAT = {"money": ui.money_compact, "pct": ui.pct, "days": ui.days}
# the pack's files: MIME type and the button's icon
PACK_FILES = {
    "xlsx": (XLSX_MIME, ":material/table_view:"),
    "html": ("text/html", ":material/html:"),
    "pdf": ("application/pdf", ":material/picture_as_pdf:"),
}


def filters(anchor: date, options: dict[str, list[str]]) -> tuple[date, str | None, str | None]:
    """The week and the salesperson and region filters (None: all), in step with the URL.

    Query parameters fill the widgets on the page's first run; the widgets write them back.
    """
    weeks = [anchor - timedelta(days=7 * k) for k in range(26)]
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
    c1, c2, c3 = st.columns(3)
    week = c1.selectbox(ui.tr("review.week"), weeks, key="review_week", format_func=_week_name,
                        help=ui.tr("review.week.help"))  # fmt: skip
    chosen: dict[str, str | None] = {}
    for column, by in ((c2, "salesperson"), (c3, "region")):
        value = column.selectbox(ui.tr(f"group.{by}"), [ALL, *options[by]], key=f"review_{by}",
                                 format_func=_all_or)  # fmt: skip
        chosen[by] = None if value == ALL else value
    st.query_params.update({"week": week.isoformat()})
    for by, picked in chosen.items():
        if picked is None:
            st.query_params.pop(by, None)
        else:
            st.query_params[by] = picked
    return week, chosen["salesperson"], chosen["region"]


def _week_name(day: date) -> str:
    return f"{day:%Y-%m-%d} ({ui.tr(f'review.weekday.{day.weekday()}')})"


def _all_or(value: str) -> str:
    return ui.tr("review.all") if value == ALL else value


def headers(frame: pd.DataFrame, money: Iterable[str] = ()) -> dict:
    """column_config for a review frame: every header in the reader's language, money formatted."""
    money, lang = set(money), ui.lang()
    return {c: ui.money_column(labels.column(c, lang)) if c in money else labels.column(c, lang)
            for c in frame.columns}  # fmt: skip


def kpi_tiles(view: ReviewView) -> None:
    """The week's figures, three to a row: the change on the week, four weeks in the help."""
    rows = list(view.review.kpis.itertuples())
    for column, r in zip(ui.tile_columns(len(rows)), rows, strict=True):
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
            chart_data=[v for v in view.review.trends[r.key] if v is not None],
        )


def _score_columns(by: str) -> dict:
    lang, number = ui.lang(), st.column_config.NumberColumn

    def figure(name: str, fmt: str | None = None, help: bool = False) -> object:
        help_text = ui.tr(f"review.score_def.{name}") if help else None
        return number(ui.tr(f"review.score.{name}"), format=fmt, help=help_text)

    money = {n: ui.money_column(ui.tr(f"review.score.{n}"), ui.tr(f"review.score_def.{n}"))
             for n in ("ar", "write_offs")}  # fmt: skip
    return {
        "rank": labels.column("rank", lang),
        "customers": labels.column("customers", lang),
        "group": st.column_config.TextColumn(ui.tr(f"group.{by}")),
        **money,
        "overdue": ui.money_column(ui.tr("review.score.overdue")),
        "sales": ui.money_column(ui.tr("review.score.sales")),
        "overdue_pct": figure("overdue_pct", "%.1f", help=True),
        "dso": figure("dso", "%.1f", help=True),
        "cei": figure("cei", "%.1f", help=True),
        "cei_4w": figure("cei_4w", "%+.1f"),
        "overdue_pct_4w": figure("overdue_pct_4w", "%+.1f"),
        "rank_4w": figure("rank_4w"),
        "overdue_pct_trend": st.column_config.LineChartColumn(
            ui.tr("review.score.overdue_pct_trend")
        ),
        "cei_trend": st.column_config.LineChartColumn(ui.tr("review.score.cei_trend")),
    }


def scorecard(view: ReviewView, by: str, chosen: str | None) -> None:
    """One tab of scorecards: the table, where the chosen group ranks, the chart, a CSV."""
    table = view.review.scorecards[by]
    if table.empty:
        st.caption(ui.tr("review.scorecards.none"))
        return
    st.dataframe(table, hide_index=True, key=f"rv_score_{by}", column_config=_score_columns(by))
    row = view.scorecard_row(by, chosen)
    if row is not None:
        st.caption(ui.tr_md("review.scorecards.chosen", group=chosen, rank=row["rank"],
                            n=len(table), cei=ui.pct(row["cei"]),
                            overdue=ui.pct(row["overdue_pct"])))  # fmt: skip
    st.plotly_chart(ui.localised(scorecard_chart(table, by, ui.lang())), key=f"rv_chart_{by}")
    st.download_button(
        ui.tr(f"review.download_scores.{by}"),
        to_csv_bytes(table.drop(columns=["overdue_pct_trend", "cei_trend"])),
        f"scorecards_{by}_{view.review.as_of:%Y%m%d}.csv",
        "text/csv",
        key=f"dl_score_{by}",
    )


def collections(view: ReviewView) -> None:
    """The week's promises and disputes: tiles three to a row, then by collector and salesperson."""
    if view.collections_error is not None:
        st.error(ui.error_text(view.collections_error))
    if view.collections is None:
        return
    tiles = view.collection_tiles()
    for column, tile in zip(ui.tile_columns(len(tiles)), tiles, strict=True):
        detail = ui.money_compact(tile.amount) if tile.amount is not None else None
        detail = ui.days(tile.days) if tile.days is not None else detail
        column.metric(ui.tr(f"review.coll.tile.{tile.name}"), f"{tile.count:,}", border=True,
                      help=ui.tr(f"review.coll.def.{tile.name}"), delta_color="off",
                      delta=None if detail is None
                      else ui.tr(f"review.coll.detail.{tile.name}", value=detail),
                      delta_arrow="off")  # fmt: skip
    st.caption(ui.tr("review.coll.caption", days=view.collections.days))
    names = [ui.tr("review.coll.by.collector"), ui.tr("review.tab.salesperson")]
    for tab, by in zip(st.tabs(names), ("collector", "salesperson"), strict=True):
        table = view.collections_table(by)
        if table.empty:
            tab.caption(ui.tr("review.coll.none"))
            continue
        days = {c: st.column_config.NumberColumn(labels.column(c, ui.lang()), format="%.1f")
                for c in ("resolution_days", "open_age_days")}  # fmt: skip
        config = {**headers(table, [c for c in table.columns if c.endswith("_amount")]),
                  "group": ui.tr(f"review.coll.group.{by}"), **days}  # fmt: skip
        tab.dataframe(table, hide_index=True, key=f"rv_coll_{by}", placeholder="–",
                      column_config=config)  # fmt: skip


def pack(view: ReviewView, ledger: Ledger) -> None:
    """The review pack as XLSX, HTML and PDF (each recorded as generated), and the button that
    records the week's snapshot."""
    review, lang, week = view.review, ui.lang(), view.review.as_of
    stem = f"credit_review_{week:%Y%m%d}"
    locked = not ui.actor().can("generate_report")

    def audited(kind: str, build: Callable[[], bytes | str]) -> Callable[[], bytes | str]:
        def make() -> bytes | str:
            data = build()
            record_event(ui.engine(), ui.actor().who, "report_generated", "review_pack",
                         f"{week:%Y-%m-%d}", after={"format": kind, "lang": lang})  # fmt: skip
            return data

        return make

    builds: dict[str, Callable[[], bytes | str]] = {
        "xlsx": lambda: review_xlsx(review, lang, view.collections),
        "html": lambda: review_html(review, lang=lang),
        "pdf": lambda: review_pdf(review, lang),
    }
    *columns, p4 = st.columns(4)
    for column, (kind, (mime, icon)) in zip(columns, PACK_FILES.items(), strict=True):
        if kind == "pdf" and not find_chromium():
            column.caption(ui.tr("review.pack.no_pdf"))
            continue
        column.download_button(ui.tr(f"review.pack.{kind}"), audited(kind, builds[kind]),
                               f"{stem}.{kind}", mime, key=f"dl_pack_{kind}", icon=icon,
                               disabled=locked)  # fmt: skip
    info = review.recorded["current"]
    with p4:
        may_snapshot = ui.permitted("take_snapshot")
    label = ui.tr("review.snapshot.record" if info is None else "review.snapshot.rerecord")
    if p4.button(label, key="rv_snapshot", disabled=not may_snapshot,
                 help=ui.tr("review.snapshot.help")):  # fmt: skip
        try:
            taken = take_snapshot(ui.engine(), ledger, week, trigger="manual",
                                  replace=info is not None, actor=ui.actor())  # fmt: skip
        except CreditDashError as err:
            st.error(ui.error_text(err))
        else:
            said = {"id": taken.snapshot_id, "week": f"{week:%Y-%m-%d}"}
            st.success(
                ui.tr(
                    "review.snapshot.recorded" if taken.created else "review.snapshot.already",
                    **said,
                )
            )
            st.rerun()
