"""Charts of the provisions: pure functions returning plotly Figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from creditdash.charts import FONT, bucket_colours


def trend_chart(trend: pd.DataFrame, *, currency: str = "CNY") -> go.Figure:
    """Stacked bars of the provision (collective, individual) per date, coverage as a line.

    `trend` is `provisioning.provision_trend(...)`.
    """
    x = pd.to_datetime(trend["date"]).dt.strftime("%Y-%m-%d")
    fig = go.Figure()
    fig.add_bar(x=x, y=trend["collective"], name="Collective (matrix)", marker_color="#5b8def")
    fig.add_bar(x=x, y=trend["individual"], name="Individual (单项计提)", marker_color="#c0392b")
    fig.add_scatter(
        x=x,
        y=trend["coverage"] * 100,
        name="Coverage % (right)",
        yaxis="y2",
        mode="lines+markers",
        line={"color": "#34495e"},
        hovertemplate="%{y:.2f}%",
    )
    fig.update_layout(
        title={"text": "Provision at recent month-ends", "x": 0},
        barmode="stack",
        font={"family": FONT},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        yaxis={"title": f"Provision ({currency})", "tickformat": "~s", "gridcolor": "#e6e9ef"},
        yaxis2={
            "title": "Coverage %",
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "tickformat": ".1f",
        },
        legend={"orientation": "h", "y": -0.2, "x": 0},
        plot_bgcolor="white",
        hovermode="x unified",
    )
    fig.update_xaxes(type="category")
    return fig


def roll_rate_chart(monthly: pd.DataFrame) -> go.Figure:
    """One line per bucket: its roll rate month by month (`RollRates.monthly`)."""
    labels = [c for c in monthly.columns if c != "month_end"]
    colours = bucket_colours([*labels, "_"])
    x = pd.to_datetime(monthly["month_end"]).dt.strftime("%Y-%m")
    fig = go.Figure()
    for label in labels:
        fig.add_scatter(
            x=x,
            y=monthly[label] * 100,
            name=label,
            mode="lines+markers",
            line={"color": colours[label]},
            hovertemplate="%{y:.1f}%",
        )
    fig.update_layout(
        title={"text": "Roll rate by bucket, month by month", "x": 0},
        font={"family": FONT},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        yaxis={"title": "Rolled unpaid (%)", "gridcolor": "#e6e9ef", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2, "x": 0, "title": None},
        plot_bgcolor="white",
        hovermode="x unified",
    )
    fig.update_xaxes(type="category")
    return fig
