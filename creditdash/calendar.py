"""The Spring Festival (农历新年): the dates sales and payments slow down around.

The lunar calendar's dates are written out (the `holidays` package is not a
dependency): the first day of the first lunar month, 2000 to 2050, as the
`holidays` package's table and `lunardate`'s conversion both give them.
Outside those years no festival is listed, so days there count as far from
any festival.

Day numbers are days since 1970-01-01 (numpy's `datetime64[D]` as integers,
`creditdash.ledger.day_number`).
"""

from __future__ import annotations

from datetime import date

import numpy as np

SPRING_FESTIVAL: dict[int, date] = {
    d.year: d
    for d in map(date.fromisoformat, (
        "2000-02-05", "2001-01-24", "2002-02-12", "2003-02-01", "2004-01-22", "2005-02-09",
        "2006-01-29", "2007-02-18", "2008-02-07", "2009-01-26", "2010-02-14", "2011-02-03",
        "2012-01-23", "2013-02-10", "2014-01-31", "2015-02-19", "2016-02-08", "2017-01-28",
        "2018-02-16", "2019-02-05", "2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22",
        "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13",
        "2030-02-03", "2031-01-23", "2032-02-11", "2033-01-31", "2034-02-19", "2035-02-08",
        "2036-01-28", "2037-02-15", "2038-02-04", "2039-01-24", "2040-02-12", "2041-02-01",
        "2042-01-22", "2043-02-10", "2044-01-30", "2045-02-17", "2046-02-06", "2047-01-26",
        "2048-02-14", "2049-02-02", "2050-01-23",
    ))
}  # fmt: skip

_FESTIVAL_DAYS = np.array(sorted(SPRING_FESTIVAL.values()), dtype="datetime64[D]").astype(np.int64)


def days_from_spring_festival(days: np.ndarray) -> np.ndarray:
    """Signed days from the nearest Spring Festival (negative before it), per day number.

    `days`: an integer array of any shape (day numbers); the result has the same shape.
    """
    days = np.asarray(days, dtype=np.int64)
    rel = days[..., None] - _FESTIVAL_DAYS
    nearest = np.abs(rel).argmin(axis=-1)
    return np.take_along_axis(rel, nearest[..., None], axis=-1)[..., 0]
