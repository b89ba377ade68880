"""Receivables aging: by customer, segment, region or salesperson, with drill-down and downloads."""

import streamlit as st

import ui
from creditdash import charts
from creditdash.aging import Basis, GroupBy, bucket_labels, exchange_differences, to_money
from creditdash.collections.records import disputes
from creditdash.collections.view import disputed_amounts
from creditdash.errors import CreditDashError
from creditdash.exports import XLSX_MIME, to_xlsx_bytes
from creditdash.presentation import items_of_group, labelled_aging, parse_edges
from creditdash.report import labels as words

GROUPS: list[GroupBy] = ["customer", "segment", "region", "salesperson", "none"]
BASES: list[Basis] = ["due", "invoice"]

ui.page_guard("pages/aging.py")
st.title(ui.tr("aging.title"))
if ui.empty_state():
    st.stop()

c1, c2, c3 = st.columns([1, 2, 2])
basis = c1.radio(
    ui.tr("aging.basis"),
    BASES,
    format_func=lambda b: ui.tr(f"aging.basis.{b}"),
    key="aging_basis",
    help=ui.tr("aging.basis.help"),
)
edges_text = c2.text_input(
    ui.tr("aging.edges"), "30, 60, 90, 180, 365", key="aging_edges", help=ui.tr("aging.edges.help")
)
by = c3.selectbox(
    ui.tr("aging.by"), GROUPS, format_func=lambda g: ui.tr(f"group.{g}"), key="aging_by"
)
try:
    edges = parse_edges(edges_text)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()

as_of = ui.as_of()
version = ui.version()
lang = ui.lang()
labels = bucket_labels(edges, basis)
money_columns = [*labels, "unapplied", "total"]
names = {c: words.bucket(c, lang) for c in money_columns}  # current / unapplied / total in `lang`
table = ui.aging_table(version, as_of, basis, edges, by)
shown = labelled_aging(
    table, by, all_label=ui.tr("aging.all_customers"), missing_label=ui.tr("aging.no_value")
)
currency = ui.settings().reporting_currency
st.caption(ui.tr("aging.caption", as_of=f"{as_of:%Y-%m-%d}", currency=currency))
if shown.empty:
    st.info(ui.tr("aging.nothing"))
    st.stop()

group_name = ui.tr(f"group.{by}")
held = bool(shown["retention"].any())  # of which retention (质保金) not yet due: shown when some
figure = charts.aging_bars(
    shown,
    "group",
    labels,
    currency=currency,
    title=ui.tr("aging.chart", group=group_name if lang == "zh" else group_name.lower()),
    x_title=ui.tr("chart.outstanding"),
    names=names,
)
st.plotly_chart(ui.localised(figure), key="aging_chart")
event = ui.table(
    shown.drop(columns=[c for c in ("customer_id", "customer_name") if c in shown]),
    first=("group", "total"),  # the total before the buckets, never off the right edge
    on_select="rerun",
    selection_mode="single-row",
    column_config={
        "group": group_name,
        **{c: ui.money_column(names[c]) for c in money_columns},
        "retention": ui.money_column(ui.tr("aging.retention")) if held else None,
    },
    key="aging_table",
)
totals = shown[money_columns].sum()
st.caption(
    ui.tr("aging.totals", totals=" · ".join(f"{names[k]} {ui.money(v)}" for k, v in totals.items()))
)
if held:
    st.caption(ui.tr("aging.retention_caption", amount=ui.money(shown["retention"].sum())))

if ui.ledger().has_foreign_currency:  # foreign balances are at the as-of rate: what that adds
    fx = to_money(exchange_differences(ui.ledger(), as_of, by=by))
    total = to_money(exchange_differences(ui.ledger(), as_of, by="none")).iloc[0]
    st.caption(ui.tr("aging.fx_caption", amount=ui.money(total["exchange_difference"])))
    if by != "none" and not fx.empty:
        with st.expander(ui.tr("aging.fx_table")):
            st.dataframe(fx, hide_index=True, column_config={
                c: ui.money_column(ui.tr(f"aging.fx.{c}"))
                for c in ("at_transaction_rates", "at_as_of_rate", "exchange_difference")
            })  # fmt: skip

# disputed invoices are in the totals above but not collectable: shown apart
disputed = disputed_amounts(ui.ledger(), as_of, disputes(ui.engine()),
                            items=ui.open_items(version, as_of, basis, edges))  # fmt: skip
if not disputed.empty:
    st.caption(ui.tr("aging.disputed_caption", n=len(disputed),
                     amount=ui.money(disputed["disputed_cents"].sum() / 100)))  # fmt: skip
    with st.expander(ui.tr("aging.disputed_table")):
        st.dataframe(to_money(disputed), hide_index=True, key="aging_disputed", column_config={
            "customer_id": ui.tr("aging.disputed.customer_id"),
            "customer_name": ui.tr("aging.disputed.customer_name"),
            "disputed": ui.money_column(ui.tr("aging.disputed.disputed")),
            "disputed_items": ui.tr("aging.disputed.disputed_items"),
            "recorded": ui.money_column(ui.tr("aging.disputed.recorded"),
                                        ui.tr("aging.disputed.recorded.help")),
        })  # fmt: skip

stem = f"aging_{by}_{as_of:%Y%m%d}"
ui.download_pair(
    shown, {ui.tr("aging.sheet.aging"): shown}, stem, "dl", {*money_columns, "retention"}
)

rows = event.selection.rows if event is not None else []
if not rows:
    st.caption(ui.tr("aging.select"))
    st.stop()
row = table.iloc[rows[0]]
items = items_of_group(ui.open_items(version, as_of, basis, edges), by, row)
st.subheader(ui.tr_md("aging.items", group=shown.iloc[rows[0]]["group"]))
shown_items = to_money(items)
shown_items["part"] = [  # an instalment, or retention and whether it is due yet
    ui.tr(f"aging.part.{p}" + (".not_due" if p == "retention" and d <= 0 else ""))
    if isinstance(p, str) else ""
    for p, d in zip(items["part"], items["dpd"], strict=True)
]  # fmt: skip
item_money = {"amount", "paid", "outstanding"}
st.dataframe(
    words.values(shown_items, lang),
    hide_index=True,
    key="drill_down",
    column_config={
        c: ui.money_column(words.column(c, lang)) if c in item_money else words.column(c, lang)
        for c in shown_items.columns
    },
)
st.download_button(
    ui.tr("download.items"),
    to_xlsx_bytes({ui.tr("aging.sheet.items"): shown_items}, item_money),
    f"open_invoices_{as_of:%Y%m%d}.xlsx",
    XLSX_MIME,
    key="dl_items",
)
