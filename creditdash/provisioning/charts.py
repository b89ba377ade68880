"""Charts of the provisions: pure functions returning plotly Figures."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from creditdash.charts import bucket_colours, style

TREND_NAMES = {
    "collective": "Collective (matrix)",
    "individual": "Individual (单项计提)",
    "coverage": "Coverage % (right)",
}


def trend_chart(
    trend: pd.DataFrame,
    *,
    currency: str = "CNY",
    title: str = "Provision at recent month-ends",
    y_title: str | None = None,
    y2_title: str = "Coverage %",
    names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Stacked bars of the provision (collective, individual) per date, coverage as a line.

    `trend` is `provisioning.provision_trend(...)`. `names` names the
    collective, individual and coverage series (default `TREND_NAMES`);
    `y_title` defaults to "Provision (currency)".
    """
    names = {**TREND_NAMES, **(names or {})}
    x = pd.to_datetime(trend["date"]).dt.strftime("%Y-%m-%d")
    fig = go.Figure()
    fig.add_bar(x=x, y=trend["collective"], name=names["collective"], marker_color="#5b8def")
    fig.add_bar(x=x, y=trend["individual"], name=names["individual"], marker_color="#c0392b")
    fig.add_scatter(
        x=x,
        y=trend["coverage"] * 100,
        name=names["coverage"],
        yaxis="y2",
        mode="lines+markers",
        line={"color": "#34495e"},
        hovertemplate="%{y:.2f}%",
    )
    style(fig, title)
    fig.update_layout(
        barmode="stack",
        yaxis={"title": y_title or f"Provision ({currency})", "tickformat": "~s"},
        yaxis2={
            "title": y2_title,
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "tickformat": ".1f",
        },
        hovermode="x unified",
    )
    fig.update_xaxes(type="category")
    return fig


def roll_rate_chart(
    monthly: pd.DataFrame,
    *,
    title: str = "Roll rate by bucket, month by month",
    y_title: str = "Rolled unpaid (%)",
) -> go.Figure:
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
    style(fig, title)
    fig.update_layout(yaxis={"title": y_title, "rangemode": "tozero"}, hovermode="x unified")
    fig.update_xaxes(type="category")
    return fig
