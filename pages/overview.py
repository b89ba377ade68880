"""Overview: the KPI tiles, AR by month and the customers most overdue."""

from collections.abc import Callable
from typing import Literal

import streamlit as st

import ui
import ui.overview as page

ui.page_guard("pages/overview.py")
st.title(ui.tr("overview.title"))
if ui.empty_state():
    st.stop()

as_of = ui.as_of()
shown = page.figures(ui.version(), as_of)
now, before = shown.now, shown.week_before
currency = ui.settings().reporting_currency
st.caption(ui.tr("overview.caption", as_of=f"{as_of:%Y-%m-%d}", days=now.window_days))

# (figure, its format, the colour of a rise)
TILES: list[tuple[str, Callable[..., str], Literal["normal", "inverse", "off"]]] = [
    ("total_ar", ui.money_compact, "off"),
    ("overdue_pct", ui.pct, "inverse"),
    ("dso_countback", ui.days, "inverse"),
    ("bpdso", ui.days, "inverse"),
    ("add", ui.days, "inverse"),
    ("cei", ui.pct, "normal"),
]
# two rows of three: a tile's label and change fit in Chinese as in English
columns = [c for _ in range(2) for c in st.columns(3)]
for column, (key, fmt, colour) in zip(columns, TILES, strict=True):
    value, previous = getattr(now, key), getattr(before, key)
    delta = None if value is None or previous is None else value - previous
    exact = ui.tr("kpi.exactly", value=ui.money(value)) if key == "total_ar" else ""
    column.metric(
        ui.tr(f"kpi.{key}", days=now.window_days),
        fmt(value),
        delta=None if delta is None else ui.change(fmt, delta),
        delta_color=colour,
        help=ui.tr(f"kpi.help.{key}", days=now.window_days) + exact,
        border=True,
    )

lang = ui.lang()
left, right = st.columns([3, 2])
with left:
    st.plotly_chart(ui.localised(page.ar_by_month_chart(shown, currency, lang)), key="ar_by_month")
with right:
    top = shown.top_overdue()
    if top.empty:
        st.success(ui.tr("overview.no_overdue"))
    else:
        st.plotly_chart(
            ui.localised(page.top_overdue_chart(top, currency, lang)), key="top_overdue"
        )
        st.dataframe(
            top,
            hide_index=True,
            column_config={
                "customer": ui.tr("col.customer"),
                "overdue": ui.money_column(ui.tr("col.overdue")),
                "total": None,
                "oldest_bucket": ui.tr("col.oldest_bucket"),
            },
        )
