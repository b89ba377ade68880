"""Charts of the weekly review: pure functions from the review's frames to plotly Figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from creditdash.charts import FONT, OVERDUE_COLOURS, bucket_colours

GOOD, BAD, NEUTRAL = "#2e7d5b", "#c0392b", "#4c6ef5"


def _style(fig: go.Figure, title: str, height: int = 340) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
        height=height,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "title": None},
    )
    fig.update_xaxes(gridcolor="#e6e9ef", automargin=True)
    fig.update_yaxes(gridcolor="#e6e9ef", automargin=True)
    return fig


def ar_trend_chart(trends: pd.DataFrame, currency: str = "CNY") -> go.Figure:
    """Total and overdue AR per week; `trends` is `story.kpi_trends` (money in units)."""
    x = pd.to_datetime(trends["week_ending"]).dt.strftime("%Y-%m-%d")
    fig = go.Figure()
    fig.add_scatter(x=x, y=trends["total_ar"], name="Total AR", mode="lines+markers",
                    line={"color": NEUTRAL}, hovertemplate="%{y:,.2f}")  # fmt: skip
    fig.add_scatter(x=x, y=trends["overdue_ar"], name="Overdue AR", mode="lines+markers",
                    line={"color": BAD}, hovertemplate="%{y:,.2f}")  # fmt: skip
    _style(fig, "Total and overdue AR, week by week")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=f"AR ({currency})", tickformat="~s", rangemode="tozero")
    return fig


def aging_change_chart(aging: pd.DataFrame, currency: str = "CNY") -> go.Figure:
    """AR by bucket now (bars) against a week and four weeks before (markers).

    `aging` is `story.aging_changes` (bucket, now, week_ago, four_weeks_ago).
    """
    rows = aging.loc[~aging["bucket"].isin(["total"])]
    labels = [b for b in rows["bucket"] if b != "unapplied"]
    colours = bucket_colours(labels)
    fig = go.Figure()
    fig.add_bar(x=rows["bucket"], y=rows["now"], name="Now",
                marker_color=[colours.get(b, "#8a94a6") for b in rows["bucket"]],
                hovertemplate="%{y:,.2f}")  # fmt: skip
    fig.add_scatter(x=rows["bucket"], y=rows["week_ago"], name="A week ago", mode="markers",
                    marker={"symbol": "line-ew-open", "size": 26, "color": "#222",
                            "line": {"width": 2}},
                    hovertemplate="%{y:,.2f}")  # fmt: skip
    fig.add_scatter(x=rows["bucket"], y=rows["four_weeks_ago"], name="4 weeks ago",
                    mode="markers", marker={"symbol": "diamond", "size": 8, "color": "#8a94a6"},
                    hovertemplate="%{y:,.2f}")  # fmt: skip
    _style(fig, "AR by aging bucket: now, a week and 4 weeks ago")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=f"Outstanding ({currency})", tickformat="~s")
    return fig


def scorecard_chart(table: pd.DataFrame, label: str = "Salesperson") -> go.Figure:
    """CEI by group, best on top, each bar coloured by its overdue share (`story.scorecard_table`)."""
    data = table.sort_values("rank", ascending=False)
    fig = go.Figure(
        go.Bar(
            x=data["cei"],
            y=data["group"].astype(str),
            orientation="h",
            marker={
                "color": data["overdue_pct"],
                "colorscale": [[0, GOOD], [0.5, OVERDUE_COLOURS[0]], [1, BAD]],
                "colorbar": {"title": {"text": "Overdue %"}, "thickness": 12},
            },
            customdata=data[["overdue_pct", "rank"]].to_numpy(),
            hovertemplate="CEI %{x:.1f}<br>overdue %{customdata[0]:.1f}%<br>rank %{customdata[1]}"
            "<extra></extra>",
        )
    )
    _style(fig, f"Collection effectiveness by {label.lower()} (best on top)",
           height=max(300, 26 * len(data) + 110))  # fmt: skip
    fig.update_xaxes(title="CEI (%)")
    fig.update_yaxes(type="category")
    return fig


def movers_chart(up: pd.DataFrame, down: pd.DataFrame, currency: str = "CNY") -> go.Figure:
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
    _style(fig, "Biggest movers: change in overdue AR this week",
           height=max(300, 24 * len(data) + 110))  # fmt: skip
    fig.update_xaxes(title=f"Change in overdue ({currency})", tickformat="~s")
    fig.update_yaxes(type="category")
    return fig
