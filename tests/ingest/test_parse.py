"""Cell text -> dates, cents, flags, days, currencies (known answers worked out by hand)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from creditdash.ingest.parse import (
    find_date,
    parse_bool,
    parse_currency,
    parse_dates,
    parse_days,
    parse_money,
    parse_number,
)


def text(*values: str, start: int = 2) -> pd.Series:
    """Cells as the parsers get them: stripped text indexed by Excel row."""
    return pd.Series(list(values), index=range(start, start + len(values)), dtype="str")


def day(value: str | None):
    return pd.NaT if value is None else pd.Timestamp(value)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-03-05", "2024-03-05"),
        ("2024-03-05 00:00:00", "2024-03-05"),
        ("2024-03-05T13:45:00Z", "2024-03-05"),
        ("2024/3/5", "2024-03-05"),
        ("2024.03.05", "2024-03-05"),
        ("2024年3月5日", "2024-03-05"),
        ("２０２４年３月５日", "2024-03-05"),
        ("20240305", "2024-03-05"),
        ("45356", "2024-03-05"),  # Excel serial number as text
        ("45356.75", "2024-03-05"),
        ("5-Mar-2024", "2024-03-05"),
        ("March 5, 2024", "2024-03-05"),
    ],
)
def test_date_formats(cell, expected):
    parsed = parse_dates(text(cell))
    assert parsed.values.tolist() == [day(expected)]
    assert not parsed.bad.any()
    assert parsed.notes == []


def test_dates_are_microsecond_midnight():
    parsed = parse_dates(text("2024-03-05 13:45", "45356.5"))
    assert str(parsed.values.dtype) == "datetime64[us]"
    assert (parsed.values == pd.Timestamp("2024-03-05")).all()


def test_month_first_decided_by_a_second_part_over_12():
    parsed = parse_dates(text("3/4/2024", "1/31/2024", "12/1/2024"))
    assert parsed.values.tolist() == [day("2024-03-04"), day("2024-01-31"), day("2024-12-01")]
    [note] = parsed.notes
    assert note.level == "warning"
    assert "read as M/D/YYYY (month first) because row 3 has '1/31/2024'" in note.message
    assert note.message.startswith("2 dates such as '3/4/2024'")


def test_day_first_decided_by_a_first_part_over_12():
    parsed = parse_dates(text("3/4/2024", "31/1/2024", "05.03.2024"))
    assert parsed.values.tolist() == [day("2024-04-03"), day("2024-01-31"), day("2024-03-05")]
    assert "D/M/YYYY (day first) because row 3 has '31/1/2024'" in parsed.notes[0].message


def test_never_decidable_reads_month_first_with_a_warning():
    parsed = parse_dates(text("3/4/2024", "5/6/2024"))
    assert parsed.values.tolist() == [day("2024-03-04"), day("2024-05-06")]
    [note] = parsed.notes
    assert note.level == "warning"
    assert "M/D/YYYY (month first) because no date in the column settles it" in note.message


def test_unambiguous_column_has_no_note():
    parsed = parse_dates(text("1/31/2024", "2/2/2024"))
    assert parsed.notes == []


def test_mixed_day_and_month_first_is_an_error_on_the_column():
    parsed = parse_dates(text("31/1/2024", "3/3/2024", "1/31/2024", "1/30/2024"))
    [note] = parsed.notes
    assert (note.level, note.row, note.value) == ("error", 4, "1/31/2024")
    assert "row 2 ('31/1/2024') can only be D/M/YYYY" in note.message
    assert "row 4 ('1/31/2024') can only be M/D/YYYY" in note.message
    assert parsed.void.tolist() == [False, False, True, True]
    assert not parsed.bad.any()


def test_two_digit_years():
    parsed = parse_dates(text("1/31/24", "1/31/99"))
    assert parsed.values.tolist() == [day("2024-01-31"), day("1999-01-31")]


@pytest.mark.parametrize(
    "cell", ["not a date", "2024-02-30", "13/13/2024", "0024-03-05", "12345678"]
)
def test_unparseable_dates_are_bad(cell):
    parsed = parse_dates(text("2024-01-01", cell, ""))
    assert parsed.bad.tolist() == [False, True, False]
    assert parsed.values.isna().tolist() == [False, True, True]


@pytest.mark.parametrize(
    ("cell", "cents", "currency"),
    [
        ("1234.5", 123450, None),
        ("1,234.56", 123456, None),
        ("-1,234.00", -123400, None),
        ("(1,234.00)", -123400, None),
        ("（1,234.00）", -123400, None),
        ("1,234.00-", -123400, None),
        ("¥1,234.00", 123400, "CNY"),
        ("￥ 1,234.00", 123400, "CNY"),
        ("RMB 1,234", 123400, "CNY"),
        ("1234元", 123400, "CNY"),
        ("人民币1234", 123400, "CNY"),
        ("$5", 500, "USD"),
        ("-$5.10", -510, "USD"),
        ("€ 12.30", 1230, "EUR"),
        ("12.30 EUR", 1230, "EUR"),
        ("0.29", 29, None),
        ("1e3", 100000, None),
        ("-", 0, None),
        ("１，２３４．５０", 123450, None),
        ("99999999999.99", 9999999999999, None),
    ],
)
def test_money(cell, cents, currency):
    parsed = parse_money(text(cell))
    assert parsed.values.tolist() == [cents]
    assert str(parsed.values.dtype) == "Int64"
    assert not parsed.bad.any()
    found = parsed.currency.iloc[0]
    assert (None if pd.isna(found) else found) == currency


@pytest.mark.parametrize(
    "cell", ["abc", "1.234,56", "12,34", "1..2", "nan", "inf", "--5", "1 234,00"]
)
def test_unparseable_amounts_are_bad(cell):
    parsed = parse_money(text("1", cell, ""))
    assert parsed.bad.tolist() == [False, True, False]
    assert parsed.values.isna().tolist() == [False, True, True]


def test_money_million_rows_is_vectorised():
    cells = pd.Series(["1,234.56", "(2.00)", "¥3"] * 100_000, dtype="str")
    parsed = parse_money(cells)
    assert int(parsed.values.sum()) == (123456 - 200 + 300) * 100_000


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("Yes", True),
        ("no", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("x", True),
        ("", None),
    ],
)
def test_booleans(cell, value):
    parsed = parse_bool(text(cell))
    got = parsed.values.iloc[0]
    assert (None if pd.isna(got) else bool(got)) == value
    assert not parsed.bad.any()


def test_bad_boolean():
    assert parse_bool(text("maybe")).bad.tolist() == [True]


def test_days():
    parsed = parse_days(text("30", "Net 45", "60天", "月结90天", "", "COD"))
    assert parsed.values.tolist()[:4] == [30, 45, 60, 90]
    assert parsed.bad.tolist() == [False, False, False, False, False, True]


def test_currency_codes():
    parsed = parse_currency(text("usd", "RMB", "人民币", "¥", "$", "€", " eur ", "", "dollars"))
    assert parsed.values.tolist()[:7] == ["USD", "CNY", "CNY", "CNY", "USD", "EUR", "EUR"]
    assert parsed.bad.tolist() == [False] * 8 + [True]


def test_numbers():
    parsed = parse_number(text("7.1", "1,000.5", "", "x"))
    assert parsed.values.tolist()[:2] == [7.1, 1000.5]
    assert parsed.bad.tolist() == [False, False, False, True]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("截至2024年3月31日应收账款", dt.date(2024, 3, 31)),
        ("As of 3/31/2024", dt.date(2024, 3, 31)),
        ("As of 31/3/2024", dt.date(2024, 3, 31)),
        ("Aging report 2024-03-31", dt.date(2024, 3, 31)),
        ("Open items as at March 31, 2024", dt.date(2024, 3, 31)),
        ("Open items as at 31 Mar 2024", dt.date(2024, 3, 31)),
        ("ACME Ltd", None),
    ],
)
def test_find_date_in_title_lines(line, expected):
    assert find_date(line) == expected
