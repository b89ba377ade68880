"""Charts of the credit-term simulator: pure functions returning plotly Figures."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from creditdash.charts import style

GAIN, LOSS, TOTAL = "#2e7d5b", "#c0392b", "#34495e"
LABELS = {
    "contribution": "Contribution",
    "bad_debt": "Bad debt",
    "discount_cost": "Discounts",
    "carrying_cost": "Carrying cost",
    "late_interest": "Late interest",
    "net": "Net effect",
}
NO_CHANGE = "No change: the new terms leave every component at 0"


def waterfall(
    components: pd.DataFrame,
    *,
    currency: str = "CNY",
    title: str | None = None,
    y_title: str | None = None,
    labels: Mapping[str, str] | None = None,
    no_change: str = NO_CHANGE,
):
    """The net annual effect built up from its components.

    `components` is `SimulationResult.components()`: component, amount
    (signed, + adds to profit), the last row being `net`. `labels` names
    the components (default `LABELS`); `y_title` defaults to "A year (currency)".
    When every amount rounds to 0.00 the bars have no height: each shows its
    0 and the chart says `no_change` across its middle.
    """
    labels = {**LABELS, **(labels or {})}
    names = [labels.get(c, c) for c in components["component"]]
    measures = ["relative"] * (len(components) - 1) + ["total"]
    fig = go.Figure(
        go.Waterfall(
            x=names,
            y=components["amount"],
            measure=measures,
            increasing={"marker": {"color": GAIN}},
            decreasing={"marker": {"color": LOSS}},
            totals={"marker": {"color": TOTAL}},
            texttemplate="%{y:,.0f}",
            textposition="outside",
            hovertemplate="%{x}: %{y:,.2f}<extra></extra>",
            connector={"line": {"color": "#b0b7c3"}},
        )
    )
    style(fig, title or "Net annual effect, component by component", legend=None)
    fig.update_layout(yaxis_title=y_title or f"A year ({currency})", showlegend=False)
    fig.update_yaxes(tickformat="~s")
    if (components["amount"].abs() < 0.005).all():
        fig.update_yaxes(range=[-1, 1], zeroline=True, zerolinecolor=TOTAL)
        fig.add_annotation(
            text=no_change,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.75,
            showarrow=False,
            font={"size": 14, "color": TOTAL},
            bgcolor="rgba(255,255,255,0.85)",
        )
    return fig


def tornado_chart(
    table: pd.DataFrame,
    base_net: float,
    *,
    currency: str = "CNY",
    title: str = "Sensitivity of the net effect (tornado)",
    x_title: str | None = None,
    labels: Mapping[str, str] | None = None,
    legend: tuple[str, str] = ("Low value", "High value"),
    net_name: str = "net",
):
    """Horizontal bars of the net effect with each assumption at its low and high value.

    `table` is `simulate.tornado(...)` (widest swing first, drawn on top);
    bars start at the scenario's own net effect `base_net`. `labels` names
    the assumptions (default the table's `label`); `legend` names the low
    and high bars; `x_title` defaults to "Net annual effect (currency)".
    """
    rows = table.iloc[::-1]
    names = labels or {}
    ticks = [
        f"{names.get(r.assumption, r.label)} ({_short(r.low)} – {_short(r.high)})"
        for r in rows.itertuples(index=False)
    ]
    fig = go.Figure()
    for column, name, colour in (
        ("net_low", legend[0], "#5b8def"),
        ("net_high", legend[1], "#f08a3c"),
    ):
        fig.add_bar(
            y=ticks,
            x=rows[column] - base_net,
            base=base_net,
            orientation="h",
            name=name,
            marker_color=colour,
            customdata=rows[column],
            hovertemplate=net_name + " %{customdata:,.0f}<extra>" + name + "</extra>",
        )
    fig.add_vline(x=base_net, line_color=TOTAL, line_dash="dot")
    style(fig, title, height=max(300, 60 * len(rows) + 120))
    fig.update_layout(barmode="overlay", xaxis_title=x_title or f"Net annual effect ({currency})")
    fig.update_xaxes(tickformat="~s")
    fig.update_yaxes(automargin=True)
    return fig


def _short(value: float) -> str:
    return f"{value:.1%}" if abs(value) < 10 else f"{value:,.0f}"


SHIFT_NAMES = {
    "base": "Base forecast",
    "scenario": "With the new terms",
    "cumulative": "Cumulative difference (right)",
}
WEEK_LABEL = "W{week} {start:%m-%d}"  # a week on the x axis: "W1 03-21"


def collections_shift_chart(
    shift: pd.DataFrame,
    *,
    currency: str = "CNY",
    title: str = "Weekly receipts over the next 13 weeks: base forecast and new terms",
    y_title: str | None = None,
    y2_title: str | None = None,
    names: Mapping[str, str] | None = None,
    week_label: str = WEEK_LABEL,
) -> go.Figure:
    """Base and scenario receipts per week (bars) and the cumulative difference (line, right axis).

    `shift` is `simulate.collections_shift(...)` (money in cents). `names`
    names the base, scenario and cumulative series (default `SHIFT_NAMES`);
    `week_label` names a week on the x axis (a format string with `{week}`
    and `{start}`); the axis titles default to "Receipts a week (currency)"
    and "Cumulative difference (currency)".
    """
    names = {**SHIFT_NAMES, **(names or {})}
    x = [
        week_label.format(week=w, start=s)
        for w, s in zip(shift["week"], shift["start"], strict=True)
    ]
    fig = go.Figure()
    for column, key, colour in (
        ("base_cents", "base", "#b0b7c3"),
        ("scenario_cents", "scenario", "#2e6fb7"),
    ):
        fig.add_bar(
            x=x,
            y=shift[column] / 100,
            name=names[key],
            marker_color=colour,
            hovertemplate="%{y:,.0f}",
        )
    fig.add_scatter(
        x=x,
        y=shift["cumulative_shift_cents"] / 100,
        name=names["cumulative"],
        yaxis="y2",
        mode="lines+markers",
        line={"color": LOSS if shift["cumulative_shift_cents"].iloc[-1] < 0 else GAIN},
        hovertemplate="%{y:+,.0f}",
    )
    style(fig, title)
    fig.update_layout(
        barmode="group",
        yaxis={"title": y_title or f"Receipts a week ({currency})", "tickformat": "~s"},
        yaxis2={
            "title": y2_title or f"Cumulative difference ({currency})",
            "overlaying": "y",
            "side": "right",
            "tickformat": "~s",
            "zeroline": True,
            "showgrid": False,
        },
        hovermode="x unified",
    )
    fig.update_xaxes(type="category")
    return fig
