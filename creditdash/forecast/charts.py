"""Forecast charts: pure functions from frames (money in cents) to plotly Figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from creditdash.charts import style
from creditdash.i18n import t

EXISTING = "#2e6fb7"
NEW_SALES = "#8fc1e8"
PROMISED = "#16a085"
BAND = "rgba(46, 111, 183, 0.18)"
MINIMUM = "#c0392b"
SCENARIO_COLOURS = ["#e0582f", "#8e44ad", "#16a085", "#d4a017", "#7f8c8d"]
WEEK_LABEL = "W{week} {start:%m-%d}"  # a week on the x axis: "W1 03-21" (its catalogue form)


def _layout(
    fig: go.Figure, title: str, currency: str, lang: str, y_title: str | None = None
) -> go.Figure:
    style(fig, title)
    y_title = t("forecast.chart.cash", lang) if y_title is None else y_title
    fig.update_layout(yaxis_title=f"{y_title} ({currency})", hovermode="x unified")
    fig.update_yaxes(tickformat="~s", hoverformat=",.2f")
    return fig


def _labels(frame: pd.DataFrame, week_label: str = WEEK_LABEL) -> list[str]:
    """The weeks' names on the x axis: `week_label` filled with `week` and `start` ("W1 03-21")."""
    return [
        week_label.format(week=w, start=s)
        for w, s in zip(frame["week"], frame["start"], strict=True)
    ]


def _date_format(lang: str) -> str | None:
    """Plotly names months in English: Chinese dates read as 2025-03-21."""
    return "%Y-%m-%d" if lang == "zh" else None


def _date_axis(fig: go.Figure, date_format: str | None) -> go.Figure:
    """Dates on the x axis (ticks and hover) as `date_format`; None keeps plotly's own."""
    if date_format:
        fig.update_xaxes(tickformat=date_format, hoverformat=date_format)
    return fig


def collections_chart(weekly: pd.DataFrame, currency: str = "CNY", lang: str = "en") -> go.Figure:
    """Stacked bars (open invoices, promised payments, new sales) with the P10-P90 band
    of the total, in `lang`.

    `weekly` is `CashForecast.weekly` (cents), or `forecast.promises.with_promises` of it:
    then the open invoices' bar is their forecast besides the promises
    (expected_with_promises - promised) and the weighted promises stack on it.
    """
    x = _labels(weekly, t("forecast.chart.week", lang))
    promised = weekly.get("promised_cents")
    own = weekly["expected_cents"] if promised is None else (
        weekly["expected_with_promises_cents"] - promised
    )  # fmt: skip
    fig = go.Figure()
    fig.add_bar(x=x, y=own / 100, name=t("forecast.chart.open_invoices", lang),
                marker_color=EXISTING)  # fmt: skip
    if promised is not None:
        fig.add_bar(x=x, y=promised / 100, name=t("forecast.chart.promised", lang),
                    marker_color=PROMISED)  # fmt: skip
    fig.add_bar(
        x=x,
        y=weekly["new_sales_collections_cents"] / 100,
        name=t("forecast.chart.new_sales", lang),
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
    return _layout(fig, t("forecast.chart.collections", lang), currency, lang)


def balance_chart(
    scenarios: dict[str, pd.DataFrame],
    minimum_cents: int,
    currency: str = "CNY",
    lang: str = "en",
) -> go.Figure:
    """Closing balance per week for each named plan table, with the minimum cash line.

    The first table is drawn as the base case (thick, with its P10 closing); the weeks
    are named as in `collections_chart`.
    """
    week_label = t("forecast.chart.week", lang)
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
            name=t("forecast.chart.minimum", lang),
            mode="lines", line={"color": MINIMUM, "width": 2},
        )  # fmt: skip
    return _layout(fig, t("forecast.chart.balance", lang), currency, lang)


def backtest_chart(
    weeks: pd.DataFrame, origins: int = 4, currency: str = "CNY", lang: str = "en"
) -> go.Figure:
    """Forecast (with band) vs actual for the most recent back-test origins, in `lang`
    (each origin's lines named with its date, YYYY-MM-DD)."""
    names = (t("forecast.chart.forecast_from", lang), t("forecast.chart.actual_after", lang))
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
    fig = _layout(fig, t("forecast.chart.backtest", lang), currency, lang)
    return _date_axis(fig, _date_format(lang))


def wape_chart(origins: pd.DataFrame, lang: str = "en") -> go.Figure:
    """WAPE per origin of the model and the two baselines, in `lang`.

    `origins` is `Backtest.origins` (origin, wape, baseline_avg_delay,
    baseline_due_date in %).
    """
    fig = go.Figure()
    series = (
        ("wape", t("forecast.chart.model", lang), EXISTING),
        ("baseline_avg_delay", t("forecast.chart.baseline_avg_delay", lang), "#d4a017"),
        ("baseline_due_date", t("forecast.chart.baseline_due_date", lang), MINIMUM),
    )
    for col, name, colour in series:
        fig.add_scatter(
            x=origins["origin"], y=origins[col], name=name, mode="lines", line={"color": colour}
        )
    fig = _layout(fig, t("forecast.chart.wape", lang), "%", lang, y_title="WAPE")
    fig.update_yaxes(tickformat=",.0f")
    return _date_axis(fig, _date_format(lang))
