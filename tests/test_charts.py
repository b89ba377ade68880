"""Charts are pure: assert on their data and titles."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from creditdash import charts
from creditdash.charts import aging_bars, ar_by_month_chart, bucket_colours, top_overdue_chart

LABELS = ["current", "1-30", "31-60"]


def test_aging_bars_one_trace_per_nonempty_bucket_in_order_with_fixed_colours():
    shown = pd.DataFrame(
        {
            "group": ["A", "B"],
            "current": [1.0, 2.0],
            "1-30": [0.0, 0.0],
            "31-60": [3.0, 0.5],
            "unapplied": [-1.0, 0.0],
            "total": [3.0, 2.5],
        }
    )
    fig = aging_bars(shown, "group", LABELS, title="T")
    assert [t.name for t in fig.data] == ["current", "31-60", "unapplied"]
    colours = bucket_colours(LABELS)
    assert [t.marker.color for t in fig.data] == [
        colours["current"],
        colours["31-60"],
        colours["unapplied"],
    ]
    assert list(fig.data[1].x) == [0.5, 3.0] and list(fig.data[1].y) == ["B", "A"]
    assert fig.data[0].orientation == "h"
    assert fig.layout.title.text == "T" and fig.layout.barmode == "relative"


def test_ar_by_month_chart_has_a_bar_per_month_and_bucket():
    frame = pd.DataFrame(
        {
            "month_end": pd.to_datetime(["2024-01-31", "2024-02-29"]),
            "current": [1.0, 2.0],
            "1-30": [0.5, 0.0],
            "31-60": [0.0, 0.1],
        }
    )
    fig = ar_by_month_chart(frame, LABELS)
    assert len(fig.data) == 3 and list(fig.data[0].x) == ["2024-01", "2024-02"]


def test_top_overdue_chart_largest_on_top():
    fig = top_overdue_chart(pd.DataFrame({"customer": ["A", "B"], "overdue": [9.0, 1.0]}))
    assert list(fig.data[0].y) == ["B", "A"] and fig.data[0].orientation == "h"


@pytest.mark.parametrize(
    ("low", "high", "lang", "texts"),
    [
        (0, 2e8, "zh", ["0", "0.5亿", "1亿", "1.5亿", "2亿"]),
        (0, 2e8, "en", ["0", "50M", "100M", "150M", "200M"]),
        (0, 18e6, "zh", ["0", "500万", "1,000万", "1,500万", "2,000万"]),
        (-3e6, 7e6, "zh", ["-400万", "-200万", "0", "200万", "400万", "600万", "800万"]),
        (0, 1.23, "en", ["0", "0.25", "0.5", "0.75", "1", "1.25"]),
        (0, 0, "en", ["0"]),
    ],
)
def test_money_ticks_are_round_steps_in_one_unit_of_the_language(low, high, lang, texts):
    values, labels = charts.money_ticks(low, high, lang)
    assert labels == texts
    assert values[0] <= min(low, 0) and values[-1] >= high


def test_localised_axis_spans_the_stacked_total_and_leaves_other_axes_alone():
    fig = go.Figure()
    fig.add_bar(x=["a", "b"], y=[6e7, 1e7])
    fig.add_bar(x=["a", "b"], y=[9e7, -2e7])
    fig.update_layout(barmode="relative")
    fig.update_yaxes(tickformat="~s")
    charts.localise_money_axes(fig, "zh")
    assert fig.layout.yaxis.ticktext[-1] == "1.5亿"  # 0.6亿 + 0.9亿 stacked on "a"
    assert fig.layout.yaxis.ticktext[0] == "-0.5亿"  # the -0.2亿 of "b" below zero
    assert fig.layout.xaxis.tickvals is None


def test_localised_axis_of_a_line_chart_follows_its_values():
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[2e6, 4.4e6, 3e6]))
    fig.update_yaxes(tickformat="~s")
    charts.localise_money_axes(fig, "en")
    assert list(fig.layout.yaxis.ticktext) == ["0", "1M", "2M", "3M", "4M", "5M"]


def test_bucket_legend_names_can_be_translated():
    frame = pd.DataFrame({"month_end": ["2024-01-31"], "current": [1.0], "1-30": [2.0]})
    fig = ar_by_month_chart(frame, ["current", "1-30"], names={"current": "未到期"})
    assert [t.name for t in fig.data] == ["未到期", "1-30"]
    shown = pd.DataFrame({"group": ["A"], "current": [1.0], "unapplied": [-1.0]})
    fig = aging_bars(shown, "group", ["current"], names={"unapplied": "未核销"})
    assert [t.name for t in fig.data] == ["current", "未核销"]


def test_long_customer_names_are_cut_in_the_bars_and_whole_in_the_hover():
    import pandas as pd

    from creditdash.charts import short_label, top_overdue_chart

    frame = pd.DataFrame(
        {"customer": ["C0083 合肥万利精密机械股份有限公司", "Acme"], "overdue": [5.0, 3.0]}
    )
    fig = top_overdue_chart(frame)
    assert list(fig.data[0].y) == ["Acme", "C0083 合肥万利精密机械股…"]
    assert list(fig.data[0].customdata) == ["Acme", "C0083 合肥万利精密机械股份有限公司"]
    assert short_label("x" * 24) == "x" * 24 and short_label("x" * 25) == "x" * 24 + "…"


def test_a_horizontal_money_axis_gets_few_ticks():
    import pandas as pd

    from creditdash.charts import localise_money_axes, top_overdue_chart

    fig = top_overdue_chart(pd.DataFrame({"customer": ["a", "b"], "overdue": [9_073_928.6, 1.0]}))
    localise_money_axes(fig, "zh")
    assert len(fig.layout.xaxis.tickvals) <= 4
