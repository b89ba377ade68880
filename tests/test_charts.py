"""Charts are pure: assert on their data and titles."""

from __future__ import annotations

import pandas as pd

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
