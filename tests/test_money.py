"""Cents <-> decimal money, exactly."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from creditdash.errors import InvalidArgument
from creditdash.money import cents_to_decimal, format_cents, to_cents


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (-123405, "-1234.05"),
        (0, "0.00"),
        (5, "0.05"),
        (-5, "-0.05"),
        (100, "1.00"),
        (-100, "-1.00"),
        (123456789012345678, "1234567890123456.78"),
        (np.int64(-99), "-0.99"),
    ],
)
def test_format_cents(cents, text):
    assert format_cents(cents) == text


def test_format_cents_with_thousands_separator():
    assert format_cents(-123456789, thousands=",") == "-1,234,567.89"
    assert format_cents(99, thousands=",") == "0.99"


def test_cents_to_decimal():
    assert cents_to_decimal(-123405) == Decimal("-1234.05")
    assert str(cents_to_decimal(5)) == "0.05"
    assert str(cents_to_decimal(100)) == "1.00"
    assert str(cents_to_decimal(np.int64(-7))) == "-0.07"


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        ("1234.05", 123405),
        (" -1234.05 ", -123405),
        ("0.005", 1),  # half up: away from zero
        ("-0.005", -1),
        ("0.0049", 0),
        ("2.675", 268),
        ("1e3", 100000),
        ("12345678901234567890.125", 1234567890123456789013),
        (Decimal("2.675"), 268),
        (Decimal("-0.015"), -2),
        (12, 1200),
        (np.int64(-3), -300),
        (2.675, 268),  # read through repr: what the user typed
        (0.1, 10),
    ],
)
def test_to_cents(value, cents):
    assert to_cents(value) == cents


def test_round_trips_are_exact():
    rng = np.random.default_rng(0)
    for cents in [*rng.integers(-(10**15), 10**15, 200).tolist(), 0, 1, -1, 99, -100]:
        assert to_cents(cents_to_decimal(cents)) == cents
        assert to_cents(format_cents(cents)) == cents


@pytest.mark.parametrize("value", ["abc", "", "1,234.05", "12.3.4"])
def test_to_cents_rejects_text_that_is_not_an_amount(value):
    with pytest.raises(InvalidArgument) as caught:
        to_cents(value)
    assert (
        str(caught.value) == f"`value` must be a decimal amount such as '1234.05'. Got {value!r}."
    )


@pytest.mark.parametrize("value", ["NaN", "inf", Decimal("-Infinity"), float("nan")])
def test_to_cents_rejects_non_finite_amounts(value):
    with pytest.raises(InvalidArgument) as caught:
        to_cents(value)
    assert str(caught.value) == f"`value` must be a finite amount. Got {value!r}."


@pytest.mark.parametrize("value", [None, True, [1], b"12"])
def test_to_cents_rejects_other_types(value):
    with pytest.raises(InvalidArgument) as caught:
        to_cents(value)
    assert str(caught.value) == (
        f"`value` must be a Decimal, str, int or float amount. Got {type(value).__name__}."
    )


@pytest.mark.parametrize("cents", [1.5, "100", None, True, Decimal("1")])
def test_cents_must_be_whole(cents):
    for function in (format_cents, cents_to_decimal):
        with pytest.raises(InvalidArgument) as caught:
            function(cents)
        assert str(caught.value) == f"`cents` must be a whole number of cents (int). Got {cents!r}."
