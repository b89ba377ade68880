"""The credit-term simulator: new terms and assumptions applied to a measured baseline.

`simulate(baseline, scenario)` is pure arithmetic (microseconds), so a page
can re-run it on every slider move; only `measure_baseline` reads the ledger.

The model, for annual credit sales S, DSO, terms N (days), days late L:

    S1      = S0 x (1 + sales response)
    DSO1    = t x D + (1 - t) x (DSO0 + N1 - N0)   customers taking the discount
              (share t, 0 without a discount) pay on its day D; the rest keep
              their measured lateness and move with the net days
    AR      = S x DSO / 365; cash released = AR0 - AR1
    b1      = b0 + bad-debt change
    net     = (1 - v)(S1 - S0) - (b1 S1 - b0 S0) - d t S1 - k v (AR1 - AR0)
              + late interest,  late interest = i x (1 - t) S1 x max(L, 0) / 365
    NPV     = net / k (the net effect as a perpetuity; the carrying cost inside
              it is the annuity of the extra investment v (AR1 - AR0))

No change in the inputs gives zero everywhere; the components add to `net`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace

import pandas as pd

from creditdash.errors import InvalidArgument
from creditdash.simulate.baseline import Baseline, Selection
from creditdash.simulate.formulas import (
    IncrementalEffect,
    _check_discount,
    _check_share,
    annual_incremental,
    receivables,
)

ASSUMPTIONS: dict[str, str] = {
    "take_up": "Share of sales taking the discount",
    "sales_change": "Sales response",
    "bad_debt_change": "Bad-debt rate change",
    "variable_cost_ratio": "Variable cost ratio",
    "cost_of_capital": "Cost of capital",
}
COMPONENTS: dict[str, str] = {
    "contribution": "(1 - v) x (S1 - S0): margin on the extra sales",
    "bad_debt": "-(b1 x S1 - b0 x S0): change in bad debt",
    "discount_cost": "-d x t x S1: discounts given",
    "carrying_cost": "-k x v x (AR1 - AR0): cost of financing the change in receivables",
    "late_interest": "i x (1 - t) x S1 x max(days late, 0) / 365: late-payment interest charged",
}
# The way each figure of `SimulationResult.table()` moves when the change is good for profit.
BETTER: dict[str, str] = {
    "credit_sales": "up",
    "dso": "down",
    "ar": "down",
    "bad_debt_rate": "down",
    "bad_debt": "down",
    "carrying_cost": "down",
    "discount_cost": "down",
}


@dataclass(frozen=True)
class Scenario:
    """New terms and the assumptions about how customers react; shares as fractions (0.02 = 2%).

    `net_days` None keeps today's measured terms. `bad_debt_change` is added
    to the measured bad-debt rate (0.004 = +0.4 percentage points).
    """

    net_days: float | None = None
    discount: float = 0.0
    discount_days: float = 10.0
    late_interest: float = 0.0
    take_up: float = 0.0
    sales_change: float = 0.0
    bad_debt_change: float = 0.0
    variable_cost_ratio: float = 0.7
    cost_of_capital: float = 0.08

    def __post_init__(self) -> None:
        if self.net_days is not None and not self.net_days > 0:
            raise InvalidArgument.coded(
                "terms.err.net_days",
                "`net_days` must be > 0 days. Got {value!r}.",
                value=self.net_days,
            )
        _check_discount("discount", self.discount)
        if self.discount and not 0 <= self.discount_days < (self.net_days or float("inf")):
            raise InvalidArgument.coded(
                "terms.err.discount_days",
                "`discount_days` must be >= 0 and before the net days ({net_days}). Got {value!r}.",
                net_days=self.net_days,
                value=self.discount_days,
            )
        _check_share("take_up", self.take_up)
        _check_share("variable_cost_ratio", self.variable_cost_ratio)
        if not self.sales_change > -1:
            raise InvalidArgument.coded(
                "terms.err.sales_change",
                "`sales_change` must be > -1 (-100% would mean no sales). Got {value!r}.",
                value=self.sales_change,
            )
        for name in ("cost_of_capital", "late_interest"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise InvalidArgument.coded(
                    "terms.err.yearly_rate",
                    "`{name}` must be a yearly rate between 0 and 1. Got {value!r}.",
                    name=name,
                    value=value,
                )

    @property
    def effective_take_up(self) -> float:
        """Take-up counts only when a discount is offered."""
        return self.take_up if self.discount > 0 else 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> Scenario:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidArgument.coded(
                "terms.err.unknown_inputs",
                "Unknown scenario input(s): {names}.",
                names=", ".join(unknown),
            )
        return cls(**data)


@dataclass(frozen=True)
class SimulationResult:
    """A scenario against its baseline; money a year in currency units."""

    baseline: Baseline
    scenario: Scenario
    sales_new: float
    dso_new: float
    ar_new: float
    bad_debt_rate_new: float
    effect: IncrementalEffect

    @property
    def cash_released(self) -> float:
        """AR0 - AR1: positive when the new terms free cash, negative when they absorb it."""
        return self.baseline.ar - self.ar_new

    @property
    def net(self) -> float:
        return self.effect.net

    @property
    def npv(self) -> float | None:
        k = self.scenario.cost_of_capital
        return None if k == 0 else self.effect.net / k

    def components(self) -> pd.DataFrame:
        """One row per component of the net effect (signed: + adds to profit), then `net`.

        Columns: component, amount, formula. The components sum to `net`.
        """
        e = self.effect
        signed = {
            "contribution": e.contribution,
            "bad_debt": -e.bad_debt,
            "discount_cost": -e.discount_cost,
            "carrying_cost": -e.carrying_cost,
            "late_interest": e.late_interest,
        }
        rows = [{"component": k, "amount": v, "formula": COMPONENTS[k]} for k, v in signed.items()]
        rows.append({"component": "net", "amount": e.net, "formula": "sum of the components"})
        return pd.DataFrame(rows)

    def table(self) -> pd.DataFrame:
        """Baseline, scenario and change per figure. Columns: figure, baseline, scenario, change, formula."""
        b, s, k = self.baseline, self.scenario, self.scenario.cost_of_capital
        v = s.variable_cost_ratio
        rows = [
            ("credit_sales", b.credit_sales, self.sales_new, "S1 = S0 x (1 + sales response)"),
            ("dso", b.dso, self.dso_new, "DSO1 = t x D + (1 - t) x (DSO0 + N1 - N0)"),
            ("ar", b.ar, self.ar_new, "AR = S x DSO / 365"),
            ("bad_debt_rate", b.bad_debt_rate, self.bad_debt_rate_new, "b1 = b0 + change"),
            (
                "bad_debt",
                b.bad_debt_rate * b.credit_sales,
                self.bad_debt_rate_new * self.sales_new,
                "b x S",
            ),
            ("carrying_cost", k * v * b.ar, k * v * self.ar_new, "k x v x AR"),
            ("discount_cost", 0.0, self.effect.discount_cost, "d x t x S1"),
        ]
        frame = pd.DataFrame(rows, columns=["figure", "baseline", "scenario", "formula"])
        frame.insert(3, "change", frame["scenario"] - frame["baseline"])
        return frame


def simulate(baseline: Baseline, scenario: Scenario) -> SimulationResult:
    """The scenario's effect on the measured baseline (model in the module docstring)."""
    t = scenario.effective_take_up
    net_days = baseline.terms_days if scenario.net_days is None else scenario.net_days
    dso_others = baseline.dso + net_days - baseline.terms_days
    dso_new = max(0.0, t * scenario.discount_days + (1 - t) * dso_others)
    sales_new = baseline.credit_sales * (1 + scenario.sales_change)
    bad_new = baseline.bad_debt_rate + scenario.bad_debt_change
    if not 0 <= bad_new <= 1:
        raise InvalidArgument.coded(
            "terms.err.bad_debt_change",
            "`bad_debt_change` must keep the bad-debt rate within 0..1 "
            "(measured {measured:.4f}). Got {value!r}.",
            measured=baseline.bad_debt_rate,
            value=scenario.bad_debt_change,
        )
    interest = scenario.late_interest * (1 - t) * sales_new * max(baseline.days_late, 0) / 365
    effect = annual_incremental(
        sales=baseline.credit_sales,
        sales_new=sales_new,
        variable_cost_ratio=scenario.variable_cost_ratio,
        dso=baseline.dso,
        dso_new=dso_new,
        bad_debt_rate=baseline.bad_debt_rate,
        bad_debt_rate_new=bad_new,
        cost_of_capital=scenario.cost_of_capital,
        discount=scenario.discount,
        take_up=t,
        late_interest=interest,
    )
    return SimulationResult(
        baseline=baseline,
        scenario=scenario,
        sales_new=sales_new,
        dso_new=dso_new,
        ar_new=receivables(sales_new, dso_new),
        bad_debt_rate_new=bad_new,
        effect=effect,
    )


def plausible_ranges(baseline: Baseline, scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Low and high value of each assumption for the tornado, around the scenario's own value.

    Take-up 0..1 (only with a discount); sales response +-5 points; bad-debt
    change +-0.5 points (the rate kept >= 0); variable cost ratio +-0.1;
    cost of capital +-3 points (kept >= 0).
    """
    s = scenario
    ranges = {
        "sales_change": (max(s.sales_change - 0.05, -0.99), s.sales_change + 0.05),
        "bad_debt_change": (
            max(s.bad_debt_change - 0.005, -baseline.bad_debt_rate),
            s.bad_debt_change + 0.005,
        ),
        "variable_cost_ratio": (
            max(s.variable_cost_ratio - 0.1, 0.0),
            min(s.variable_cost_ratio + 0.1, 1.0),
        ),
        "cost_of_capital": (max(s.cost_of_capital - 0.03, 0.0), s.cost_of_capital + 0.03),
    }
    if s.discount > 0:
        ranges = {"take_up": (0.0, 1.0), **ranges}
    return ranges


def tornado(
    baseline: Baseline,
    scenario: Scenario,
    ranges: dict[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """The net effect with each assumption at its low and high value, the others held.

    Columns: assumption, label, low, high, net_low, net_high, swing
    (|net_high - net_low|); widest swing first.
    """
    ranges = ranges or plausible_ranges(baseline, scenario)
    rows = []
    for name, (low, high) in ranges.items():
        if name not in ASSUMPTIONS:
            raise InvalidArgument.coded(
                "terms.err.ranges_keys",
                "`ranges` keys must be among {options}. Got {value!r}.",
                options=", ".join(ASSUMPTIONS),
                value=name,
            )
        net_low = simulate(baseline, replace(scenario, **{name: low})).net
        net_high = simulate(baseline, replace(scenario, **{name: high})).net
        rows.append((name, ASSUMPTIONS[name], low, high, net_low, net_high))
    frame = pd.DataFrame(
        rows, columns=["assumption", "label", "low", "high", "net_low", "net_high"]
    )
    frame["swing"] = (frame["net_high"] - frame["net_low"]).abs()
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def break_even(baseline: Baseline, scenario: Scenario, assumption: str) -> float | None:
    """The value of `assumption` ("sales_change" or "take_up") at which the net effect is 0.

    The net effect is linear in either, so two evaluations give it exactly.
    None when the net effect does not depend on it (take-up without a
    discount). The value may fall outside the plausible range; the caller says so.
    """
    points = {"sales_change": (0.0, 0.1), "take_up": (0.0, 1.0)}
    if assumption not in points:
        raise InvalidArgument.coded(
            "terms.err.break_even_assumption",
            "`assumption` must be 'sales_change' or 'take_up'. Got {value!r}.",
            value=assumption,
        )
    if assumption == "take_up" and scenario.discount == 0:
        return None
    x0, x1 = points[assumption]
    y0 = simulate(baseline, replace(scenario, **{assumption: x0})).net
    y1 = simulate(baseline, replace(scenario, **{assumption: x1})).net
    if abs(y1 - y0) < 1e-9:
        return None
    return x0 - y0 * (x1 - x0) / (y1 - y0)


def compare(results: dict[str, SimulationResult]) -> pd.DataFrame:
    """Saved scenarios side by side: one row per figure, one column per scenario name."""
    if not results:
        return pd.DataFrame(columns=["figure"])
    figures = {
        "customers": lambda r: r.baseline.customers,
        "net_days": lambda r: (
            r.scenario.net_days if r.scenario.net_days is not None else r.baseline.terms_days
        ),
        "discount": lambda r: r.scenario.discount,
        "take_up": lambda r: r.scenario.effective_take_up,
        "sales_change": lambda r: r.scenario.sales_change,
        "dso_before": lambda r: r.baseline.dso,
        "dso_after": lambda r: r.dso_new,
        "ar_after": lambda r: r.ar_new,
        "cash_released": lambda r: r.cash_released,
        "contribution": lambda r: r.effect.contribution,
        "bad_debt": lambda r: -r.effect.bad_debt,
        "discount_cost": lambda r: -r.effect.discount_cost,
        "carrying_cost": lambda r: -r.effect.carrying_cost,
        "late_interest": lambda r: r.effect.late_interest,
        "net": lambda r: r.net,
        "npv": lambda r: r.npv,
    }
    data = {"figure": list(figures)}
    for name, result in results.items():
        data[name] = [f(result) for f in figures.values()]
    return pd.DataFrame(data)


def scenario_inputs(selection: Selection, scenario: Scenario) -> dict:
    """A scenario's inputs as a JSON-able dict, as saved in the database."""
    return {
        "selection": {"kind": selection.kind, "values": list(selection.values)},
        "scenario": asdict(scenario),
    }


def parse_inputs(inputs: dict) -> tuple[Selection, Scenario]:
    """The (selection, scenario) of a saved inputs dict; InvalidArgument when malformed."""
    try:
        chosen = inputs.get("selection") or {}
        selection = Selection(chosen.get("kind", "all"), tuple(chosen.get("values", ())))
        return selection, Scenario.from_dict(dict(inputs["scenario"]))
    except (KeyError, TypeError, AttributeError) as err:
        raise InvalidArgument.coded(
            "terms.err.malformed_inputs",
            "Saved scenario inputs are malformed ({error}).",
            error=repr(err),
        ) from None
