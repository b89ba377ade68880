"""Risk charts: pure functions from frames to plotly Figures, worded in `lang` from the
i18n catalogue (`risk.chart.*`)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from creditdash.charts import style
from creditdash.i18n import t
from creditdash.risk.present import risk_map_frame

GRADE_COLOURS = ["#2e7d5b", "#7cb342", "#f2c14e", "#e0582f", "#8e1f2f", "#4a1020", "#2b0a14"]


def grade_colours(grades: list[str]) -> dict[str, str]:
    return {g: GRADE_COLOURS[min(i, len(GRADE_COLOURS) - 1)] for i, g in enumerate(grades)}


def _style(fig: go.Figure, title: str, height: int = 380, legend: str | None = None) -> go.Figure:
    return style(fig, title, legend=legend, height=height, top=60)


def grade_distribution(
    summary: pd.DataFrame, *, currency: str = "CNY", lang: str = "en"
) -> go.Figure:
    """Two panels: customers per grade and exposure per grade (in currency units).
    `summary` is `assess.grade_summary`: grade, customers, exposure_cents."""
    colours = grade_colours(list(summary["grade"]))
    marker = [colours[g] for g in summary["grade"]]
    customers, exposure = t("risk.chart.customers", lang), t("risk.chart.exposure", lang)
    grade = t("risk.chart.grade", lang, grade="%{x}")
    unit = t("risk.chart.customers_unit", lang)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(customers, f"{exposure} ({currency})"))
    fig.add_bar(x=summary["grade"], y=summary["customers"], marker_color=marker, name=customers,
                hovertemplate=f"{grade}: %{{y}} {unit}<extra></extra>", row=1, col=1)  # fmt: skip
    fig.add_bar(x=summary["grade"], y=summary["exposure_cents"] / 100, marker_color=marker,
                name=exposure, hovertemplate=f"{grade}: %{{y:,.2f}}<extra></extra>", row=1, col=2)  # fmt: skip
    fig.update_layout(showlegend=False)
    fig.update_yaxes(tickformat="~s", row=1, col=2)
    return _style(fig, t("risk.chart.grades", lang))


def risk_map(
    table: pd.DataFrame, grades: list[str], *, currency: str = "CNY", lang: str = "en"
) -> go.Figure:
    """Score (x) against exposure (y), bubble area ~ overdue, colour = grade. `table` is the
    risk table (customer_id, customer_name, score, grade, exposure_cents, overdue_cents)."""
    colours = grade_colours(grades)
    points = risk_map_frame(table)
    score, exposure, overdue = (
        t(f"risk.chart.{w}_word", lang) for w in ("score", "exposure", "overdue")
    )
    fig = go.Figure()
    top = max(float(points["overdue"].max()), 1.0) if len(points) else 1.0
    for grade in grades:
        part = points[points["grade"] == grade]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["score"], y=part["exposure"], mode="markers", name=t("risk.chart.grade", lang, grade=grade),
            marker={"color": colours[grade], "size": 6 + 40 * (part["overdue"].clip(lower=0) / top) ** 0.5,
                    "line": {"width": 0.5, "color": "white"}, "opacity": 0.8},
            customdata=part[["customer", "overdue"]].to_numpy(),
            hovertemplate=f"%{{customdata[0]}}<br>{score} %{{x:.0f}}<br>{exposure} %{{y:,.2f}}"
            f"<br>{overdue} %{{customdata[1]:,.2f}}<extra></extra>",
        )  # fmt: skip
    fig.update_xaxes(title=t("risk.chart.map_x", lang), range=[0, 101])
    fig.update_yaxes(title=f"{t('risk.chart.exposure', lang)} ({currency})", tickformat="~s")
    return _style(fig, t("risk.chart.map", lang), 440, legend="below")


def score_history_chart(
    history: pd.DataFrame, grades: list[Mapping], *, lang: str = "en"
) -> go.Figure:
    """One customer's score over time; grade bands shaded. `history` has as_of, score;
    `grades` are the policy's (grade, min_score), best first."""
    fig = go.Figure()
    colours = grade_colours([g["grade"] for g in grades])
    # one band per grade from its minimum score up to the next grade's (add_hrect is slow)
    shapes, labels, upper = [], [], 100.0
    for g in grades:
        band = {"y0": g["min_score"], "y1": upper, "yref": "y", "xref": "paper", "x0": 0, "x1": 1}
        shapes.append(band | {"type": "rect", "fillcolor": colours[g["grade"]], "opacity": 0.08,
                              "line": {"width": 0}, "layer": "below"})  # fmt: skip
        labels.append({"x": 1, "xref": "paper", "xanchor": "left", "y": (band["y0"] + upper) / 2,
                       "yref": "y", "text": g["grade"], "showarrow": False})  # fmt: skip
        upper = g["min_score"]
    fig.update_layout(shapes=shapes, annotations=labels)
    y_title = t("risk.col.score", lang)
    fig.add_scatter(x=history["as_of"], y=history["score"], mode="lines+markers", name=y_title,
                    line={"color": "#1f4e79"}, hovertemplate="%{x|%Y-%m-%d}: %{y:.1f}<extra></extra>")  # fmt: skip
    fig.update_yaxes(range=[0, 100], title=y_title)
    return _style(fig, t("risk.chart.history", lang), 320)


def payment_behaviour(
    payments: pd.DataFrame, *, currency: str = "CNY", lang: str = "en"
) -> go.Figure:
    """Days late (payment - due) of each payment by payment date; size ~ amount.
    `payments` is `detail.payment_history`: payment_date, days_late, amount_cents, invoice_id."""
    fig = go.Figure()
    amount = payments["amount_cents"] / 100
    top = max(float(amount.max()), 1.0) if len(payments) else 1.0
    late = payments["days_late"] > 0
    days = t("risk.chart.days_unit", lang)
    series = ((~late, "risk.chart.on_time", "#2e7d5b"), (late, "risk.chart.late", "#e0582f"))
    for mask, name, colour in series:
        part = payments[mask].assign(amount=amount[mask])
        fig.add_scatter(
            x=part["payment_date"], y=part["days_late"], mode="markers", name=t(name, lang),
            marker={"color": colour, "size": 5 + 25 * (part["amount"] / top) ** 0.5, "opacity": 0.7},
            customdata=part[["invoice_id", "amount"]].to_numpy(),
            hovertemplate=f"%{{customdata[0]}}: %{{y}} {days}, %{{customdata[1]:,.2f}}<extra></extra>",
        )  # fmt: skip
    fig.add_hline(y=0, line_color="#8a94a6", line_dash="dot")
    fig.update_yaxes(title=t("risk.chart.payments_y", lang))
    title = t("risk.chart.payments", lang, currency=currency)
    return _style(fig, title, 340, legend="below")


def calibration_chart(calibration: pd.DataFrame, *, lang: str = "en") -> go.Figure:
    """Predicted PD against observed default rate per grade (out-of-time back-test).
    `calibration` has grade, predicted, observed (shares)."""
    fig = go.Figure()
    fig.add_bar(x=calibration["grade"], y=calibration["predicted"],
                name=t("risk.chart.predicted", lang), marker_color="#1f4e79",
                hovertemplate="%{y:.1%}<extra></extra>")  # fmt: skip
    fig.add_bar(x=calibration["grade"], y=calibration["observed"],
                name=t("risk.chart.observed", lang), marker_color="#e0582f",
                hovertemplate="%{y:.1%}<extra></extra>")  # fmt: skip
    fig.update_yaxes(tickformat=".0%", title=t("risk.chart.calibration_y", lang))
    fig.update_layout(barmode="group")
    return _style(fig, t("risk.chart.calibration", lang), 340, legend="below")
