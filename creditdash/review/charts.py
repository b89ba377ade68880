"""Charts of the weekly review: pure functions from the review's frames to plotly Figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from creditdash.charts import OVERDUE_COLOURS, bucket_colours, style

GOOD, BAD, NEUTRAL = "#2e7d5b", "#c0392b", "#4c6ef5"


def _style(fig: go.Figure, title: str, height: int = 340) -> go.Figure:
    """The house look with the legend on a line under the title."""
    style(fig, title, legend="above", height=height + 30)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def ar_trend_chart(
    trends: pd.DataFrame,
    currency: str = "CNY",
    *,
    title: str = "Total and overdue AR, week by week",
    names: tuple[str, str] = ("Total AR", "Overdue AR"),
    y_title: str = "AR",
) -> go.Figure:
    """Total and overdue AR per week; `trends` is `story.kpi_trends` (money in units).

    `names` are the two series' names (total, overdue); the y axis reads `y_title (currency)`.
    """
    x = pd.to_datetime(trends["week_ending"]).dt.strftime("%Y-%m-%d")
    fig = go.Figure()
    fig.add_scatter(x=x, y=trends["total_ar"], name=names[0], mode="lines+markers",
                    line={"color": NEUTRAL}, hovertemplate="%{y:,.2f}")  # fmt: skip
    fig.add_scatter(x=x, y=trends["overdue_ar"], name=names[1], mode="lines+markers",
                    line={"color": BAD}, hovertemplate="%{y:,.2f}")  # fmt: skip
    _style(fig, title)
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=f"{y_title} ({currency})", tickformat="~s", rangemode="tozero")
    return fig


def aging_change_chart(
    aging: pd.DataFrame,
    currency: str = "CNY",
    *,
    title: str = "AR by aging bucket: now, a week and 4 weeks ago",
    names: tuple[str, str, str] = ("Now", "A week ago", "4 weeks ago"),
    y_title: str = "Outstanding",
    bucket_names: dict[str, str] | None = None,
) -> go.Figure:
    """AR by bucket now (bars) against a week and four weeks before (markers).

    `aging` is `story.aging_changes` (bucket, now, week_ago, four_weeks_ago);
    `names` are the three series' names, `bucket_names` shows a bucket under
    another name on the axis (colours still follow the bucket).
    """
    rows = aging.loc[~aging["bucket"].isin(["total"])]
    labels = [b for b in rows["bucket"] if b != "unapplied"]
    colours = bucket_colours(labels)
    x = [(bucket_names or {}).get(b, b) for b in rows["bucket"]]
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
    _style(fig, title)
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=f"{y_title} ({currency})", tickformat="~s")
    return fig


def scorecard_chart(
    table: pd.DataFrame,
    label: str = "Salesperson",
    *,
    title: str | None = None,
    x_title: str = "CEI (%)",
    colour_title: str = "Overdue %",
    hover_names: tuple[str, str, str] = ("CEI", "overdue", "rank"),
) -> go.Figure:
    """CEI by group, best on top, each bar coloured by its overdue share (`story.scorecard_table`).

    The title defaults to "Collection effectiveness by <label> (best on top)";
    `hover_names` name the CEI, the overdue share and the rank in the tooltip.
    """
    data = table.sort_values("rank", ascending=False)
    cei, overdue, rank = hover_names
    fig = go.Figure(
        go.Bar(
            x=data["cei"],
            y=data["group"].astype(str),
            orientation="h",
            marker={
                "color": data["overdue_pct"],
                "colorscale": [[0, GOOD], [0.5, OVERDUE_COLOURS[0]], [1, BAD]],
                "colorbar": {"title": {"text": colour_title}, "thickness": 12},
            },
            customdata=data[["overdue_pct", "rank"]].to_numpy(),
            hovertemplate=f"{cei} %{{x:.1f}}<br>{overdue} %{{customdata[0]:.1f}}%"
            f"<br>{rank} %{{customdata[1]}}<extra></extra>",
        )
    )
    title = title or f"Collection effectiveness by {label.lower()} (best on top)"
    _style(fig, title, height=max(300, 26 * len(data) + 110))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(type="category")
    return fig


def movers_chart(
    up: pd.DataFrame,
    down: pd.DataFrame,
    currency: str = "CNY",
    *,
    title: str = "Biggest movers: change in overdue AR this week",
    x_title: str = "Change in overdue",
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
    _style(fig, title, height=max(300, 24 * len(data) + 110))
    fig.update_xaxes(title=f"{x_title} ({currency})", tickformat="~s")
    fig.update_yaxes(type="category")
    return fig
