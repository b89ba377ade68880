"""What the Credit terms page shows for one baseline and one scenario, as one typed result.

`terms_view` runs the simulator, the tornado, the break-even values and (given
the base cash forecast's basis) the 13-week collections shift with its
reconciliation; `saved_results` runs saved scenarios against today's ledger.
Money is in currency units a year (the 13-week frame in cents), as in the
simulator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd

from creditdash.aging import to_money
from creditdash.i18n import t
from creditdash.simulate.baseline import Baseline, Selection
from creditdash.simulate.collections import (
    CashReconciliation,
    CollectionsBasis,
    cash_reconciliation,
    collections_shift,
)
from creditdash.simulate.formulas import break_even_default_rate, cost_of_forgoing_discount
from creditdash.simulate.simulator import (
    Scenario,
    SimulationResult,
    break_even,
    parse_inputs,
    simulate,
    tornado,
)

# the levels the page shows before -> after, in its order (figures of `SimulationResult.table`)
LEVELS = ("credit_sales", "dso", "ar", "bad_debt", "carrying_cost", "discount_cost")
# columns of the download's sheets that hold money (the XLSX formats them so)
MONEY_COLUMNS = frozenset(
    {"baseline", "scenario", "change", "amount", "net_low", "net_high", "swing"}
    | {"base", "shift", "cumulative_shift"}
)


@dataclass(frozen=True)
class TermsView:
    """The simulator's answer for one scenario, and what the page draws from it.

    result       the scenario against its baseline (net, NPV, cash released)
    levels       `result.table()` indexed by figure: baseline, scenario, change, formula
    components   the waterfall's rows: component, amount (+ adds to profit), formula
    spread       the tornado: one row per assumption, widest swing first
    break_evens  sales_change and take_up at which the net effect is 0 (where it depends on
                 them); with a discount, `forgo` (its cost to a customer a year) and
                 `default` (the default rate at which offering it breaks even)
    weekly       the 13-week collections shift (week, start, *_cents), None without a basis
    cash         its reconciliation with the steady state, None without a basis
    """

    result: SimulationResult
    levels: pd.DataFrame
    components: pd.DataFrame
    spread: pd.DataFrame
    break_evens: dict[str, float]
    weekly: pd.DataFrame | None = None
    cash: CashReconciliation | None = None

    def notes(self, lang: str = "en") -> list[str]:
        """The break-even values as sentences in `lang` (markdown: values in bold)."""
        out = []
        for name in ("sales_change", "take_up"):
            if name in self.break_evens:
                value = self.break_evens[name]
                outside = name == "take_up" and not 0 <= value <= 1
                what = t(f"terms.be.{name}", lang)
                out.append(t("terms.be", lang, what=what, value=f"{value:+.2%}")
                           + (t("terms.be.outside", lang) if outside else ""))  # fmt: skip
        for name in ("forgo", "default"):
            if name in self.break_evens:
                out.append(t(f"terms.be.{name}", lang, value=f"{self.break_evens[name]:.2%}"))
        return out

    def weeks_total(self, series: str) -> float | None:
        """The 13 weeks' `base` or `scenario` receipts of the whole book (currency units);
        None without the 13 weeks."""
        return None if self.weekly is None else int(self.weekly[f"{series}_cents"].sum()) / 100

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The workbook the page offers: the scenario, its components, the tornado, the weeks."""
        sheets = {"Scenario": self.result.table(), "Components": self.components}
        sheets["Tornado"] = self.spread
        if self.weekly is not None:
            sheets["13 weeks"] = to_money(self.weekly)
        return sheets


def terms_view(
    baseline: Baseline, scenario: Scenario, basis: CollectionsBasis | None = None
) -> TermsView:
    """`scenario` applied to `baseline`; with `basis` (the base cash forecast and the book's
    payment curve), the 13 weeks too."""
    result = simulate(baseline, scenario)
    weekly = None if basis is None else collections_shift(basis, baseline, scenario)
    return TermsView(
        result=result,
        levels=result.table().set_index("figure"),
        components=result.components(),
        spread=tornado(baseline, scenario),
        break_evens=_break_evens(baseline, scenario),
        weekly=weekly,
        cash=None if basis is None else cash_reconciliation(basis, result),
    )


def _break_evens(baseline: Baseline, scenario: Scenario) -> dict[str, float]:
    found = {}
    for name in ("sales_change", "take_up"):
        value = break_even(baseline, scenario, name)
        if value is not None:
            found[name] = value
    net = scenario.net_days or baseline.terms_days
    if scenario.discount > 0 and scenario.discount_days < net:
        found["forgo"] = cost_of_forgoing_discount(scenario.discount, scenario.discount_days, net)
        found["default"] = break_even_default_rate(
            scenario.discount, scenario.discount_days, net, scenario.cost_of_capital
        )
    return found


def saved_results(
    saved: pd.DataFrame, names: Sequence[str], measure: Callable[[Selection], Baseline]
) -> Iterator[tuple[str, SimulationResult]]:
    """Each saved scenario in `names` (rows of `scenarios.list_scenarios`: name, inputs) run
    against the baseline `measure` gives its selection today, one at a time.

    A scenario that cannot run raises its `CreditDashError` when it is reached; the ones
    before it have been given.
    """
    for row in saved[saved["name"].isin(list(names))].itertuples():
        selection, scenario = parse_inputs(row.inputs)
        yield str(row.name), simulate(measure(selection), scenario)
