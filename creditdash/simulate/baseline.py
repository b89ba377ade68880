"""What the chosen customers do today, measured from the ledger: the simulator's baseline.

Every figure looks from the as-of date D over the 365 days (D - 365, D]:

credit sales    signed sum of the chosen customers' invoices dated in the year
AR              their total AR at D (open invoices net of unapplied cash)
DSO             AR / credit sales x 365 (`kpis.dso_at` over a 365-day window)
terms           amount-weighted mean of (due date - invoice date) of the year's invoices
days late       amount-weighted mean of (payment date - due date) of payments in
                the year applied to their invoices (early is negative)
bad-debt rate   of their invoices falling due in the year that ends `deep_days`
                (default 180) before D, the share of the amount still unpaid at D:
                money that late is treated as lost (the ledger has no write-offs)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from creditdash.errors import InsufficientHistory, InvalidArgument
from creditdash.i18n import t
from creditdash.kpis import dso_at
from creditdash.ledger import DateLike, Ledger, day_number, day_to_timestamp, ledger_arrays
from creditdash.risk.assess import PolicyLike, risk_table
from creditdash.risk.in_force import RiskInputs
from creditdash.risk.policy import default_policy

YEAR_DAYS = 365
DEEP_OVERDUE_DAYS = 180
SELECTION_KINDS: tuple[str, ...] = ("all", "grade", "segment", "region", "customers")


@dataclass(frozen=True)
class Selection:
    """Which customers a scenario applies to: all, one grade / segment / region, or a list of ids."""

    kind: str = "all"
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in SELECTION_KINDS:
            raise InvalidArgument.coded(
                "terms.err.choice",
                "`{name}` must be one of {options}. Got {value!r}.",
                name="kind",
                options=", ".join(repr(k) for k in SELECTION_KINDS),
                value=self.kind,
            )
        object.__setattr__(self, "values", tuple(str(v) for v in self.values))
        if self.kind != "all" and not self.values:
            raise InvalidArgument.coded(
                "terms.err.selection_empty",
                "A selection by {kind} needs at least one value. Got none.",
                kind=self.kind,
            )

    def label(self) -> str:
        if self.kind == "all":
            return "All customers"
        return f"{self.kind.capitalize()}: {self._first_values()}"

    def in_words(self, lang: str = "en") -> str:
        """`label()` in `lang`: "All customers", "Segment: SME, …" / "客户细分：SME, …"."""
        return t(f"terms.selection.{self.kind}", lang, values=self._first_values())

    def _first_values(self) -> str:
        return ", ".join(self.values[:3]) + (" …" if len(self.values) > 3 else "")


@dataclass(frozen=True)
class Baseline:
    """Measured figures of the chosen customers at `as_of` (money in currency units, a year)."""

    as_of: str
    selection: str
    customers: int
    credit_sales: float
    ar: float
    overdue_ar: float
    dso: float
    terms_days: float
    days_late: float
    days_to_pay: float
    bad_debt_rate: float
    bad_debt_cohort: float  # amount of the invoices the bad-debt rate is measured on

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


BASELINE_DEFINITIONS: dict[str, str] = {
    "customers": "Customers in the selection.",
    "credit_sales": "Signed sum of the chosen customers' invoices dated in the 365 days to the as-of date.",
    "ar": "Their total AR at the as-of date (open invoices net of unapplied cash).",
    "overdue_ar": "Their AR past its due date at the as-of date.",
    "dso": "DSO (365 days) = their total AR / their credit sales in the 365 days to the as-of date x 365.",
    "terms_days": "Amount-weighted mean of (due date - invoice date) of the year's invoices: today's terms.",
    "days_late": "Amount-weighted mean of (payment date - due date) of the year's payments (early is negative).",
    "days_to_pay": "Amount-weighted mean of (payment date - invoice date) of the same payments.",
    "bad_debt_rate": (
        "Of their invoices falling due in the year ending 180 days before the as-of date, "
        "the share still unpaid at the as-of date (treated as lost: the ledger has no write-offs)."
    ),
}


def customer_grades(
    ledger: Ledger, as_of: DateLike, policy: str | RiskInputs | None = None
) -> pd.Series | None:
    """Risk grade per customer_id (the scorecard of `creditdash.risk`), None when there is
    no history to grade.

    `policy` is what grading reads: `RiskInputs` (the app and the command line pass
    `risk_inputs(engine)`: the policy in force, the third-party reports and the approved
    limits, so grades match the Customer risk page), or the policy alone as JSON text;
    None uses the default policy. Customers without an invoice by as_of have no grade.
    """
    grading: PolicyLike
    if isinstance(policy, RiskInputs):
        grading, bureau, limits = policy.policy, policy.bureau, policy.limits
    else:
        grading, bureau, limits = default_policy() if policy is None else policy, None, None
    try:
        table = risk_table(ledger, as_of, grading, bureau, limits)
    except InsufficientHistory:
        return None
    return table.set_index("customer_id")["grade"].astype("str")


def selection_options(ledger: Ledger, kind: str) -> list[str]:
    """The values a selection of `kind` can take (segments, regions, customer ids), sorted."""
    arrays = ledger_arrays(ledger)
    if kind in ("segment", "region"):
        return sorted(arrays.attributes[kind].unique().tolist())
    if kind == "customers":
        return arrays.customers["customer_id"].tolist()
    return []


def chosen_customers(
    ledger: Ledger, selection: Selection, grades: pd.Series | None = None
) -> np.ndarray:
    """A boolean mask over `ledger_arrays(ledger).customers` rows for the selection."""
    arrays = ledger_arrays(ledger)
    ids = arrays.customers["customer_id"]
    if selection.kind == "all":
        return np.ones(len(ids), dtype=bool)
    if selection.kind in ("segment", "region"):
        values = arrays.attributes[selection.kind]
    elif selection.kind == "customers":
        values = ids
    else:
        if grades is None:
            raise InvalidArgument.coded(
                "terms.err.no_grades",
                "Selecting by `grade` needs customer risk grades; none are available yet.",
            )
        values = ids.map(grades).fillna("")
    mask = values.isin(selection.values).to_numpy()
    unknown = sorted(set(selection.values) - set(values[mask]))
    if unknown:
        raise InvalidArgument.coded(
            "terms.err.selection_unknown",
            "`{kind}` value(s) {values} match no customer.",
            kind=selection.kind,
            values=", ".join(map(repr, unknown)),
        )
    return mask


def measure_baseline(
    ledger: Ledger,
    as_of: DateLike,
    selection: Selection | None = None,
    grades: pd.Series | None = None,
    deep_days: int = DEEP_OVERDUE_DAYS,
) -> Baseline:
    """The measured baseline of the chosen customers (see the module docstring)."""
    selection = selection or Selection()
    if deep_days < 1:
        raise InvalidArgument.coded(
            "terms.err.deep_days", "`deep_days` must be >= 1. Got {value!r}.", value=deep_days
        )
    day = day_number(as_of)
    if ledger.is_empty:
        raise InsufficientHistory.coded(
            "terms.err.empty_ledger",
            "The ledger is empty: import invoices before simulating terms.",
        )
    arrays = ledger_arrays(ledger)
    chosen = chosen_customers(ledger, selection, grades)
    start, stop = arrays.invoices_until(day - YEAR_DAYS), arrays.invoices_until(day)
    in_year = chosen[arrays.invoice_customer[start:stop]]
    amount = arrays.invoice_amount[start:stop][in_year]
    figures = dso_at(ledger, day_to_timestamp(day), YEAR_DAYS, chosen)
    sales = figures.credit_sales / 100
    if sales <= 0:
        raise InsufficientHistory.coded(
            "terms.err.no_sales",
            "{selection} have no credit sales in the 365 days to {as_of}: "
            "choose other customers or an earlier as-of date.",
            selection=selection.label(),
            as_of=day_to_timestamp(day).date().isoformat(),
        )
    assert figures.dso is not None  # there are credit sales
    positive = amount > 0
    terms = arrays.due_day[start:stop][in_year] - arrays.invoice_day[start:stop][in_year]
    to_pay, late = _payment_delays(arrays, day, chosen)
    bad_rate, cohort = _bad_debt_rate(arrays, day, chosen, deep_days)
    return Baseline(
        as_of=day_to_timestamp(day).date().isoformat(),
        selection=selection.label(),
        customers=int(chosen.sum()),
        credit_sales=sales,
        ar=figures.total_ar / 100,
        overdue_ar=figures.overdue_ar / 100,
        dso=figures.dso,
        terms_days=_weighted(amount[positive], terms[positive]),
        days_late=late,
        days_to_pay=to_pay,
        bad_debt_rate=bad_rate,
        bad_debt_cohort=cohort,
    )


def _payment_delays(arrays, day: int, chosen: np.ndarray) -> tuple[float, float]:
    """Amount-weighted (days to pay, days late) of the year's payments applied to chosen invoices."""
    start, stop = arrays.payments_until(day - YEAR_DAYS), arrays.payments_until(day)
    target = arrays.payment_invoice[start:stop]
    keep = (target >= 0) & (target < arrays.invoices_until(day))
    keep[keep] = chosen[arrays.invoice_customer[target[keep]]]
    invoice, paid_on = target[keep], arrays.payment_day[start:stop][keep]
    amount = arrays.payment_amount[start:stop][keep]
    return (
        _weighted(amount, paid_on - arrays.invoice_day[invoice]),
        _weighted(amount, paid_on - arrays.due_day[invoice]),
    )


def _bad_debt_rate(arrays, day: int, chosen: np.ndarray, deep_days: int) -> tuple[float, float]:
    """(share unpaid at day, cohort amount) of positive invoices due in (day-deep-365, day-deep]."""
    n = arrays.invoices_until(day)
    due = arrays.due_day[:n]
    cohort = (due > day - deep_days - YEAR_DAYS) & (due <= day - deep_days)
    cohort &= chosen[arrays.invoice_customer[:n]] & (arrays.invoice_amount[:n] > 0)
    if not cohort.any():
        return 0.0, 0.0
    m = arrays.payments_until(day)
    target = arrays.payment_invoice[:m]
    ok = (target >= 0) & (target < n)
    paid = np.bincount(target[ok], weights=arrays.payment_amount[:m][ok], minlength=n)
    amount = arrays.invoice_amount[:n][cohort].astype(np.float64)
    unpaid = np.clip(amount - paid[cohort], 0, amount)
    return float(unpaid.sum() / amount.sum()), float(amount.sum()) / 100


def _weighted(weights: Sequence | np.ndarray, values: Sequence | np.ndarray) -> float:
    weights = np.asarray(weights, dtype=np.float64)
    total = weights.sum()
    return float(np.dot(weights, np.asarray(values, dtype=np.float64)) / total) if total else 0.0
