"""Credit-term simulation: textbook formulas, the simulator on the company's ledger, sensitivity.

formulas    pure functions checked against textbook examples (`switch_npv`,
            `annual_incremental`, `cost_of_forgoing_discount`,
            `break_even_default_rate`)
baseline    what the chosen customers do today, measured from the ledger
simulator   new terms and assumptions applied to the baseline; tornado,
            break-even values, scenarios side by side
collections the 13-week collections shift: the base cash forecast's weekly
            receipts under the new terms, and its reconciliation with the
            yearly cash released
charts      the waterfall of the net effect, the tornado and the weekly
            receipts (plotly), their words in the reader's language
view        what the Credit terms page shows for one scenario (`terms_view`)
"""

from creditdash.simulate.baseline import (
    BASELINE_DEFINITIONS,
    Baseline,
    Selection,
    customer_grades,
    measure_baseline,
    selection_options,
)
from creditdash.simulate.collections import (
    CashReconciliation,
    CollectionsBasis,
    PaymentCurve,
    book_payment_curve,
    cash_reconciliation,
    collections_basis,
    collections_shift,
)
from creditdash.simulate.formulas import (
    IncrementalEffect,
    annual_incremental,
    break_even_default_rate,
    cash_per_dso_day,
    cost_of_forgoing_discount,
    receivables,
    switch_npv,
)
from creditdash.simulate.simulator import (
    ASSUMPTIONS,
    BETTER,
    COMPONENTS,
    Scenario,
    SimulationResult,
    break_even,
    compare,
    parse_inputs,
    plausible_ranges,
    scenario_inputs,
    simulate,
    tornado,
)

__all__ = [
    "ASSUMPTIONS",
    "BASELINE_DEFINITIONS",
    "BETTER",
    "COMPONENTS",
    "Baseline",
    "CashReconciliation",
    "CollectionsBasis",
    "IncrementalEffect",
    "PaymentCurve",
    "Scenario",
    "Selection",
    "SimulationResult",
    "annual_incremental",
    "book_payment_curve",
    "break_even",
    "break_even_default_rate",
    "cash_per_dso_day",
    "cash_reconciliation",
    "collections_basis",
    "collections_shift",
    "compare",
    "cost_of_forgoing_discount",
    "customer_grades",
    "measure_baseline",
    "parse_inputs",
    "plausible_ranges",
    "receivables",
    "scenario_inputs",
    "selection_options",
    "simulate",
    "switch_npv",
    "tornado",
]
