"""Provisions: expected credit loss by aging bucket and portfolio, roll rates, trend, 单项计提."""

import streamlit as st

import ui
from creditdash.errors import CreditDashError
from creditdash.presentation import parse_edges
from creditdash.provisioning import MIN_EXITS, WHOLE_BOOK, provision, provision_trend
from creditdash.provisioning.charts import roll_rate_chart, trend_chart
from creditdash.provisioning.individual import (
    INDIVIDUAL_PERMISSION,
    list_individual,
    remove_individual,
    set_individual,
)
from creditdash.risk.in_force import risk_inputs
from creditdash.simulate import customer_grades, selection_options

ui.page_guard("pages/provisions.py")
st.title(ui.tr("prov.title"))
if ui.empty_state():
    st.stop()

as_of = ui.as_of()
currency = ui.settings().reporting_currency
engine = ui.engine()
WRITE_OFF = ui.tr("prov.write_off")
ROLL_HELP = ui.tr("prov.roll_help", write_off=WRITE_OFF)


def _grades():
    """Grades as the Customer risk page makes them (the policy in force, reports, limits)."""
    return ui.computed(customer_grades, as_of, risk_inputs(engine))


grades = _grades()
PORTFOLIOS = ["none", "segment", "region", "grade"]
# the matrix names the whole book's portfolio WHOLE_BOOK; shown in the user's language
PORTFOLIO_NAMES = {WHOLE_BOOK: ui.tr("prov.whole_book")}
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
by = c3.selectbox(
    ui.tr("prov.portfolio"),
    [p for p in PORTFOLIOS if p != "grade" or grades is not None],
    format_func={p: ui.tr(f"prov.portfolio.{p}") for p in PORTFOLIOS}.get,
    key="prov_by",
)
months = c4.slider(
    ui.tr("prov.months"), 3, 24, 12, key="prov_months", help=ui.tr("prov.months.help")
)
overlay = c5.number_input(
    ui.tr("prov.overlay"),
    -50.0,
    200.0,
    0.0,
    5.0,
    key="prov_overlay",
    help=ui.tr("prov.overlay.help"),
)
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
    individual = list_individual(engine)[["customer_id", "rate", "reason"]]
    settings = {
        "basis": basis,
        "edges": edges,
        "by": by,
        "months": months,
        "overlay": overlay / 100,
        "individual": individual,
        "grades": grades if by == "grade" else None,
        "per_portfolio": per_portfolio,
    }
    result = ui.computed(provision, as_of, **settings)
    if source == "hand":
        st.caption(ui.tr("prov.hand.caption"))
        start = result.wide("loss_rate")
        edited = st.data_editor(
            start,
            hide_index=True,
            disabled=["bucket"],
            key=f"prov_rates_{basis}_{edges}_{by}",
            column_config={"bucket": ui.tr("prov.col.bucket"), **PORTFOLIO_NAMES},
        )
        result = ui.computed(provision, as_of, **{**settings, "rates": edited})
    trend = ui.computed(provision_trend, as_of, points=7, **settings)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()

previous = trend["total"].iloc[-2]
balance = float(result.matrix["balance"].sum() + result.individual["balance"].sum())
tiles = [
    (ui.tr("prov.total"), ui.money_compact(result.total), ui.tr("prov.total.help")),
    (
        ui.tr("prov.collective"),
        ui.money_compact(result.collective),
        ui.tr("prov.collective.help"),
    ),
    (
        ui.tr("prov.individual"),
        ui.money_compact(result.individual_total),
        ui.tr("prov.individual.help"),
    ),
    (
        ui.tr("prov.change"),
        ui.money_compact(result.total - previous),
        ui.tr("prov.change.help", date=f"{trend['date'].iloc[-2]:%Y-%m-%d}"),
    ),
    (
        ui.tr("prov.coverage"),
        ui.pct(result.total / balance * 100 if balance else None),
        ui.tr("prov.coverage.help"),
    ),
]
for column, (label, text, formula) in zip(ui.tile_columns(len(tiles)), tiles, strict=True):
    column.metric(label, text, help=formula, border=True)

st.subheader(ui.tr("prov.matrix"))
st.caption(
    ui.tr(
        "prov.matrix.caption",
        as_of=f"{as_of:%Y-%m-%d}",
        currency=currency,
        rates=ui.tr("prov.rates.history" if result.roll is not None else "prov.rates.hand"),
        write_off=WRITE_OFF,
    )
)
matrix = result.matrix.assign(bucket=result.matrix["bucket"].astype(str).map(ui.bucket_name))
st.dataframe(
    matrix.replace({"portfolio": PORTFOLIO_NAMES}),
    hide_index=True,
    key="prov_matrix",
    column_config={
        "portfolio": ui.tr("prov.col.portfolio"),
        "bucket": ui.tr("prov.col.bucket"),
        "balance": ui.money_column(ui.tr("prov.col.balance"), help=ui.tr("prov.col.balance.help")),
        "loss_rate": st.column_config.NumberColumn(
            ui.tr("prov.col.loss_rate"), format="percent", help=ROLL_HELP
        ),
        "ecl": ui.money_column(ui.tr("prov.col.ecl"), help=ui.tr("prov.col.ecl.help")),
    },
)
wide = result.wide("ecl")

if result.roll is not None:
    st.subheader(ui.tr("prov.roll"), help=ROLL_HELP)
    if result.roll.assumed:
        st.warning(ui.tr_md("prov.roll.assumed", buckets=", ".join(result.roll.assumed)))
    own = result.by_portfolio
    if own is not None and own.fallback:
        thin = "; ".join(
            f"{PORTFOLIO_NAMES.get(name, name)}: {', '.join(buckets)}"
            for name, buckets in own.fallback.items()
        )
        st.info(ui.tr_md("prov.roll.fallback", n=own.min_exits, where=thin))
    left, right = st.columns([1, 1])
    if own is None:
        flows = result.roll.flows.assign(loss_rate=result.roll.loss_rates.iloc[:-1].to_numpy())
    else:
        sources = {"book": ui.tr("prov.from.book"), "portfolio": ui.tr("prov.from.portfolio")}
        flows = own.flows.replace({"portfolio": PORTFOLIO_NAMES, "source": sources})
    left.dataframe(
        flows.assign(bucket=flows["bucket"].astype(str).map(ui.bucket_name)),
        hide_index=True,
        key="prov_flows",
        column_config={
            "portfolio": ui.tr("prov.col.portfolio"),
            "exits": st.column_config.NumberColumn(
                ui.tr("prov.col.exits"), help=ui.tr("prov.col.exits.help")
            ),
            "used": st.column_config.NumberColumn(
                ui.tr("prov.col.used"), format="percent", help=ui.tr("prov.col.used.help")
            ),
            "source": st.column_config.TextColumn(
                ui.tr("prov.col.source"), help=ui.tr("prov.col.source.help", n=MIN_EXITS)
            ),
            "bucket": ui.tr("prov.col.bucket"),
            "rolled": ui.money_column(ui.tr("prov.col.rolled"), help=ui.tr("prov.col.rolled.help")),
            "exited": ui.money_column(ui.tr("prov.col.exited"), help=ui.tr("prov.col.exited.help")),
            "roll_rate": st.column_config.NumberColumn(
                ui.tr("prov.col.roll_rate"), format="percent", help=ROLL_HELP
            ),
            "loss_rate": st.column_config.NumberColumn(
                ui.tr("prov.col.loss_rate"),
                format="percent",
                help=ui.tr("prov.col.loss_rate.help"),
            ),
        },
    )
    right.plotly_chart(
        ui.localised(
            roll_rate_chart(
                result.roll.monthly.rename(columns=ui.bucket_name),
                title=ui.tr("prov.chart.roll"),
                y_title=ui.tr("prov.chart.roll.y"),
            )
        ),
        key="prov_roll_chart",
    )

st.subheader(ui.tr("prov.trend"))
st.plotly_chart(
    ui.localised(
        trend_chart(
            trend,
            currency=currency,
            title=ui.tr("prov.chart.trend"),
            y_title=ui.tr("prov.chart.trend.y", currency=currency),
            y2_title=ui.tr("prov.chart.trend.y2"),
            names={
                "collective": ui.tr("prov.chart.trend.collective"),
                "individual": ui.tr("prov.chart.trend.individual"),
                "coverage": ui.tr("prov.chart.trend.coverage"),
            },
        )
    ),
    key="prov_trend",
)

st.subheader(ui.tr("prov.ind"))
st.caption(ui.tr("prov.ind.caption"))
if result.individual.empty:
    st.caption(ui.tr("prov.ind.none"))
else:
    st.dataframe(
        result.individual,
        hide_index=True,
        key="prov_individual",
        column_config={
            "customer_id": ui.tr("prov.col.customer_id"),
            "customer_name": ui.tr("prov.col.customer_name"),
            "balance": ui.money_column(ui.tr("prov.col.open_balance")),
            "rate": st.column_config.NumberColumn(ui.tr("prov.col.rate"), format="percent"),
            "ecl": ui.money_column(ui.tr("prov.col.ecl"), help=ui.tr("prov.col.ind_ecl.help")),
            "reason": ui.tr("prov.col.reason"),
        },
    )
may_assess = ui.permitted(INDIVIDUAL_PERMISSION)
with st.form("prov_add_individual"):
    f1, f2, f3 = st.columns([1.2, 1, 2])
    customer = f1.selectbox(
        ui.tr("prov.ind.customer"),
        selection_options(ui.ledger(), "customers"),
        key="prov_customer",
    )
    rate = f2.number_input(ui.tr("prov.ind.rate"), 0.0, 100.0, 100.0, 5.0, key="prov_rate")
    reason = f3.text_input(
        ui.tr("prov.ind.reason"),
        key="prov_reason",
        placeholder=ui.tr("prov.ind.reason.placeholder"),
    )
    if st.form_submit_button(ui.tr("prov.ind.assess"), disabled=not may_assess):
        try:
            set_individual(engine, customer, rate / 100, reason, actor=ui.actor())
            st.rerun()
        except CreditDashError as err:
            st.error(ui.error_text(err))
if not result.individual.empty:
    r1, r2 = st.columns([2, 1])
    back = r1.selectbox(
        ui.tr("prov.ind.back_which"), result.individual["customer_id"], key="prov_back"
    )
    if r2.button(ui.tr("prov.ind.back"), key="prov_remove", disabled=not may_assess):
        try:
            remove_individual(engine, back, actor=ui.actor())
            st.rerun()
        except CreditDashError as err:
            st.error(ui.error_text(err))

sheets = {
    "Matrix": matrix,
    "ECL by portfolio": wide,
    "Individual": result.individual,
    "Trend": trend,
}
if result.roll is not None:
    sheets["Roll rates"] = flows
    sheets["Roll rates by month"] = result.roll.monthly
stem = f"provision_{as_of:%Y%m%d}"
PROV_MONEY = {"balance", "ecl", "collective", "individual", "total", "rolled", "exited"}
ui.download_pair(matrix, sheets, stem, "prov", PROV_MONEY)
