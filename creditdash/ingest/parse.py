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
_ABY = r"^(?P<a>\d{1,2})\s*[-/.]\s*(?P<b>\d{1,2})\s*[-/.]\s*(?P<y>\d{4}|\d{2})" + _TIME + "$"
_SERIAL = r"^\d{5}(?:\.\d+)?$"
_MIN_YEAR, _MAX_YEAR = 1900, 2200

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
_AMOUNT = r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?$"
_TRUE = {"yes", "y", "true", "t", "1", "x", "是", "有", "√", "✓", "✔", "disputed"}
_FALSE = {"no", "n", "false", "f", "0", "否", "无", "没有", "-"}
_MONTHS = {
    m.lower(): i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}


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
class Parsed:
    """What a column's text means.

    values    parsed values on the text's index, NA where empty or unreadable
    bad       True where a cell holds text that could not be read
    void      True where a value is unusable because of a column-level error
    notes     findings about the whole column
    currency  money only: the currency a sign in the text implies (or NA)
    """

    values: pd.Series
    bad: pd.Series
    notes: list[ColumnNote] = field(default_factory=list)
    void: pd.Series | None = None
    currency: pd.Series | None = None


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
    """datetime64[us] from parts; NaT for impossible dates or years outside 1900-2200."""
    parts = pd.DataFrame({"year": year, "month": month, "day": day})
    dates = np.array(pd.to_datetime(parts, errors="coerce"), dtype="datetime64[us]")
    dates[(year < _MIN_YEAR) | (year > _MAX_YEAR)] = np.datetime64("NaT")
    return dates


def parse_dates(text: pd.Series) -> Parsed:
    """Dates in any of: ISO, 2024/3/5, 2024.03.05, 2024年3月5日, 20240305, M/D/YYYY or
    D/M/YYYY (order decided from the whole column), Excel serial numbers, month names.
    """
    text = _normalise(text)
    n = len(text)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    void = np.zeros(n, dtype=bool)
    notes: list[ColumnNote] = []
    todo = _filled(text)
    for pattern in (_YMD, _COMPACT):
        if not todo.any():
            break
        pos = np.flatnonzero(todo)
        matched, g = _extract(text.iloc[pos], pattern)
        hit = pos[matched]
        out[hit] = _assemble(_ints(g["y"]), _ints(g["m"]), _ints(g["d"]))[matched]
        todo[hit] = False
    if todo.any():
        pos = np.flatnonzero(todo)
        matched, g = _extract(text.iloc[pos], _ABY)
        if matched.any():
            hit = pos[matched]
            a, b, y = (_ints(g[k])[matched] for k in ("a", "b", "y"))
            dates, bad_order, note = _day_month(text, hit, a, b, y)
            out[hit], void[hit] = dates, bad_order
            notes += [note] if note else []
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
    values = pd.Series(out, index=text.index)
    bad = pd.Series(_filled(text) & np.isnat(out) & ~void, index=text.index)
    return Parsed(values, bad, notes, void=pd.Series(void, index=text.index))


def _day_month(
    text: pd.Series, pos: np.ndarray, a: np.ndarray, b: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, ColumnNote | None]:
    """Dates from A/B/Y parts, reading the whole column to tell M/D from D/M."""
    y = np.where(y < 100, np.where(y < 69, y + 2000, y + 1900), y)
    day_first = np.flatnonzero((a > 12) & (b <= 12))
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
        either = np.flatnonzero((a <= 12) & (b <= 12) & (a != b))
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


def parse_money(text: pd.Series) -> Parsed:
    """Amounts as whole cents (Int64): 1234.5, 1,234.50, ¥1,234.50, RMB 1234, (1,234.00),
    -1,234.00, 1,234.00- and '-' for zero. `currency` holds the code a sign implies.
    """
    text = _normalise(text).fillna("")
    filled = _filled(text)
    currency = pd.Series(pd.NA, index=text.index, dtype="str")
    odd = pc.match_substring_regex(_arrow(text), r"[^0-9.\-]").to_numpy(zero_copy_only=False)
    clean = text
    if odd.any():
        sub = text[odd]
        _, groups = _extract(sub, _CURRENCY_TOKEN)
        found = pd.Series(pd.array(groups["c"], dtype="str"), index=sub.index)
        currency[odd] = found.replace(_CURRENCY_ALIASES)
        stripped = sub.str.replace(_CURRENCY_TOKEN, "", regex=True).str.replace(
            r"[\s'\u00a0]", "", regex=True
        )
        stripped = stripped.str.replace("\u2212", "-", regex=False)
        negative = stripped.str.fullmatch(r"\(.*\)") | stripped.str.fullmatch(r"[^-]*\d-")
        body = stripped.str.strip("()").str.rstrip("-")
        body = body.where(~negative, "-" + body.str.lstrip("-"))
        clean = text.copy()
        clean[odd] = body
    clean = clean.where(~clean.isin(["-", "—", "–"]), "0")
    valid = clean.str.fullmatch(_AMOUNT).to_numpy(dtype=bool) & filled
    numbers = pd.to_numeric(
        clean.where(valid, "").str.replace(",", "", regex=False), errors="coerce"
    )
    cents = np.round(numbers.to_numpy(dtype=float) * 100)
    ok = np.isfinite(cents) & (np.abs(cents) < 2**53) & valid
    values = pd.Series(
        pd.array(np.where(ok, cents, 0).astype("int64"), dtype="Int64"), index=text.index
    )
    values[~ok] = pd.NA
    return Parsed(values, pd.Series(filled & ~ok, index=text.index), currency=currency)


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


def parse_text(text: pd.Series) -> Parsed:
    """Text kept as typed (already stripped); empty -> NA."""
    values = text.where(text.fillna("") != "").astype("str")
    return Parsed(values, pd.Series(False, index=text.index))
