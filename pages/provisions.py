"""Provisions: expected credit loss by aging bucket and portfolio, roll rates, trend, 单项计提."""

import streamlit as st

import ui
from creditdash.errors import CreditDashError
from creditdash.exports import to_csv_bytes, to_xlsx_bytes
from creditdash.presentation import parse_edges
from creditdash.provisioning import provision, provision_trend
from creditdash.provisioning.charts import roll_rate_chart, trend_chart
from creditdash.simulate import customer_grades, selection_options
from creditdash.store.terms import list_individual, remove_individual, set_individual

ui.page_guard("pages/provisions.py")
st.title("Provisions")
if ui.empty_state():
    st.stop()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
as_of = ui.as_of()
currency = ui.settings().reporting_currency
engine = ui.engine()
WRITE_OFF = (
    "Write-off = the last, open-ended bucket (>365 days past due with the default edges): "
    "its loss rate is 100%."
)
ROLL_HELP = (
    "Roll rate of a bucket = of the balance that left it during a month (paid, or aged unpaid "
    "into a later bucket), the share that left unpaid; with 30-day buckets, the share of the "
    "bucket's balance still unpaid one month later in the next bucket. Loss rate = the product "
    "of the roll rates from the bucket to write-off, x (1 + overlay), capped at 100%. " + WRITE_OFF
)


def _grades():
    try:
        from creditdash.risk.policy_store import current_policy
    except ImportError:
        return None
    return ui.computed(customer_grades, as_of, current_policy(engine).json)


grades = _grades()
PORTFOLIOS = {"none": "Whole book", "segment": "Segment", "region": "Region", "grade": "Risk grade"}
c1, c2, c3, c4, c5 = st.columns([1.2, 1.6, 1, 1, 1])
basis = c1.radio(
    "Basis",
    ["due", "invoice"],
    format_func={"due": "Due date", "invoice": "Invoice date (账龄)"}.get,
    key="prov_basis",
    help="Due date: days past due. Invoice date (账龄): days since the invoice, in your bands.",
)
edges_text = c2.text_input(
    "Bucket edges (days)",
    "30, 60, 90, 180, 365" if basis == "due" else "365, 730, 1095",
    key=f"prov_edges_{basis}",
    help="Upper edges of the buckets; the last, open-ended bucket is treated as written off.",
)
by = c3.selectbox(
    "Portfolio",
    [p for p in PORTFOLIOS if p != "grade" or grades is not None],
    format_func=PORTFOLIOS.get,
    key="prov_by",
)
months = c4.slider("History (months)", 3, 24, 12, key="prov_months", help="Months of roll rates.")
overlay = c5.number_input(
    "Forward-looking overlay %",
    -50.0,
    200.0,
    0.0,
    5.0,
    key="prov_overlay",
    help="Loss rates from history x (1 + overlay): e.g. +10 when the outlook is worse than the past year.",
)
source = st.radio(
    "Loss rates",
    ["history", "hand"],
    format_func={"history": "From our history (roll rates)", "hand": "Entered by hand"}.get,
    horizontal=True,
    key="prov_source",
)
try:
    edges = parse_edges(edges_text)
    individual = list_individual(engine)[["customer_id", "rate", "reason"]]
    settings = {
        "basis": basis,
        "edges": edges,
        "by": by,
        "months": months,
        "overlay": overlay / 100,
        "individual": individual,
        "grades": grades if by == "grade" else None,
    }
    result = ui.computed(provision, as_of, **settings)
    if source == "hand":
        st.caption(
            "Rates per bucket (rows) and portfolio (columns), as fractions (0.05 = 5%); "
            "prefilled with the rates from history."
        )
        start = result.wide("loss_rate")
        edited = st.data_editor(
            start,
            hide_index=True,
            disabled=["bucket"],
            key=f"prov_rates_{basis}_{edges}_{by}",
        )
        result = ui.computed(provision, as_of, **{**settings, "rates": edited})
    trend = ui.computed(provision_trend, as_of, points=7, **settings)
except CreditDashError as err:
    st.error(str(err))
    st.stop()

previous = trend["total"].iloc[-2]
balance = float(result.matrix["balance"].sum() + result.individual["balance"].sum())
tiles = [
    (
        "Provision",
        ui.money_compact(result.total),
        None,
        "Collective (balance x loss rate over the matrix) + individually assessed.",
    ),
    (
        "Collective",
        ui.money_compact(result.collective),
        None,
        "ECL = sum over buckets and portfolios of balance x loss rate.",
    ),
    (
        "Individual (单项计提)",
        ui.money_compact(result.individual_total),
        None,
        "Open balance x the customer's own rate, for customers assessed individually.",
    ),
    (
        "Since last month-end",
        ui.money_compact(result.total - previous),
        None,
        f"Provision now - provision at {trend['date'].iloc[-2]:%Y-%m-%d} (rates as they stood then).",
    ),
    (
        "Coverage",
        ui.pct(result.total / balance * 100 if balance else None),
        None,
        "Provision / gross open invoice balance (credit notes and unapplied cash left out).",
    ),
]
for column, (label, text, delta, formula) in zip(st.columns(len(tiles)), tiles, strict=True):
    column.metric(label, text, delta=delta, help=formula, border=True)

st.subheader("Provision matrix")
st.caption(
    f"Open invoice balances at {as_of:%Y-%m-%d} by bucket and portfolio, in {currency}. "
    + ("Rates from history. " if result.roll is not None else "Rates entered by hand. ")
    + WRITE_OFF
)
matrix = result.matrix.assign(bucket=result.matrix["bucket"].astype(str))
st.dataframe(
    matrix,
    hide_index=True,
    key="prov_matrix",
    column_config={
        "balance": ui.money_column("Balance", help="Open invoice balance (positive outstanding)."),
        "loss_rate": st.column_config.NumberColumn("Loss rate", format="percent", help=ROLL_HELP),
        "ecl": ui.money_column("ECL", help="Balance x loss rate."),
    },
)
wide = result.wide("ecl")

if result.roll is not None:
    st.subheader("Roll rates", help=ROLL_HELP)
    if result.roll.assumed:
        st.warning(
            "No history for bucket(s) " + ", ".join(result.roll.assumed) + ": their roll rate is "
            "taken as 100%."
        )
    left, right = st.columns([1, 1])
    flows = result.roll.flows.assign(loss_rate=result.roll.loss_rates.iloc[:-1].to_numpy())
    left.dataframe(
        flows,
        hide_index=True,
        key="prov_flows",
        column_config={
            "rolled": ui.money_column(
                "Rolled unpaid", help="Balance that aged into a later bucket unpaid."
            ),
            "exited": ui.money_column("Left the bucket", help="Rolled + paid while in the bucket."),
            "roll_rate": st.column_config.NumberColumn(
                "Roll rate", format="percent", help=ROLL_HELP
            ),
            "loss_rate": st.column_config.NumberColumn(
                "Loss rate",
                format="percent",
                help="Product of the roll rates to write-off (before overlay).",
            ),
        },
    )
    right.plotly_chart(roll_rate_chart(result.roll.monthly), key="prov_roll_chart")

st.subheader("Trend")
st.plotly_chart(trend_chart(trend, currency=currency), key="prov_trend")

st.subheader("Individually assessed customers (单项计提)")
st.caption("Taken out of the matrix and of the roll-rate history; provided at their own rate.")
if result.individual.empty:
    st.caption("None yet.")
else:
    st.dataframe(
        result.individual,
        hide_index=True,
        key="prov_individual",
        column_config={
            "balance": ui.money_column("Open balance"),
            "rate": st.column_config.NumberColumn("Rate", format="percent"),
            "ecl": ui.money_column("ECL", help="Open balance x rate."),
        },
    )
with st.form("prov_add_individual"):
    f1, f2, f3 = st.columns([1.2, 1, 2])
    customer = f1.selectbox(
        "Customer", selection_options(ui.ledger(), "customers"), key="prov_customer"
    )
    rate = f2.number_input("Rate %", 0.0, 100.0, 100.0, 5.0, key="prov_rate")
    reason = f3.text_input(
        "Reason", key="prov_reason", placeholder="e.g. in bankruptcy proceedings"
    )
    if st.form_submit_button("Assess individually"):
        try:
            actor = ui.actor()
            actor.require("edit_policy")
            set_individual(engine, customer, rate / 100, reason, who=actor.who)
            st.rerun()
        except CreditDashError as err:
            st.error(str(err))
if not result.individual.empty:
    r1, r2 = st.columns([2, 1])
    back = r1.selectbox(
        "Return a customer to the matrix", result.individual["customer_id"], key="prov_back"
    )
    if r2.button("Return to the matrix", key="prov_remove"):
        try:
            ui.actor().require("edit_policy")
            remove_individual(engine, back)
            st.rerun()
        except CreditDashError as err:
            st.error(str(err))

sheets = {
    "Matrix": matrix,
    "ECL by portfolio": wide,
    "Individual": result.individual,
    "Trend": trend,
}
if result.roll is not None:
    sheets["Roll rates"] = flows
    sheets["Roll rates by month"] = result.roll.monthly
d1, d2, _ = st.columns([1, 1, 4])
stem = f"provision_{as_of:%Y%m%d}"
d1.download_button("Download CSV", to_csv_bytes(matrix), f"{stem}.csv", "text/csv", key="prov_csv")
d2.download_button(
    "Download XLSX",
    to_xlsx_bytes(
        sheets, {"balance", "ecl", "collective", "individual", "total", "rolled", "exited"}
    ),
    f"{stem}.xlsx",
    XLSX,
    key="prov_xlsx",
)
