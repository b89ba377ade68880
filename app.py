"""creditdash: the app's entry point (navigation and the global sidebar)."""

from __future__ import annotations

import streamlit as st

import ui
from creditdash.errors import CreditDashError

st.set_page_config(page_title="creditdash", page_icon=":material/account_balance:", layout="wide")

# (script, title, icon) in menu order; a page joins the menu once its script exists.
PAGES = [
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/aging.py", "Receivables aging", ":material/stacked_bar_chart:"),
    ("pages/risk.py", "Customer risk", ":material/shield:"),
    ("pages/forecast.py", "Cash-flow forecast", ":material/waterfall_chart:"),
    ("pages/terms.py", "Credit terms", ":material/tune:"),
    ("pages/provisions.py", "Provisions", ":material/savings:"),
    ("pages/policy.py", "Credit policy", ":material/policy:"),
    ("pages/data.py", "Data", ":material/upload_file:"),
]
pages = [
    st.Page(path, title=title, icon=icon, default=(i == 0))
    for i, (path, title, icon) in enumerate(PAGES)
    if (ui.ROOT / path).is_file()
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
