"""Risk charts: pure functions from frames to plotly Figures (money in currency units)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from creditdash.charts import style

GRADE_COLOURS = ["#2e7d5b", "#7cb342", "#f2c14e", "#e0582f", "#8e1f2f", "#4a1020", "#2b0a14"]


def grade_colours(grades: list[str]) -> dict[str, str]:
    return {g: GRADE_COLOURS[min(i, len(GRADE_COLOURS) - 1)] for i, g in enumerate(grades)}


def _style(fig: go.Figure, title: str, height: int = 380, legend: str | None = None) -> go.Figure:
    return style(fig, title, legend=legend, height=height, top=60)


def grade_distribution(
    summary: pd.DataFrame,
    *,
    currency: str = "CNY",
    title: str = "Grade distribution and exposure by grade",
    customers: str = "Customers",
    exposure: str = "Exposure",
    grade_label: str = "Grade {grade}",
    customers_unit: str = "customers",
) -> go.Figure:
    """Two panels: customers per grade and exposure per grade. `summary` has grade,
    customers, exposure (money). `grade_label` is a template with `{grade}`."""
    colours = grade_colours(list(summary["grade"]))
    marker = [colours[g] for g in summary["grade"]]
    grade = grade_label.format(grade="%{x}")
    fig = make_subplots(rows=1, cols=2, subplot_titles=(customers, f"{exposure} ({currency})"))
    fig.add_bar(x=summary["grade"], y=summary["customers"], marker_color=marker, name=customers,
                hovertemplate=f"{grade}: %{{y}} {customers_unit}<extra></extra>", row=1, col=1)  # fmt: skip
    fig.add_bar(x=summary["grade"], y=summary["exposure"], marker_color=marker, name=exposure,
                hovertemplate=f"{grade}: %{{y:,.2f}}<extra></extra>", row=1, col=2)  # fmt: skip
    fig.update_layout(showlegend=False)
    fig.update_yaxes(tickformat="~s", row=1, col=2)
    return _style(fig, title)


def risk_map(
    table: pd.DataFrame,
    grades: list[str],
    *,
    currency: str = "CNY",
    title: str = "Risk map: score against exposure (bubble size = overdue)",
    x_title: str = "Score (0-100, higher is safer)",
    y_title: str = "Exposure",
    grade_label: str = "Grade {grade}",
    hover_words: tuple[str, str, str] = ("score", "exposure", "overdue"),
) -> go.Figure:
    """Score (x) against exposure (y), bubble area ~ overdue, colour = grade. `table` has
    customer, score, grade, exposure, overdue (money). `hover_words` name score, exposure
    and overdue in the tooltip."""
    colours = grade_colours(grades)
    score, exposure, overdue = hover_words
    fig = go.Figure()
    top = max(float(table["overdue"].max()), 1.0) if len(table) else 1.0
    for grade in grades:
        part = table[table["grade"] == grade]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["score"], y=part["exposure"], mode="markers", name=grade_label.format(grade=grade),
            marker={"color": colours[grade], "size": 6 + 40 * (part["overdue"].clip(lower=0) / top) ** 0.5,
                    "line": {"width": 0.5, "color": "white"}, "opacity": 0.8},
            customdata=part[["customer", "overdue"]].to_numpy(),
            hovertemplate=f"%{{customdata[0]}}<br>{score} %{{x:.0f}}<br>{exposure} %{{y:,.2f}}"
            f"<br>{overdue} %{{customdata[1]:,.2f}}<extra></extra>",
        )  # fmt: skip
    fig.update_xaxes(title=x_title, range=[0, 101])
    fig.update_yaxes(title=f"{y_title} ({currency})", tickformat="~s")
    return _style(fig, title, 440, legend="below")


def score_history_chart(
    history: pd.DataFrame,
    grades: list[dict],
    *,
    title: str = "Score history (month ends)",
    y_title: str = "Score",
) -> go.Figure:
    """One customer's score over time; grade bands shaded. `history` has as_of, score."""
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
    fig.add_scatter(x=history["as_of"], y=history["score"], mode="lines+markers", name=y_title,
                    line={"color": "#1f4e79"}, hovertemplate="%{x|%Y-%m-%d}: %{y:.1f}<extra></extra>")  # fmt: skip
    fig.update_yaxes(range=[0, 100], title=y_title)
    return _style(fig, title, 320)


def payment_behaviour(
    payments: pd.DataFrame,
    *,
    currency: str = "CNY",
    title: str | None = None,
    y_title: str = "Days after due date",
    names: tuple[str, str] = ("On time or early", "Late"),
    days_unit: str = "days",
) -> go.Figure:
    """Days late (payment - due) of each payment by payment date; size ~ amount.
    `payments` has payment_date, days_late, amount (money), invoice_id. `names` label the
    on-time and late series; `title` defaults to the English one with the currency."""
    fig = go.Figure()
    top = max(float(payments["amount"].max()), 1.0) if len(payments) else 1.0
    late = payments["days_late"] > 0
    for mask, name, colour in ((~late, names[0], "#2e7d5b"), (late, names[1], "#e0582f")):
        part = payments[mask]
        fig.add_scatter(
            x=part["payment_date"], y=part["days_late"], mode="markers", name=name,
            marker={"color": colour, "size": 5 + 25 * (part["amount"] / top) ** 0.5, "opacity": 0.7},
            customdata=part[["invoice_id", "amount"]].to_numpy(),
            hovertemplate=f"%{{customdata[0]}}: %{{y}} {days_unit}, %{{customdata[1]:,.2f}}<extra></extra>",
        )  # fmt: skip
    fig.add_hline(y=0, line_color="#8a94a6", line_dash="dot")
    fig.update_yaxes(title=y_title)
    title = title or f"Payment behaviour (bubble size = amount, {currency})"
    return _style(fig, title, 340, legend="below")


def calibration_chart(
    calibration: pd.DataFrame,
    *,
    title: str = "Calibration by grade (later dates the model never saw)",
    y_title: str = "Within 12 months",
    names: tuple[str, str] = ("Predicted (mean PD)", "Observed default rate"),
) -> go.Figure:
    """Predicted PD against observed default rate per grade (out-of-time back-test).
    `names` label the predicted and observed bars."""
    fig = go.Figure()
    fig.add_bar(x=calibration["grade"], y=calibration["predicted"], name=names[0],
                marker_color="#1f4e79", hovertemplate="%{y:.1%}<extra></extra>")  # fmt: skip
    fig.add_bar(x=calibration["grade"], y=calibration["observed"], name=names[1],
                marker_color="#e0582f", hovertemplate="%{y:.1%}<extra></extra>")  # fmt: skip
    fig.update_yaxes(tickformat=".0%", title=y_title)
    fig.update_layout(barmode="group")
    return _style(fig, title, 340, legend="below")
