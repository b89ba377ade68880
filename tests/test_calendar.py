"""Spring Festival dates and the days from the nearest one."""

from datetime import date

import numpy as np

from creditdash.calendar import SPRING_FESTIVAL, days_from_spring_festival
from creditdash.forecast.sales import festival_regressors
from creditdash.ledger import day_number

# The first day of the first lunar month, as the `holidays` package and `lunardate` give them
KNOWN = {
    2000: date(2000, 2, 5),
    2010: date(2010, 2, 14),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2033: date(2033, 1, 31),
    2050: date(2050, 1, 23),
}


def test_known_dates():
    assert {year: SPRING_FESTIVAL[year] for year in KNOWN} == KNOWN


def test_every_year_from_2000_to_2050_between_21_january_and_20_february():
    assert list(SPRING_FESTIVAL) == list(range(2000, 2051))
    for year, day in SPRING_FESTIVAL.items():
        assert day.year == year
        assert date(year, 1, 21) <= day <= date(year, 2, 20)


def test_days_from_the_nearest_festival_keep_the_shape():
    days = np.array(
        [
            [day_number("2024-02-10"), day_number("2024-02-03")],
            [day_number("2024-08-01"), day_number("2025-01-30")],
        ]
    )
    assert days_from_spring_festival(days).tolist() == [[0, -7], [173, 1]]


def test_festival_regressors_match_the_old_table_where_it_had_dates():
    # The forecast's regressors are unchanged for every week the old 2020-2030 table covered:
    # each day counted by hand against whichever listed festival it falls near
    old = [np.datetime64(d) for d in ("2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22",
           "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13",
           "2030-02-03")]  # fmt: skip
    ends = np.arange(day_number("2019-10-04"), day_number("2030-06-28"), 7)
    expected = []
    for end in ends:
        week = [np.datetime64(int(end) - k, "D") for k in range(7)]
        rel = [[int((d - f).astype(int)) for f in old] for d in week]
        core = sum(any(0 <= r <= 7 for r in rs) for rs in rel) / 7
        shoulder = sum(any(-7 <= r < 0 or 7 < r <= 14 for r in rs) for rs in rel) / 7
        expected.append([core, shoulder])
    assert festival_regressors(ends).tolist() == expected
    # every festival's days all seen: 8 core days (0..7) and 14 shoulder days each, 11 festivals
    assert (np.asarray(expected).sum(axis=0) * 7).round().tolist() == [88.0, 154.0]
