"""Provisions: expected credit loss by aging bucket and portfolio, roll rates, trend, 单项计提."""

import streamlit as st

import ui
import ui.provisions
from creditdash.errors import CreditDashError
from creditdash.presentation import parse_edges
from creditdash.provisioning import MIN_EXITS, provision, provision_trend
from creditdash.provisioning.charts import roll_rate_chart, trend_chart
from creditdash.provisioning.individual import list_individual
from creditdash.provisioning.view import MONEY, provision_view, rate_columns
from creditdash.risk.in_force import risk_inputs
from creditdash.simulate import customer_grades

ui.page_guard("pages/provisions.py")
st.title(ui.tr("prov.title"))
if ui.empty_state():
    st.stop()

as_of = ui.as_of()
currency = ui.settings().reporting_currency
engine = ui.engine()
lang = ui.lang()
# grades as the Customer risk page makes them (the policy in force, reports, limits)
grades = ui.computed(customer_grades, as_of, risk_inputs(engine))
PORTFOLIOS = ["none", "segment", "region", "grade"]
c1, c2, c3, c4, c5 = st.columns([1.2, 1.6, 1, 1, 1])
basis = c1.radio(
    ui.tr("prov.basis"),
    ["due", "invoice"],
    format_func={b: ui.tr(f"prov.basis.{b}") for b in ("due", "invoice")}.get,
    key="prov_basis",
    help=ui.tr("prov.basis.help"),
)
edges_text = c2.text_input(
    ui.tr("prov.edges"),
    "30, 60, 90, 180, 365" if basis == "due" else "365, 730, 1095",
    key=f"prov_edges_{basis}",
    help=ui.tr("prov.edges.help"),
)
portfolios: list[str] = [p for p in PORTFOLIOS if p != "grade" or grades is not None]
by = c3.selectbox(ui.tr("prov.portfolio"), portfolios,
                  format_func=lambda p: ui.tr(f"prov.portfolio.{p}"), key="prov_by")  # fmt: skip
months = c4.slider(
    ui.tr("prov.months"), 3, 24, 12, key="prov_months", help=ui.tr("prov.months.help")
)
overlay = c5.number_input(ui.tr("prov.overlay"), -50.0, 200.0, 0.0, 5.0, key="prov_overlay",
                          help=ui.tr("prov.overlay.help"))  # fmt: skip
s1, s2 = st.columns([2, 3])
source = s1.radio(
    ui.tr("prov.source"),
    ["history", "hand"],
    format_func={s: ui.tr(f"prov.source.{s}") for s in ("history", "hand")}.get,
    horizontal=True,
    key="prov_source",
)
per_portfolio = by != "none" and s2.checkbox(
    ui.tr("prov.per_portfolio"),
    key="prov_per_portfolio",
    help=ui.tr("prov.per_portfolio.help", n=MIN_EXITS),
)
try:
    edges = parse_edges(edges_text)
    settings = {
        "basis": basis,
        "edges": edges,
        "by": by,
        "months": months,
        "overlay": overlay / 100,
        "individual": list_individual(engine)[["customer_id", "rate", "reason"]],
        "grades": grades if by == "grade" else None,
        "per_portfolio": per_portfolio,
    }
    result = ui.computed(provision, as_of, **settings)
    if source == "hand":
        st.caption(ui.tr("prov.hand.caption"))
        edited = st.data_editor(result.wide("loss_rate"), hide_index=True, disabled=["bucket"],
                                key=f"prov_rates_{basis}_{edges}_{by}",
                                column_config=ui.columns(rate_columns(lang)))  # fmt: skip
        result = ui.computed(provision, as_of, **{**settings, "rates": edited})
    trend = ui.computed(provision_trend, as_of, points=7, **settings)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()

view = provision_view(result, trend, as_of, lang, currency)
ui.tiles(view.tiles, border=True)

st.subheader(ui.tr("prov.matrix"))
st.caption(ui.said_md(view.caption))
st.dataframe(view.matrix, hide_index=True, key="prov_matrix",
             column_config=ui.columns(view.columns["matrix"]))  # fmt: skip

if result.roll is not None and view.flows is not None:
    st.subheader(
        ui.tr("prov.roll"), help=ui.tr("prov.roll_help", write_off=ui.tr("prov.write_off"))
    )
    if view.assumed is not None:
        st.warning(ui.said_md(view.assumed))
    if view.fallback is not None:
        st.info(ui.said_md(view.fallback))
    left, right = st.columns([1, 1])
    left.dataframe(view.flows, hide_index=True, key="prov_flows",
                   column_config=ui.columns(view.columns["flows"]))  # fmt: skip
    roll_chart = roll_rate_chart(result.roll.monthly, lang=lang)
    right.plotly_chart(ui.localised(roll_chart), key="prov_roll_chart")

st.subheader(ui.tr("prov.trend"))
trend_figure = trend_chart(trend, currency=currency, lang=lang)
st.plotly_chart(ui.localised(trend_figure), key="prov_trend")

ui.provisions.individual_section(engine, view.individual, view.columns["individual"])
stem = f"provision_{as_of:%Y%m%d}"
ui.download_pair(view.matrix, view.sheets, stem, "prov", set(MONEY))
