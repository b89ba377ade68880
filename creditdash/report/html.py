"""The review pack as one self-contained HTML page: opens offline, prints on A4.

plotly's JavaScript is inlined once (the first chart), the rest of the
charts reuse it; no external file, font or script is fetched. Every text
from the data is escaped (`html.escape`) after `safe_cell`, so a customer
called `=HYPERLINK(...)` shows as that text, never as a link or a formula
when the table is pasted into a spreadsheet.

Every heading, label and note comes from the `pack.` and `review.` catalogues
in the report's language (`lang`, "en" or "zh"); the figures are the same in
either.
"""

from __future__ import annotations

import html
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from creditdash.charts import localise
from creditdash.exports import safe_cell
from creditdash.i18n import t
from creditdash.presentation import shown
from creditdash.report import labels, tables
from creditdash.review import charts
from creditdash.review.story import Review, section_frame

CSS = """
:root { --ink:#1f2430; --muted:#5b6475; --line:#e1e5ee; --good:#1e6b45; --bad:#b02a1f; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei",
       sans-serif; color: var(--ink); margin: 24px auto; max-width: 1120px; padding: 0 16px;
       font-size: 13px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.meta, .note, .more { color: var(--muted); }
.more { margin-top: 2px; }
.tiles { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
.tile .label { color: var(--muted); font-size: 12px; }
.tile .value { font-size: 20px; font-weight: 600; }
.tile .chg { font-size: 12px; }
.good { color: var(--good); } .bad { color: var(--bad); }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left;
         vertical-align: top; }
th { background: #f3f5f9; font-weight: 600; word-break: keep-all; }  /* 业务员, not 业/务/员 */
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.chart { margin: 8px 0; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5px; }
  h1 { font-size: 18px; }
  h2 { font-size: 14px; margin: 12px 0 4px; }
  h3 { font-size: 12px; margin: 8px 0 3px; }
  th, td { padding: 2px 5px; }
  .tile { padding: 5px 10px; }
  .tile .value { font-size: 17px; }
  h2, h3, p.note { break-after: avoid; }
  p.more { break-before: avoid; }  /* "the 15 largest of 70": with its table */
  /* side-by-side halves as inline blocks: printed whole, never cut at a page's foot */
  .two { display: block; }
  .two > div { display: inline-block; width: 49.5%; vertical-align: top; }
  .two > div + div { margin-left: 0.5%; }
  tr, .tile, .chart, .keep { break-inside: avoid; }
  thead { display: table-header-group; }
}
"""

_FIG_WIDTH = 1060  # fixed pixel width: charts print at the size they show


def review_html(review: Review, title: str | None = None, lang: str = "en") -> str:
    """The whole report as one HTML string (UTF-8, no external resources), its texts in `lang`.

    `title` defaults to the catalogue's "Weekly credit review" in `lang`. Long lists show
    their largest rows (`tables.TOP_N`) and say how many there are; the workbook has them all.
    """
    title = title or t("pack.title", lang)
    charts_html = _ChartWriter(lang)
    currency = review.currency
    meta = t("pack.meta", lang, source=_provenance(review, lang), currency=currency,
             when=f"{datetime.now():%Y-%m-%d %H:%M}")  # fmt: skip
    parts = [
        f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>",
        f"<title>{_e(title)} {review.as_of:%Y-%m-%d}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(t('pack.h1', lang, title=title, week=f'{review.as_of:%Y-%m-%d}'))}</h1>",
        f"<p class='meta'>{_e(meta)}</p>",
    ]
    if review.salesperson or review.region:
        who = " / ".join(x for x in (review.salesperson, review.region) if x)
        parts.append(f"<p class='note'>{_e(t('pack.filtered_html', lang, who=who))}</p>")
    parts += [f"<h2>{_e(t('pack.key_figures', lang))}</h2>", _tiles(review, lang)]
    parts.append(charts_html.add(charts.ar_trend_chart(review.trends, currency, lang), height=270))
    parts += _alerts(review, lang)
    parts += _risk(review, lang)
    parts += _aging(review, lang, charts_html)
    parts += _movers(review, lang)
    parts += _collections(review, lang)
    parts += _scorecards(review, lang)
    parts += _forecast_and_provision(review, lang)
    if review.notes:
        parts.append(f"<h2>{_e(t('pack.sheet.notes', lang))}</h2><ul>")
        parts += [f"<li>{_e(labels.note(n, lang))}</li>" for n in review.notes]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _alerts(review: Review, lang: str) -> list[str]:
    """New and resolved alerts, the largest first, each with its action and its reason."""
    out = [f"<h2>{_e(t('review.alerts', lang))}</h2>"]
    if any(str(r).startswith("watchlist: ") for r in review.alerts_open.get("rule", [])):
        out.append(f"<p class='note'>{_e(labels.source('watchlist', lang))}</p>")
    for key, frame, week, n in (("pack.new", review.alerts_new, review.current, tables.TOP_N),
                                ("pack.resolved", review.alerts_resolved, review.week_ago, 10)):  # fmt: skip
        words = tables.alerts_in_words(frame, week, lang)
        out.append(f"<h3>{_e(t(key, lang, n=len(frame)))}</h3>")
        out += _top_table(words, "amount", lang, sheet=t("pack.sheet.alerts", lang), n=n)
    return out


def _risk(review: Review, lang: str) -> list[str]:
    """The watchlist by rule and its most serious hits; the grade mix and the largest exposures."""
    out: list[str] = []
    sections = review.sections
    watch, grades = sections.get("watchlist"), sections.get("grades")
    if watch is not None and watch.available:
        words = tables.watchlist_in_words(review.current, lang)
        out += _keep(f"<h2>{_e(labels.section('watchlist', lang))}</h2>",
                     f"<p class='note'>{_e(labels.source('watchlist', lang))} "
                     f"{_e(labels.note(watch.note, lang))}</p>",
                     _table(tables.watchlist_summary(words), lang))  # fmt: skip
        out.append(f"<h3>{_e(t('pack.watch.top', lang))}</h3>")
        out += _top_table(words, None, lang, sheet=t("pack.sheet.watchlist", lang), n=10)
    if grades is not None and grades.available:
        frame = tables.grades_in_words(grades, lang)
        shown = frame.drop(columns=["credit_limit", "recommended_limit", "flags"], errors="ignore")
        out += [f"<h2>{_e(labels.section('grades', lang))}</h2>",
                f"<p class='note'>{_e(labels.source('grades', lang))} "
                f"{_e(labels.note(grades.note, lang))}</p>",
                f"<div class='two'><div><h3>{_e(t('pack.grades.mix', lang))}</h3>",
                _table(tables.grade_mix(frame), lang),
                f"</div><div><h3>{_e(t('pack.grades.top', lang))}</h3>",
                *_top_table(shown, "exposure", lang, sheet=labels.section("grades", lang), n=10),
                "</div></div>"]  # fmt: skip
    return out


def _keep(*parts: str) -> list[str]:
    """`parts` kept on one printed page (a heading with its table, not apart)."""
    return ["<div class='keep'>", *parts, "</div>"]


def _aging(review: Review, lang: str, charts_html: _ChartWriter) -> list[str]:
    """AR by bucket now, a week and four weeks ago: the chart beside the table."""
    chart = charts.aging_change_chart(review.aging, review.currency, lang)
    return _keep(f"<h2>{_e(t('pack.sheet.aging', lang))}</h2>",
                 f"<div class='two'><div>{charts_html.add(chart, width=520, height=300)}</div>",
                 f"<div>{_table(labels.values(review.aging, lang), lang)}</div></div>")  # fmt: skip


def _movers(review: Review, lang: str) -> list[str]:
    """The customers whose overdue AR grew and shrank most, side by side."""
    columns = ["customer_name", "overdue_before", "overdue_now", "change"]
    up, down = (f[[c for c in columns if c in f.columns]]
                for f in (review.movers_up, review.movers_down))  # fmt: skip
    return _keep(f"<h2>{_e(t('review.movers', lang))}</h2>",
                 f"<p class='note'>{_e(t('review.def.movers', lang))}</p>",
                 f"<div class='two'><div><h3>{_e(t('review.movers.up', lang))}</h3>",
                 _table(up, lang), f"</div><div><h3>{_e(t('review.movers.down', lang))}</h3>",
                 _table(down, lang), "</div></div>")  # fmt: skip


def _collections(review: Review, lang: str) -> list[str]:
    """Forecast against actual, broken promises, chronic late payers and concentration."""
    out = _promises(review, lang)
    out += [f"<h2>{_e(t('review.chronic', lang))}</h2>",
            f"<p class='note'>{_e(t('review.def.chronic_late', lang))}</p>",
            *_top_table(review.chronic_late, "total", lang,
                        sheet=t("pack.sheet.chronic_late", lang), n=10)]  # fmt: skip
    top10 = review.current["concentration"]["top10_pct"]
    share = f"<b>{'–' if top10 is None else html.escape(_number(top10, tables.PCT, lang))}</b>"
    out += _keep(f"<h2>{_e(t('review.concentration', lang))}</h2>",
                 f"<p>{_e(t('pack.top10_html', lang, pct='{pct}')).format(pct=share)}</p>",
                 _table(review.top_customers, lang))  # fmt: skip
    return out


def _scorecards(review: Review, lang: str) -> list[str]:
    """The salesperson and region scorecards, ranked, with their 4-week changes and trends."""
    definitions = " ".join(t(f"review.score_def.{k}", lang) for k in ("cei", "write_offs", "rank"))
    out = []
    for i, by in enumerate(("salesperson", "region")):
        table = review.scorecards.get(by, pd.DataFrame())
        heading = f"<h2>{_e(t(f'pack.sheet.scorecards.{by}', lang))}</h2>"
        note = f"<p class='note'>{_e(definitions)}</p>" if i == 0 else ""
        if table.empty:
            out += _keep(heading, f"<p>{_e(t('review.scorecards.none', lang))}</p>")
            continue
        shown = table.drop(columns=["cei_trend"], errors="ignore").rename(columns={"group": by})
        out += _keep(heading, note, _table(shown, lang))
    return out


def _forecast_and_provision(review: Review, lang: str) -> list[str]:
    """The 13-week receipts forecast and the provision matrix, side by side."""
    halves = []
    for name in ("forecast", "provision"):
        sec = review.sections.get(name)
        if sec is None or not sec.available:
            continue
        note = f"{labels.source(name, lang)} {labels.note(sec.note, lang)}".strip()
        frame = labels.values(section_frame(sec), lang)
        if "portfolio" in frame:
            frame["portfolio"] = [labels.portfolio(p, lang) for p in frame["portfolio"]]
        halves.append(f"<div><h2>{_e(labels.section(name, lang))}</h2>"
                      f"<p class='note'>{_e(note)}</p>{_table(frame, lang)}</div>")  # fmt: skip
    return ["<div class='two'>", *halves, "</div>"] if halves else []


class _ChartWriter:
    """Figures as inline divs; the plotly library goes in with the first one only.

    Money axes are labelled in the report's language's units (万 / 亿, K / M / B).
    """

    def __init__(self, lang: str = "en") -> None:
        self.count = 0
        self.lang = lang

    def add(self, fig: go.Figure, width: int = _FIG_WIDTH, height: int | None = None) -> str:
        fig = localise(fig, self.lang)  # data drawn literally, money axes in the reader's units
        fig.update_layout(width=width)
        if height is not None:
            fig.update_layout(height=height)
        div = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=self.count == 0,
            config={"displayModeBar": False, "responsive": False},
            div_id=f"chart{self.count}",
        )
        self.count += 1
        return f"<div class='chart'>{div}</div>"


def _provenance(review: Review, lang: str) -> str:
    info = review.recorded.get("current")
    if info is None:
        return t("pack.provenance.computed", lang)
    return t("pack.provenance.recorded", lang, id=info.snapshot_id, import_id=info.import_id,
             created=f"{info.created_at:%Y-%m-%d %H:%M}",
             trigger=t(f"review.trigger.{info.trigger}", lang))  # fmt: skip


def _tiles(review: Review, lang: str) -> str:
    out = ["<div class='tiles'>"]
    for r in review.kpis.itertuples():
        definition = t(f"review.def.{r.key}", lang)
        # the catalogue's words escaped, then the coloured changes put in their places
        changes = _e(t("pack.tile_changes", lang, week="{week}", four="{four}")).format(
            week=_change(r.wow, r.unit, r.better, lang),
            four=_change(r.four_week, r.unit, r.better, lang),
        )
        out.append(
            f"<div class='tile' title='{_e(definition)}'>"
            f"<div class='label'>{_e(t(f'review.tile.{r.key}', lang))}</div>"
            f"<div class='value'>{html.escape(format_value(r.value, r.unit, lang))}</div>"
            f"<div class='chg'>{changes}</div></div>"
        )
    out.append("</div>")
    return "".join(out)


def _promises(review: Review, lang: str) -> list[str]:
    out = [f"<h2>{_e(t('review.fva', lang))}</h2>"]
    fva = review.forecast_vs_actual
    if fva is None:
        out.append(f"<p class='note'>{_e(t('pack.fva_none', lang))}</p>")
    else:
        out.append(_table(pd.DataFrame([fva]), lang))
    if review.broken_promises is None:
        out.append(f"<p class='note'>{_e(t('review.def.broken_promises', lang))} "
                   f"{_e(t('pack.promises_none', lang))}</p>")  # fmt: skip
    else:
        out.append(f"<p class='note'>{_e(t('review.def.broken_promises', lang))}</p>")
        out += _top_table(review.broken_promises, "outstanding", lang, n=10,
                          sheet=t("pack.sheet.promises", lang))  # fmt: skip
    return out


def format_value(value, unit: str, lang: str = "en") -> str:
    """A tile's figure as text: money with separators, % and days with their unit."""
    if value is None:
        return "–"
    if unit == "money":
        return f"{value:,.2f}"
    if unit == "days":
        return t("pack.days", lang, value=f"{shown(value):,.1f}")
    return f"{value:,.2f}%"


def _change(value, unit: str, better: str, lang: str = "en") -> str:
    if value is None:
        return "–"
    text = ("+" if value > 0 else "") + format_value(value, unit, lang)
    if not better or value == 0:
        return html.escape(text)
    good = (value > 0) == (better == "up")
    return f"<span class='{'good' if good else 'bad'}'>{html.escape(text)}</span>"


def _top_table(
    frame: pd.DataFrame, by: str | None, lang: str, sheet: str, n: int = tables.TOP_N
) -> list[str]:
    """The `n` rows largest in `by` (or the first `n`), and, when there are more, a line saying
    how many and which sheet of the workbook has them all."""
    if frame is None or frame.empty:
        return [_table(frame, lang)]
    shown = frame.head(n) if by is None else tables.top(frame, by, n)
    out = [_table(shown, lang)]
    if len(frame) > len(shown):
        key = "pack.top_by" if by else "pack.top_first"
        column = labels.column(by, lang) if by else ""
        said = t(key, lang, shown=len(shown), n=len(frame), by=column, sheet=sheet)
        out.append(f"<p class='more'>{_e(said)}</p>")
    return out


def _table(frame: pd.DataFrame | None, lang: str = "en", units: dict | None = None) -> str:
    """The frame as a table, headed by its columns' names in `lang`; each column in its unit
    (`tables.UNITS` unless `units` says otherwise): money with separators, shares as %."""
    if frame is None or frame.empty:
        return f"<p class='note'>{_e(t('pack.none', lang))}</p>"
    shown_units = tables.units(frame.columns, units)
    head = "".join(f"<th>{_e(labels.column(c, lang))}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = [_td(v, shown_units.get(c), lang) for c, v in zip(frame.columns, row, strict=True)]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _td(value, unit: str | None, lang: str = "en") -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "<td class='num'>–</td>"
    if isinstance(value, bool):
        return f"<td>{_e(t('pack.yes' if value else 'pack.no', lang))}</td>"
    if isinstance(value, int | float):  # our own formatting of a number: nothing to neutralise
        return f"<td class='num'>{html.escape(_number(value, unit, lang))}</td>"
    if isinstance(value, list | tuple):
        return f"<td>{_sparkline(value, lang)}</td>"
    return f"<td>{_e(str(value))}</td>"


def _number(value: float, unit: str | None, lang: str = "en") -> str:
    """A figure in its unit: 1,234.56 (money), 12.3% (share or percentage), +1.2 pp, 34.5 d."""
    if unit == tables.MONEY:
        return f"{value:,.2f}"
    if unit == tables.SHARE:
        return f"{value * 100:,.1f}%"
    if unit == tables.PCT:
        return f"{value:,.1f}%"
    if unit == tables.PP:
        return t("pack.pp", lang, value=f"{value:+,.1f}")
    if unit == tables.DAYS:
        return t("pack.days", lang, value=f"{shown(value):,.1f}")
    if unit == tables.SCORE:
        return f"{value:,.1f}"
    if unit == tables.INT or (isinstance(value, int) and not isinstance(value, bool)):
        return f"{round(value):,}"
    return f"{value:,.2f}"


def _sparkline(values, lang: str = "en", width: int = 90, height: int = 22) -> str:
    """A small inline SVG line of the values (oldest first); gaps where a value is missing."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return "–"
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
        for i, v in enumerate(values)
        if v is not None
    )
    label = _e(t("pack.trend_aria", lang, last=f"{known[-1]:g}"))
    return (
        f"<svg width='{width}' height='{height}' role='img' aria-label='{label}'>"
        f"<polyline fill='none' stroke='#4c6ef5' stroke-width='1.5' points='{points}'/></svg>"
    )


def _e(text: str) -> str:
    """Data as inert text: neutralised for spreadsheets, then HTML-escaped."""
    return html.escape(str(safe_cell(str(text))), quote=True)
