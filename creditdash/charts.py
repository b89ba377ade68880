"""Charts: pure functions from frames to plotly Figures (they never call streamlit).

One colour per aging bucket, used by every chart: calm for current,
darkening as an item gets older.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime

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


def loading_chart(text: str, height: int = 320) -> go.Figure:
    """An empty chart frame saying `text` (e.g. that the ledger is loading): drawn where a
    page's charts will be while its data loads, so the reader sees where they come and the
    browser readies its chart code meanwhile."""
    fig = go.Figure()
    fig.add_annotation(
        text=escape_text(text), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
        font={"size": 15, "color": UNAPPLIED_COLOUR},
    )  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, "", legend=None, height=height)


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


def nice_step(span: float, count: int = 5) -> float:
    """The round step (1, 2, 2.5 or 5 x 10^k) that cuts `span` into about `count` parts."""
    raw = span / max(count, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    return next(s * power for s in _NICE_STEPS if s * power >= raw * (1 - 1e-9))


def _steps_around(low: float, high: float, step: float) -> tuple[int, int]:
    """How many steps below and above zero cover `low`..`high` (zero always inside)."""
    below = int(np.ceil(-min(low, 0.0) / step - 1e-9))
    above = int(np.ceil(max(high, 0.0) / step - 1e-9))
    return below, above


def money_labels(values: list[float], step: float, lang: str = "en") -> list[str]:
    """Money tick labels in the one unit of the largest tick: 0, 0.5亿, 1亿 or 0, 50M, 100M."""
    biggest = max(abs(v) for v in values)
    size, suffix = next(((s, u) for s, u in AXIS_UNITS[lang] if biggest >= s), (1.0, ""))
    return [_tick_text(v / size, _decimals(step / size), suffix) for v in values]


def _decimals(step: float) -> int:
    """The fewest decimals (up to 3) that write every multiple of `step` exactly."""
    return next(d for d in range(4) if abs(round(step, d) - step) < 1e-9 or d == 3)


def money_ticks(low: float, high: float, lang: str = "en", count: int = 5) -> tuple[list, list]:
    """Tick values and labels for a money axis spanning `low`..`high` (money, not cents).

    About `count` round steps (1, 2, 2.5 or 5 x 10^k); every label uses the one
    unit of the largest tick: 0, 0.5亿, 1亿, 1.5亿 in Chinese; 0, 50M, 100M in English.
    """
    low, high = min(low, 0.0), max(high, 0.0)
    span = high - low
    if not np.isfinite(span) or span <= 0:
        return [0.0], ["0"]
    step = nice_step(span, count)
    first, last = np.floor(low / step), np.ceil(high / step)
    values = [float(k * step) for k in np.arange(first, last + 1)]
    return values, money_labels(values, step, lang)


def _tick_text(value: float, decimals: int, suffix: str) -> str:
    if value == 0:
        return "0"
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + suffix


def localise(fig: go.Figure, lang: str = "en") -> go.Figure:
    """`fig` ready to be drawn for a reader of `lang`: text from data shown literally
    (`plain_text`), money axes in the language's units with a right axis on the same grid
    (`localise_money_axes`), dates written the language's way (`localise_date_axes`)."""
    return localise_date_axes(localise_money_axes(plain_text(fig), lang), lang)


def localise_money_axes(fig: go.Figure, lang: str = "en") -> go.Figure:
    """Money axes (tick format `~s`) labelled in the language's units (万 / 亿, K / M / B).

    The span of each such axis is read from its traces; stacked bars
    (barmode stack / relative) add up per category. A money axis under bars only
    ends on its last tick, so its largest figure is labelled (and starts where its bars
    do). A second axis drawn over another (`overlaying`) gets round steps on the same grid
    lines as the first, zero level with zero. Other axes stay as they are.
    """
    spans = _axis_spans(fig)
    ticks: dict[str, tuple[list, list]] = {}
    for name, (low, high) in spans.items():
        if _is_money(fig, name):
            # a horizontal money axis sits under bars with long labels: fewer, wider ticks
            ticks[name] = money_ticks(low, high, lang, count=3 if name.startswith("x") else 5)
    ranges = _align_overlaying_axes(fig, spans, ticks, lang)
    for name, (values, texts) in ticks.items():
        fig.layout[name].update(tickmode="array", tickvals=values, ticktext=texts)
        if name not in ranges and len(values) > 1 and _bars_only(fig, name):
            ranges[name] = _bar_range(values, spans[name][0])
        if name in ranges:
            fig.layout[name].update(range=ranges[name], autorange=False)
            if name.startswith("x") and fig.layout.margin.r is not None:
                # room for the last label, centred on the right edge (plotly hides a
                # label that would stick out of the chart)
                fig.layout.margin.r = max(fig.layout.margin.r, 30)
    return fig


def _bar_range(values: list[float], low: float) -> list[float]:
    """The range of a money axis under bars with ticks `values`: up to the last tick, and
    down to the first one when the bars reach a quarter of a step past the second; else
    just past the lowest bar (a sliver of unapplied cash is not worth a step of empty axis)."""
    step = values[1] - values[0]
    low = min(low, 0.0)
    if low >= 0 or values[1] - low > 0.25 * step:
        return [values[0], values[-1]]
    return [low - 0.02 * (values[-1] - low), values[-1]]


def _axis_spans(fig: go.Figure) -> dict[str, tuple[float, float]]:
    """(low, high) of the values each layout axis (`xaxis`, `yaxis2`, ...) shows; stacked
    bars add up per category."""
    spans: dict[str, list] = {}
    stacked = fig.layout.barmode in ("stack", "relative")
    for trace in fig.data:
        for axis, values, cats in _money_values(trace):
            name = _layout_axis(trace, axis)
            span = spans.setdefault(name, [0.0, 0.0, {}, {}, False])
            if stacked and trace.type == "bar" and cats is not None:
                for cat, v in zip(cats, values, strict=False):
                    side = span[2] if v >= 0 else span[3]
                    side[cat] = side.get(cat, 0.0) + v
                span[4] = True
            elif len(values):
                span[0] = min(span[0], float(np.nanmin(values)))
                span[1] = max(span[1], float(np.nanmax(values)))
                span[4] = True
    return {
        name: (min([low, *downs.values()]), max([high, *ups.values()]))
        for name, (low, high, ups, downs, seen) in spans.items()
        if seen
    }


def _money_values(trace):
    """(axis letter, finite values, categories or None) of the trace's numeric dimension(s)."""
    out = []
    for axis in ("x", "y"):
        raw = getattr(trace, axis, None)
        if raw is None or (isinstance(raw, np.ndarray) and raw.dtype.kind in "mM"):
            continue
        values = pd.to_numeric(pd.Series(list(raw)), errors="coerce")
        if values.isna().all():
            continue
        other = getattr(trace, "y" if axis == "x" else "x", None)
        cats = list(other) if other is not None else None
        out.append((axis, values.fillna(0.0).to_numpy(dtype="float64"), cats))
    return out


def _layout_axis(trace, axis: str) -> str:
    """The layout name of the trace's `axis`: `yaxis`, `yaxis2`, ..."""
    ref = getattr(trace, f"{axis}axis", None) or axis
    return f"{axis}axis{ref[1:]}"


def _is_money(fig: go.Figure, name: str) -> bool:
    return name in fig.layout and fig.layout[name].tickformat == "~s"


def _bars_only(fig: go.Figure, name: str) -> bool:
    """True when every trace on axis `name` is a bar without text drawn beside it."""
    on_axis = [t for t in fig.data if name in (_layout_axis(t, "x"), _layout_axis(t, "y"))]
    return bool(on_axis) and all(t.type == "bar" and t.text is None for t in on_axis)


def _align_overlaying_axes(
    fig: go.Figure,
    spans: Mapping[str, tuple[float, float]],
    ticks: dict[str, tuple[list, list]],
    lang: str,
) -> dict[str, list[float]]:
    """Put each axis drawn over another (`yaxis2` overlaying `y`) on the other's grid.

    Both get the same number of steps below and above zero, so their zeros and grid lines
    meet; the second axis takes the smallest round step that fits its values in them (not
    the first axis's lines divided up: 2.9, 5.7, 8.6). `ticks` is updated; returns the
    range each of the two axes must then keep.
    """
    ranges: dict[str, list[float]] = {}
    for name in spans:
        over = fig.layout[name].overlaying if name in fig.layout else None
        base = f"{over[0]}axis{over[1:]}" if over and over != "free" else None
        if base is None or base not in spans:
            continue
        low1, high1 = spans[base]
        if base in ticks and len(ticks[base][0]) > 1:
            step1 = ticks[base][0][1] - ticks[base][0][0]
        elif high1 > min(low1, 0.0):
            step1 = nice_step(high1 - min(low1, 0.0))
        else:
            continue
        below, above = _steps_around(low1, high1, step1)
        step2, below, above = _fitting_step(*spans[name], below, above)
        for axis, step in ((base, step1), (name, step2)):
            if step == 0:  # nothing but zeros on the second axis: its zero alone, level
                ticks[axis], ranges[axis] = ([0.0], ["0"]), [-below, above]
                continue
            values = [float(k * step) for k in range(-below, above + 1)]
            texts = (
                money_labels(values, step, lang)
                if _is_money(fig, axis)
                else _plain_labels(values, step, fig.layout[axis].tickformat)
            )
            ticks[axis], ranges[axis] = (values, texts), [values[0], values[-1]]
    return ranges


def _fitting_step(low: float, high: float, below: int, above: int) -> tuple[float, int, int]:
    """The smallest round step that fits `low`..`high` in as few steps as possible, given
    `below` and `above` steps around zero already on the grid; and the steps it then needs."""
    span = max(high, 0.0) - min(low, 0.0)
    if not np.isfinite(span) or span <= 0:
        return 0.0, below, above
    best: tuple[tuple[int, float], float, int, int] | None = None
    power = np.floor(np.log10(span / max(below + above, 1))) - 1
    for p in range(int(power), int(power) + 4):
        for s in _NICE_STEPS[:-1]:
            step = s * 10.0**p
            need_below, need_above = _steps_around(low, high, step)
            n_below, n_above = max(below, need_below), max(above, need_above)
            key = (n_below + n_above, step)
            if best is None or key < best[0]:
                best = (key, step, n_below, n_above)
    assert best is not None  # the loops above always run
    return best[1], best[2], best[3]


def _plain_labels(values: list[float], step: float, tickformat: str | None) -> list[str]:
    """Labels of a number axis: percentages in its `%` format, else the fewest decimals."""
    if tickformat and tickformat.endswith("%"):
        decimals = _decimals(step * 100)
        return [f"{v:.{decimals}%}" for v in values]
    decimals = _decimals(step)
    return [_tick_text(v, decimals, "") for v in values]


# Plotly reads a subset of HTML in the text it draws (category and tick labels, legend names,
# hover text, annotations, titles): a customer called `<a href="...">` became a live link.
# Every string a figure takes from data goes through `escape_text`; plotly turns the
# character references back into the characters for display, after it has read its tags.
_TEXT_KEYS = frozenset({
    "x", "y", "z", "x0", "x1", "y0", "y1", "text", "hovertext", "customdata", "labels",
    "parents", "name", "ticktext", "categoryarray",
})  # fmt: skip
_LOOSE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt);)")
_LINE_BREAK = re.compile(r"&lt;br\s*/?&gt;", re.IGNORECASE)


def escape_text(text: str) -> str:
    """`text` as plotly shows it literally: `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;`.

    A line break `<br>` is the one tag kept (chart labels use it; it links and loads
    nothing). Escaping twice changes nothing: the references it writes are left alone.
    """
    text = _LOOSE_AMPERSAND.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    return _LINE_BREAK.sub("<br>", text)


def plain_text(fig: go.Figure) -> go.Figure:
    """`fig` with every string it shows from data escaped (`escape_text`), in place.

    Trace values (x, y, text, hover text, custom data, labels), trace and legend names,
    annotation and title texts, tick texts and category orders; hover templates and tick
    formats are the chart's own code and stay as they are.
    """
    for trace in fig.data:
        changed = _escaped_props(trace.to_plotly_json())
        if changed:
            trace.update(changed)
    layout = {k: v for k, v in fig.layout.to_plotly_json().items() if k != "template"}
    changed = _escaped_props(layout)
    if changed:
        fig.layout.update(changed)
    return fig


def _escaped_props(props: Mapping) -> dict:
    """The entries of `props` that escaping changes, escaped."""
    out = {}
    for key, value in props.items():
        new = _escaped(value, key in _TEXT_KEYS)
        if new is not value:
            out[key] = new
    return out


def _escaped(value, shown: bool):
    """`value` with its strings escaped where `shown` (or under a key that is shown);
    the same object when nothing changes."""
    if isinstance(value, str):
        if not shown:
            return value
        new = escape_text(value)
        return value if new == value else new
    if isinstance(value, dict):
        changed = _escaped_props(value)
        return {**value, **changed} if changed else value
    if isinstance(value, np.ndarray):
        if not shown or value.dtype.kind not in "OUS":
            return value
        flat = [_escaped(v, True) for v in value.ravel().tolist()]
        if all(a is b for a, b in zip(flat, value.ravel().tolist(), strict=True)):
            return value
        return np.array(flat, dtype=object).reshape(value.shape)
    if isinstance(value, list | tuple):
        items = [_escaped(v, shown) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items
    return value


# Plotly writes dates in English ("Jan 2026"); in Chinese a date axis reads 2026-01 and
# 2026-01-15, the way the tables write them. A stop per tick spacing (plotly's dtick).
_DAY_MS = 86_400_000
DATE_TICKS = {
    "zh": [
        {"dtickrange": [None, _DAY_MS], "value": "%m-%d %H:%M"},
        {"dtickrange": [_DAY_MS, "M1"], "value": "%Y-%m-%d"},
        {"dtickrange": ["M1", "M12"], "value": "%Y-%m"},
        {"dtickrange": ["M12", None], "value": "%Y"},
    ],
}


def localise_date_axes(fig: go.Figure, lang: str = "en") -> go.Figure:
    """Date axes without a tick format of their own written the language's way: 2026-01,
    2026-01-15 in Chinese (ticks and hover); English keeps plotly's own."""
    stops = DATE_TICKS.get(lang)
    if not stops:
        return fig
    for trace in fig.data:
        for axis in ("x", "y"):
            if not _holds_dates(getattr(trace, axis, None)):
                continue
            layout_axis = fig.layout[_layout_axis(trace, axis)]
            if layout_axis.tickformat or layout_axis.tickformatstops:
                continue
            layout_axis.update(tickformatstops=stops, hoverformat="%Y-%m-%d")
    return fig


def _holds_dates(values) -> bool:
    if values is None:
        return False
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        return True
    first = next((v for v in values if v is not None), None)
    return isinstance(first, date | datetime | np.datetime64)
