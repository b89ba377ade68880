"""Charts of the provisions: pure functions returning plotly Figures, worded in `lang` from
the i18n catalogue (`prov.chart.*`)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from creditdash.charts import bucket_colours, style
from creditdash.i18n import t
from creditdash.presentation import bucket_name


def trend_chart(trend: pd.DataFrame, *, currency: str = "CNY", lang: str = "en") -> go.Figure:
    """Stacked bars of the provision (collective, individual) per date, coverage as a line
    on a right axis. `trend` is `provisioning.provision_trend(...)` (money in currency units)."""
    x = pd.to_datetime(trend["date"]).dt.strftime("%Y-%m-%d")
    fig = go.Figure()
    fig.add_bar(x=x, y=trend["collective"], name=t("prov.chart.trend.collective", lang),
                marker_color="#5b8def")  # fmt: skip
    fig.add_bar(x=x, y=trend["individual"], name=t("prov.chart.trend.individual", lang),
                marker_color="#c0392b")  # fmt: skip
    fig.add_scatter(
        x=x,
        y=trend["coverage"] * 100,
        name=t("prov.chart.trend.coverage", lang),
        yaxis="y2",
        mode="lines+markers",
        line={"color": "#34495e"},
        hovertemplate="%{y:.2f}%",
    )
    style(fig, t("prov.chart.trend", lang))
    fig.update_layout(
        barmode="stack",
        yaxis={"title": t("prov.chart.trend.y", lang, currency=currency), "tickformat": "~s"},
        yaxis2={
            "title": t("prov.chart.trend.y2", lang),
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "tickformat": ".1f",
        },
        hovermode="x unified",
    )
    fig.update_xaxes(type="category")
    return fig


def roll_rate_chart(monthly: pd.DataFrame, *, lang: str = "en") -> go.Figure:
    """One line per bucket, named as the reader says it: its roll rate month by month
    (`RollRates.monthly`: month_end and one column of shares per bucket label)."""
    labels = [c for c in monthly.columns if c != "month_end"]
    colours = bucket_colours([*labels, "_"])
    x = pd.to_datetime(monthly["month_end"]).dt.strftime("%Y-%m")
    fig = go.Figure()
    for label in labels:
        fig.add_scatter(
            x=x,
            y=monthly[label] * 100,
            name=bucket_name(label, lang),
            mode="lines+markers",
            line={"color": colours[label]},
            hovertemplate="%{y:.1f}%",
        )
    style(fig, t("prov.chart.roll", lang))
    fig.update_layout(
        yaxis={"title": t("prov.chart.roll.y", lang), "rangemode": "tozero"},
        hovermode="x unified",
    )
    fig.update_xaxes(type="category")
    return fig
