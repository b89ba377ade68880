"""Charts: pure functions from frames to plotly Figures (they never call streamlit).

One colour per aging bucket, used by every chart: calm for current,
darkening as an item gets older.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

CURRENT_COLOUR = "#2e7d5b"
OVERDUE_COLOURS = ["#f2c14e", "#f08a3c", "#e0582f", "#c0392b", "#8e1f2f", "#4a1020", "#2b0a14"]
UNAPPLIED_COLOUR = "#8a94a6"
FONT = "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


GRID = "#e6e9ef"
_LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "title": None}
_LEGEND_ABOVE = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None}


def style(
    fig: go.Figure,
    title: str,
    *,
    legend: str | None = "below",
    height: int | None = None,
    top: int = 50,
) -> go.Figure:
    """The house look every chart shares: title top left, a font with Chinese glyphs, white
    plot with a light grid, tight margins.

    `legend` is "below" (a horizontal line under the plot), "above" (a line of its own
    between the title and the plot) or None (plotly's own place).
    """
    layout: dict = {
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "font": {"family": FONT},
        "margin": {"l": 10, "r": 10, "t": top, "b": 10},
        "plot_bgcolor": "white",
    }
    if legend == "below":
        layout["legend"] = _LEGEND_BELOW
    elif legend == "above":
        layout["title"] |= {"yref": "container", "y": 0.98}
        layout["margin"]["t"] = max(top, 80)
        layout["legend"] = _LEGEND_ABOVE
    if height is not None:
        layout["height"] = height
    fig.update_layout(**layout)
    fig.update_xaxes(gridcolor=GRID)
    fig.update_yaxes(gridcolor=GRID)
    return fig


def bucket_colours(labels: list[str]) -> dict[str, str]:
    """A colour per bucket label: the first bucket green, the rest from yellow to dark red."""
    colours = {labels[0]: CURRENT_COLOUR}
    for i, label in enumerate(labels[1:]):
        colours[label] = OVERDUE_COLOURS[min(i, len(OVERDUE_COLOURS) - 1)]
    colours["unapplied"] = UNAPPLIED_COLOUR
    return colours


def _layout(fig: go.Figure, title: str, y_title: str, currency: str) -> go.Figure:
    """Stacked bars over time: legend below, money axis."""
    style(fig, title)
    fig.update_layout(
        barmode="relative", yaxis_title=f"{y_title} ({currency})", hovermode="x unified"
    )
    fig.update_yaxes(tickformat="~s")
    return fig


def aging_bars(
    table: pd.DataFrame,
    key: str,
    labels: list[str],
    *,
    title: str = "Receivables by aging bucket",
    currency: str = "CNY",
    top: int = 20,
    x_title: str = "Outstanding",
    names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Horizontal stacked bars: one bar per group (`key` column, largest on top), one segment per bucket.

    `table` has the bucket `labels` and `unapplied` as money columns (not cents);
    `names` gives a legend name per column where it differs (e.g. translated).
    """
    names = names or {}
    head = table.head(top).iloc[::-1]
    colours = bucket_colours(labels)
    fig = go.Figure()
    for label in [*labels, "unapplied"]:
        if label not in head or not head[label].any():
            continue
        fig.add_bar(
            y=head[key].astype(str),
            x=head[label],
            name=names.get(label, label),
            orientation="h",
            marker_color=colours[label],
            hovertemplate="%{x:,.2f}",
        )
    style(fig, title, legend="above", height=max(320, 28 * len(head) + 140))
    fig.update_layout(
        barmode="relative",
        legend_traceorder="normal",
        xaxis_title=f"{x_title} ({currency})",
        hovermode="y unified",
    )
    fig.update_xaxes(tickformat="~s")
    fig.update_yaxes(type="category", automargin=True)
    return fig


def ar_by_month_chart(
    frame: pd.DataFrame,
    labels: list[str],
    *,
    title: str = "Receivables at each month-end by aging bucket",
    currency: str = "CNY",
    y_title: str = "Outstanding",
    names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Stacked bars of AR at each month-end; `frame` has month_end and money bucket columns.

    `names` gives a legend name per bucket where it differs from its label.
    """
    names = names or {}
    colours = bucket_colours(labels)
    fig = go.Figure()
    x = pd.to_datetime(frame["month_end"]).dt.strftime("%Y-%m")
    for label in labels:
        fig.add_bar(
            x=x,
            y=frame[label],
            name=names.get(label, label),
            marker_color=colours[label],
            hovertemplate="%{y:,.2f}",
        )
    _layout(fig, title, y_title, currency)
    fig.update_xaxes(type="category")
    return fig


def top_overdue_chart(
    frame: pd.DataFrame,
    *,
    title: str = "Top 10 overdue customers",
    currency: str = "CNY",
    x_title: str = "Overdue",
) -> go.Figure:
    """Horizontal bars of overdue money by customer; `frame` has `customer` and `overdue`."""
    data = frame.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=data["overdue"],
            y=[short_label(c) for c in data["customer"]],
            customdata=data["customer"],
            orientation="h",
            marker_color=OVERDUE_COLOURS[2],
            hovertemplate="%{customdata}<br>%{x:,.2f}<extra></extra>",
        )
    )
    style(fig, title, legend=None)
    fig.update_layout(xaxis_title=f"{x_title} ({currency})")
    fig.update_xaxes(tickformat="~s")
    return fig


def short_label(text: object, width: int = 24) -> str:
    """A category label cut to `width` display columns (a Chinese character takes two), so
    long customer names leave the bars room; the full name stays in the hover."""
    text = str(text)
    used = 0
    for i, ch in enumerate(text):
        used += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used > width:
            return text[:i].rstrip() + "…"
    return text


# Units for a money axis, largest first: (size, suffix) per language. Chinese counts in
# 万 (10^4) and 亿 (10^8); English in thousands, millions, billions.
AXIS_UNITS = {
    "en": [(1e9, "B"), (1e6, "M"), (1e3, "K")],
    "zh": [(1e8, "亿"), (1e4, "万")],
}
_NICE_STEPS = (1, 2, 2.5, 5, 10)


def money_ticks(low: float, high: float, lang: str = "en", count: int = 5) -> tuple[list, list]:
    """Tick values and labels for a money axis spanning `low`..`high` (money, not cents).

    About `count` round steps (1, 2, 2.5 or 5 x 10^k); every label uses the one
    unit of the largest tick: 0, 0.5亿, 1亿, 1.5亿 in Chinese; 0, 50M, 100M in English.
    """
    low, high = min(low, 0.0), max(high, 0.0)
    span = high - low
    if not np.isfinite(span) or span <= 0:
        return [0.0], ["0"]
    raw = span / max(count, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(s * power for s in _NICE_STEPS if s * power >= raw * (1 - 1e-9))
    first, last = np.floor(low / step), np.ceil(high / step)
    values = [float(k * step) for k in np.arange(first, last + 1)]
    biggest = max(abs(v) for v in values)
    size, suffix = next(((s, u) for s, u in AXIS_UNITS[lang] if biggest >= s), (1.0, ""))
    decimals = next(
        d for d in range(4) if abs(round(step / size, d) - step / size) < 1e-9 or d == 3
    )
    texts = [_tick_text(v / size, decimals, suffix) for v in values]
    return values, texts


def _tick_text(value: float, decimals: int, suffix: str) -> str:
    if value == 0:
        return "0"
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + suffix


def localise_money_axes(fig: go.Figure, lang: str = "en") -> go.Figure:
    """Money axes (tick format `~s`) labelled in the language's units (万 / 亿, K / M / B).

    The span of each such axis is read from its traces; stacked bars
    (barmode stack / relative) add up per category. Other axes stay as they are.
    """
    spans: dict[str, list[float]] = {}
    stacked = fig.layout.barmode in ("stack", "relative")
    for trace in fig.data:
        for axis, values, cats in _money_values(trace):
            name = _axis_name(fig, trace, axis)
            if name is None:
                continue
            span = spans.setdefault(name, [0.0, 0.0, {}, {}])
            if stacked and trace.type == "bar" and cats is not None:
                for cat, v in zip(cats, values, strict=False):
                    side = span[2] if v >= 0 else span[3]
                    side[cat] = side.get(cat, 0.0) + v
            elif len(values):
                span[0] = min(span[0], float(np.nanmin(values)))
                span[1] = max(span[1], float(np.nanmax(values)))
    for name, (low, high, ups, downs) in spans.items():
        low = min([low, *downs.values()])
        high = max([high, *ups.values()])
        # a horizontal money axis sits under bars with long labels: fewer, wider ticks
        values, texts = money_ticks(low, high, lang, count=3 if name.startswith("x") else 5)
        fig.layout[name].update(tickmode="array", tickvals=values, ticktext=texts)
    return fig


def _money_values(trace):
    """(axis letter, finite values, categories or None) of the trace's money dimension(s)."""
    out = []
    for axis in ("x", "y"):
        raw = getattr(trace, axis, None)
        if raw is None:
            continue
        values = pd.to_numeric(pd.Series(list(raw)), errors="coerce")
        if values.isna().all():
            continue
        other = getattr(trace, "y" if axis == "x" else "x", None)
        cats = list(other) if other is not None else None
        out.append((axis, values.fillna(0.0).to_numpy(dtype="float64"), cats))
    return out


def _axis_name(fig: go.Figure, trace, axis: str) -> str | None:
    """The layout name of the trace's `axis` (`yaxis`, `yaxis2`, ...) when it is a money axis."""
    ref = getattr(trace, f"{axis}axis", None) or axis
    name = f"{axis}axis{ref[1:]}"
    if name not in fig.layout or fig.layout[name].tickformat != "~s":
        return None
    return name
