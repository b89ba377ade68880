"""Charts of the credit-term simulator: pure functions returning plotly Figures.

Each chart finds its words in the i18n catalogue (`terms.chart.*`, `terms.component.*`,
`terms.assumption.*`) in `lang`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from creditdash.charts import style
from creditdash.i18n import catalogue, t

GAIN, LOSS, TOTAL = "#2e7d5b", "#c0392b", "#34495e"


def waterfall(components: pd.DataFrame, currency: str = "CNY", lang: str = "en") -> go.Figure:
    """The net annual effect built up from its components, its words in `lang`.

    `components` is `SimulationResult.components()`: component, amount
    (signed, + adds to profit), the last row being `net`. When every amount
    rounds to 0.00 the bars have no height: each shows its 0 and the chart
    says so across its middle.
    """
    names = [_word(f"terms.component.{c}", c, lang) for c in components["component"]]
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
    style(fig, t("terms.chart.waterfall", lang), legend=None)
    fig.update_layout(
        yaxis_title=t("terms.chart.waterfall.y", lang, currency=currency), showlegend=False
    )
    fig.update_yaxes(tickformat="~s")
    if (components["amount"].abs() < 0.005).all():
        fig.update_yaxes(range=[-1, 1], zeroline=True, zerolinecolor=TOTAL)
        fig.add_annotation(
            text=t("terms.chart.no_change", lang),
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
    table: pd.DataFrame, base_net: float, currency: str = "CNY", lang: str = "en"
) -> go.Figure:
    """Horizontal bars of the net effect with each assumption at its low and high value.

    `table` is `simulate.tornado(...)` (widest swing first, drawn on top);
    bars start at the scenario's own net effect `base_net`. An assumption the
    catalogue does not name keeps the table's `label`.
    """
    rows = table.iloc[::-1]
    ticks = [
        f"{_word(f'terms.assumption.{r.assumption}', r.label, lang)}"
        f" ({_short(r.low)} – {_short(r.high)})"
        for r in rows.itertuples(index=False)
    ]
    net_name = t("terms.chart.net", lang)
    fig = go.Figure()
    for column, name, colour in (
        ("net_low", t("terms.chart.low", lang), "#5b8def"),
        ("net_high", t("terms.chart.high", lang), "#f08a3c"),
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
    style(fig, t("terms.chart.tornado", lang), height=max(300, 60 * len(rows) + 120))
    fig.update_layout(
        barmode="overlay", xaxis_title=t("terms.chart.tornado.x", lang, currency=currency)
    )
    fig.update_xaxes(tickformat="~s")
    fig.update_yaxes(automargin=True)
    return fig


def _short(value: float) -> str:
    return f"{value:.1%}" if abs(value) < 10 else f"{value:,.0f}"


def _word(key: str, default: str, lang: str) -> str:
    """The catalogue's `key` in `lang`; `default` where the catalogue has no such key."""
    return t(key, lang) if key in catalogue(lang) else str(default)


def collections_shift_chart(
    shift: pd.DataFrame, currency: str = "CNY", lang: str = "en"
) -> go.Figure:
    """Base and scenario receipts per week (bars) and the cumulative difference (line, right axis).

    `shift` is `simulate.collections_shift(...)` (money in cents); a week on the
    x axis reads "W1 03-21" (第1周 03-21).
    """
    names = {k: t(f"terms.chart.weekly.{k}", lang) for k in ("base", "scenario", "cumulative")}
    x = [
        t("terms.chart.weekly.week", lang, week=w, start=s)
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
    style(fig, t("terms.chart.weekly", lang))
    fig.update_layout(
        barmode="group",
        yaxis={"title": t("terms.chart.weekly.y", lang, currency=currency), "tickformat": "~s"},
        yaxis2={
            "title": t("terms.chart.weekly.y2", lang, currency=currency),
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
