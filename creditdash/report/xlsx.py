"""The review pack as one XLSX workbook (xlsxwriter).

Sheets: Summary (KPIs and their changes, with a native chart of the AR
trend), Aging (bucket colours, chart), Movers, Alerts (new and resolved),
Watchlist (every open alert), Broken promises, Chronic late, Concentration, Salesperson and
Region scorecards (ranked, with trends), Trends, and Grades / Forecast /
Provision when those sections exist; Collections (the week's promises and
disputes per collector and per salesperson) when given; Notes says what was omitted. The
printed pack shows the top rows of the long lists; these sheets hold every
row, each code as its name and each hit's reason as a sentence.

Every sheet name, heading, header and note comes from the `pack.` and
`review.` catalogues in the pack's language (`lang`, "en" or "zh"); the
figures are the same in either.

Every text cell goes through `creditdash.exports.safe_cell` and is written
with `write_string`, and the workbook is opened with strings_to_formulas and
strings_to_urls off: no spreadsheet evaluates a customer's name.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from creditdash.charts import bucket_colours
from creditdash.exports import safe_cell
from creditdash.i18n import t
from creditdash.report import labels, tables
from creditdash.review.story import Review, section_frame

if TYPE_CHECKING:  # the review's collections section reaches collections, which prints PDFs
    from creditdash.review.collections import CollectionsReview

MONEY, PCT, DAYS, INT, TEXT, DATE = "money", "pct", "days", "int", "text", "date"
SHARE = "share"  # a fraction shown as a percentage (PD, loss rate)
_NUM_FORMATS = {MONEY: "#,##0.00", PCT: "0.00", DAYS: "0.0", INT: "0", DATE: "yyyy-mm-dd",
                SHARE: "0.0%"}  # fmt: skip


@dataclass
class _Formats:
    title: object
    subtitle: object
    header: object
    cells: dict
    good: object
    bad: object
    buckets: dict
    lang: str = "en"  # the language of every text the pack writes


def review_xlsx(
    review: Review, lang: str = "en", collections: CollectionsReview | None = None
) -> bytes:
    """The review pack workbook as bytes, its texts in `lang` ("en" or "zh"); with the
    week's `collections` section (`creditdash.review.collections`) as a sheet when given."""
    buf = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    book = xlsxwriter.Workbook(buf, options)
    fmt = _formats(book, review, lang)
    _summary(book, review, fmt)
    _aging(book, review, fmt)
    _movers(book, review, fmt)
    _alerts(book, review, fmt)
    _table_sheet(book, fmt, t("pack.sheet.watchlist", lang), t("pack.watchlist_title", lang),
                 tables.alerts_in_words(review.alerts_open, review.current, lang),
                 {"amount": MONEY})  # fmt: skip
    if review.broken_promises is not None:
        _table_sheet(book, fmt, t("pack.sheet.promises", lang), t("pack.promises_title", lang),
                     review.broken_promises, {"outstanding": MONEY})  # fmt: skip
    _table_sheet(book, fmt, t("pack.sheet.chronic_late", lang),
                 t("review.def.chronic_late", lang), review.chronic_late,
                 {"total": MONEY, "current": MONEY, "late_share_pct": PCT,
                  "avg_days_late": DAYS, "invoices_paid": INT})  # fmt: skip
    top10 = review.current["concentration"]["top10_pct"]
    _table_sheet(book, fmt, t("pack.sheet.concentration", lang),
                 t("pack.top10", lang, pct="–" if top10 is None else f"{top10:.2f}%"),
                 review.top_customers, {"total": MONEY, "overdue": MONEY, "share_pct": PCT})  # fmt: skip
    for by in ("salesperson", "region"):
        _scorecards(book, review, fmt, by)
    _trends(book, review, fmt)
    for name in ("grades", "forecast", "provision"):
        sec = review.sections.get(name)
        if sec is not None and sec.available:
            if name == "grades":
                frame = tables.grades_in_words(sec, lang)
            else:
                frame = labels.values(section_frame(sec), lang)
            if "portfolio" in frame:
                frame["portfolio"] = [labels.portfolio(p, lang) for p in frame["portfolio"]]
            units = {c: MONEY for c in frame.columns if tables.UNITS.get(c) == tables.MONEY}
            units |= {c: SHARE for c in ("pd", "loss_rate") if c in frame.columns}
            title = f"{labels.source(name, lang)} {labels.note(sec.note, lang)}"
            _table_sheet(book, fmt, labels.section(name, lang), title.strip(), frame, units)
    if collections is not None:
        _collections(book, collections, fmt)
    _notes(book, review, fmt)
    book.close()
    return buf.getvalue()


# --- sheets -------------------------------------------------------------------------------


def _summary(book: Workbook, review: Review, fmt: _Formats) -> None:
    lang = fmt.lang
    ws = _sheet(book, t("pack.sheet.summary", lang), lang, landscape=False)
    ws.write_string(0, 0, t("pack.title", lang), fmt.title)
    source = review.recorded.get("current")
    recorded = (
        t("pack.recorded", lang, id=source.snapshot_id, import_id=source.import_id,
          created=f"{source.created_at:%Y-%m-%d %H:%M}")
        if source
        else t("pack.computed", lang)
    )  # fmt: skip
    ws.write_string(1, 0, safe_cell(t("pack.week_line", lang, week=f"{review.as_of:%Y-%m-%d}",
                                      currency=review.currency, source=recorded)),
                    fmt.subtitle)  # fmt: skip
    if review.salesperson or review.region:
        who = " / ".join(x for x in (review.salesperson, review.region) if x)
        ws.write_string(2, 0, safe_cell(t("pack.filtered", lang, who=who)), fmt.subtitle)
    headers = ["figure", "now", "week_ago", "four_weeks_ago", "change_week", "change_4_weeks",
               "definition"]  # fmt: skip
    top = 4
    for c, h in enumerate(headers):
        ws.write_string(top, c, t(f"pack.head.{h}", lang), fmt.header)
    for i, r in enumerate(review.kpis.itertuples(), start=top + 1):
        unit = {"money": MONEY, "pct": PCT, "days": DAYS}.get(r.unit, PCT)
        ws.write_string(i, 0, t(f"review.tile.{r.key}", lang))
        for c, value in enumerate((r.value, r.week_ago, r.four_weeks_ago), start=1):
            _number(ws, i, c, value, fmt.cells[unit])
        for c, change in ((4, r.wow), (5, r.four_week)):
            _number(ws, i, c, change, _change_format(fmt, r.better, change, unit))
        ws.write_string(i, 6, t(f"review.def.{r.key}", lang))
    ws.set_column(0, 0, 26)
    ws.set_column(1, 5, 17)
    ws.set_column(6, 6, 90)
    ws.freeze_panes(top + 1, 1)
    end = top + len(review.kpis)
    ws.print_area(0, 0, end + 20, 6)
    chart = book.add_chart({"type": "line"})
    weeks = len(review.trends)
    trends = _sheet_name(t("pack.sheet.trends", lang))
    for column, key, colour in ((1, "total_ar", "#4c6ef5"), (2, "overdue_ar", "#c0392b")):
        chart.add_series({
            "name": t(f"review.tile.{key}", lang),
            "categories": [trends, 1, 0, weeks, 0],
            "values": [trends, 1, column, weeks, column],
            "line": {"color": colour, "width": 2.25},
            "marker": {"type": "circle", "size": 5, "fill": {"color": colour}},
        })  # fmt: skip
    chart.set_title({"name": t("review.chart.trend", lang)})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 320})
    ws.insert_chart(end + 2, 0, chart)


def _aging(book: Workbook, review: Review, fmt: _Formats) -> None:
    lang = fmt.lang
    name = _sheet_name(t("pack.sheet.aging", lang))
    ws = _sheet(book, name, lang)
    ws.write_string(0, 0, t("pack.aging_title", lang, date=f"{review.as_of:%Y-%m-%d}"), fmt.title)
    frame = review.aging.rename(columns={"now": "now", "wow": "change_week",
                                         "four_week": "change_4_weeks"})  # fmt: skip
    first, last = _write_frame(
        ws, 2, labels.values(frame, lang), fmt, {c: MONEY for c in frame.columns if c != "bucket"}
    )
    for i, bucket in enumerate(frame["bucket"], start=first):
        style = fmt.buckets.get(bucket)
        if style is not None:
            ws.write_string(i, 0, labels.bucket(bucket, lang), style)
    chart = book.add_chart({"type": "column"})
    n = len(frame) - 1  # without the total row
    colours = bucket_colours([b for b in frame["bucket"] if b not in ("unapplied", "total")])
    chart.add_series({
        "name": t("review.chart.now", lang),
        "categories": [name, first, 0, first + n - 1, 0],
        "values": [name, first, 1, first + n - 1, 1],
        "points": [{"fill": {"color": colours.get(b, "#8a94a6")}} for b in frame["bucket"][:n]],
    })  # fmt: skip
    chart.add_series({
        "name": t("review.chart.week_ago", lang),
        "categories": [name, first, 0, first + n - 1, 0],
        "values": [name, first, 2, first + n - 1, 2],
        "fill": {"none": True},
        "border": {"color": "#222222"},
    })  # fmt: skip
    chart.set_title({"name": t("pack.aging_chart", lang)})
    chart.set_y_axis({"num_format": "#,##0"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 320})
    ws.insert_chart(last + 2, 0, chart)


def _movers(book: Workbook, review: Review, fmt: _Formats) -> None:
    lang = fmt.lang
    ws = _sheet(book, t("pack.sheet.movers", lang), lang)
    ws.write_string(0, 0, t("pack.movers_title", lang), fmt.title)
    money = {c: MONEY for c in ("overdue_before", "overdue_now", "change", "total_now")}
    ws.write_string(2, 0, t("review.movers.up", lang), fmt.subtitle)
    _, last = _write_frame(ws, 3, review.movers_up, fmt, money, freeze=True)
    ws.write_string(last + 2, 0, t("review.movers.down", lang), fmt.subtitle)
    _write_frame(ws, last + 3, review.movers_down, fmt, money, freeze=False)


def _alerts(book: Workbook, review: Review, fmt: _Formats) -> None:
    lang = fmt.lang
    ws = _sheet(book, t("pack.sheet.alerts", lang), lang)
    ws.write_string(0, 0, t("pack.alerts_title", lang), fmt.title)
    ws.write_string(2, 0, t("pack.new", lang, n=len(review.alerts_new)), fmt.subtitle)
    new = tables.alerts_in_words(review.alerts_new, review.current, lang)
    resolved = tables.alerts_in_words(review.alerts_resolved, review.week_ago, lang)
    _, last = _write_frame(ws, 3, new, fmt, {"amount": MONEY}, freeze=True)
    ws.write_string(last + 2, 0, t("pack.resolved", lang, n=len(resolved)), fmt.subtitle)
    _write_frame(ws, last + 3, resolved, fmt, {"amount": MONEY}, freeze=False)


def _scorecards(book: Workbook, review: Review, fmt: _Formats, by: str) -> None:
    lang = fmt.lang
    table = review.scorecards.get(by, pd.DataFrame())
    name = _sheet_name(t(f"pack.sheet.scorecards.{by}", lang))
    if table.empty:
        _table_sheet(book, fmt, name, t("review.scorecards.none", lang), table, {})
        return
    shown = table.drop(columns=["overdue_pct_trend", "cei_trend"]).rename(columns={"group": by})
    units = {"rank": INT, "customers": INT, "ar": MONEY, "overdue": MONEY, "overdue_pct": PCT,
             "sales": MONEY, "dso": DAYS, "cei": PCT, "write_offs": MONEY, "cei_4w": PCT,
             "overdue_pct_4w": PCT, "rank_4w": INT}  # fmt: skip
    ws = _sheet(book, name, lang)
    ws.write_string(
        0, 0, t(f"pack.score_title.{by}", lang, date=f"{review.as_of:%Y-%m-%d}"), fmt.title
    )
    ws.write_string(1, 0, " ".join(t(f"review.score_def.{k}", lang)
                                   for k in ("cei", "write_offs", "rank")), fmt.subtitle)  # fmt: skip
    first, last = _write_frame(ws, 3, shown, fmt, units)
    columns = list(shown.columns)
    pct_col, ar_col = columns.index("overdue_pct"), columns.index("ar")
    ws.conditional_format(first, pct_col, last, pct_col, {
        "type": "3_color_scale", "min_color": "#c6efce", "mid_color": "#ffeb9c",
        "max_color": "#ffc7ce"})  # fmt: skip
    ws.conditional_format(first, ar_col, last, ar_col, {"type": "data_bar", "bar_color": "#9db4f5"})
    for col in (columns.index("cei_4w"),):
        ws.conditional_format(first, col, last, col, {"type": "cell", "criteria": "<",
                                                      "value": 0, "format": fmt.bad})  # fmt: skip
        ws.conditional_format(first, col, last, col, {"type": "cell", "criteria": ">",
                                                      "value": 0, "format": fmt.good})  # fmt: skip
    chart = book.add_chart({"type": "bar"})
    cei_col = columns.index("cei")
    chart.add_series({
        "name": t("review.tile.cei", lang),
        "categories": [name, first, 1, last, 1],
        "values": [name, first, cei_col, last, cei_col],
        "fill": {"color": "#2e7d5b"},
    })  # fmt: skip
    chart.set_title({"name": t(f"pack.score_chart.{by}", lang)})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 620, "height": max(260, 22 * len(shown) + 90)})
    ws.insert_chart(last + 2, 1, chart)


def _collections(book: Workbook, section: CollectionsReview, fmt: _Formats) -> None:
    """Promises made / kept / broken and disputes opened / resolved, per collector and per
    salesperson, money in currency units."""
    from creditdash.review.collections import with_amounts

    lang = fmt.lang
    ws = _sheet(book, t("pack.sheet.collections", lang), lang)
    ws.write_string(0, 0, t("pack.collections_title", lang, date=f"{section.week_end:%Y-%m-%d}",
                            days=section.days), fmt.title)  # fmt: skip
    top = 2
    for by, table in (("collector", section.by_collector), ("salesperson", section.by_salesperson)):
        ws.write_string(top, 0, t(f"pack.collections_by.{by}", lang), fmt.subtitle)
        shown = with_amounts(table)
        if by == "collector":
            shown["group"] = shown["group"].replace("", t("pack.collections_nobody", lang))
        shown = shown.rename(columns={"group": by})
        units = {c: MONEY for c in shown.columns if c.endswith("_amount")}
        units |= {"resolution_days": DAYS, "open_age_days": DAYS}
        if shown.empty:
            ws.write_string(top + 1, 0, t("pack.nothing", lang))
            top += 3
            continue
        _, last = _write_frame(ws, top + 1, shown, fmt, units, default=INT, freeze=False)
        top = last + 2


def _trends(book: Workbook, review: Review, fmt: _Formats) -> None:
    ws = _sheet(book, t("pack.sheet.trends", fmt.lang), fmt.lang)
    frame = review.trends.copy()
    frame["week_ending"] = frame["week_ending"].dt.date
    units = {"total_ar": MONEY, "overdue_ar": MONEY, "receipts": MONEY, "week_ending": DATE}
    # Row 0 is the header, data from row 1: the Summary chart refers to these cells.
    _write_frame(ws, 0, frame, fmt, units, default=PCT)


def _notes(book: Workbook, review: Review, fmt: _Formats) -> None:
    lang = fmt.lang
    ws = _sheet(book, t("pack.sheet.notes", lang), lang, landscape=False)
    ws.write_string(0, 0, t("pack.sheet.notes", lang), fmt.title)
    lines = [labels.note(n, lang) for n in review.notes] or [t("pack.all_included", lang)]
    for i, line in enumerate(lines, start=2):
        ws.write_string(i, 0, safe_cell(line))
    ws.set_column(0, 0, 120)


def _table_sheet(book: Workbook, fmt: _Formats, name: str, title: str, frame: pd.DataFrame,
                 units: dict) -> None:  # fmt: skip
    ws = _sheet(book, name, fmt.lang)
    ws.write_string(0, 0, safe_cell(title), fmt.subtitle)
    if frame.empty:
        ws.write_string(2, 0, t("pack.nothing", fmt.lang))
        return
    _write_frame(ws, 2, frame, fmt, units)


# --- cells --------------------------------------------------------------------------------


def _formats(book: Workbook, review: Review, lang: str) -> _Formats:
    base = {"font_name": "Noto Sans CJK SC", "font_size": 10}
    cells = {u: book.add_format({**base, "num_format": f}) for u, f in _NUM_FORMATS.items()}
    for unit, num in _NUM_FORMATS.items():  # changes coloured by whether they are good news
        cells[f"{unit}_good"] = book.add_format(
            {**base, "num_format": num, "font_color": "#1e6b45"}
        )
        cells[f"{unit}_bad"] = book.add_format({**base, "num_format": num, "font_color": "#b02a1f"})
    cells[TEXT] = book.add_format(base)
    labels = [b for b in review.aging["bucket"] if b not in ("unapplied", "total")]
    buckets = {
        label: book.add_format({**base, "bg_color": colour, "bold": True,
                                "font_color": "#ffffff" if i >= 3 or i == 0 else "#000000"})
        for i, (label, colour) in enumerate(bucket_colours(labels).items())
    }  # fmt: skip
    return _Formats(
        title=book.add_format({**base, "bold": True, "font_size": 14}),
        subtitle=book.add_format({**base, "italic": True, "font_color": "#555555"}),
        header=book.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#e6e9ef",
                "bottom": 1,
                "text_wrap": True,
                "valign": "top",
            }
        ),  # fmt: skip
        cells=cells,
        good=book.add_format({"font_color": "#1e6b45"}),
        bad=book.add_format({"font_color": "#b02a1f"}),
        buckets=buckets,
        lang=lang,
    )


def _sheet_name(name: str) -> str:
    """A worksheet name as Excel takes it: at most 31 characters."""
    return name[:31]


def _sheet(book: Workbook, name: str, lang: str, landscape: bool = True) -> Worksheet:
    name = _sheet_name(name)
    ws = book.add_worksheet(name)
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    font = '&"Noto Sans CJK SC"'
    ws.set_header(f"&L{font}{t('pack.print.header', lang)}&R{font}{name}")
    ws.set_footer(f"&L{font}{t('pack.print.printed', lang)}&R{font}{t('pack.print.page', lang)}")
    ws.hide_gridlines(0)
    return ws


def _write_frame(ws: Worksheet, top: int, frame: pd.DataFrame, fmt: _Formats, units: dict,
                 *, default: str | None = None, freeze: bool = True) -> tuple[int, int]:  # fmt: skip
    """Header at row `top` (the columns' names in the pack's language), data below.

    Returns (first data row, last data row).
    """
    columns = list(frame.columns)
    headers = [labels.column(name, fmt.lang) for name in columns]
    for c, header in enumerate(headers):
        ws.write_string(top, c, safe_cell(header), fmt.header)
    for r, row in enumerate(frame.itertuples(index=False), start=top + 1):
        for c, value in enumerate(row):
            unit = units.get(columns[c], default)
            _cell(ws, r, c, value, fmt.cells.get(unit) if unit else None, fmt)
    last = top + max(len(frame), 1)
    if freeze:
        ws.freeze_panes(top + 1, 0)
        ws.repeat_rows(top)
    if len(frame):
        ws.autofilter(top, 0, last, len(columns) - 1)
    for c, name in enumerate(columns):
        texts = frame[name].head(200).map(str) if len(frame) else pd.Series(dtype=str)
        longest = max([_display_width(headers[c]), *map(_display_width, texts)], default=10)
        ws.set_column(c, c, min(48, max(10, longest + 2)))
    return top + 1, last


def _cell(ws: Worksheet, r: int, c: int, value, cell_format, fmt: _Formats) -> None:
    if (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    ):
        ws.write_blank(r, c, None, cell_format)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, cell_format)
    elif hasattr(value, "year") and hasattr(value, "month"):
        ws.write_datetime(r, c, pd.Timestamp(value).to_pydatetime(), fmt.cells[DATE])
    elif isinstance(value, list | tuple):
        ws.write_string(r, c, ", ".join("–" if v is None else f"{v:g}" for v in value))
    else:
        ws.write_string(r, c, str(safe_cell(str(value))))


def _number(ws: Worksheet, r: int, c: int, value, cell_format) -> None:
    if value is None:
        ws.write_string(r, c, "–")
    else:
        ws.write_number(r, c, float(value), cell_format)


def _change_format(fmt: _Formats, better: str, change, unit: str):
    if change is None or change == 0 or not better:
        return fmt.cells[unit]
    good = (change > 0) == (better == "up")
    return fmt.cells[f"{unit}_good" if good else f"{unit}_bad"]


def _display_width(text: str) -> int:
    """Characters as wide as they print: CJK counts double."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
