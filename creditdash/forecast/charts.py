"""Forecast charts: pure functions from frames (money in cents) to plotly Figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from creditdash.charts import style

EXISTING = "#2e6fb7"
NEW_SALES = "#8fc1e8"
BAND = "rgba(46, 111, 183, 0.18)"
MINIMUM = "#c0392b"
SCENARIO_COLOURS = ["#e0582f", "#8e44ad", "#16a085", "#d4a017", "#7f8c8d"]
WEEK_LABEL = "W{week} {start:%m-%d}"  # a week on the x axis: "W1 03-21"


def _layout(fig: go.Figure, title: str, currency: str, y_title: str = "Cash") -> go.Figure:
    style(fig, title)
    fig.update_layout(yaxis_title=f"{y_title} ({currency})", hovermode="x unified")
    fig.update_yaxes(tickformat="~s", hoverformat=",.2f")
    return fig


def _labels(frame: pd.DataFrame, week_label: str = WEEK_LABEL) -> list[str]:
    """The weeks' names on the x axis: `week_label` filled with `week` and `start` ("W1 03-21")."""
    return [
        week_label.format(week=w, start=s)
        for w, s in zip(frame["week"], frame["start"], strict=True)
    ]


def _date_axis(fig: go.Figure, date_format: str | None) -> go.Figure:
    """Dates on the x axis (ticks and hover) as `date_format`; None keeps plotly's own."""
    if date_format:
        fig.update_xaxes(tickformat=date_format, hoverformat=date_format)
    return fig


def collections_chart(
    weekly: pd.DataFrame,
    currency: str = "CNY",
    *,
    title: str = "Expected collections per week, P10-P90 band",
    y_title: str = "Cash",
    names: tuple[str, str] = ("Open invoices", "New sales"),
    week_label: str = WEEK_LABEL,
) -> go.Figure:
    """Stacked bars (open invoices, new sales) with the P10-P90 band of the total.

    `weekly` is `CashForecast.weekly` (cents); `names` are the two bar series'
    names and `week_label` names a week on the x axis (a format string with
    `{week}` and `{start}`, e.g. "W{week} {start:%m-%d}"; `<br>` breaks the line).
    """
    x = _labels(weekly, week_label)
    fig = go.Figure()
    fig.add_bar(x=x, y=weekly["expected_cents"] / 100, name=names[0], marker_color=EXISTING)
    fig.add_bar(
        x=x,
        y=weekly["new_sales_collections_cents"] / 100,
        name=names[1],
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
    return _layout(fig, title, currency, y_title)


def balance_chart(
    scenarios: dict[str, pd.DataFrame],
    minimum_cents: int,
    currency: str = "CNY",
    *,
    title: str = "Closing cash balance per week",
    y_title: str = "Cash",
    minimum_name: str = "Minimum cash",
    week_label: str = WEEK_LABEL,
) -> go.Figure:
    """Closing balance per week for each named plan table, with the minimum cash line.

    The first table is drawn as the base case (thick, with its P10 closing);
    `week_label` names a week on the x axis (as in `collections_chart`).
    """
    fig = go.Figure()
    for i, (name, table) in enumerate(scenarios.items()):
        colour = EXISTING if i == 0 else SCENARIO_COLOURS[(i - 1) % len(SCENARIO_COLOURS)]
        fig.add_scatter(
            x=_labels(table, week_label),
            y=table["closing_cents"] / 100,
            name=name,
            mode="lines+markers",
            line={"color": colour, "width": 3 if i == 0 else 2, "dash": None if i == 0 else "dash"},
        )
        if i == 0 and "closing_p10_cents" in table:
            fig.add_scatter(
                x=_labels(table, week_label), y=table["closing_p10_cents"] / 100,
                name=f"{name} (P10)",
                mode="lines", line={"color": colour, "width": 1, "dash": "dot"},
            )  # fmt: skip
    first = next(iter(scenarios.values()), None)
    if first is not None:
        fig.add_scatter(
            x=_labels(first, week_label), y=[minimum_cents / 100] * len(first),
            name=minimum_name,
            mode="lines", line={"color": MINIMUM, "width": 2},
        )  # fmt: skip
    return _layout(fig, title, currency, y_title)


def backtest_chart(
    weeks: pd.DataFrame,
    origins: int = 4,
    currency: str = "CNY",
    *,
    title: str = "Back-test: forecast vs actual collections (week ending)",
    y_title: str = "Cash",
    names: tuple[str, str] = ("Forecast from {origin}", "Actual after {origin}"),
    date_format: str | None = None,
) -> go.Figure:
    """Forecast (with band) vs actual for the most recent back-test origins.

    `names` name each origin's forecast and actual lines (`{origin}` is its
    date, YYYY-MM-DD); `date_format` formats the week-ending dates (d3 time format).
    """
    recent = sorted(weeks["origin"].unique())[-origins:]
    fig = go.Figure()
    for i, origin in enumerate(recent):
        part = weeks[weeks["origin"] == origin]
        colour = SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
        name = f"{pd.Timestamp(origin):%Y-%m-%d}"
        fig.add_scatter(
            x=part["end"], y=part["expected_cents"] / 100, name=names[0].format(origin=name),
            mode="lines", line={"color": colour, "dash": "dash"},
        )  # fmt: skip
        fig.add_scatter(
            x=part["end"], y=part["actual_cents"] / 100, name=names[1].format(origin=name),
            mode="lines+markers", line={"color": colour},
        )  # fmt: skip
    return _date_axis(_layout(fig, title, currency, y_title), date_format)


def wape_chart(
    origins: pd.DataFrame,
    *,
    title: str = "WAPE per origin (lower is better)",
    y_title: str = "WAPE",
    names: tuple[str, str, str] = ("Model", "Baseline: average delay", "Baseline: due date"),
    date_format: str | None = None,
) -> go.Figure:
    """WAPE per origin of the model and the two baselines.

    `origins` is `Backtest.origins` (origin, wape, baseline_avg_delay,
    baseline_due_date in %); `names` name the three lines in that order.
    """
    fig = go.Figure()
    series = (
        ("wape", names[0], EXISTING),
        ("baseline_avg_delay", names[1], "#d4a017"),
        ("baseline_due_date", names[2], MINIMUM),
    )
    for col, name, colour in series:
        fig.add_scatter(
            x=origins["origin"], y=origins[col], name=name, mode="lines", line={"color": colour}
        )
    fig = _layout(fig, title, "%", y_title=y_title)
    fig.update_yaxes(tickformat=",.0f")
    return _date_axis(fig, date_format)
