"""The review pack as one self-contained HTML page: opens offline, prints on A4.

plotly's JavaScript is inlined once (the first chart), the rest of the
charts reuse it; no external file, font or script is fetched. Every text
from the data is escaped (`html.escape`) after `safe_cell`, so a customer
called `=HYPERLINK(...)` shows as that text, never as a link or a formula
when the table is pasted into a spreadsheet.
"""

from __future__ import annotations

import html
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from creditdash.exports import safe_cell
from creditdash.kpis import kpi_definitions
from creditdash.review import charts
from creditdash.review.scorecards import scorecard_definitions
from creditdash.review.story import Review, extra_definitions, section_frame

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
th { background: #f3f5f9; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.chart { margin: 8px 0; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5px; }
  h2 { break-after: avoid; }
  tr, .tile, .chart { break-inside: avoid; }
  section.page { break-before: page; }
  thead { display: table-header-group; }
}
"""

_FIG_WIDTH = 1060  # fixed pixel width: charts print at the size they show


def review_html(review: Review, title: str = "Weekly credit review") -> str:
    """The whole report as one HTML string (UTF-8, no external resources)."""
    charts_html = _ChartWriter()
    currency = review.currency
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{_e(title)} {review.as_of:%Y-%m-%d}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}: week ending {review.as_of:%Y-%m-%d}</h1>",
        f"<p class='meta'>{_e(_provenance(review))} · figures in {_e(currency)} · "
        f"generated {datetime.now():%Y-%m-%d %H:%M}</p>",
    ]
    if review.salesperson or review.region:
        who = " / ".join(x for x in (review.salesperson, review.region) if x)
        parts.append(f"<p class='note'>Customer lists filtered to {_e(who)}; the KPIs are the "
                     "whole book.</p>")  # fmt: skip
    parts += ["<h2>Key figures</h2>", _tiles(review)]
    parts.append(charts_html.add(charts.ar_trend_chart(review.trends, currency)))
    parts += ["<h2>Aging</h2>", charts_html.add(charts.aging_change_chart(review.aging, currency))]
    parts.append(_table(review.aging, money={"now", "week_ago", "four_weeks_ago", "wow",
                                              "four_week"}))  # fmt: skip
    parts.append("<section class='page'><h2>Biggest movers</h2>")
    parts.append(f"<p class='note'>{_e(extra_definitions['movers'])}</p>")
    if len(review.movers_up) or len(review.movers_down):
        parts.append(charts_html.add(charts.movers_chart(review.movers_up, review.movers_down,
                                                         currency)))  # fmt: skip
    money = {"overdue_before", "overdue_now", "change", "total_now"}
    parts += ["<div class='two'><div><h3>Overdue grew most</h3>",
              _table(review.movers_up, money=money), "</div><div><h3>Overdue shrank most</h3>",
              _table(review.movers_down, money=money), "</div></div></section>"]  # fmt: skip
    parts += [
        "<h2>Alerts</h2><div class='two'>",
        f"<div><h3>New ({len(review.alerts_new)})</h3>",
        _table(review.alerts_new.drop(columns=["key"]), money={"amount"}),
        f"</div><div><h3>Resolved ({len(review.alerts_resolved)})</h3>",
        _table(review.alerts_resolved.drop(columns=["key"]), money={"amount"}),
        "</div></div>",
    ]
    parts += _promises(review)
    parts += [
        "<h2>Current but chronically late</h2>",
        f"<p class='note'>{_e(extra_definitions['chronic_late'])}</p>",
        _table(review.chronic_late, money={"total", "current"}),
    ]
    top10 = review.current["concentration"]["top10_pct"]
    parts += [
        "<h2>Concentration</h2>",
        f"<p>Top-10 customers hold <b>{'–' if top10 is None else f'{top10:.2f}%'}</b> of total AR.</p>",
        _table(review.top_customers, money={"total", "overdue"}),
    ]
    for by, label in (("salesperson", "Salesperson"), ("region", "Region")):
        table = review.scorecards.get(by, pd.DataFrame())
        parts.append(f"<section class='page'><h2>{label} scorecards</h2>")
        parts.append(f"<p class='note'>{_e(scorecard_definitions['cei'])} "
                     f"{_e(scorecard_definitions['write_offs'])} {_e(scorecard_definitions['rank'])}"
                     "</p>")  # fmt: skip
        if table.empty:
            parts.append("<p>No balances at this date.</p></section>")
            continue
        parts.append(charts_html.add(charts.scorecard_chart(table, label)))
        shown = table.drop(columns=["cei_trend"]).rename(columns={"group": by})
        parts.append(_table(shown, money={"ar", "overdue", "sales", "write_offs"}))
        parts.append("</section>")
    for name in ("grades", "watchlist", "forecast", "provision"):
        sec = review.sections.get(name, {})
        if sec.get("available"):
            parts.append(f"<h2>{_e(name.capitalize())}</h2><p class='note'>From {_e(sec['source'])}"
                         f" {_e(sec.get('note', ''))}</p>")  # fmt: skip
            frame = section_frame(sec)
            parts.append(_table(frame, money={c for c in frame.columns if c in sec["money"]}))
    if review.notes:
        parts.append("<h2>Notes</h2><ul>")
        parts += [f"<li>{_e(n)}</li>" for n in review.notes]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


class _ChartWriter:
    """Figures as inline divs; the plotly library goes in with the first one only."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, fig: go.Figure) -> str:
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


def _provenance(review: Review) -> str:
    info = review.recorded.get("current")
    if info is None:
        return "Computed from the ledger (no snapshot was recorded for this week)"
    return (f"Recorded snapshot #{info.snapshot_id} of {info.created_at:%Y-%m-%d %H:%M} "
            f"(import #{info.import_id}, {info.trigger})")  # fmt: skip


def _tiles(review: Review) -> str:
    out = ["<div class='tiles'>"]
    for r in review.kpis.itertuples():
        definition = kpi_definitions.get(r.key) or extra_definitions.get(r.key, "")
        out.append(
            f"<div class='tile' title='{_e(definition)}'><div class='label'>{_e(r.label)}</div>"
            f"<div class='value'>{html.escape(format_value(r.value, r.unit))}</div>"
            f"<div class='chg'>{_change(r.wow, r.unit, r.better)} week · "
            f"{_change(r.four_week, r.unit, r.better)} 4 weeks</div></div>"
        )
    out.append("</div>")
    return "".join(out)


def _promises(review: Review) -> list[str]:
    out = ["<h2>Forecast vs actual and broken promises</h2>"]
    fva = review.forecast_vs_actual
    if fva is None:
        out.append("<p class='note'>Needs last week's forecast; none was recorded.</p>")
    else:
        out.append(_table(pd.DataFrame([fva]), money={"expected", "actual", "variance"}))
    if review.broken_promises is None:
        out.append(f"<p class='note'>{_e(extra_definitions['broken_promises'])} "
                   "Not available: no invoice-level forecast was recorded last week.</p>")  # fmt: skip
    else:
        out.append(_table(review.broken_promises, money={"outstanding"}))
    return out


def format_value(value, unit: str) -> str:
    """A tile's figure as text: money with separators, % and days with their unit."""
    if value is None:
        return "–"
    if unit == "money":
        return f"{value:,.2f}"
    if unit == "days":
        return f"{value:,.1f} d"
    return f"{value:,.2f}%"


def _change(value, unit: str, better: str) -> str:
    if value is None:
        return "–"
    text = ("+" if value > 0 else "") + format_value(value, unit)
    if not better or value == 0:
        return html.escape(text)
    good = (value > 0) == (better == "up")
    return f"<span class='{'good' if good else 'bad'}'>{html.escape(text)}</span>"


def _table(frame: pd.DataFrame, money: set[str] | None = None, limit: int = 300) -> str:
    if frame is None or frame.empty:
        return "<p class='note'>None this week.</p>"
    money = money or set()
    head = "".join(f"<th>{_e(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.head(limit).itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            cells.append(_td(value, column in money))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f"<p class='note'>First {limit} of {len(frame)} rows.</p>" if len(frame) > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _td(value, is_money: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "<td class='num'>–</td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int | float):
        text = (
            f"{value:,.2f}"
            if is_money
            else (f"{value:,}" if isinstance(value, int) else f"{value:,.2f}")
        )
        return f"<td class='num'>{text}</td>"
    if isinstance(value, list | tuple):
        return f"<td>{_sparkline(value)}</td>"
    return f"<td>{_e(str(value))}</td>"


def _sparkline(values, width: int = 90, height: int = 22) -> str:
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
    last = f"{known[-1]:g}"
    return (
        f"<svg width='{width}' height='{height}' role='img' aria-label='trend, last {last}'>"
        f"<polyline fill='none' stroke='#4c6ef5' stroke-width='1.5' points='{points}'/></svg>"
    )


def _e(text: str) -> str:
    """Data as inert text: neutralised for spreadsheets, then HTML-escaped."""
    return html.escape(str(safe_cell(str(text))), quote=True)
