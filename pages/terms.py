"""Credit terms: what new terms do to sales, DSO, cash, bad debt and profit; working capital."""

import pandas as pd
import streamlit as st

import ui
from creditdash import working_capital as wc
from creditdash.aging import to_money
from creditdash.errors import CreditDashError, ImportRejected
from creditdash.exports import to_csv_bytes
from creditdash.forecast import cash_forecast
from creditdash.risk.in_force import risk_inputs
from creditdash.simulate import (
    BETTER,
    Scenario,
    Selection,
    book_payment_curve,
    break_even,
    break_even_default_rate,
    cash_reconciliation,
    collections_basis,
    collections_shift,
    compare,
    cost_of_forgoing_discount,
    customer_grades,
    measure_baseline,
    parse_inputs,
    scenario_inputs,
    selection_options,
    simulate,
    tornado,
)
from creditdash.simulate.charts import collections_shift_chart, tornado_chart, waterfall
from creditdash.simulate.scenarios import delete_scenario, list_scenarios, save_scenario

ui.page_guard("pages/terms.py")
st.title(ui.tr("terms.title"))
if ui.empty_state():
    st.stop()

CURRENT = "current sliders"  # the comparison's column of the scenario on screen
as_of = ui.as_of()
currency = ui.settings().reporting_currency
engine = ui.engine()
st.caption(ui.tr("terms.caption", as_of=f"{as_of:%Y-%m-%d}", currency=currency))


def _grades():
    """Grades as the Customer risk page makes them (the policy in force, reports, limits)."""
    return ui.computed(customer_grades, as_of, risk_inputs(engine))


def _collections_basis():
    """The base cash forecast (shared with the Cash-flow forecast page) and the book's payment curve.

    Fitted once per as-of date and data version.
    """
    with st.spinner(ui.tr("terms.weekly.spinner")):
        forecast = ui.shared(cash_forecast, as_of, 13)
        return collections_basis(forecast, ui.computed(book_payment_curve, as_of))


def _apply_uploaded_figures(upload) -> None:
    """Fill the working-capital inputs from an uploaded file, or list what is wrong with it.

    A file is read once; its row in force at the as-of date fills the inputs
    when the file or the date changes (they stay editable). A rejected file
    changes nothing.
    """
    if upload is None:
        return
    if st.session_state.get("wc_file") != upload.file_id:
        try:
            read = wc.read_figures(upload.name, upload.getvalue())
        except CreditDashError as err:
            read = err
        st.session_state["wc_file"], st.session_state["wc_read"] = upload.file_id, read
    read = st.session_state["wc_read"]
    if isinstance(read, ImportRejected):
        st.error(ui.tr("terms.wc.rejected", n=len(read.errors)))
        frame = pd.DataFrame([p.as_dict() for p in read.problems])
        frame["message"] = [ui.problem_text(p) for p in read.problems]
        column_names = {c: ui.tr(f"problem.{c}") for c in frame}
        st.dataframe(frame, hide_index=True, key="wc_problems", column_config=column_names)
        return
    if isinstance(read, CreditDashError):
        st.error(ui.error_text(read))
        return
    try:
        row = wc.figures_at(read, as_of)
    except CreditDashError as err:
        st.error(ui.error_text(err))
        return
    if st.session_state.get("wc_applied") != (upload.file_id, as_of):
        st.session_state["wc_applied"] = (upload.file_id, as_of)
        st.session_state["wc_inventory"], st.session_state["wc_ap"] = row["inventory"], row["ap"]
        st.session_state["wc_cogs"] = row["cogs"] or 0.0
    st.caption(ui.tr_md("terms.wc.from_file", file=upload.name, date=f"{row['date']:%Y-%m-%d}"))


def _signed(change: float, fmt) -> str | None:
    """A change as the tile shows it, "+12.3 d" / "-¥1.2万"; None when it shows as nothing."""
    text = fmt(abs(change))
    if text == fmt(0.0):
        return None
    return ("-" if change < 0 else "+") + text


def _selection_label(selection: Selection) -> str:
    """`Selection.label()` in the user's language: "All customers" or "Segment: SME, …"."""
    shown = ", ".join(selection.values[:3]) + (" …" if len(selection.values) > 3 else "")
    return ui.tr(f"terms.selection.{selection.kind}", values=shown)


KINDS = ["all", "grade", "segment", "region", "customers"]
grades = _grades()
kinds = [k for k in KINDS if k != "grade" or grades is not None]

# --- who and what ------------------------------------------------------------
left, right = st.columns([1, 2])
kind = left.selectbox(
    ui.tr("terms.kind"),
    kinds,
    format_func={k: ui.tr(f"terms.kind.{k}") for k in kinds}.get,
    key="terms_kind",
)
values: list[str] = []
if kind == "grade":
    options = sorted(grades.unique().tolist())
    values = right.multiselect(
        ui.tr("terms.grades"), options, default=options[-1:], key="terms_grades"
    )
elif kind in ("segment", "region", "customers"):
    options = selection_options(ui.ledger(), kind)
    values = right.multiselect(
        ui.tr(f"terms.values.{kind}"),
        options,
        default=options[:1],
        key=f"terms_{kind}",
    )
try:
    selection = Selection(kind, tuple(values))
    baseline = ui.computed(measure_baseline, as_of, selection, grades if kind == "grade" else None)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()

st.subheader(
    ui.tr_md("terms.today", selection=_selection_label(selection), customers=baseline.customers)
)
# the help texts are BASELINE_DEFINITIONS, in the catalogue under terms.def.<key>
tiles = [
    ("credit_sales", ui.money_compact(baseline.credit_sales)),
    ("ar", ui.money_compact(baseline.ar)),
    ("dso", ui.days(baseline.dso)),
    ("terms_days", ui.days(baseline.terms_days)),
    ("days_late", ui.days(baseline.days_late)),
    ("bad_debt_rate", ui.pct(baseline.bad_debt_rate * 100)),
]
for column, (key, text) in zip(ui.tile_columns(len(tiles)), tiles, strict=True):
    column.metric(ui.tr(f"terms.tile.{key}"), text, help=ui.tr(f"terms.def.{key}"), border=True)

# --- new terms and assumptions -----------------------------------------------
today_terms = int(round(baseline.terms_days))
t1, t2, t3 = st.columns(3)
with t1:
    st.markdown(f"**{ui.tr('terms.new_terms')}**")
    net = st.slider(
        ui.tr("terms.in.net"),
        0,
        180,
        today_terms,
        5 if today_terms % 5 == 0 else 1,
        key="terms_net",
    )
    discount = st.slider(ui.tr("terms.in.discount"), 0.0, 5.0, 0.0, 0.25, key="terms_discount")
    discount_days = st.slider(ui.tr("terms.in.discount_days"), 0, 30, 10, key="terms_discount_days")
    late = st.slider(ui.tr("terms.in.late"), 0.0, 24.0, 0.0, 0.5, key="terms_late")
with t2:
    st.markdown(f"**{ui.tr('terms.reaction')}**")
    take_up = st.slider(
        ui.tr("terms.in.take_up"),
        0,
        100,
        40,
        5,
        key="terms_take_up",
        help=ui.tr("terms.in.take_up.help"),
    )
    sales_change = st.slider(ui.tr("terms.in.sales"), -30.0, 30.0, 0.0, 0.5, key="terms_sales")
    bad_change = st.slider(
        ui.tr("terms.in.bad"),
        -2.0,
        5.0,
        0.0,
        0.1,
        key="terms_bad",
        help=ui.tr("terms.in.bad.help"),
    )
with t3:
    st.markdown(f"**{ui.tr('terms.company')}**")
    variable = st.slider(ui.tr("terms.in.variable"), 0, 100, 70, 1, key="terms_variable")
    capital = st.slider(ui.tr("terms.in.capital"), 0.0, 20.0, 8.0, 0.5, key="terms_capital")
    if net == today_terms:
        st.caption(ui.tr("terms.in.net_unchanged", days=ui.days(baseline.terms_days)))

try:
    scenario = Scenario(
        net_days=None if net == today_terms else float(net),
        discount=discount / 100,
        discount_days=float(discount_days),
        late_interest=late / 100,
        take_up=take_up / 100,
        sales_change=sales_change / 100,
        bad_debt_change=bad_change / 100,
        variable_cost_ratio=variable / 100,
        cost_of_capital=capital / 100,
    )
    result = simulate(baseline, scenario)
    spread = tornado(baseline, scenario)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()

# --- results -----------------------------------------------------------------
st.subheader(ui.tr("terms.effect"))
# levels before -> after: the new level, its change (arrow: which way; colour: good for profit)
st.markdown(ui.tr("terms.levels"))
LEVEL_FORMATS = {"dso": ui.days}
levels = result.table().set_index("figure")
shown_levels = ["credit_sales", "dso", "ar", "bad_debt", "carrying_cost", "discount_cost"]
level_columns = [c for _ in range(2) for c in st.columns(3)]  # two rows: room for the changes
for column, figure in zip(level_columns, shown_levels, strict=True):
    fmt = LEVEL_FORMATS.get(figure, ui.money_compact)
    row = levels.loc[figure]
    change = _signed(row["change"], fmt)
    column.metric(
        ui.tr(f"terms.level.{figure}"),
        fmt(row["scenario"]),
        delta=change,
        delta_color="inverse" if BETTER[figure] == "down" else "normal",
        delta_description=None
        if change is None
        else ui.tr("terms.level.from", value=fmt(row["baseline"])),
        help=ui.tr(f"terms.level.help.{figure}"),
        border=True,
    )
# changes: what the new terms add to profit a year
st.markdown(ui.tr("terms.changes"))
rate = ui.pct(scenario.cost_of_capital * 100)
for column, (figure, value) in zip(
    st.columns(3), (("net", result.net), ("npv", result.npv)), strict=False
):
    column.metric(
        ui.tr(f"terms.out.{figure}", k=rate),
        ui.money_compact(value),
        help=ui.tr(f"terms.out.help.{figure}", k=rate),
        border=True,
    )

chart_left, chart_right = st.columns(2)
components = result.components()
chart_left.plotly_chart(
    ui.localised(
        waterfall(
            components,
            currency=currency,
            title=ui.tr("terms.chart.waterfall"),
            y_title=ui.tr("terms.chart.waterfall.y", currency=currency),
            labels={c: ui.tr(f"terms.component.{c}") for c in components["component"]},
            no_change=ui.tr("terms.chart.no_change"),
        )
    ),
    key="terms_waterfall",
)
chart_right.plotly_chart(
    ui.localised(
        tornado_chart(
            spread,
            result.net,
            currency=currency,
            title=ui.tr("terms.chart.tornado"),
            x_title=ui.tr("terms.chart.tornado.x", currency=currency),
            labels={a: ui.tr(f"terms.assumption.{a}") for a in spread["assumption"]},
            legend=(ui.tr("terms.chart.low"), ui.tr("terms.chart.high")),
            net_name=ui.tr("terms.chart.net"),
        )
    ),
    key="terms_tornado",
)

notes = []
for name, label in (
    ("sales_change", ui.tr("terms.be.sales_change")),
    ("take_up", ui.tr("terms.be.take_up")),
):
    value = break_even(baseline, scenario, name)
    if value is not None:
        inside = name != "take_up" or 0 <= value <= 1
        notes.append(
            ui.tr("terms.be", what=label, value=f"{value:+.2%}")
            + ("" if inside else ui.tr("terms.be.outside"))
        )
if scenario.discount > 0 and scenario.discount_days < (scenario.net_days or baseline.terms_days):
    terms_net = scenario.net_days or baseline.terms_days
    forgo = cost_of_forgoing_discount(scenario.discount, scenario.discount_days, terms_net)
    even = break_even_default_rate(
        scenario.discount, scenario.discount_days, terms_net, scenario.cost_of_capital
    )
    notes.append(ui.tr("terms.be.forgo", value=f"{forgo:.2%}"))
    notes.append(ui.tr("terms.be.default", value=f"{even:.2%}"))
if notes:
    st.markdown(" · ".join(notes), help=ui.tr("terms.be.help"))

# --- the next 13 weeks --------------------------------------------------------
weekly = basis = None
try:
    basis = _collections_basis()
    weekly = None if basis is None else collections_shift(basis, baseline, scenario)
except CreditDashError as err:
    st.caption(ui.tr("terms.weekly.unavailable", reason=ui.error_text(err)))
if weekly is not None:
    st.subheader(ui.tr("terms.weekly"), help=ui.tr("terms.weekly.formula"))
    for column, key in zip(st.columns(2), ("base", "scenario"), strict=True):
        column.metric(
            ui.tr(f"terms.weekly.tile.{key}"),
            ui.money_compact(weekly[f"{key}_cents"].sum() / 100),
            help=ui.tr(f"terms.weekly.def.{key}"),
            border=True,
        )
    st.plotly_chart(
        ui.localised(
            collections_shift_chart(
                weekly,
                currency=currency,
                title=ui.tr("terms.chart.weekly"),
                y_title=ui.tr("terms.chart.weekly.y", currency=currency),
                y2_title=ui.tr("terms.chart.weekly.y2", currency=currency),
                names={
                    k: ui.tr(f"terms.chart.weekly.{k}") for k in ("base", "scenario", "cumulative")
                },
                week_label=ui.tr("terms.chart.weekly.week"),
            )
        ),
        key="terms_weekly_chart",
    )

# the chosen customers' cash: 13 weeks of receipts against the steady-state cash released
st.markdown("**" + ui.tr_md("terms.cash", selection=_selection_label(selection)) + "**")
released = (
    "terms.out.cash_released",
    result.cash_released,
    ui.tr("terms.out.help.cash_released"),
)
cash_tiles = [released]
if weekly is not None:
    cash = cash_reconciliation(basis, result)
    cash_tiles = [
        ("terms.weekly.tile.shift", cash.weeks_total, ui.tr("terms.weekly.def.shift")),
        ("terms.cash.receivables", cash.receivables, ui.tr("terms.cash.help.receivables")),
        released,
    ]
for column, (label, value, definition) in zip(st.columns(3), cash_tiles, strict=False):
    column.metric(ui.tr(label), ui.money_compact(value), help=definition, border=True)
if weekly is not None:
    if cash.share_realised is None and abs(cash.weeks_total) < 0.005:
        st.caption(ui.tr("terms.cash.same"))
    else:
        st.caption(
            ui.tr_md(
                "terms.cash.why",
                as_of=f"{as_of:%Y-%m-%d}",
                receivables=ui.money_compact(cash.receivables),
                extra=ui.money_compact(cash.extra_invoicing),
                discounts=ui.money_compact(cash.discounts),
            )
        )

shown = result.table()
stem = f"terms_{as_of:%Y%m%d}"
sheets = {"Scenario": shown, "Components": components, "Tornado": spread}
sheets |= {} if weekly is None else {"13 weeks": to_money(weekly)}
money = {"baseline", "scenario", "change", "amount", "net_low", "net_high", "swing"}
money |= {"base", "shift", "cumulative_shift"}
ui.download_pair(shown, sheets, stem, "terms", money)

# --- saved scenarios ----------------------------------------------------------
st.subheader(ui.tr("terms.saved"))
may_save = ui.permitted("save_scenario")
s1, s2 = st.columns([3, 1])
name = s1.text_input(
    ui.tr("terms.name"), key="terms_name", placeholder=ui.tr("terms.name.placeholder")
)
if s2.button(ui.tr("terms.save"), key="terms_save", disabled=not may_save):
    try:
        save_scenario(engine, name, scenario_inputs(selection, scenario), ui.actor())
        st.success(ui.tr_md("terms.saved_one", name=repr(name.strip())))
    except CreditDashError as err:
        st.error(ui.error_text(err))
saved = list_scenarios(engine)
if saved.empty:
    st.caption(ui.tr("terms.no_saved"))
else:
    chosen = st.multiselect(
        ui.tr("terms.compare"),
        saved["name"].tolist(),
        default=saved["name"].tolist()[:3],
        key="terms_compare",
    )
    results = {}
    try:
        for row in saved[saved["name"].isin(chosen)].itertuples():
            saved_selection, saved_scenario = parse_inputs(row.inputs)
            saved_grades = grades if saved_selection.kind == "grade" else None
            base = ui.computed(measure_baseline, as_of, saved_selection, saved_grades)
            results[row.name] = simulate(base, saved_scenario)
    except CreditDashError as err:
        st.error(ui.error_text(err))
    if results:
        side = compare({CURRENT: result, **results})
        st.dataframe(
            side,
            hide_index=True,
            key="terms_side_by_side",
            column_config={
                "figure": ui.tr("terms.col.figure"),
                CURRENT: ui.tr("terms.col.current"),
            },
        )
        st.download_button(
            ui.tr("terms.download_compare"),
            to_csv_bytes(side),
            f"scenarios_{as_of:%Y%m%d}.csv",
            "text/csv",
            key="terms_compare_csv",
        )
    gone = st.selectbox(ui.tr("terms.delete_which"), ["—", *saved["name"]], key="terms_delete_name",
                        disabled=not may_save)  # fmt: skip
    if gone != "—" and st.button(ui.tr("terms.delete"), key="terms_delete", disabled=not may_save):
        try:
            delete_scenario(engine, gone, ui.actor())
            st.rerun()
        except CreditDashError as err:
            st.error(ui.error_text(err))

# --- working capital ----------------------------------------------------------
st.subheader(ui.tr("terms.wc"))
u1, u2 = st.columns([3, 1])
upload = u1.file_uploader(
    ui.tr("terms.wc.upload"),
    type=["csv", "xlsx", "xls"],
    key="wc_upload",
    help=ui.tr("terms.wc.upload.help"),
)
ui.localise_uploader("wc_upload", ["csv", "xlsx", "xls"])
u2.download_button(
    ui.tr("terms.wc.template"),
    wc.figures_template(ui.lang()),
    "working_capital_template.csv",
    "text/csv",
    key="wc_template",
)
_apply_uploaded_figures(upload)
w1, w2, w3 = st.columns(3)
for figure in ("wc_inventory", "wc_ap", "wc_cogs"):
    st.session_state.setdefault(figure, 0.0)  # typed in, or filled from the upload
inventory = w1.number_input(
    ui.tr("terms.wc.inventory", currency=currency), 0.0, step=100_000.0, key="wc_inventory"
)
payables = w2.number_input(
    ui.tr("terms.wc.ap", currency=currency), 0.0, step=100_000.0, key="wc_ap"
)
cogs = w3.number_input(
    ui.tr("terms.wc.cogs", currency=currency), 0.0, step=1_000_000.0, key="wc_cogs"
)
try:
    figures = ui.computed(
        wc.working_capital,
        as_of,
        inventory=inventory,
        ap=payables,
        cogs=cogs or None,
        cost_of_capital=scenario.cost_of_capital,
    )
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()
# the help texts are WORKING_CAPITAL_DEFINITIONS, in the catalogue under terms.wc.help.<key>
wc_tiles = [
    ("wcr", ui.money_compact),
    ("dso", ui.days),
    ("dio", ui.days),
    ("dpo", ui.days),
    ("ccc", ui.days),
    ("cash_per_dso_day", ui.money_compact),
    ("overdue_financing_cost", ui.money_compact),
]
for tiles_row in (wc_tiles[:4], wc_tiles[4:]):
    for column, (key, fmt) in zip(st.columns(4), tiles_row, strict=False):
        column.metric(
            ui.tr(f"terms.wc.{key}"),
            fmt(figures[key]),
            help=ui.tr(f"terms.wc.help.{key}"),
            border=True,
        )
st.caption(
    ui.tr(
        "terms.wc.caption",
        as_of=f"{as_of:%Y-%m-%d}",
        ar=ui.money(figures["ar"]),
        overdue=ui.money(figures["overdue_ar"]),
        sales=ui.money(figures["credit_sales"]),
    )
)
