"""Exact conversions between whole cents (int) and decimal money.

creditdash keeps money as int cents (see `creditdash.frames`); these turn
cents into text or `Decimal` at the edge and parse amounts back, rounding
half away from zero (`ROUND_HALF_UP`) to the cent.
"""

from __future__ import annotations

import numbers
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from creditdash.errors import InvalidArgument

_CENT = Decimal("0.01")


def format_cents(cents: int, thousands: str = "") -> str:
    """Cents as a 2-decimal string: -123405 -> "-1234.05" (thousands="," -> "-1,234.05")."""
    if isinstance(cents, bool) or not isinstance(cents, numbers.Integral):
        raise InvalidArgument.coded(
            "error.money.cents", "`cents` must be a whole number of cents (int). Got {cents!r}.",
            cents=cents,
        )  # fmt: skip
    value = int(cents)
    units, rest = divmod(abs(value), 100)
    sign = "-" if value < 0 else ""
    return f"{sign}{units:,}.{rest:02d}".replace(",", thousands)


def cents_to_decimal(cents: int) -> Decimal:
    """Cents as an exact 2-decimal `Decimal`: 5 -> Decimal("0.05")."""
    if isinstance(cents, bool) or not isinstance(cents, numbers.Integral):
        raise InvalidArgument.coded(
            "error.money.cents", "`cents` must be a whole number of cents (int). Got {cents!r}.",
            cents=cents,
        )  # fmt: skip
    return Decimal(int(cents)).scaleb(-2)


def to_cents(value: Decimal | str | int | float) -> int:
    """An amount in currency units as whole cents, half away from zero: "-0.005" -> -1.

    Floats are read through their shortest repr (12.345 -> "12.345" -> 1235),
    so what the user typed is what gets rounded.
    """
    amount = _as_decimal(value)
    if not amount.is_finite():
        raise InvalidArgument.coded(
            "error.money.finite", "`value` must be a finite amount. Got {value!r}.", value=value
        )
    with localcontext() as ctx:
        ctx.prec = max(28, amount.adjusted() + 4)  # never lose digits of a large amount
        return int(amount.quantize(_CENT, rounding=ROUND_HALF_UP).scaleb(2))


def _as_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | str | numbers.Real):
        raise InvalidArgument.coded(
            "error.money.type",
            "`value` must be a Decimal, str, int or float amount. Got {type}.",
            type=type(value).__name__,
        )
    if isinstance(value, Decimal):
        return value
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    text = value.strip() if isinstance(value, str) else repr(float(value))
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidArgument.coded(
            "error.money.decimal",
            "`value` must be a decimal amount such as '1234.05'. Got {value!r}.",
            value=value,
        ) from None
