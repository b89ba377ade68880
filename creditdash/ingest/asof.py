"""The date a report speaks of, read where the file says it.

Reports put it in a title line (``导出日期：2024年6月30日``, ``截止日期``,
``As of June 30, 2025``, ``As at 30 June 2025``, ``Stichtag 31.12.2025``),
often as a period whose **end** is the date (``2025-04-01 至 2025-06-30``,
``期间：2025年4月至2025年6月``). A line with such a word wins over a line
that merely holds a date (a print time in a footer, a company's founding
year); among plain dates the first title line's is taken, as before.
`find_as_of` returns the date and the line it came from, so the user can be
shown why that date was used.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january", "januar", "janv", "janvier"),
            ("feb", "february", "februar", "feb", "fevr", "février"),
            ("mar", "march", "märz", "maerz", "mars"),
            ("apr", "april", "avr", "avril"),
            ("may", "mai"),
            ("jun", "june", "juni", "juin"),
            ("jul", "july", "juli", "juil", "juillet"),
            ("aug", "august", "aout", "août"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "okt", "oktober", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "dez", "dezember", "déc", "décembre"),
        ],
        start=1,
    )
    for name in names
}
# words that say "the date of this report"; checked after NFKC and case-folding
_KEYWORDS = re.compile(
    r"导出日期|截止日期|截至日期|截止|截至|报表日期|统计日期|查询日期|账龄日期|基准日|会计期间|期间|"
    r"as\s+of|as\s+at|at\s+date|report\s+date|key\s+date|cut[\s-]*off|period|ending|"
    r"stichtag|stand|offene\s+posten\s+zum|bis",
    re.IGNORECASE,
)
# words of a print or generation time: a date on such a line is not the report's
_PRINTED = re.compile(
    r"打印|制表时间|生成时间|printed|generated|run\s+(?:on|at)|cash\s+basis|accrual\s+basis|"
    r"\d{1,2}:\d{2}",
    re.IGNORECASE,
)
_RANGE_SEP = r"\s*(?:至|到|~|～|—|–|-{1,2}|to|bis|through|thru)\s*"
_Y, _M, _D = r"(?P<y{n}>(?:19|20|21)\d\d)", r"(?P<m{n}>\d\d?)", r"(?P<d{n}>\d\d?)"


def _ymd(n: int) -> str:
    return (
        _Y.format(n=n) + r"\s*[-/.年]\s*" + _M.format(n=n) + r"\s*[-/.月]\s*" + _D.format(n=n)
        + r"\s*日?"
    )  # fmt: skip


def _dmy(n: int) -> str:  # 31.12.2025, 31/12/2025, 12/31/2025 (US when the first part > 12)
    return _D.format(n=n) + r"\s*[./-]\s*" + _M.format(n=n) + r"\s*[./-]\s*" + _Y.format(n=n)


def _ym(n: int) -> str:  # 2025年6月, 2025-06 (a month: its last day)
    return _Y.format(n=n) + r"\s*(?:年|[-/.])\s*" + _M.format(n=n) + r"\s*月?(?![\d/.-])"


_NAME = r"(?P<name{n}>[A-Za-zäöüéû]{{3,10}})\.?"
_PATTERNS = [
    _ymd,
    _dmy,
    lambda n: _NAME.format(n=n) + r"\s+" + _D.format(n=n) + r"(?:st|nd|rd|th)?,?\s+" + _Y.format(n=n),
    lambda n: _D.format(n=n) + r"(?:st|nd|rd|th)?\.?\s+" + _NAME.format(n=n) + r",?\s+" + _Y.format(n=n),
    _ym,
]  # fmt: skip


@dataclass(frozen=True)
class FoundDate:
    """A report date and where it was read: `line` is the text, `period` says it ended a range."""

    date: dt.date
    line: str
    period: bool = False


def find_as_of(lines: list[str]) -> FoundDate | None:
    """The report date among `lines` (title lines, then footer lines), or None."""
    found = [(i, f) for i, line in enumerate(lines) if (f := _line_date(line)) is not None]
    if not found:
        return None
    keyed = [f for _, f in found if _KEYWORDS.search(_fold(f.line))]
    plain = [f for _, f in found if not _PRINTED.search(f.line)]
    return (keyed or plain or [found[0][1]])[0]


def find_date(text: str) -> dt.date | None:
    """The first date written in `text` (the end of a period when it holds a range)."""
    found = _line_date(text)
    return None if found is None else found.date


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _line_date(line: str) -> FoundDate | None:
    text = unicodedata.normalize("NFKC", line)
    dates = _dates_in(text)
    if not dates:
        return None
    if len(dates) >= 2:
        (_, end0, d0), (start1, _, d1) = dates[0], dates[1]
        if re.fullmatch(_RANGE_SEP, text[end0:start1], re.IGNORECASE) and d1 >= d0:
            return FoundDate(d1, line.strip(), period=True)
    return FoundDate(dates[0][2], line.strip())


def _dates_in(text: str) -> list[tuple[int, int, dt.date]]:
    """(start, end, date) of every date written in `text`, left to right, not overlapping."""
    hits: list[tuple[int, int, dt.date]] = []
    for build in _PATTERNS:
        for match in re.finditer(build(0), text, re.IGNORECASE):
            us = build is _dmy and "/" in match.group(0)
            day = _date(match.groupdict(), month_only=build is _ym, month_first=us)
            if day is None:
                continue
            span = match.span()
            if any(s < span[1] and span[0] < e for s, e, _ in hits):
                continue
            hits.append((span[0], span[1], day))
    return sorted(hits)


def _date(
    groups: dict[str, str | None], *, month_only: bool = False, month_first: bool = False
) -> dt.date | None:
    """The date of a match's groups; `month_first` reads 3/5/2024 as March 5 (US titles)."""
    year = int(groups["y0"] or 0)
    name = groups.get("name0")
    if name is not None:
        month = _MONTHS.get(name.casefold().rstrip("."))
        if month is None:
            return None
    else:
        month = int(groups["m0"] or 0)
    if month_only:
        if not 1 <= month <= 12:
            return None
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    day = int(groups["d0"] or 0)
    if (month_first and day <= 12) or (month > 12 and day <= 12):
        month, day = day, month
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
