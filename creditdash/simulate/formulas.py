"""Textbook credit-term formulas as pure functions (definitions: spec/metrics.md).

They take plain numbers in any one currency unit and return plain numbers,
so they can be checked against published examples by hand.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from creditdash.errors import InvalidArgument

Number = int | float
DAYS_A_YEAR = 365


def switch_npv(
    price: Number, variable_cost: Number, quantity: Number, quantity_new: Number, rate: Number
) -> float:
    """NPV of a one-shot switch from cash to credit terms (perpetuity).

    NPV = -[P Q + v (Q' - Q)] + (P - v)(Q' - Q) / R: the switch costs one
    period's cash sales P Q (collected a period later) and the variable cost
    of the extra units; from then on the extra contribution arrives each
    period for ever. `rate` R is the required return per period.
    """
    _check_positive("rate", rate)
    extra = quantity_new - quantity
    return -(price * quantity + variable_cost * extra) + (price - variable_cost) * extra / rate


@dataclass(frozen=True)
class IncrementalEffect:
    """The annual incremental analysis of a terms change; every figure a year, in sales' unit.

    `net` = contribution - bad_debt - discount_cost - carrying_cost + late_interest.
    """

    contribution: float  # (1 - v)(S1 - S0)
    bad_debt: float  # b1 S1 - b0 S0 (a cost when positive)
    discount_cost: float  # d t S1
    carrying_cost: float  # k v (AR1 - AR0) (a cost when positive)
    late_interest: float  # income from late-payment interest
    net: float
    ar_before: float  # S0 x DSO0 / 365
    ar_after: float  # S1 x DSO1 / 365

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def receivables(sales: Number, dso: Number) -> float:
    """AR carried by annual `sales` collected in `dso` days: S x DSO / 365."""
    return sales * dso / DAYS_A_YEAR


def annual_incremental(
    sales: Number,
    sales_new: Number,
    variable_cost_ratio: Number,
    dso: Number,
    dso_new: Number,
    bad_debt_rate: Number,
    bad_debt_rate_new: Number,
    cost_of_capital: Number,
    discount: Number = 0.0,
    take_up: Number = 0.0,
    late_interest: Number = 0.0,
) -> IncrementalEffect:
    """Annual effect of new terms: (1 - v)(S1 - S0) - (b1 S1 - b0 S0) - d t S1 - k v (AR1 - AR0).

    AR = S x DSO / 365 before and after; carrying AR costs the cost of
    capital k on its variable cost v x AR. `late_interest` is income already
    worked out by the caller (0 in the textbook form).
    """
    _check_share("variable_cost_ratio", variable_cost_ratio)
    _check_share("discount", discount)
    _check_share("take_up", take_up)
    ar_before, ar_after = receivables(sales, dso), receivables(sales_new, dso_new)
    contribution = (1 - variable_cost_ratio) * (sales_new - sales)
    bad_debt = bad_debt_rate_new * sales_new - bad_debt_rate * sales
    discount_cost = discount * take_up * sales_new
    carrying_cost = cost_of_capital * variable_cost_ratio * (ar_after - ar_before)
    net = contribution - bad_debt - discount_cost - carrying_cost + late_interest
    return IncrementalEffect(
        contribution=contribution,
        bad_debt=bad_debt,
        discount_cost=discount_cost,
        carrying_cost=carrying_cost,
        late_interest=float(late_interest),
        net=net,
        ar_before=ar_before,
        ar_after=ar_after,
    )


def cost_of_forgoing_discount(d: Number, discount_days: Number, net_days: Number) -> float:
    """Annual cost to a customer of not taking d/D net N: d / (1 - d) x 365 / (N - D).

    1/10 net 45 gives 0.1053 (10.53% a year).
    """
    _check_discount_terms(d, discount_days, net_days)
    return d / (1 - d) * DAYS_A_YEAR / (net_days - discount_days)


def break_even_default_rate(
    d: Number, discount_days: Number, net_days: Number, annual_rate: Number
) -> float:
    """Default rate at which a cash discount pays for itself: 1 - (1 - d)(1 + R).

    A customer who takes d/D net N pays (1 - d) of the price at D; one who
    does not pays the full price at N but defaults with probability p. With
    R = annual_rate x (N - D) / 365 the rate for the days in between, the
    two are worth the same when (1 - d)(1 + R) = 1 - p. Above this p the
    discount is worth offering; below it, the discount costs more than the
    risk and the waiting it removes. Can be negative when the interest
    saved alone exceeds the discount.
    """
    _check_discount_terms(d, discount_days, net_days)
    _check_nonnegative("annual_rate", annual_rate)
    period_rate = annual_rate * (net_days - discount_days) / DAYS_A_YEAR
    return 1 - (1 - d) * (1 + period_rate)


def cash_per_dso_day(annual_credit_sales: Number) -> float:
    """Cash released by lowering DSO by one day: annual credit sales / 365."""
    return annual_credit_sales / DAYS_A_YEAR


def _check_discount_terms(d: Number, discount_days: Number, net_days: Number) -> None:
    _check_discount("d", d)
    _check_nonnegative("discount_days", discount_days)
    if net_days <= discount_days:
        raise InvalidArgument.coded(
            "terms.err.net_after_discount",
            "`net_days` must be later than `discount_days` ({discount_days}). Got {value!r}.",
            discount_days=discount_days,
            value=net_days,
        )


def _check_discount(name: str, value: Number) -> None:
    if not 0 <= value < 1:
        raise InvalidArgument.coded(
            "terms.err.discount_share",
            "`{name}` must be a share in [0, 1), e.g. 0.02 for 2%. Got {value!r}.",
            name=name,
            value=value,
        )


def _check_share(name: str, value: Number) -> None:
    if not 0 <= value <= 1:
        raise InvalidArgument.coded(
            "terms.err.share",
            "`{name}` must be a share between 0 and 1. Got {value!r}.",
            name=name,
            value=value,
        )


def _check_positive(name: str, value: Number) -> None:
    if not value > 0:
        raise InvalidArgument.coded(
            "terms.err.positive", "`{name}` must be > 0. Got {value!r}.", name=name, value=value
        )


def _check_nonnegative(name: str, value: Number) -> None:
    if not value >= 0:
        raise InvalidArgument.coded(
            "terms.err.nonnegative", "`{name}` must be >= 0. Got {value!r}.", name=name, value=value
        )
