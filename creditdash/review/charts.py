"""Charts of the weekly review: pure functions from the review's frames to plotly Figures.

Each chart finds its words in the i18n catalogue (`review.chart.*`) in `lang`; buckets
are named as the review's tables name them (`report.labels.bucket`).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from creditdash.charts import OVERDUE_COLOURS, bucket_colours, style
from creditdash.i18n import t
from creditdash.report import labels

GOOD, BAD, NEUTRAL = "#2e7d5b", "#c0392b", "#4c6ef5"


def _style(fig: go.Figure, title: str, height: int = 340) -> go.Figure:
    """The house look with the legend on a line under the title."""
    style(fig, title, legend="above", height=height + 30)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def ar_trend_chart(trends: pd.DataFrame, currency: str = "CNY", lang: str = "en") -> go.Figure:
    """Total and overdue AR per week; `trends` is `story.kpi_trends` (money in units)."""
    x = pd.to_datetime(trends["week_ending"]).dt.strftime("%Y-%m-%d")
    names = [t(f"review.tile.{k}", lang) for k in ("total_ar", "overdue_ar")]
    fig = go.Figure()
    fig.add_scatter(x=x, y=trends["total_ar"], name=names[0], mode="lines+markers",
                    line={"color": NEUTRAL}, hovertemplate="%{y:,.2f}")  # fmt: skip
    fig.add_scatter(x=x, y=trends["overdue_ar"], name=names[1], mode="lines+markers",
                    line={"color": BAD}, hovertemplate="%{y:,.2f}")  # fmt: skip
    _style(fig, t("review.chart.trend", lang))
    fig.update_xaxes(type="category")
    y_title = f"{t('review.chart.ar', lang)} ({currency})"
    fig.update_yaxes(title=y_title, tickformat="~s", rangemode="tozero")
    return fig


def aging_change_chart(aging: pd.DataFrame, currency: str = "CNY", lang: str = "en") -> go.Figure:
    """AR by bucket now (bars) against a week and four weeks before (markers).

    `aging` is `story.aging_changes` (bucket, now, week_ago, four_weeks_ago);
    colours follow the bucket whatever its name in `lang`.
    """
    rows = aging.loc[~aging["bucket"].isin(["total"])]
    colours = bucket_colours([b for b in rows["bucket"] if b != "unapplied"])
    x = [labels.bucket(b, lang) for b in rows["bucket"]]
    names = [t(f"review.chart.{k}", lang) for k in ("now", "week_ago", "four_weeks_ago")]
    fig = go.Figure()
    fig.add_bar(x=x, y=rows["now"], name=names[0],
                marker_color=[colours.get(b, "#8a94a6") for b in rows["bucket"]],
                hovertemplate="%{y:,.2f}")  # fmt: skip
    fig.add_scatter(x=x, y=rows["week_ago"], name=names[1], mode="markers",
                    marker={"symbol": "line-ew-open", "size": 26, "color": "#222",
                            "line": {"width": 2}},
                    hovertemplate="%{y:,.2f}")  # fmt: skip
    fig.add_scatter(x=x, y=rows["four_weeks_ago"], name=names[2],
                    mode="markers", marker={"symbol": "diamond", "size": 8, "color": "#8a94a6"},
                    hovertemplate="%{y:,.2f}")  # fmt: skip
    _style(fig, t("review.chart.aging", lang))
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=f"{t('chart.outstanding', lang)} ({currency})", tickformat="~s")
    return fig


def scorecard_chart(table: pd.DataFrame, by: str = "salesperson", lang: str = "en") -> go.Figure:
    """CEI by group, best on top, each bar coloured by its overdue share (`story.scorecard_table`).

    `by` is what the groups are (salesperson or region), as the title says.
    """
    data = table.sort_values("rank", ascending=False)
    cei, overdue, rank = (t(k, lang) for k in ("review.score.cei", "review.chart.hover_overdue",
                                                "review.chart.hover_rank"))  # fmt: skip
    fig = go.Figure(
        go.Bar(
            x=data["cei"],
            y=data["group"].astype(str),
            orientation="h",
            marker={
                "color": data["overdue_pct"],
                "colorscale": [[0, GOOD], [0.5, OVERDUE_COLOURS[0]], [1, BAD]],
                "colorbar": {
                    "title": {"text": t("review.score.overdue_pct", lang)},
                    "thickness": 12,
                },
            },
            customdata=data[["overdue_pct", "rank"]].to_numpy(),
            hovertemplate=f"{cei} %{{x:.1f}}<br>{overdue} %{{customdata[0]:.1f}}%"
            f"<br>{rank} %{{customdata[1]}}<extra></extra>",
        )
    )
    _style(fig, t(f"review.chart.score.{by}", lang), height=max(300, 26 * len(data) + 110))
    fig.update_xaxes(title=t("review.chart.cei_axis", lang))
    fig.update_yaxes(type="category")
    return fig


def movers_chart(
    up: pd.DataFrame, down: pd.DataFrame, currency: str = "CNY", lang: str = "en"
) -> go.Figure:
    """Diverging bars of the change in overdue AR per customer (`story.movers`)."""
    data = pd.concat([up, down], ignore_index=True).sort_values("change")
    fig = go.Figure(
        go.Bar(
            x=data["change"],
            y=data["customer_name"].astype(str),
            orientation="h",
            marker_color=[BAD if c > 0 else GOOD for c in data["change"]],
            hovertemplate="%{x:,.2f}<extra></extra>",
        )
    )
    _style(fig, t("review.chart.movers", lang), height=max(300, 24 * len(data) + 110))
    fig.update_xaxes(title=f"{t('review.chart.movers_axis', lang)} ({currency})", tickformat="~s")
    fig.update_yaxes(type="category")
    return fig
