"""Working capital: WCR, the cash conversion cycle and what receivables cost to carry.

AR, overdue AR and credit sales are measured from the ledger; inventory,
accounts payable and the cost of goods sold are figures the user enters
(the ledger does not hold them). Money in currency units, a year = 365 days.

    WCR (operating working capital) = AR + inventory - AP
    DSO = AR / annual credit sales x 365
    DIO = inventory / annual cost of goods sold x 365
    DPO = AP / annual cost of goods sold x 365
    CCC = DSO + DIO - DPO
    cash released per day of DSO = annual credit sales / 365
    financing cost of the overdue balance = overdue AR x cost of capital (a year)
"""

from __future__ import annotations

from creditdash.aging import ar_summary
from creditdash.errors import InvalidArgument
from creditdash.ledger import DateLike, Ledger, day_number, day_to_timestamp, ledger_arrays
from creditdash.simulate.formulas import cash_per_dso_day

Number = int | float
YEAR_DAYS = 365

WORKING_CAPITAL_DEFINITIONS: dict[str, str] = {
    "ar": "Total AR at the as-of date (open invoices net of unapplied cash).",
    "overdue_ar": "AR past its due date at the as-of date.",
    "credit_sales": "Credit sales in the 365 days to the as-of date.",
    "inventory": "Inventory, as entered.",
    "ap": "Accounts payable, as entered.",
    "cogs": "Cost of goods sold over a year, as entered.",
    "wcr": "Working capital requirement = AR + inventory - AP.",
    "dso": "DSO = AR / annual credit sales x 365.",
    "dio": "DIO = inventory / annual cost of goods sold x 365.",
    "dpo": "DPO = AP / annual cost of goods sold x 365.",
    "ccc": "Cash conversion cycle = DSO + DIO - DPO (days).",
    "cash_per_dso_day": "Cash released by one day less DSO = annual credit sales / 365.",
    "overdue_financing_cost": "Financing cost of today's overdue AR = overdue AR x cost of capital, a year.",
    "overdue_financing_cost_daily": "The same cost per day = overdue AR x cost of capital / 365.",
}


def wcr(ar: Number, inventory: Number, ap: Number) -> float:
    """Operating working capital requirement: AR + inventory - AP."""
    return float(ar + inventory - ap)


def ccc(dso: Number, dio: Number, dpo: Number) -> float:
    """Cash conversion cycle in days: DSO + DIO - DPO."""
    return float(dso + dio - dpo)


def days_of(balance: Number, annual_flow: Number) -> float | None:
    """Days of a yearly flow a balance represents: balance / annual flow x 365 (None if flow is 0)."""
    return None if annual_flow == 0 else balance / annual_flow * YEAR_DAYS


def overdue_financing_cost(overdue_ar: Number, cost_of_capital: Number) -> float:
    """A year's financing cost of an overdue balance: overdue AR x cost of capital."""
    if cost_of_capital < 0:
        raise InvalidArgument(f"`cost_of_capital` must be >= 0. Got {cost_of_capital!r}.")
    return float(overdue_ar * cost_of_capital)


def working_capital(
    ledger: Ledger,
    as_of: DateLike,
    *,
    inventory: Number = 0.0,
    ap: Number = 0.0,
    cogs: Number | None = None,
    cost_of_capital: Number = 0.08,
) -> dict[str, float | None]:
    """Every figure of WORKING_CAPITAL_DEFINITIONS at as_of (None where undefined).

    DIO and DPO (and so CCC) need `cogs`; without it they are None.
    """
    for name, value in (("inventory", inventory), ("ap", ap)):
        if value < 0:
            raise InvalidArgument(f"`{name}` must be >= 0. Got {value!r}.")
    if cogs is not None and cogs <= 0:
        raise InvalidArgument(f"`cogs` must be > 0 (a year's cost of goods sold). Got {cogs!r}.")
    day = day_number(as_of)
    summary = ar_summary(ledger, day_to_timestamp(day))
    arrays = ledger_arrays(ledger)
    cumsum = arrays.invoice_amount_cumsum
    sales_cents = (
        cumsum[arrays.invoices_until(day)] - cumsum[arrays.invoices_until(day - YEAR_DAYS)]
    )
    ar, overdue, sales = summary.total / 100, summary.overdue / 100, int(sales_cents) / 100
    dso = days_of(ar, sales)
    dio = days_of(inventory, cogs) if cogs else None
    dpo = days_of(ap, cogs) if cogs else None
    cost = overdue_financing_cost(overdue, cost_of_capital)
    return {
        "ar": ar,
        "overdue_ar": overdue,
        "credit_sales": sales,
        "inventory": float(inventory),
        "ap": float(ap),
        "cogs": None if cogs is None else float(cogs),
        "wcr": wcr(ar, inventory, ap),
        "dso": dso,
        "dio": dio,
        "dpo": dpo,
        "ccc": None if None in (dso, dio, dpo) else ccc(dso, dio, dpo),
        "cash_per_dso_day": cash_per_dso_day(sales),
        "overdue_financing_cost": cost,
        "overdue_financing_cost_daily": cost / YEAR_DAYS,
    }
