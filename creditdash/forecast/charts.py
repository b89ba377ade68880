"""Forecast charts: pure functions from frames (money in cents) to plotly Figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from creditdash.charts import FONT

EXISTING = "#2e6fb7"
NEW_SALES = "#8fc1e8"
BAND = "rgba(46, 111, 183, 0.18)"
MINIMUM = "#c0392b"
SCENARIO_COLOURS = ["#e0582f", "#8e44ad", "#16a085", "#d4a017", "#7f8c8d"]


def _layout(fig: go.Figure, title: str, currency: str, y_title: str = "Cash") -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0, "title": None},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        yaxis_title=f"{y_title} ({currency})",
        hovermode="x unified",
        plot_bgcolor="white",
    )
    fig.update_yaxes(gridcolor="#e6e9ef", separatethousands=True, tickformat=",.0f")
    return fig


def _labels(frame: pd.DataFrame) -> list[str]:
    return [f"W{w} {s:%m-%d}" for w, s in zip(frame["week"], frame["start"], strict=True)]


def collections_chart(weekly: pd.DataFrame, currency: str = "CNY") -> go.Figure:
    """Stacked bars (open invoices, new sales) with the P10-P90 band of the total."""
    x = _labels(weekly)
    fig = go.Figure()
    fig.add_bar(x=x, y=weekly["expected_cents"] / 100, name="Open invoices", marker_color=EXISTING)
    fig.add_bar(
        x=x,
        y=weekly["new_sales_collections_cents"] / 100,
        name="New sales",
        marker_color=NEW_SALES,
    )
    fig.add_scatter(
        x=x, y=weekly["total_p90_cents"] / 100, name="P90", mode="lines",
        line={"width": 1, "color": EXISTING, "dash": "dot"},
    )  # fmt: skip
    fig.add_scatter(
        x=x, y=weekly["total_p10_cents"] / 100, name="P10", mode="lines", fill="tonexty",
        fillcolor=BAND, line={"width": 1, "color": EXISTING, "dash": "dot"},
    )  # fmt: skip
    fig.update_layout(barmode="stack")
    return _layout(fig, "Expected collections per week, P10-P90 band", currency)


def balance_chart(
    scenarios: dict[str, pd.DataFrame], minimum_cents: int, currency: str = "CNY"
) -> go.Figure:
    """Closing balance per week for each named plan table, with the minimum cash line."""
    fig = go.Figure()
    for i, (name, table) in enumerate(scenarios.items()):
        colour = EXISTING if i == 0 else SCENARIO_COLOURS[(i - 1) % len(SCENARIO_COLOURS)]
        fig.add_scatter(
            x=_labels(table),
            y=table["closing_cents"] / 100,
            name=name,
            mode="lines+markers",
            line={"color": colour, "width": 3 if i == 0 else 2, "dash": None if i == 0 else "dash"},
        )
        if i == 0 and "closing_p10_cents" in table:
            fig.add_scatter(
                x=_labels(table), y=table["closing_p10_cents"] / 100, name=f"{name} (P10)",
                mode="lines", line={"color": colour, "width": 1, "dash": "dot"},
            )  # fmt: skip
    first = next(iter(scenarios.values()), None)
    if first is not None:
        fig.add_scatter(
            x=_labels(first), y=[minimum_cents / 100] * len(first), name="Minimum cash",
            mode="lines", line={"color": MINIMUM, "width": 2},
        )  # fmt: skip
    return _layout(fig, "Closing cash balance per week", currency)


def backtest_chart(weeks: pd.DataFrame, origins: int = 4, currency: str = "CNY") -> go.Figure:
    """Forecast (with band) vs actual for the most recent back-test origins."""
    recent = sorted(weeks["origin"].unique())[-origins:]
    fig = go.Figure()
    for i, origin in enumerate(recent):
        part = weeks[weeks["origin"] == origin]
        colour = SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
        name = f"{pd.Timestamp(origin):%Y-%m-%d}"
        fig.add_scatter(
            x=part["end"], y=part["expected_cents"] / 100, name=f"Forecast from {name}",
            mode="lines", line={"color": colour, "dash": "dash"},
        )  # fmt: skip
        fig.add_scatter(
            x=part["end"], y=part["actual_cents"] / 100, name=f"Actual after {name}",
            mode="lines+markers", line={"color": colour},
        )  # fmt: skip
    return _layout(fig, "Back-test: forecast vs actual collections (week ending)", currency)


def wape_chart(origins: pd.DataFrame) -> go.Figure:
    """WAPE per origin of the model and the two baselines."""
    fig = go.Figure()
    series = (
        ("wape", "Model", EXISTING),
        ("baseline_avg_delay", "Baseline: average delay", "#d4a017"),
        ("baseline_due_date", "Baseline: due date", MINIMUM),
    )
    for col, name, colour in series:
        fig.add_scatter(
            x=origins["origin"], y=origins[col], name=name, mode="lines", line={"color": colour}
        )
    fig = _layout(fig, "WAPE per origin (lower is better)", "%", y_title="WAPE")
    fig.update_yaxes(tickformat=",.0f")
    return fig
