"""Overview: the KPI tiles, AR by month and the customers most overdue."""

from datetime import timedelta

import streamlit as st

import ui
from creditdash import charts, kpis
from creditdash.aging import BUCKET_EDGES_DEFAULT, bucket_labels, to_money
from creditdash.presentation import top_overdue

ui.page_guard("pages/overview.py")
st.title("Overview")
if ui.empty_state():
    st.stop()

as_of = ui.as_of()
version = ui.version()
now = ui.kpis_at(version, as_of)
before = ui.kpis_at(version, as_of - timedelta(days=7))
currency = ui.settings().reporting_currency
st.caption(
    f"As of {as_of:%Y-%m-%d}; flows over the {now['window_days']} days before it. "
    "Changes are against the same figure one week earlier."
)

TILES = [
    ("total_ar", "Total AR", ui.money_compact, "off"),
    ("overdue_pct", "Overdue", ui.pct, "inverse"),
    ("dso_countback", "DSO countback", ui.days, "inverse"),
    ("bpdso", "Best DSO", ui.days, "inverse"),
    ("add", "ADD", ui.days, "inverse"),
    ("cei", "CEI", ui.pct, "normal"),
]
for column, (key, label, fmt, colour) in zip(st.columns([1.3, 1, 1, 1, 1, 1]), TILES, strict=True):
    value, previous = now[key], before[key]
    delta = None if value is None or previous is None else value - previous
    column.metric(
        label,
        fmt(value),
        delta=None if delta is None else fmt(delta).replace("¥", ""),
        delta_color=colour,
        help=kpis.kpi_definitions[key]
        + (f" Exactly {ui.money(value)}." if key == "total_ar" else ""),
        border=True,
    )

labels = bucket_labels(BUCKET_EDGES_DEFAULT, "due")
left, right = st.columns([3, 2])
with left:
    monthly = ui.ar_by_month(version, as_of)
    st.plotly_chart(
        charts.ar_by_month_chart(to_money(monthly), labels, currency=currency),
        key="ar_by_month",
    )
with right:
    table = ui.aging_table(version, as_of, "due", BUCKET_EDGES_DEFAULT, "customer")
    top = top_overdue(table, labels, n=10)
    if top.empty:
        st.success("No customer has an overdue balance at this date.")
    else:
        st.plotly_chart(charts.top_overdue_chart(top, currency=currency), key="top_overdue")
        st.dataframe(
            top,
            hide_index=True,
            column_config={
                "customer": "Customer",
                "overdue": ui.money_column("Overdue"),
                "total": None,
                "oldest_bucket": "Oldest bucket",
            },
        )
