"""creditdash: the app's entry point (navigation and the global sidebar)."""

from __future__ import annotations

import streamlit as st

import ui
from creditdash.errors import CreditDashError

st.set_page_config(page_title="creditdash", page_icon=":material/account_balance:", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/aging.py", title="Receivables aging", icon=":material/stacked_bar_chart:"),
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
]
page = st.navigation(pages)
st.session_state["_shell"] = True
deep_link = st.session_state.pop("_deep_link", None)
if deep_link:
    st.switch_page(deep_link)

with st.sidebar:
    try:
        with st.spinner("Opening the database…"):
            ledger = ui.ledger()
    except CreditDashError as err:
        st.error(str(err))
        st.stop()
    if ledger.is_empty:
        st.caption("No data yet")
    else:
        first, last = ledger.first_date.date(), ledger.last_date.date()
        if "as_of" not in st.session_state or st.session_state["as_of"] is None:
            st.session_state["as_of"] = last
        st.date_input(
            "As-of date",
            key="as_of",
            min_value=first,
            help="Every page shows the receivables as they stood at the end of this day: "
            "invoices dated on or before it, payments received on or before it.",
        )
    st.divider()
    counts = ui.row_counts(ui.engine())
    url = ui.settings().db_url
    backend = "SQLite file" if url.startswith("sqlite") else "PostgreSQL"
    st.caption(f"**Data source:** {backend}")
    st.caption(
        f"{counts['customers']:,} customers · {counts['invoices']:,} invoices · "
        f"{counts['payments']:,} payments"
    )
    last_import = ui.last_import()
    if last_import:
        st.caption(f"Last import: {last_import}")
    st.caption(f"Figures in {ui.settings().reporting_currency}")

page.run()
