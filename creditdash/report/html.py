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

from creditdash.charts import localise_money_axes
from creditdash.exports import safe_cell
from creditdash.i18n import render, t
from creditdash.presentation import shown
from creditdash.report import labels
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
.meta, .note { color: var(--muted); }
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
  body { margin: 0; max-width: none; font-size: 10.5px; }
  h2, h3 { break-after: avoid; }
  tr, .tile, .chart { break-inside: avoid; }
  section.page { break-before: page; }
  thead { display: table-header-group; }
}
"""

_FIG_WIDTH = 1060  # fixed pixel width: charts print at the size they show


def review_html(review: Review, title: str | None = None, lang: str = "en") -> str:
    """The whole report as one HTML string (UTF-8, no external resources), its texts in `lang`.

    `title` defaults to the catalogue's "Weekly credit review" in `lang`.
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
    parts.append(charts_html.add(charts.ar_trend_chart(
        review.trends, currency, title=t("review.chart.trend", lang),
        names=(t("review.tile.total_ar", lang), t("review.tile.overdue_ar", lang)),
        y_title=t("review.chart.ar", lang))))  # fmt: skip
    parts += [f"<h2>{_e(t('pack.sheet.aging', lang))}</h2>", charts_html.add(
        charts.aging_change_chart(
            review.aging, currency, title=t("review.chart.aging", lang),
            names=tuple(t(f"review.chart.{k}", lang) for k in ("now", "week_ago", "four_weeks_ago")),
            y_title=t("chart.outstanding", lang),
            bucket_names={b: labels.bucket(b, lang) for b in labels.BUCKETS}))]  # fmt: skip
    parts.append(_table(labels.values(review.aging, lang), lang,
                        money={"now", "week_ago", "four_weeks_ago", "wow", "four_week"}))  # fmt: skip
    parts.append(f"<section class='page'><h2>{_e(t('review.movers', lang))}</h2>")
    parts.append(f"<p class='note'>{_e(t('review.def.movers', lang))}</p>")
    if len(review.movers_up) or len(review.movers_down):
        parts.append(charts_html.add(charts.movers_chart(
            review.movers_up, review.movers_down, currency, title=t("review.chart.movers", lang),
            x_title=t("review.chart.movers_axis", lang))))  # fmt: skip
    money = {"overdue_before", "overdue_now", "change", "total_now"}
    parts += [f"<div class='two'><div><h3>{_e(t('review.movers.up', lang))}</h3>",
              _table(review.movers_up, lang, money=money),
              f"</div><div><h3>{_e(t('review.movers.down', lang))}</h3>",
              _table(review.movers_down, lang, money=money), "</div></div></section>"]  # fmt: skip
    new, resolved = (labels.values(f.drop(columns=["key"]), lang)
                     for f in (review.alerts_new, review.alerts_resolved))  # fmt: skip
    parts += [
        f"<h2>{_e(t('review.alerts', lang))}</h2><div class='two'>",
        f"<div><h3>{_e(t('pack.new', lang, n=len(new)))}</h3>",
        _table(new, lang, money={"amount"}),
        f"</div><div><h3>{_e(t('pack.resolved', lang, n=len(resolved)))}</h3>",
        _table(resolved, lang, money={"amount"}),
        "</div></div>",
    ]
    parts += _promises(review, lang)
    parts += [
        f"<h2>{_e(t('review.chronic', lang))}</h2>",
        f"<p class='note'>{_e(t('review.def.chronic_late', lang))}</p>",
        _table(review.chronic_late, lang, money={"total", "current"}),
    ]
    top10 = review.current["concentration"]["top10_pct"]
    share = f"<b>{'–' if top10 is None else f'{top10:.2f}%'}</b>"
    parts += [
        f"<h2>{_e(t('review.concentration', lang))}</h2>",
        f"<p>{_e(t('pack.top10_html', lang, pct='{pct}')).format(pct=share)}</p>",
        _table(review.top_customers, lang, money={"total", "overdue"}),
    ]
    definitions = " ".join(t(f"review.score_def.{k}", lang) for k in ("cei", "write_offs", "rank"))
    for by in ("salesperson", "region"):
        table = review.scorecards.get(by, pd.DataFrame())
        parts.append(f"<section class='page'><h2>{_e(t(f'pack.sheet.scorecards.{by}', lang))}</h2>")
        parts.append(f"<p class='note'>{_e(definitions)}</p>")
        if table.empty:
            parts.append(f"<p>{_e(t('review.scorecards.none', lang))}</p></section>")
            continue
        parts.append(charts_html.add(charts.scorecard_chart(
            table, title=t(f"review.chart.score.{by}", lang),
            x_title=t("review.chart.cei_axis", lang),
            colour_title=t("review.score.overdue_pct", lang),
            hover_names=(t("review.tile.cei", lang), t("review.chart.hover_overdue", lang),
                         t("review.chart.hover_rank", lang)))))  # fmt: skip
        shown = table.drop(columns=["cei_trend"]).rename(columns={"group": by})
        parts.append(_table(shown, lang, money={"ar", "overdue", "sales", "write_offs"}))
        parts.append("</section>")
    for name in ("grades", "watchlist", "forecast", "provision"):
        sec = review.sections.get(name, {})
        if sec.get("available"):
            source = t("pack.from", lang, source=sec["source"])
            parts.append(f"<h2>{_e(labels.section(name, lang))}</h2><p class='note'>{_e(source)}"
                         f" {_e(render(sec.get('note'), lang))}</p>")  # fmt: skip
            frame = labels.values(section_frame(sec), lang)
            parts.append(_table(frame, lang, money={c for c in frame.columns if c in sec["money"]}))
    if review.notes:
        parts.append(f"<h2>{_e(t('pack.sheet.notes', lang))}</h2><ul>")
        parts += [f"<li>{_e(labels.note(n, lang))}</li>" for n in review.notes]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


class _ChartWriter:
    """Figures as inline divs; the plotly library goes in with the first one only.

    Money axes are labelled in the report's language's units (万 / 亿, K / M / B).
    """

    def __init__(self, lang: str = "en") -> None:
        self.count = 0
        self.lang = lang

    def add(self, fig: go.Figure) -> str:
        localise_money_axes(fig, self.lang)
        fig.update_layout(width=_FIG_WIDTH)
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
        out.append(_table(pd.DataFrame([fva]), lang, money={"expected", "actual", "variance"}))
    if review.broken_promises is None:
        out.append(f"<p class='note'>{_e(t('review.def.broken_promises', lang))} "
                   f"{_e(t('pack.promises_none', lang))}</p>")  # fmt: skip
    else:
        out.append(_table(review.broken_promises, lang, money={"outstanding"}))
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


def _table(
    frame: pd.DataFrame, lang: str = "en", money: set[str] | None = None, limit: int = 300
) -> str:
    """The frame as a table, headed by its columns' names in `lang`; money with separators."""
    if frame is None or frame.empty:
        return f"<p class='note'>{_e(t('pack.none', lang))}</p>"
    money = money or set()
    head = "".join(f"<th>{_e(labels.column(c, lang))}</th>" for c in frame.columns)
    rows = []
    for row in frame.head(limit).itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            cells.append(_td(value, column in money, lang))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f"<p class='note'>{_e(t('pack.first_rows', lang, limit=limit, n=len(frame)))}</p>"
        if len(frame) > limit
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _td(value, is_money: bool, lang: str = "en") -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "<td class='num'>–</td>"
    if isinstance(value, bool):
        return f"<td>{_e(t('pack.yes' if value else 'pack.no', lang))}</td>"
    if isinstance(value, int | float):
        text = (
            f"{value:,.2f}"
            if is_money
            else (f"{value:,}" if isinstance(value, int) else f"{value:,.2f}")
        )
        return f"<td class='num'>{text}</td>"
    if isinstance(value, list | tuple):
        return f"<td>{_sparkline(value, lang)}</td>"
    return f"<td>{_e(str(value))}</td>"


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
