"""Cell text -> dates, cents, flags, days, currencies (known answers worked out by hand)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from creditdash.ingest.parse import (
    MAX_CENTS,
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
        ("31.12.2025", "2025-12-31"),
        ("05.06.2025", "2025-06-05"),  # dots: day first, no warning
        ("31-12-2025", "2025-12-31"),
        ("2025/6/30", "2025-06-30"),
        ("30-Jun-2025", "2025-06-30"),
        ("30-JUN-25", "2025-06-30"),
        ("Jun 30, 2025", "2025-06-30"),
        ("30 June 2025", "2025-06-30"),
        ("1st March 2024", "2024-03-01"),
        ("30. Juni 2025", "2025-06-30"),
        ("3. März 2025 14:30", "2025-03-03"),
        ("1900-01-01", "1900-01-01"),
        ("2199-12-31", "2199-12-31"),
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


def test_dates_with_dots_are_day_first():
    parsed = parse_dates(text("05.06.2025", "01.02.2025", "3/4/2025"))
    assert parsed.values.tolist() == [day("2025-06-05"), day("2025-02-01"), day("2025-04-03")]
    [note] = parsed.notes
    assert note.code == "ingest.dates_ambiguous.day_first.one"
    assert "because row 2 has '05.06.2025'" in note.message


def test_a_date_with_dots_cannot_be_month_first():
    parsed = parse_dates(text("05.06.2025", "12.31.2025"))
    [note] = parsed.notes
    assert (note.level, note.code, note.row) == ("error", "ingest.date_orders_mixed", 3)
    assert parsed.void.tolist() == [False, True]


def test_day_first_with_dashes_is_decided_by_the_column():
    parsed = parse_dates(text("05-06-2025", "31-12-2025"))
    assert parsed.values.tolist() == [day("2025-06-05"), day("2025-12-31")]
    assert "D/M/YYYY (day first) because row 3 has '31-12-2025'" in parsed.notes[0].message


@pytest.mark.parametrize(
    "cell", ["1899-12-31", "9999-12-31", "31.12.1899", "30 June 9999", "2200-01-01", "0024-03-05"]
)
def test_years_outside_the_range_say_so(cell):
    parsed = parse_dates(text("2024-01-01", cell))
    assert parsed.bad.tolist() == [False, True]
    [cells] = parsed.cell_notes
    assert cells.cells.tolist() == [False, True]
    assert cells.code == "ingest.date_out_of_range"
    assert cells.template.format(value=cell, **cells.params) == (
        f"{cell!r} is outside the dates creditdash accepts (1900-01-01 to 2199-12-31). "
        "Check the year."
    )


def test_an_impossible_date_is_only_unreadable():
    parsed = parse_dates(text("2024-02-30", "31.13.2024"))
    assert parsed.bad.tolist() == [True, True]
    assert parsed.cell_notes == []


def test_named_month_dates_are_vectorised():
    parsed = parse_dates(pd.Series(["30-Jun-2025", "Jun 30, 2025", "1 March 2024"] * 20_000))
    assert parsed.values.notna().all()
    assert (parsed.values.dt.month.value_counts().sort_index() == [20_000, 40_000]).all()


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
        ("1.234,56", 123456, None),
        ("17.665,00", 1766500, None),
        ("12,5", 1250, None),
        ("1.234.567", 123456700, None),
        ("1,234,567", 123456700, None),
        ("1 234,56", 123456, None),
        ("1\u00a0234,56", 123456, None),  # no-break space
        ("1\u202f234,56", 123456, None),  # narrow no-break space
        ("1'234.56", 123456, None),
        ("1\u2019234.56", 123456, None),  # Swiss, typographic apostrophe
        ("1.234,56-", -123456, None),
        ("1234.56-", -123456, None),
        ("1,234.56 CR", -123456, None),
        ("CR 1,234.56", -123456, None),
        ("1,234.56cr", -123456, None),
        ("1,234.56 DR", 123456, None),
        ("1.234,56 €", 123456, "EUR"),
        ("EUR 1.234,56-", -123456, "EUR"),
        ("¥1,234", 123400, "CNY"),  # a yuan sign settles the decimal mark
        ("1,234元", 123400, "CNY"),
        ("\u22125.00", -500, None),
        ("0.125", 13, None),  # half a cent rounds away from zero
        ("-0.005", -1, None),
        ("0,125", 13, None),
        ("12345678901234.56", 1234567890123456, None),  # exact beyond float's cents
        ("90000000000000.00", 9000000000000000, None),
        ("-90,000,000,000,000.00", -9000000000000000, None),
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
    "cell",
    [
        "abc",
        "1..2",
        "nan",
        "inf",
        "--5",
        "1,2,3",
        "12 34",
        "1.234.56",
        "(5",
        "(-5)",
        "5 CR-",
        "1,5e3",
        "€",
        "12.5 EURO",
    ],
)
def test_unparseable_amounts_are_bad(cell):
    parsed = parse_money(text("1", cell, ""))
    assert parsed.bad.tolist() == [False, True, False]
    assert parsed.values.isna().tolist() == [False, True, True]
    assert parsed.cell_notes == []


def test_a_decimal_comma_settles_the_column():
    parsed = parse_money(text("1.234,56", "2.500", "3", "1 000", "7,5"))
    assert parsed.values.tolist() == [123456, 250000, 300, 100000, 750]
    assert parsed.notes == [] and not parsed.bad.any()


def test_a_decimal_point_settles_the_column():
    parsed = parse_money(text("2,500", "1.234", "0.5"))
    assert parsed.values.tolist() == [250000, 123, 50]
    assert parsed.notes == [] and not parsed.bad.any()


def test_a_yuan_sign_settles_the_column_but_an_iso_code_does_not():
    parsed = parse_money(text("¥1,234", "2.500"))
    assert parsed.values.tolist() == [123400, 250]
    assert parsed.notes == []
    assert parse_money(text("EUR 1,234", "2.500")).void.tolist() == [True, True]


def test_a_column_nothing_settles_is_an_error_not_a_guess():
    parsed = parse_money(text("1.234", "2.500", "7", "", "1.234 EUR"))
    assert parsed.void.tolist() == [True, True, False, False, True]
    assert not parsed.bad.any()
    assert parsed.values.tolist()[2] == 700
    [note] = parsed.notes
    assert (note.level, note.code, note.row, note.value) == (
        "error",
        "ingest.decimal_marks_unsettled",
        2,
        "1.234",
    )
    assert note.message == (
        "3 amounts such as '1.234' can be read two ways: 1234 if '.' separates thousands, "
        "or 1.234 if it marks the decimals, and no amount in this column settles which. "
        "Export the column with two decimals on every amount (1.234,00 or 1,234.00) and "
        "import the file again."
    )


def test_one_unsettled_amount_shows_both_readings_with_its_sign():
    [note] = parse_money(text("(1,234)")).notes
    assert note.code == "ingest.decimal_marks_unsettled.one"
    assert note.params == {
        "example": "(1,234)",
        "whole": "-1234",
        "mark": ",",
        "fraction": "-1.234",
    }
    assert note.message.startswith(
        "The amount '(1,234)' can be read two ways: -1234 if ',' separates thousands, "
        "or -1.234 if it marks the decimals"
    )


def test_the_other_decimal_mark_is_an_error_on_its_cells():
    parsed = parse_money(text("1.234,56", "2.000,00", "1,234.56", "12,5", "7.5"))
    assert parsed.bad.tolist() == [False, False, True, False, True]
    assert parsed.values.tolist()[:2] == [123456, 200000]
    [cells] = parsed.cell_notes
    assert cells.cells.tolist() == [False, False, True, False, True]
    assert cells.code == "ingest.decimal_marks_mixed.comma_column"
    assert cells.template.format(value="7.5", **cells.params) == (
        "'7.5' is written with '.' for decimals or ',' between thousands (as in 1,234.56), "
        "but this column writes amounts as 1.234,56 (e.g. row 2 has '1.234,56'). "
        "Write every amount in the column the same way."
    )


def test_on_a_tie_the_first_decimal_mark_wins():
    parsed = parse_money(text("1,234.56", "1.234,56"))
    assert parsed.bad.tolist() == [False, True]
    [cells] = parsed.cell_notes
    assert cells.code == "ingest.decimal_marks_mixed.point_column"
    assert cells.params == {"evidence_row": 2, "evidence_value": "1,234.56"}
    assert "'1.234,56' is written with ',' for decimals or '.' between thousands" in (
        cells.template.format(value="1.234,56", **cells.params)
    )


@pytest.mark.parametrize(
    "cell",
    ["99999999999999.99", "-90000000000000.01", "1e20", "12345678901234567890", "1.5E+300"],
)
def test_amounts_too_large_to_keep_say_the_limit(cell):
    parsed = parse_money(text("1", cell))
    assert parsed.bad.tolist() == [False, True]
    [cells] = parsed.cell_notes
    assert (cells.code, cells.cells.tolist()) == ("ingest.amount_too_large", [False, True])
    assert cells.template.format(value=cell, **cells.params) == (
        f"{cell!r} is beyond what creditdash can keep to the cent: amounts must lie between "
        "-90,000,000,000,000.00 and 90,000,000,000,000.00."
    )
    assert MAX_CENTS < 2**53  # every cent below the limit survives float64 storage


def test_money_million_rows_is_vectorised():
    cells = pd.Series(["1,234.56", "(2.00)", "¥3"] * 100_000, dtype="str")
    parsed = parse_money(cells)
    assert int(parsed.values.sum()) == (123456 - 200 + 300) * 100_000


def test_german_amounts_many_rows():
    cells = pd.Series(["1.234,56", "17.665,00-", "3,00 EUR"] * 20_000, dtype="str")
    parsed = parse_money(cells)
    assert int(parsed.values.sum()) == (123456 - 1766500 + 300) * 20_000
    assert (parsed.currency.value_counts() == [20_000]).all()


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
