"""Charts: pure functions from frames to plotly Figures (they never call streamlit).

One colour per aging bucket, used by every chart: calm for current,
darkening as an item gets older.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

CURRENT_COLOUR = "#2e7d5b"
OVERDUE_COLOURS = ["#f2c14e", "#f08a3c", "#e0582f", "#c0392b", "#8e1f2f", "#4a1020", "#2b0a14"]
UNAPPLIED_COLOUR = "#8a94a6"
FONT = "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


def bucket_colours(labels: list[str]) -> dict[str, str]:
    """A colour per bucket label: the first bucket green, the rest from yellow to dark red."""
    colours = {labels[0]: CURRENT_COLOUR}
    for i, label in enumerate(labels[1:]):
        colours[label] = OVERDUE_COLOURS[min(i, len(OVERDUE_COLOURS) - 1)]
    colours["unapplied"] = UNAPPLIED_COLOUR
    return colours


def _layout(fig: go.Figure, title: str, y_title: str, currency: str) -> go.Figure:
    """Shared look: title left, legend below, money axis with separators."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        barmode="relative",
        font={"family": FONT},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "title": None},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        yaxis_title=f"{y_title} ({currency})",
        hovermode="x unified",
        plot_bgcolor="white",
    )
    fig.update_yaxes(gridcolor="#e6e9ef", tickformat="~s")
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
) -> go.Figure:
    """Horizontal stacked bars: one bar per group (`key` column, largest on top), one segment per bucket.

    `table` has the bucket `labels` and `unapplied` as money columns (not cents).
    """
    head = table.head(top).iloc[::-1]
    colours = bucket_colours(labels)
    fig = go.Figure()
    for label in [*labels, "unapplied"]:
        if label not in head or not head[label].any():
            continue
        fig.add_bar(
            y=head[key].astype(str),
            x=head[label],
            name=label,
            orientation="h",
            marker_color=colours[label],
            hovertemplate="%{x:,.2f}",
        )
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        barmode="relative",
        font={"family": FONT},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "x": 0,
            "title": None,
            "traceorder": "normal",
        },
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        xaxis_title=f"{x_title} ({currency})",
        hovermode="y unified",
        plot_bgcolor="white",
        height=max(320, 28 * len(head) + 140),
    )
    fig.update_xaxes(gridcolor="#e6e9ef", tickformat="~s")
    fig.update_yaxes(type="category", automargin=True)
    return fig


def ar_by_month_chart(
    frame: pd.DataFrame,
    labels: list[str],
    *,
    title: str = "Receivables at each month-end by aging bucket",
    currency: str = "CNY",
    y_title: str = "Outstanding",
) -> go.Figure:
    """Stacked bars of AR at each month-end; `frame` has month_end and money bucket columns."""
    colours = bucket_colours(labels)
    fig = go.Figure()
    x = pd.to_datetime(frame["month_end"]).dt.strftime("%Y-%m")
    for label in labels:
        fig.add_bar(
            x=x, y=frame[label], name=label, marker_color=colours[label], hovertemplate="%{y:,.2f}"
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
            y=data["customer"],
            orientation="h",
            marker_color=OVERDUE_COLOURS[2],
            hovertemplate="%{x:,.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "x": 0},
        font={"family": FONT},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis_title=f"{x_title} ({currency})",
        plot_bgcolor="white",
    )
    fig.update_xaxes(gridcolor="#e6e9ef", tickformat="~s")
    return fig
