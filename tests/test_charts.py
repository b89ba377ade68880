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


HOSTILE = '<a href="http://evil.example">x</a>'
PICTURE = '<img src="http://evil.example/p.png" onerror="alert(1)">'


def _strings(value):
    """Every string in a plotly JSON value (dicts, lists, arrays), recursively."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple) or hasattr(value, "tolist"):
        for v in value.tolist() if hasattr(value, "tolist") else value:
            yield from _strings(v)


def test_a_hostile_customer_name_is_drawn_as_text_not_as_a_link_or_a_picture():
    frame = pd.DataFrame(
        {
            "customer": [HOSTILE, PICTURE, "C0083 合肥万利精密机械", "AT&T Ltd"],
            "overdue": [9, 5, 3, 1.0],
        }
    )
    fig = charts.localise(top_overdue_chart(frame), "zh")
    shown = " ".join(_strings(fig.to_plotly_json()))
    assert "<a" not in shown and "<img" not in shown
    # the names as typed, for plotly to decode: Chinese unchanged, & written &amp;
    assert list(fig.data[0].customdata) == [
        "AT&amp;T Ltd",
        "C0083 合肥万利精密机械",
        '&lt;img src="http://evil.example/p.png" onerror="alert(1)"&gt;',
        '&lt;a href="http://evil.example"&gt;x&lt;/a&gt;',
    ]
    assert fig.data[0].y[1] == "C0083 合肥万利精密机械"


def test_every_kind_of_text_a_figure_takes_from_data_is_escaped():
    fig = go.Figure()
    fig.add_scatter(
        x=[HOSTILE, "b"], y=[1, 2], text=[HOSTILE, "t"], hovertext=PICTURE, name=HOSTILE,
        customdata=[[HOSTILE, 1.0], ["ok", 2.0]], legendgrouptitle_text=HOSTILE,
    )  # fmt: skip
    fig.add_pie(labels=[HOSTILE, "A & B"], values=[1, 2])
    fig.add_annotation(x=HOSTILE, y=1, text=f"grade {HOSTILE}")
    fig.update_layout(title_text=HOSTILE, legend_title_text=PICTURE)
    fig.update_xaxes(categoryarray=[HOSTILE, "b"], title_text=HOSTILE)
    charts.plain_text(fig)
    shown = " ".join(_strings(fig.to_plotly_json()))
    assert "<a" not in shown and "<img" not in shown
    assert list(fig.data[1].labels) == [
        '&lt;a href="http://evil.example"&gt;x&lt;/a&gt;',
        "A &amp; B",
    ]
    # the category order still names the categories the trace uses
    assert list(fig.layout.xaxis.categoryarray) == list(fig.data[0].x)
    assert fig.layout.annotations[0].x == fig.data[0].x[0]


def test_escaping_keeps_line_breaks_templates_and_is_idempotent():
    fig = go.Figure(
        go.Bar(x=["W1<br>03-21", "A&B"], y=[1, 2], hovertemplate="%{x}<br>%{y}<extra></extra>")
    )
    charts.plain_text(charts.plain_text(fig))
    assert list(fig.data[0].x) == ["W1<br>03-21", "A&amp;B"]  # once, however often it runs
    assert fig.data[0].hovertemplate == "%{x}<br>%{y}<extra></extra>"
    assert charts.escape_text("<BR/>") == "<br>" and charts.escape_text("1 < 2") == "1 &lt; 2"
    assert charts.escape_text("&times;") == "&amp;times;"  # shown as typed, not as ×


def test_a_right_axis_gets_round_steps_on_the_left_axis_grid():
    fig = go.Figure()
    fig.add_bar(x=["a", "b", "c"], y=[2.1e7, 2.05e7, 2.35e7])
    fig.add_scatter(x=["a", "b", "c"], y=[13.5, 11.5, 11.7], yaxis="y2")
    fig.update_layout(
        yaxis={"tickformat": "~s"}, yaxis2={"overlaying": "y", "side": "right", "tickformat": ".1f"}
    )
    charts.localise_money_axes(fig, "zh")
    left, right = fig.layout.yaxis, fig.layout.yaxis2
    assert list(left.ticktext) == ["0", "500万", "1,000万", "1,500万", "2,000万", "2,500万"]
    assert list(right.ticktext) == ["0", "5", "10", "15", "20", "25"]  # not 2.9, 5.7, 8.6
    # same number of steps over the same ranges: the grid lines and zeros meet
    assert len(right.tickvals) == len(left.tickvals)
    assert tuple(left.range) == (0, 2.5e7) and tuple(right.range) == (0, 25)


def test_a_right_money_axis_below_zero_brings_the_left_axis_zero_level():
    fig = go.Figure()
    fig.add_bar(x=["a", "b"], y=[1.5e7, 2.4e7])
    fig.add_scatter(x=["a", "b"], y=[2e6, -1e6], yaxis="y2")
    fig.update_layout(yaxis={"tickformat": "~s"}, yaxis2={"overlaying": "y", "tickformat": "~s"})
    charts.localise_money_axes(fig, "en")
    left, right = fig.layout.yaxis, fig.layout.yaxis2
    assert list(left.tickvals).index(0) == list(right.tickvals).index(0) == 1
    assert list(right.ticktext) == ["-1M", "0", "1M", "2M", "3M", "4M", "5M"]
    # nothing on the right axis: only its zero, level with the left axis's zero
    fig.data[1].y = [0, 0]
    charts.localise_money_axes(fig, "en")
    assert list(fig.layout.yaxis2.ticktext) == ["0"]
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis2.range[0] == 0


def test_a_money_axis_under_bars_ends_on_a_labelled_tick():
    fig = top_overdue_chart(pd.DataFrame({"customer": ["a", "b"], "overdue": [9_073_928.6, 1.0]}))
    charts.localise_money_axes(fig, "zh")
    assert list(fig.layout.xaxis.ticktext) == ["0", "500万", "1,000万"]  # 1,000万 drawn too
    assert tuple(fig.layout.xaxis.range) == (0, 1e7)
    frame = pd.DataFrame({"month_end": ["2024-01-31"], "current": [1.8e8], "1-30": [0.1e8]})
    fig = charts.localise_money_axes(ar_by_month_chart(frame, ["current", "1-30"]), "en")
    assert tuple(fig.layout.yaxis.range) == (0, 2e8) and fig.layout.yaxis.ticktext[-1] == "200M"
    # a sliver below zero (unapplied cash) does not buy a whole step of empty axis
    shown = pd.DataFrame(
        {"group": ["A"], "current": [1.8e7], "unapplied": [-2e5], "total": [1.78e7]}
    )
    fig = charts.localise_money_axes(aging_bars(shown, "group", ["current"]), "zh")
    low, high = fig.layout.xaxis.range
    assert -1e6 < low < -2e5 and high == 2e7 and fig.layout.xaxis.tickvals[0] == -1e7
    # bars well below zero (a tornado) keep the first tick, and the last label has room
    table = pd.DataFrame({"customer": ["a", "b"], "overdue": [9.7e6, -9.7e6]})
    fig = charts.localise_money_axes(top_overdue_chart(table), "zh")
    assert tuple(fig.layout.xaxis.range) == (-1e7, 1e7) and fig.layout.margin.r >= 30
    # a line keeps plotly's own range (its markers would be cut at the last tick)
    line = go.Figure(go.Scatter(x=[1, 2], y=[1e6, 9e6])).update_yaxes(tickformat="~s")
    assert charts.localise_money_axes(line, "en").layout.yaxis.range is None


def test_dates_on_a_chinese_axis_read_as_numbers_not_english_months():
    dates = pd.to_datetime(["2026-01-31", "2026-04-30", "2026-07-31"])
    fig = go.Figure(go.Scatter(x=dates, y=[60, 55, 40]))
    charts.localise_date_axes(fig, "zh")
    stops = {tuple(s.dtickrange): s.value for s in fig.layout.xaxis.tickformatstops}
    assert stops[("M1", "M12")] == "%Y-%m" and fig.layout.xaxis.hoverformat == "%Y-%m-%d"
    assert fig.layout.yaxis.tickformatstops == ()  # numbers stay as they are
    english = charts.localise_date_axes(go.Figure(go.Scatter(x=dates, y=[1, 2, 3])), "en")
    assert english.layout.xaxis.tickformatstops == ()
    own = go.Figure(go.Scatter(x=dates, y=[1, 2, 3])).update_xaxes(tickformat="%d/%m")
    assert charts.localise_date_axes(own, "zh").layout.xaxis.tickformatstops == ()


def test_the_loading_frame_has_no_data_and_says_its_text_as_text():
    fig = charts.loading_chart("Loading <b>ACME</b> 加载中")
    assert not fig.data
    assert fig.layout.annotations[0].text == charts.escape_text("Loading <b>ACME</b> 加载中")
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
