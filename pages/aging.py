"""Receivables aging: by customer, segment, region or salesperson, with drill-down and downloads."""

import streamlit as st

import ui
from creditdash import charts
from creditdash.aging import bucket_labels, to_money
from creditdash.errors import CreditDashError
from creditdash.exports import to_csv_bytes, to_xlsx_bytes
from creditdash.presentation import items_of_group, labelled_aging, parse_edges

ui.page_guard("pages/aging.py")
st.title("Receivables aging")
if ui.empty_state():
    st.stop()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GROUPS = {
    "customer": "Customer",
    "segment": "Segment",
    "region": "Region",
    "salesperson": "Salesperson",
    "none": "Whole book",
}
c1, c2, c3 = st.columns([1, 2, 2])
basis = c1.radio(
    "Basis",
    ["due", "invoice"],
    format_func={"due": "Due date", "invoice": "Invoice date (账龄)"}.get,
    key="aging_basis",
    help="Due date: days past due (current = not yet due). Invoice date: days since the invoice.",
)
edges_text = c2.text_input(
    "Bucket edges (days)",
    "30, 60, 90, 180, 365",
    key="aging_edges",
    help="Upper edges of the buckets; e.g. 365, 730, 1095 for 1年以内 / 1-2年 / 2-3年 / 3年以上.",
)
by = c3.selectbox("Group by", list(GROUPS), format_func=GROUPS.get, key="aging_by")
try:
    edges = parse_edges(edges_text)
except CreditDashError as err:
    st.error(str(err))
    st.stop()

as_of = ui.as_of()
version = ui.version()
labels = bucket_labels(edges, basis)
table = ui.aging_table(version, as_of, basis, edges, by)
shown = labelled_aging(table, by)
currency = ui.settings().reporting_currency
st.caption(
    f"Outstanding at the end of {as_of:%Y-%m-%d} in {currency}; unapplied cash lowers each total."
)
if shown.empty:
    st.info("Nothing is outstanding at this date.")
    st.stop()

st.plotly_chart(
    charts.aging_bars(
        shown,
        "group",
        labels,
        currency=currency,
        title=f"Outstanding by {GROUPS[by].lower()} (largest 20)",
    ),
    key="aging_chart",
)
money_cols = {c: ui.money_column(c) for c in [*labels, "unapplied", "total"]}
event = st.dataframe(
    shown.drop(columns=[c for c in ("customer_id", "customer_name") if c in shown]),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    column_config={"group": GROUPS[by], **money_cols},
    key="aging_table",
)
totals = shown[[*labels, "unapplied", "total"]].sum()
st.caption("Totals: " + " · ".join(f"{k} {v:,.2f}" for k, v in totals.items()))

d1, d2, _ = st.columns([1, 1, 4])
stem = f"aging_{by}_{as_of:%Y%m%d}"
d1.download_button("Download CSV", to_csv_bytes(shown), f"{stem}.csv", "text/csv", key="dl_csv")
d2.download_button(
    "Download XLSX",
    to_xlsx_bytes({"Aging": shown}, money_columns={*labels, "unapplied", "total"}),
    f"{stem}.xlsx",
    XLSX,
    key="dl_xlsx",
)

rows = event.selection.rows if event is not None else []
if rows:
    row = table.iloc[rows[0]]
    items = items_of_group(ui.open_items(version, as_of, basis, edges), by, row)
    st.subheader(f"Open invoices: {shown.iloc[rows[0]]['group']}")
    shown_items = to_money(items)
    st.dataframe(
        shown_items,
        hide_index=True,
        key="drill_down",
        column_config={
            c: ui.money_column(c) for c in ("amount", "paid", "outstanding") if c in shown_items
        },
    )
    st.download_button(
        "Download these invoices (XLSX)",
        to_xlsx_bytes({"Open invoices": shown_items}, {"amount", "paid", "outstanding"}),
        f"open_invoices_{as_of:%Y%m%d}.xlsx",
        XLSX,
        key="dl_items",
    )
else:
    st.caption("Select a row to see its open invoices.")
