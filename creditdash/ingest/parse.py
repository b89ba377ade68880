"""Cell text -> dates, money in cents, yes/no flags, day counts, currencies.

Each parser takes a Series of stripped text ("" = empty cell) indexed by
Excel row and returns a `Parsed`: `values` on the same index (NA where the
cell is empty or unreadable), `bad` marking cells that hold text that
could not be read, and `notes` about the column as a whole. Parsing is
vectorised (pyarrow's regex kernels under pandas' str dtype): a million
dates take well under a second.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_TIME = (
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_YMD = r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?" + _TIME + "$"
_COMPACT = r"^(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)$"
_ABY = r"^(?P<a>\d{1,2})\s*(?P<s>[-/.])\s*(?P<b>\d{1,2})\s*[-/.]\s*(?P<y>\d{4}|\d{2})" + _TIME + "$"
_SERIAL = r"^\d{5}(?:\.\d+)?$"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY_NAMED = (
    r"^(?P<d>\d{1,2})"
    + _ORDINAL
    + r"[-\s./]*(?P<m>[A-Za-zÄä]{3,9})\.?[-\s./,]*(?P<y>\d{4}|\d{2})"
    + _TIME
    + "$"
)
_NAMED_DAY = (
    r"^(?P<m>[A-Za-zÄä]{3,9})\.?[-\s./]*(?P<d>\d{1,2})"
    + _ORDINAL
    + r",?[-\s./]*(?P<y>\d{4})"
    + _TIME
    + "$"
)
_MIN_YEAR, _MAX_YEAR = 1900, 2199
DATE_RANGE = (dt.date(_MIN_YEAR, 1, 1), dt.date(_MAX_YEAR, 12, 31))

_CURRENCY_ALIASES = {
    "RMB": "CNY",
    "人民币": "CNY",
    "元": "CNY",
    "¥": "CNY",
    "CN¥": "CNY",
    "$": "USD",
    "US$": "USD",
    "美元": "USD",
    "€": "EUR",
    "欧元": "EUR",
    "£": "GBP",
    "英镑": "GBP",
    "HK$": "HKD",
    "港币": "HKD",
    "港元": "HKD",
    "日元": "JPY",
}
_CURRENCY_TOKEN = (
    r"(?P<c>RMB|CNY|USD|EUR|GBP|HKD|JPY|人民币|美元|欧元|英镑|港币|港元|日元|"
    r"US\$|HK\$|CN¥|¥|\$|€|£|元)"
)
_TRUE = {"yes", "y", "true", "t", "1", "x", "是", "有", "√", "✓", "✔", "disputed"}
_FALSE = {"no", "n", "false", "f", "0", "否", "无", "没有", "-"}
_MONTHS = {
    m.lower(): i
    for i, names in enumerate(
        [
            ("jan", "january", "januar", "jänner", "jän"),
            ("feb", "february", "februar"),
            ("mar", "march", "märz", "mär", "mrz"),
            ("apr", "april"),
            ("may", "mai"),
            ("jun", "june", "juni"),
            ("jul", "july", "juli"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october", "okt", "oktober"),
            ("nov", "november"),
            ("dec", "december", "dez", "dezember"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_NAMES = pa.array(list(_MONTHS))
_MONTH_NUMBERS = np.array(list(_MONTHS.values()), dtype="int64")


@dataclass
class ColumnNote:
    """A finding about a whole column; `row`/`value` show one example cell.

    `message` is English; `code` and `params` translate it (i18n/*/problems.json).
    """

    level: str
    message: str
    row: int | None = None
    value: str | None = None
    code: str | None = None
    params: dict[str, object] = field(default_factory=dict)

    @classmethod
    def coded(
        cls,
        level: str,
        code: str,
        template: str,
        *,
        row: int | None = None,
        value: str | None = None,
        **params: object,
    ) -> ColumnNote:
        """A note whose message is `template` (the English text of `code`) filled with `params`."""
        return cls(level, template.format(**params), row, value, code, params)


@dataclass
class CellNote:
    """Why some bad cells are bad, when there is more to say than that they are unreadable.

    `cells` is a boolean mask on the text's index (every marked cell is also
    `bad`). The message of a cell is `template` (the English text of `code`,
    i18n/*/problems.json) filled with the cell's text as `value` and `params`.
    """

    cells: pd.Series
    code: str
    template: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class Parsed:
    """What a column's text means.

    values      parsed values on the text's index, NA where empty or unreadable
    bad         True where a cell holds text that could not be read
    notes       findings about the whole column
    void        True where a value is unusable because of a column-level error
    currency    money only: the currency a sign in the text implies (or NA)
    cell_notes  the rule some bad cells break (the others are just unreadable)
    """

    values: pd.Series
    bad: pd.Series
    notes: list[ColumnNote] = field(default_factory=list)
    void: pd.Series | None = None
    currency: pd.Series | None = None
    cell_notes: list[CellNote] = field(default_factory=list)


def _arrow(text: pd.Series) -> pa.Array:
    return pa.array(text.astype("str").array)


def _normalise(text: pd.Series) -> pd.Series:
    """NFKC (full-width digits and signs to ASCII), only when a cell is not plain ASCII."""
    arr = _arrow(text)
    if pc.any(pc.match_substring_regex(arr, r"[^\x00-\x7f]")).as_py():
        return pd.Series(pd.array(pc.utf8_normalize(arr, "NFKC"), dtype="str"), index=text.index)
    return text


def _extract(text: pd.Series, pattern: str) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """(matched mask, named groups) of a regex over every cell."""
    result = pc.extract_regex(_arrow(text), pattern)
    matched = pc.fill_null(pc.is_valid(result), False).to_numpy(zero_copy_only=False)
    names = [result.type.field(i).name for i in range(result.type.num_fields)]
    return matched, {name: pc.struct_field(result, name) for name in names}


def _ints(arr: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.cast(arr, pa.int64()), 0).to_numpy(zero_copy_only=False)


def _filled(text: pd.Series) -> np.ndarray:
    return np.array(text.fillna("") != "", dtype=bool)


# --- dates ----------------------------------------------------------------------


def _assemble(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """datetime64[us] from parts; NaT for impossible dates or years outside DATE_RANGE."""
    parts = pd.DataFrame({"year": year, "month": month, "day": day})
    dates = np.array(pd.to_datetime(parts, errors="coerce"), dtype="datetime64[us]")
    dates[_out_of_range(year)] = np.datetime64("NaT")
    return dates


def _out_of_range(year: np.ndarray) -> np.ndarray:
    return (year < _MIN_YEAR) | (year > _MAX_YEAR)


def _full_year(year: np.ndarray) -> np.ndarray:
    """Two-digit years: 00-68 are 2000-2068, 69-99 are 1969-1999."""
    return np.where(year < 100, np.where(year < 69, year + 2000, year + 1900), year)


def _is(arr: pa.Array, value: str) -> np.ndarray:
    return pc.fill_null(pc.equal(arr, value), False).to_numpy(zero_copy_only=False)


def _parts(
    cells: pa.Array, todo: np.ndarray, pattern: str
) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """(positions, named groups) of the `todo` cells that match `pattern`.

    A match without groups sorts the cells first: it is many times quicker than
    extracting groups from cells that do not match.
    """
    pos = np.flatnonzero(todo)
    some = cells if len(pos) == len(cells) else pc.take(cells, pa.array(pos))
    hit = _matches(some, pattern)
    groups = pc.extract_regex(some if hit.all() else pc.filter(some, pa.array(hit)), pattern)
    names = [groups.type.field(i).name for i in range(groups.type.num_fields)]
    return pos[hit], {name: pc.struct_field(groups, name) for name in names}


def parse_dates(text: pd.Series) -> Parsed:
    """Dates in any of: ISO, 2024/3/5, 2024.03.05, 2024年3月5日, 20240305, 31.12.2024
    (dots: day first), M/D/YYYY or D/M/YYYY and M-D-YYYY or D-M-YYYY (order decided
    from the whole column), Excel serial numbers, 30-Jun-2024, 30 June 2024 and
    Jun 30, 2024 (English or German month names). Years outside DATE_RANGE are bad
    with a `CellNote` that names the range.
    """
    text = _normalise(text)
    n = len(text)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    void = np.zeros(n, dtype=bool)
    far = np.zeros(n, dtype=bool)  # a year outside DATE_RANGE
    notes: list[ColumnNote] = []
    todo = _filled(text)
    cells = _arrow(text)
    for pattern in (_YMD, _COMPACT):
        if not todo.any():
            break
        hit, g = _parts(cells, todo, pattern)
        year = _ints(g["y"])
        out[hit] = _assemble(year, _ints(g["m"]), _ints(g["d"]))
        far[hit] = _out_of_range(year)
        todo[hit] = False
    if todo.any():
        hit, g = _parts(cells, todo, _ABY)
        if len(hit):
            a, b, year = _ints(g["a"]), _ints(g["b"]), _full_year(_ints(g["y"]))
            dates, bad_order, note = _day_month(text, hit, a, b, year, _is(g["s"], "."))
            out[hit], void[hit] = dates, bad_order
            far[hit] = _out_of_range(year) & ~bad_order
            notes += [note] if note else []
            todo[hit] = False
    for pattern in (_DAY_NAMED, _NAMED_DAY):
        if not todo.any():
            break
        hit, g = _parts(cells, todo, pattern)
        names = pc.index_in(pc.utf8_lower(g["m"]), value_set=_MONTH_NAMES)
        known = pc.fill_null(names, -1).to_numpy(zero_copy_only=False)
        month = known >= 0
        hit, year = hit[month], _full_year(_ints(g["y"])[month])
        out[hit] = _assemble(year, _MONTH_NUMBERS[known[month]], _ints(g["d"])[month])
        far[hit] = _out_of_range(year)
        todo[hit] = False
    if todo.any():
        pos = np.flatnonzero(todo)
        sub = text.iloc[pos]
        serial = sub.str.fullmatch(_SERIAL).to_numpy(dtype=bool)
        if serial.any():
            days = np.floor(pd.to_numeric(sub[serial]).to_numpy(dtype=float))
            stamps = pd.to_datetime(days, unit="D", origin="1899-12-30")
            out[pos[serial]] = stamps.to_numpy(dtype="datetime64[us]")
            todo[pos[serial]] = False
    if todo.any():
        pos = np.flatnonzero(todo)
        sub = text.iloc[pos]
        worded = sub.str.contains(r"[A-Za-z]{3}", regex=True).to_numpy(dtype=bool)
        if worded.any():
            stamps = pd.to_datetime(sub[worded], format="mixed", errors="coerce").dt.normalize()
            ok = stamps.notna() & stamps.dt.year.between(_MIN_YEAR, _MAX_YEAR)
            out[pos[worded]] = stamps.where(ok).to_numpy(dtype="datetime64[us]")
            far[pos[worded]] = (stamps.notna() & ~ok).to_numpy(dtype=bool)
    bad = _filled(text) & np.isnat(out) & ~void
    index = text.index
    cell_notes = [_outside_range(pd.Series(far & bad, index=index))] if (far & bad).any() else []
    return Parsed(
        pd.Series(out, index=index),
        pd.Series(bad, index=index),
        notes,
        void=pd.Series(void, index=index),
        cell_notes=cell_notes,
    )


def _outside_range(cells: pd.Series) -> CellNote:
    first, last = DATE_RANGE
    return CellNote(
        cells,
        "ingest.date_out_of_range",
        "{value!r} is outside the dates creditdash accepts ({first} to {last}). Check the year.",
        {"first": first.isoformat(), "last": last.isoformat()},
    )


def _day_month(
    text: pd.Series,
    pos: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    y: np.ndarray,
    dotted: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, ColumnNote | None]:
    """Dates from A/B/Y parts, reading the whole column to tell M/D from D/M.

    A date written with dots (31.12.2024, 05.06.2024) is day first wherever it
    can be: that is how the countries that write dates with dots write them.
    """
    day_first = np.flatnonzero((b <= 12) & ((a > 12) | dotted))
    month_first = np.flatnonzero((b > 12) & (a <= 12))
    void = np.zeros(len(pos), dtype=bool)
    note = None
    if len(day_first) and len(month_first):
        dm_wins = day_first[0] < month_first[0]
        first, other = (day_first, month_first) if dm_wins else (month_first, day_first)
        r1, r2 = text.index[pos[first[0]]], text.index[pos[other[0]]]
        v1, v2 = text.iloc[pos[first[0]]], text.iloc[pos[other[0]]]
        orders = ("D/M/YYYY", "M/D/YYYY") if dm_wins else ("M/D/YYYY", "D/M/YYYY")
        note = ColumnNote.coded(
            "error",
            "ingest.date_orders_mixed",
            "This column mixes date orders: row {first_row} ({first_value!r}) can only be "
            "{first_order} but row {second_row} ({second_value!r}) can only be {second_order}. "
            "Use one date format in the whole column (ISO dates such as 2024-03-31 are safest).",
            row=int(r2),
            value=str(v2),
            first_row=int(r1),
            first_value=str(v1),
            first_order=orders[0],
            second_row=int(r2),
            second_value=str(v2),
            second_order=orders[1],
        )
        void[other] = True
        day_first_order = bool(dm_wins)
    else:
        day_first_order = bool(len(day_first))
        either = np.flatnonzero((a <= 12) & (b <= 12) & (a != b) & ~dotted)
        if len(either):
            evidence = day_first if day_first_order else month_first
            note = _ambiguous(text, pos, either, evidence, day_first_order)
    month, day = (b, a) if day_first_order else (a, b)
    dates = _assemble(y, month, day)
    dates[void] = np.datetime64("NaT")
    return dates, void, note


def _ambiguous(
    text: pd.Series, pos: np.ndarray, either: np.ndarray, evidence: np.ndarray, day_first: bool
) -> ColumnNote:
    """The warning that dates like 3/4/2024 were read in the order the column implies.

    One code per case (day first or month first because of a row, month first for
    want of one; one date or several), so each translates as a whole sentence.
    """
    n, example = len(either), str(text.iloc[pos[either[0]]])
    head = "{n:,} date such as {example!r}" if n == 1 else "{n:,} dates such as {example!r}"
    head += " could be month-first or day-first; all were read as "
    suffix = ".one" if n == 1 else ""
    if not len(evidence):
        return ColumnNote.coded(
            "warning",
            "ingest.dates_ambiguous.unsettled" + suffix,
            head + "M/D/YYYY (month first) because no date in the column settles it; "
            "if they are day-first, use ISO dates (2024-03-31) instead.",
            n=n,
            example=example,
        )
    order = "D/M/YYYY (day first)" if day_first else "M/D/YYYY (month first)"
    return ColumnNote.coded(
        "warning",
        f"ingest.dates_ambiguous.{'day_first' if day_first else 'month_first'}" + suffix,
        head + order + " because row {evidence_row} has {evidence_value!r}.",
        n=n,
        example=example,
        evidence_row=int(text.index[pos[evidence[0]]]),
        evidence_value=str(text.iloc[pos[evidence[0]]]),
    )


def find_date(text: str) -> dt.date | None:
    """The first date written in a title line ("截至2024年3月31日", "As of 3/31/2024")."""
    text = _nfkc(text)
    patterns = [
        (r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", lambda g: (g[0], g[1], g[2])),
        (r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})", _title_md),
        (
            r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})",
            lambda g: (g[2], _MONTHS.get(g[0].lower()), g[1]),
        ),
        (
            r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})",
            lambda g: (g[2], _MONTHS.get(g[1].lower()), g[0]),
        ),
    ]
    for pattern, order in patterns:
        for match in re.finditer(pattern, text):
            year, month, day = order(match.groups())
            try:
                return dt.date(int(year), int(month), int(day))
            except (TypeError, ValueError):
                continue
    return None


def _title_md(groups: tuple[str, ...]) -> tuple[str, str, str]:
    a, b, year = groups
    return (year, b, a) if int(a) > 12 else (year, a, b)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# --- money ----------------------------------------------------------------------

# The database keeps money as Numeric(18, 2) (up to 10**16 - 0.01), but SQLite stores
# NUMERIC as a double and imports and the ledger's sums carry cents through float64,
# which holds a whole number of cents exactly only below 2**53 (about 90.07 trillion).
# The largest amount accepted is the round figure under that.
MAX_CENTS = 9 * 10**15
_DASHES = ["-", "—", "–"]
# a number with its sign: -, +, ( ), a trailing minus (SAP), CR (credit: negative) or DR
_SIGNED = (
    r"^\s*(?P<open>\()?\s*(?P<lead>[-+]|[CcDd][Rr])?\s*"
    r"(?P<num>[0-9.,' ]*[0-9](?:[eE][-+]?[0-9]+)?)"
    r"\s*(?P<trail>-|[CcDd][Rr])?\s*(?P<close>\))?\s*$"
)
_BARE = r"^-?[0-9.,' ]*[0-9]$"
_EXPONENT = r"^(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+$"
# signs only people who write a decimal point put on amounts (Chinese text, the yuan
# and yen signs): ¥1,234 is 1234, not 1.234; an ISO code says nothing of the writer
_ALIAS_SIGNS = pa.array(list(_CURRENCY_ALIASES))
_ALIAS_CODES = pa.array(list(_CURRENCY_ALIASES.values()))
_POINT_WRITERS = ["RMB", "人民币", "元", "¥", "CN¥", "美元", "港币", "港元", "日元", "欧元", "英镑"]


def _grouped(separator: str) -> str:
    """Digits in groups of three (1,234,567 with separator ',')."""
    return rf"[1-9]\d{{0,2}}(?:{separator}\d{{3}})+"


_WHOLE_POINT = "|".join([_grouped(","), _grouped("'"), _grouped(" "), r"\d+"])
_WHOLE_COMMA = "|".join([_grouped(r"\."), _grouped("'"), _grouped(" "), r"\d+"])
# 1,234.56 1'234.56 1 234.56 .5 read with a decimal point; 1.234,56 1 234,56 ,5 with a
# decimal comma; 1234 and 1 234 either way; 1.234 and 1,234 either way but not alike
_POINT = rf"^(?:{_WHOLE_POINT})?(?:\.\d+)?$"
_COMMA = rf"^(?:{_WHOLE_COMMA})?(?:,\d+)?$"


def parse_money(text: pd.Series, decimal_mark: str | None = None) -> Parsed:
    """Amounts as whole cents (Int64), rounded half away from zero.

    Reads 1234.5, 1,234.50, 1.234,50, 1 234,50 (any space), 1'234.50, ¥1,234.50,
    RMB 1234, 1.234,56 €, (1,234.00), -1,234.00, 1.234,00- (SAP), 1,234.56 CR (a
    credit: negative), 1,234.56 DR, 1e3, and '-' for zero; `currency` holds the
    code a sign implies. Whether '.' or ',' marks the decimals is decided for the
    whole column (`_decimal_marks`); where no cell settles it, `decimal_mark` (what
    the file's format says, e.g. "." in a comma-separated CSV) does. Amounts beyond
    MAX_CENTS are bad with a `CellNote`.
    """
    raw = _normalise(text).fillna("")
    index, n = raw.index, len(raw)
    cells = _arrow(raw)
    # digits and separators after an optional minus, as most cells are, need no more reading
    bare = _matches(cells, _BARE)
    negative = bare & _matches(cells, "^-")
    signed, point_writer = bare.copy(), np.zeros(n, dtype=bool)
    num = pc.utf8_ltrim(cells, "-")
    currency = pa.nulls(n, cells.type)
    dash = raw.isin(_DASHES).to_numpy(dtype=bool)
    rest = _filled(raw) & ~bare & ~dash
    if rest.any():
        mask = pa.array(rest)
        written = _written(pc.filter(cells, mask))
        currency = pc.replace_with_mask(currency, mask, written.currency)
        num = pc.replace_with_mask(num, mask, written.num)
        negative[rest], signed[rest] = written.negative, written.signed
        point_writer[rest] = written.point_writer
    point = _matches(num, _POINT) & signed
    comma = _matches(num, _COMMA) & signed & ~(point & point_writer)
    exponent = _matches(num, _EXPONENT) & signed & ~point & ~comma
    marks = _decimal_marks(
        raw, num, point, comma, _matches(num, "[.,]"), negative, decimal_mark=decimal_mark
    )
    readable = (point | comma) & ~marks.conflict & ~marks.unsettled
    cents = np.zeros(n, dtype="int64")
    too_large = np.zeros(n, dtype=bool)
    if readable.any():
        digits = _digits(pc.filter(num, pa.array(readable)), comma=marks.comma)
        cents[readable], too_large[readable] = _cents(digits)
    if exponent.any():
        floats = pd.to_numeric(pd.Series(pc.filter(num, pa.array(exponent))), errors="coerce")
        scaled = np.round(floats.to_numpy(dtype=float) * 100)
        beyond = ~(np.abs(scaled) <= MAX_CENTS)
        cents[exponent], too_large[exponent] = np.where(beyond, 0, scaled), beyond
    ok = ((readable | exponent) & ~too_large) | dash
    values = pd.Series(pd.arrays.IntegerArray(np.where(negative, -cents, cents), ~ok), index=index)
    bad = _filled(raw) & ~ok & ~marks.unsettled
    cell_notes = list(marks.cell_notes)
    if (too_large & bad).any():
        cell_notes.append(_too_large(pd.Series(too_large & bad, index=index)))
    return Parsed(
        values,
        pd.Series(bad, index=index),
        marks.notes,
        void=pd.Series(marks.unsettled, index=index),
        currency=pd.Series(pd.array(currency, dtype="str"), index=index),
        cell_notes=cell_notes,
    )


class _Written(NamedTuple):
    """Amounts with a currency or a sign other than a leading minus (arrays are per cell)."""

    currency: pa.Array  # the code a currency sign implies
    num: pa.Array  # the number without sign or currency: 1.234,56
    negative: np.ndarray
    signed: np.ndarray  # has a number and at most one sign
    point_writer: np.ndarray  # has a sign of a country that writes a decimal point


def _written(cells: pa.Array) -> _Written:
    """Currency, sign and number of amounts such as ¥1,234.00, (5.00) or 1.234,56- EUR."""
    n = len(cells)
    point_writer = np.zeros(n, dtype=bool)
    currency = pa.nulls(n, cells.type)
    odd = _matches(cells, r"[^0-9.,'()\s+\-]")
    if odd.any():
        mask = pa.array(odd)
        sub = pc.filter(cells, mask)
        tokens = pc.struct_field(pc.extract_regex(sub, _CURRENCY_TOKEN), "c")
        aliased = pc.take(_ALIAS_CODES, pc.index_in(tokens, value_set=_ALIAS_SIGNS))
        currency = pc.replace_with_mask(
            currency, mask, pc.coalesce(pc.cast(aliased, cells.type), tokens)
        )
        point_writer[odd] = _is_in(tokens, _POINT_WRITERS)
        sub = pc.replace_substring_regex(sub, _CURRENCY_TOKEN, "")
        sub = pc.replace_substring(pc.replace_substring(sub, "\u2212", "-"), "\u2019", "'")
        cells = pc.replace_with_mask(cells, mask, sub)
    groups = pc.extract_regex(cells, _SIGNED)
    matched = pc.is_valid(groups).to_numpy(zero_copy_only=False)
    named = {name: pc.struct_field(groups, name) for name in ("open", "lead", "trail", "close")}
    negative, signed = _signs(named, matched, letters=bool(odd.any()))
    num = pc.struct_field(groups, "num")
    return _Written(currency, num, negative, signed, point_writer)


def _digits(num: pa.Array, *, comma: bool) -> pa.Array:
    """'1234.56' from '1,234.56' (or from '1.234,56' when `comma` marks the decimals)."""
    if _matches(num, "[' ]").any():
        num = pc.replace_substring_regex(num, "[' ]", "")
    if comma:
        return pc.replace_substring(pc.replace_substring(num, ".", ""), ",", ".")
    return pc.replace_substring(num, ",", "")


def _matches(arr: pa.Array, pattern: str) -> np.ndarray:
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(
        zero_copy_only=False
    )


def _is_in(arr: pa.Array, values: list[str]) -> np.ndarray:
    return pc.fill_null(pc.is_in(arr, value_set=pa.array(values)), False).to_numpy(
        zero_copy_only=False
    )


def _signs(
    groups: dict[str, pa.Array], matched: np.ndarray, *, letters: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(negative, well signed): at most one sign, and parentheses that close."""
    opened, closed = _is(groups["open"], "("), _is(groups["close"], ")")
    lead, trail = groups["lead"], groups["trail"]
    if letters:
        lead, trail = pc.utf8_upper(lead), pc.utf8_upper(trail)
    signs = opened.astype(int) + ~_is(lead, "") + ~_is(trail, "")
    negative = opened | _is(lead, "-") | _is(trail, "-")
    if letters:
        negative |= _is(lead, "CR") | _is(trail, "CR")
    return negative, matched & (opened == closed) & (signs <= 1)


class _Marks(NamedTuple):
    """How a money column marks its decimals (arrays are per cell)."""

    comma: bool  # the column writes decimals with a comma
    conflict: np.ndarray  # written the other way than the column
    unsettled: np.ndarray  # 1.234 / 1,234 in a column that never says which mark is decimal
    notes: list[ColumnNote]
    cell_notes: list[CellNote]


def _decimal_marks(
    text: pd.Series,
    num: pa.Array,
    point: np.ndarray,
    comma: np.ndarray,
    marked: np.ndarray,
    negative: np.ndarray,
    *,
    decimal_mark: str | None = None,
) -> _Marks:
    """Whether the column writes decimals with '.' or ',', from all its cells.

    A cell that reads only one way (1,234.56, 12.5 or 1,234,567 only with a decimal
    point; 1.234,56, 12,5 or 1.234.567 only with a decimal comma) settles the column,
    and cells that read only the other way are bad. When both kinds occur, the
    kind more cells have wins (on a tie, the kind that comes first). A column
    that nothing settles gets an error note, and its cells that read differently
    either way (1.234 is 1234 or 1.234) are void. A yuan or yen sign or Chinese
    text settles its own cell (see `_POINT_WRITERS`).
    """
    n = len(text)
    nothing = np.zeros(n, dtype=bool)
    by_point, by_comma = np.flatnonzero(point & ~comma), np.flatnonzero(comma & ~point)
    if not len(by_point) and not len(by_comma):
        either = point & comma & marked
        if not either.any():
            return _Marks(False, nothing, nothing, [], [])
        if decimal_mark is not None:  # the file's format settles it (a comma-separated CSV)
            return _Marks(decimal_mark == ",", nothing, nothing, [], [])
        note = _unsettled_marks(text, num, np.flatnonzero(either), negative)
        return _Marks(False, nothing, either, [note], [])
    comma_wins = len(by_comma) > len(by_point) or (
        len(by_comma) == len(by_point) and by_comma[0] < by_point[0]
    )
    winners, losers = (by_comma, by_point) if comma_wins else (by_point, by_comma)
    conflict = np.zeros(n, dtype=bool)
    conflict[losers] = True
    cell_notes = []
    if len(losers):
        column = "comma_column" if comma_wins else "point_column"
        style = ("'.' for decimals or ',' between thousands (as in 1,234.56)", "1.234,56")
        if not comma_wins:
            style = ("',' for decimals or '.' between thousands (as in 1.234,56)", "1,234.56")
        cell_notes.append(
            CellNote(
                pd.Series(conflict, index=text.index),
                f"ingest.decimal_marks_mixed.{column}",
                "{value!r} is written with " + style[0] + ", but this column writes amounts "
                "as " + style[1] + " (e.g. row {evidence_row} has {evidence_value!r}). "
                "Write every amount in the column the same way.",
                {
                    "evidence_row": int(text.index[winners[0]]),
                    "evidence_value": str(text.iloc[winners[0]]),
                },
            )
        )
    return _Marks(bool(comma_wins), conflict, nothing, [], cell_notes)


def _unsettled_marks(
    text: pd.Series, num: pa.Array, either: np.ndarray, negative: np.ndarray
) -> ColumnNote:
    """The error on a column of amounts such as 1.234 that no cell says how to read."""
    first = either[0]
    digits = str(num[first].as_py())
    mark = "." if "." in digits else ","
    sign = "-" if negative[first] else ""
    head = (
        "The amount {example!r} can"
        if len(either) == 1
        else "{n:,} amounts such as {example!r} can"
    )
    return ColumnNote.coded(
        "error",
        "ingest.decimal_marks_unsettled" + (".one" if len(either) == 1 else ""),
        head + " be read two ways: {whole} if '{mark}' separates thousands, or {fraction} "
        "if it marks the decimals, and no amount in this column settles which. Export the "
        "column with two decimals on every amount (1.234,00 or 1,234.00) and import the "
        "file again.",
        row=int(text.index[first]),
        value=str(text.iloc[first]),
        **({} if len(either) == 1 else {"n": len(either)}),
        example=str(text.iloc[first]),
        whole=sign + digits.replace(mark, ""),
        mark=mark,
        fraction=sign + digits.replace(mark, "."),
    )


def _cents(digits: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(cents, too large) of unsigned decimals such as '1234.567', rounded half up."""
    if _matches(digits, r"\.\d{4}").any():
        digits = pc.replace_substring_regex(digits, r"(\.\d{3})\d+", r"\1")
    point = pc.find_substring(digits, ".").to_numpy(zero_copy_only=False)
    length = pc.utf8_length(digits).to_numpy(zero_copy_only=False)
    decimals = np.where(point < 0, 0, length - point - 1)
    figures = pc.utf8_ltrim(pc.replace_substring(digits, ".", ""), "0")
    count = pc.utf8_length(figures).to_numpy(zero_copy_only=False)
    too_long = count - decimals > 15  # 10**15 units and more: far beyond MAX_CENTS
    figures = pc.if_else(pa.array(too_long | (count == 0)), "0", figures)
    thousandths = pc.cast(figures, pa.int64()).to_numpy(zero_copy_only=False)
    thousandths = thousandths * 10 ** (3 - decimals)
    cents = thousandths // 10 + (thousandths % 10 >= 5)
    return cents, too_long | (cents > MAX_CENTS)


def _too_large(cells: pd.Series) -> CellNote:
    return CellNote(
        cells,
        "ingest.amount_too_large",
        "{value!r} is beyond what creditdash can keep to the cent: amounts must lie "
        "between -{limit} and {limit}.",
        {"limit": f"{MAX_CENTS // 100:,}.00"},
    )


# --- flags, counts, codes ---------------------------------------------------------


def parse_bool(text: pd.Series) -> Parsed:
    """yes/no, true/false, 1/0, 是/否, Y/N, x (nullable boolean; empty = NA)."""
    folded = _normalise(text).fillna("").str.casefold()
    values = pd.Series(pd.NA, index=text.index, dtype="boolean")
    values[folded.isin(_TRUE)] = True
    values[folded.isin(_FALSE)] = False
    return Parsed(values, pd.Series(_filled(text) & values.isna().to_numpy(), index=text.index))


def parse_days(text: pd.Series) -> Parsed:
    """A whole number of days from '30', 'Net 30', '30天', '月结60天' (Int64)."""
    text = _normalise(text).fillna("")
    matched, groups = _extract(text, r"(?P<n>\d{1,4})")
    values = pd.Series(pd.array(_ints(groups["n"]), dtype="Int64"), index=text.index)
    values[~matched] = pd.NA
    return Parsed(values, pd.Series(_filled(text) & ~matched, index=text.index))


def parse_number(text: pd.Series) -> Parsed:
    """A plain decimal number (float64; NaN where empty or unreadable)."""
    text = _normalise(text).fillna("").str.replace(",", "", regex=False)
    values = pd.to_numeric(text.where(text != "", None), errors="coerce").astype("float64")
    ok = np.isfinite(values.to_numpy())
    return Parsed(values, pd.Series(_filled(text) & ~ok, index=text.index))


def parse_currency(text: pd.Series) -> Parsed:
    """3-letter currency codes, upper-cased; RMB, ¥ and 人民币 are CNY, $ is USD, € is EUR."""
    codes = _normalise(text).fillna("").str.replace(r"\s", "", regex=True).str.upper()
    codes = codes.replace(_CURRENCY_ALIASES)
    filled = _filled(codes)
    ok = codes.str.fullmatch(r"[A-Z]{3}").to_numpy(dtype=bool)
    values = codes.where(ok & filled)
    return Parsed(values, pd.Series(filled & ~ok, index=text.index))


# zero-width space/joiners, direction marks and embeddings, word joiner and invisible
# operators, byte-order mark, soft hyphen, Arabic letter mark, Mongolian vowel separator
_INVISIBLE = "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
_ROWS_SHOWN = 10
_TEXT_NOTES = {
    "ingest.text_invisible": (
        "{n:,} cells in this column held invisible characters (zero-width spaces, byte-order "
        "marks, direction marks or soft hyphens), which were removed: rows {rows}. Row {first} "
        "now reads {clean!r}; cells that differed only by such characters are now the same."
    ),
    "ingest.text_invisible.one": (
        "The cell on row {first} held invisible characters (zero-width spaces, byte-order "
        "marks, direction marks or soft hyphens), which were removed; it now reads {clean!r}, "
        "the same as cells that differed from it only by such characters."
    ),
    "ingest.text_forms_merged": (
        "{n:,} cells in this column used full-width or other compatibility characters for text "
        "that other cells write plainly, and now read the same: rows {rows}. Row {first} now "
        "reads {clean!r}."
    ),
    "ingest.text_forms_merged.one": (
        "The cell on row {first} used full-width or other compatibility characters for text "
        "that other cells write plainly, and now reads the same: {clean!r}."
    ),
}


def parse_text(text: pd.Series) -> Parsed:
    """Text as typed (already stripped), so that ids which look the same are the same;
    empty -> NA.

    Invisible characters (_INVISIBLE) are removed and the text NFKC-normalised
    (full-width letters and digits to ASCII), so `C101`, `C1\u200b01`, `C101\ufeff`
    and `Ｃ１０１` are one id. A warning names the rows when invisible characters
    were removed, and when normalising made a cell equal to a cell written
    differently; other NFKC changes (such as full-width brackets in a name) are silent.
    """
    filled = text.fillna("").astype("str")
    odd = pc.match_substring_regex(_arrow(filled), r"[^\x00-\x7f]").to_numpy(zero_copy_only=False)
    if not odd.any():
        return Parsed(filled.where(filled != ""), pd.Series(False, index=text.index))
    raw = filled[odd]
    codes, spellings = pd.factorize(raw)  # normalise each distinct text once
    spellings = pd.Series(spellings, dtype="str")
    visible = spellings.str.replace(_INVISIBLE, "", regex=True)
    normal = pc.utf8_normalize(_arrow(visible), "NFKC")
    clean = pd.Series(pd.array(normal, dtype="str")).str.strip()
    changed = (clean != spellings).to_numpy()
    if not changed.any():
        return Parsed(filled.where(filled != ""), pd.Series(False, index=text.index))
    out = filled.copy()
    out[odd] = clean.to_numpy()[codes]
    invisible = (visible != spellings).to_numpy()
    merged = changed & ~invisible & _shared(clean, changed, filled[~odd])
    notes = []
    for code, which in (("ingest.text_invisible", invisible), ("ingest.text_forms_merged", merged)):
        rows = which[codes]
        if rows.any():
            notes.append(_text_note(code, raw[rows], out[odd][rows]))
    return Parsed(out.where(out != ""), pd.Series(False, index=text.index), notes)


def _shared(clean: pd.Series, changed: np.ndarray, plain: pd.Series) -> np.ndarray:
    """Which distinct spellings' clean text another spelling also reads as: another changed
    spelling, or a cell already written plainly (ASCII)."""
    counts = clean.map(clean.value_counts())
    return ((counts > 1) | clean.isin(plain.unique())).to_numpy() & changed


def _text_note(code: str, raw: pd.Series, clean: pd.Series) -> ColumnNote:
    """One warning for the column: how many cells, which rows, and the first as an example."""
    n, rows = len(raw), [int(r) for r in raw.index[:_ROWS_SHOWN]]
    shown = ", ".join(map(str, rows)) + (", ..." if n > _ROWS_SHOWN else "")
    if n == 1:
        code += ".one"
    template = _TEXT_NOTES[code]
    return ColumnNote.coded(
        "warning",
        code,
        template,
        row=rows[0],
        value=str(raw.iloc[0]),
        n=n,
        rows=shown,
        first=rows[0],
        clean=str(clean.iloc[0]),
    )


def parse_percent(text: pd.Series) -> Parsed:
    """A percentage (float64): '10%', '10', '0.1' (a fraction below 1 with a decimal point), '5‰'.

    A bare number of 1 or more is a percentage; '0.05' is 5%.
    """
    text = _normalise(text).fillna("").str.replace(r"\s", "", regex=True)
    matched, groups = _extract(text, r"^(?P<n>\d+(?:\.\d+)?)(?P<u>%|‰)?$")
    number = pd.to_numeric(pd.Series(pd.array(groups["n"], dtype="str"), index=text.index))
    unit = pd.Series(pd.array(groups["u"], dtype="str"), index=text.index).fillna("")
    fraction = (unit == "") & text.str.contains(".", regex=False) & (number < 1)
    values = number.where(unit != "‰", number / 10).where(~fraction, number * 100)
    values = values.astype("float64").where(matched)
    return Parsed(values, pd.Series(_filled(text) & ~matched, index=text.index))


_PERIOD_UNITS = {"": 1, "月": 1, "个月": 1, "m": 1, "month": 1, "months": 1, "mo": 1}
_PERIOD_UNITS |= {"年": 12, "y": 12, "yr": 12, "year": 12, "years": 12}


def parse_months(text: pd.Series) -> Parsed:
    """A whole number of months (Int64): '12', '12个月', '12 months', '1年', '2 years'."""
    text = _normalise(text).fillna("").str.replace(r"\s", "", regex=True).str.casefold()
    matched, groups = _extract(text, r"^(?P<n>\d{1,3})(?P<u>[^\d]*)$")
    unit = pd.Series(pd.array(groups["u"], dtype="str"), index=text.index).fillna("")
    factor = unit.map(_PERIOD_UNITS)
    ok = matched & factor.notna().to_numpy()
    count = pd.Series(_ints(groups["n"]), index=text.index)
    values = pd.Series(pd.array((count * factor.fillna(0)).astype("int64"), dtype="Int64"))
    values.index = text.index
    values[~ok] = pd.NA
    return Parsed(values, pd.Series(_filled(text) & ~ok, index=text.index))
