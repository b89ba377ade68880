"""The Credit terms page's widgets and tiles: who and which terms, the figures as tiles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
import streamlit as st

import ui
from creditdash import working_capital as wc
from creditdash.errors import CreditDashError, ImportRejected
from creditdash.simulate import BETTER, Baseline, Scenario, selection_options
from creditdash.simulate.view import LEVELS, TermsView

KINDS = ("all", "grade", "segment", "region", "customers")
# (key, min, max, default, step) of each slider, by column; the key names its words
# (`terms.in.<key>`, help `terms.in.<key>.help` for the two the reader must judge)
SLIDERS = {
    "terms.new_terms": [("discount", 0.0, 5.0, 0.0, 0.25), ("discount_days", 0, 30, 10, 1),
                        ("late", 0.0, 24.0, 0.0, 0.5)],
    "terms.reaction": [("take_up", 0, 100, 40, 5), ("sales", -30.0, 30.0, 0.0, 0.5),
                       ("bad", -2.0, 5.0, 0.0, 0.1)],
    "terms.company": [("variable", 0, 100, 70, 1), ("capital", 0.0, 20.0, 8.0, 0.5)],
}  # fmt: skip
WITH_HELP = ("take_up", "bad")


def chosen_customers(grades: pd.Series | None) -> tuple[str, list[str]]:
    """The kind of selection and its values as the reader picks them."""
    kinds = [k for k in KINDS if k != "grade" or grades is not None]
    left, right = st.columns([1, 2])
    kind = left.selectbox(ui.tr("terms.kind"), kinds, key="terms_kind",
                          format_func=lambda k: ui.tr(f"terms.kind.{k}"))  # fmt: skip
    if kind == "grade" and grades is not None:
        options = sorted(grades.unique().tolist())
        return kind, right.multiselect(ui.tr("terms.grades"), options, default=options[-1:],
                                       key="terms_grades")  # fmt: skip
    if kind in ("segment", "region", "customers"):
        options = selection_options(ui.ledger(), kind)
        return kind, right.multiselect(ui.tr(f"terms.values.{kind}"), options,
                                       default=options[:1], key=f"terms_{kind}")  # fmt: skip
    return kind, []


def scenario(baseline: Baseline) -> Scenario:
    """The new terms and assumptions from the sliders (CreditDashError when they do not fit)."""
    today = int(round(baseline.terms_days))
    values: dict[str, float] = {}
    for column, (heading, sliders) in zip(st.columns(3), SLIDERS.items(), strict=True):
        column.markdown(f"**{ui.tr(heading)}**")
        if heading == "terms.new_terms":
            values["net"] = column.slider(ui.tr("terms.in.net"), 0, 180, today,
                                          5 if today % 5 == 0 else 1, key="terms_net")  # fmt: skip
        for key, low, high, default, step in sliders:
            values[key] = column.slider(
                ui.tr(f"terms.in.{key}"), low, high, default, step, key=f"terms_{key}",
                help=ui.tr(f"terms.in.{key}.help") if key in WITH_HELP else None,
            )  # fmt: skip
    if values["net"] == today:
        column.caption(ui.tr("terms.in.net_unchanged", days=ui.days(baseline.terms_days)))
    return Scenario(
        net_days=None if values["net"] == today else float(values["net"]),
        discount=values["discount"] / 100,
        discount_days=float(values["discount_days"]),
        late_interest=values["late"] / 100,
        take_up=values["take_up"] / 100,
        sales_change=values["sales"] / 100,
        bad_debt_change=values["bad"] / 100,
        variable_cost_ratio=values["variable"] / 100,
        cost_of_capital=values["capital"] / 100,
    )


def tiles(rows: Sequence[tuple[str, str, str]], per_row: int = 3) -> None:
    """Metric tiles (label, figure, help), `per_row` to a row."""
    for column, (label, text, help) in zip(ui.tile_columns(len(rows), per_row), rows, strict=True):
        column.metric(label, text, help=help, border=True)


def today_tiles(baseline: Baseline) -> None:
    """What the chosen customers do today (help: BASELINE_DEFINITIONS, `terms.def.<key>`)."""
    shown = {"credit_sales": ui.money_compact(baseline.credit_sales),
             "ar": ui.money_compact(baseline.ar), "dso": ui.days(baseline.dso),
             "terms_days": ui.days(baseline.terms_days), "days_late": ui.days(baseline.days_late),
             "bad_debt_rate": ui.pct(baseline.bad_debt_rate * 100)}  # fmt: skip
    tiles([(ui.tr(f"terms.tile.{k}"), text, ui.tr(f"terms.def.{k}")) for k, text in shown.items()])


def _signed(change: float, fmt: Callable[[float], str]) -> str | None:
    """A change as the tile shows it, "+12.3 d" / "-¥1.2万"; None when it shows as nothing."""
    text = fmt(abs(change))
    if text == fmt(0.0):
        return None
    return ("-" if change < 0 else "+") + text


def level_tiles(view: TermsView) -> None:
    """Levels before -> after: the new level, its change (arrow: which way; colour: good for
    profit), in two rows of three."""
    for column, figure in zip(ui.tile_columns(len(LEVELS)), LEVELS, strict=True):
        fmt = ui.days if figure == "dso" else ui.money_compact
        row = view.levels.loc[figure]
        change = _signed(row["change"], fmt)
        column.metric(
            ui.tr(f"terms.level.{figure}"),
            fmt(row["scenario"]),
            delta=change,
            delta_color="inverse" if BETTER[figure] == "down" else "normal",
            delta_description=None if change is None
            else ui.tr("terms.level.from", value=fmt(row["baseline"])),
            help=ui.tr(f"terms.level.help.{figure}"),
            border=True,
        )  # fmt: skip


def cash_tiles(view: TermsView) -> None:
    """13 weeks of receipts against the steady-state cash released, for the chosen customers."""
    rows = [("terms.out.cash_released", view.result.cash_released, "terms.out.help.cash_released")]
    if view.cash is not None:
        rows = [("terms.weekly.tile.shift", view.cash.weeks_total, "terms.weekly.def.shift"),
                ("terms.cash.receivables", view.cash.receivables, "terms.cash.help.receivables"),
                *rows]  # fmt: skip
    tiles([(ui.tr(label), ui.money_compact(value), ui.tr(help)) for label, value, help in rows])


WC_TILES = {"wcr": ui.money_compact, "dso": ui.days, "dio": ui.days, "dpo": ui.days,
            "ccc": ui.days, "cash_per_dso_day": ui.money_compact,
            "overdue_financing_cost": ui.money_compact}  # fmt: skip


def working_capital_tiles(figures: dict) -> None:
    """Working-capital figures, four to a row (help: WORKING_CAPITAL_DEFINITIONS)."""
    rows = [(ui.tr(f"terms.wc.{k}"), fmt(figures[k]), ui.tr(f"terms.wc.help.{k}"))
            for k, fmt in WC_TILES.items()]  # fmt: skip
    tiles(rows, per_row=4)


def apply_uploaded_figures(upload, as_of: date) -> None:
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
