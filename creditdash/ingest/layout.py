"""The rows of a report below its header: data, headings, repeated headers, totals.

ERP reports are laid out to be read, not loaded. Below the header they hold:

- **group headings**: a row with one value (the customer of the rows
  below: Xero's contact, Odoo's partner, 用友's ``客户编码：001 客户名称：…``),
  carried down to its rows when the sheet has no customer column;
- **section headings** (QuickBooks' "1 - 30 days past due") and footers
  (a print time), skipped;
- **the header repeated** under each group, skipped;
- **subtotal and total rows**, found by their words (合计, 小计, 本月合计,
  本年累计, 累计, Total, Total for …, TOTAL, Summe, cumul) or, with every key
  cell blank, by being the sum of the block above them (SAP's ALV
  subtotals). They are never data, and they are the file's own checksum:
  each must equal the rows it totals, to the cent, or the import is refused
  with both figures and the rows involved.

`read_structure` returns the data rows' text as the body the parsers take
(mapped fields, indexed by Excel row), plus what it found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import creditdash.ingest.parse as parse
from creditdash.ingest.mapping import KEY_FIELDS, SheetMapping
from creditdash.ingest.problems import Message, message
from creditdash.ingest.read import RawSheet
from creditdash.ingest.synonyms import field_for, normalise_header
from creditdash.money import format_cents

TOTALS = re.compile(
    r"合\s*计|总\s*计|小\s*计|累\s*计|^\s*(?:grand\s*|sub[\s-]*)?totals?\b|\btotal\s+for\b|"
    r"\bsumme\b|\bgesamtsumme\b|\bcumul\b|\bcumulative\s+balance\b",
    re.IGNORECASE,
)
_TOTAL_HINT = re.compile(r"计|total|summe|cumul", re.IGNORECASE)
# a section heading that names an aging bucket, not a customer
BUCKET = re.compile(
    r"^\s*(?:current|not\s+(?:yet\s+)?due|未到期|未逾期|older|over\s+\d+|\d+\s*(?:\+|or\s+more)|"
    r"[<>≤≥]\s*\d+|\d+\s*(?:-|–|~|至|到)\s*\d+|\d+\s*(?:天|日)|逾期)"
    r".{0,30}$",
    re.IGNORECASE,
)
MONEY_FIELDS = ("amount", "open_amount", "paid_amount", "debit", "credit")
_ROW_KEYS = ("invoice_id", "payment_id", "invoice_date", "due_date", "payment_date", "date")
_LABELLED = re.compile(r"([^\s:：]{1,20})\s*[:：]\s*([^\s:：]+)")
_CARRIED = "(group heading)"


@dataclass(frozen=True)
class Control:
    """A subtotal or total row: its Excel row, its words, and what it was found to total."""

    row: int
    label: str
    covers: tuple[int, int] | None = None  # first and last Excel row of what it totals


@dataclass
class Structure:
    """What `read_structure` found below a sheet's header.

    body      text of each field of the data rows (stripped), indexed by Excel row
    headers   field -> the header text it came from ("(group heading)" when carried down)
    controls  subtotal and total rows, each checked against the rows it totals
    headings  Excel row -> text of each group heading carried down
    skipped   Excel rows left out as repeated headers, section headings or footers
    footer    text of the lines below the last data row (for the report date)
    problems  (Excel row or None, field or None, message, level) for the caller's log
    dropped   field -> why a mapped column was not used (e.g. one value on every row)
    """

    body: pd.DataFrame
    headers: dict[str, str]
    controls: list[Control] = field(default_factory=list)
    headings: dict[int, str] = field(default_factory=dict)
    skipped: list[int] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    problems: list[tuple[int | None, str | None, Message, str]] = field(default_factory=list)
    dropped: dict[str, Message] = field(default_factory=dict)


def read_structure(raw: RawSheet, mapping: SheetMapping) -> Structure:
    """The data rows of a mapped sheet, with its headings, totals and checks (module docstring)."""
    data = raw.cells.iloc[mapping.header_row :]
    cells = pd.DataFrame(
        {c: data[c].fillna("").astype("str").str.strip() for c in data.columns}, index=data.index
    )
    cells.index = cells.index + 1
    fields = mapping.fields
    body = pd.DataFrame({f: cells[mapping.column_of(f)] for f in fields}, index=cells.index)
    headers = dict(fields)
    out = Structure(body=body, headers=headers)
    if cells.empty or not len(body.columns):
        return out
    filled = cells != ""
    nonempty = filled.any(axis=1).to_numpy()
    repeated = _repeated_headers(body, fields) & nonempty
    control, labels = _word_rows(cells, body)
    grouped = mapping.kind not in ("customers", "rates")
    heading = np.zeros(len(cells), dtype=bool)
    texts: dict[int, str] = {}
    if grouped:
        heading, texts = _heading_rows(cells, filled, body, nonempty & ~repeated & ~control)
    data_rows = nonempty & ~repeated & ~control & ~heading
    rows = cells.index.to_numpy()
    out.skipped = [int(r) for r in rows[repeated]]
    # a heading directly above the first header belongs to the first group (Odoo)
    first_heading = _heading_above_header(raw, mapping) if repeated.any() else None
    last_data = rows[data_rows].max() if data_rows.any() else 0
    for r in rows[heading]:
        text = texts[int(r)]
        if r > last_data:
            out.footer.append(text)
            out.skipped.append(int(r))
        elif BUCKET.match(text):
            out.skipped.append(int(r))
        else:
            out.headings[int(r)] = text
    if out.headings or first_heading is not None:
        ledger = mapping.kind == "movements"
        carry: dict[int, str] = {}
        current = first_heading
        for r, is_data, is_control in zip(rows, data_rows, control, strict=True):
            if int(r) in out.headings:
                current = out.headings[int(r)]
            elif is_control and not ledger:
                current = None  # a group's total closes it
            elif (is_data or (is_control and ledger)) and current is not None:
                carry[int(r)] = current  # a ledger's month totals are its customer's lines
        _carry_customer(out, carry, every_line=ledger)
    out.skipped.sort()
    if grouped:
        _resolve_constant_customer(out, data_rows)
        _parent_customers(out)
    controls = pd.Series(labels, dtype="str")
    out.body = out.body[data_rows | control]
    if mapping.kind == "movements":
        return out  # its month and year totals are lines the rebuild checks (`movements`)
    _check_totals(out, controls, data_rows[data_rows | control])
    return out


# --- row kinds ----------------------------------------------------------------------


def _repeated_headers(body: pd.DataFrame, fields: dict[str, str]) -> np.ndarray:
    """Rows that repeat the header in at least half (and two) of the mapped columns.

    A cheap case-insensitive comparison finds the candidates; only those rows'
    cells are normalised (full-width, spaces, punctuation) and compared again.
    """
    need = max(2, (len(fields) + 1) // 2)
    near = np.zeros(len(body), dtype=int)
    for name, header in fields.items():
        near += _folded_equal(body[name], header.strip().casefold())
    candidates = np.flatnonzero(near >= 1)
    out = np.zeros(len(body), dtype=bool)
    if not len(candidates):
        return out
    rows = body.iloc[candidates]
    hits = np.zeros(len(rows), dtype=int)
    for name, header in fields.items():
        key = normalise_header(header)
        if key:
            hits += (rows[name].map(normalise_header) == key).to_numpy(dtype=int)
    out[candidates[hits >= need]] = True
    return out


def _folded_equal(cells: pd.Series, folded: str) -> np.ndarray:
    """1 where a cell's casefold is `folded`, else 0. A column of ASCII cells (ids, dates,
    amounts) is compared in Arrow, where casefold is lower case; others cell by cell."""
    arr = pa.array(cells.astype("str").array)
    if pc.all(pc.string_is_ascii(arr)).as_py() is not False:
        same = pc.fill_null(pc.equal(pc.ascii_lower(arr), folded), False)
        return np.asarray(same.to_numpy(zero_copy_only=False), dtype=int)
    return (cells.str.casefold() == folded).to_numpy(dtype=int)


def _word_rows(cells: pd.DataFrame, body: pd.DataFrame) -> tuple[np.ndarray, dict[int, str]]:
    """Rows a total's words mark (合计 / Total for ... in any cell), and those words.

    A row with its own invoice or payment id is data whatever its other cells say.
    """
    key = next((k for k in KEY_FIELDS if k in body.columns), None)
    ids = [k for k in ("invoice_id", "payment_id") if k in body.columns]
    if ids:
        blank_id = np.logical_and.reduce([(body[k] == "").to_numpy() for k in ids])
    else:
        blank_id = np.ones(len(body), dtype=bool)
    hint = blank_id.copy()
    if key is not None:
        hint |= body[key].str.contains(_TOTAL_HINT).to_numpy(dtype=bool)
    out = np.zeros(len(cells), dtype=bool)
    labels: dict[int, str] = {}
    if not hint.any():
        return out, labels
    positions = np.flatnonzero(hint)
    candidates = cells.iloc[positions]
    found = np.zeros(len(candidates), dtype=bool)
    words = pd.Series("", index=candidates.index, dtype="str")
    for c in candidates.columns:
        hit = candidates[c].str.contains(TOTALS).to_numpy(dtype=bool) & ~found
        words[hit] = candidates[c][hit]
        found |= hit
    out[positions[found]] = True
    labels = {int(r): str(w) for r, w in words[found].items()}
    return out, labels


def _heading_rows(
    cells: pd.DataFrame, filled: pd.DataFrame, body: pd.DataFrame, eligible: np.ndarray
) -> tuple[np.ndarray, dict[int, str]]:
    """Rows holding one value (or `label: value` pairs) and no amount or id: headings."""
    money = [f for f in MONEY_FIELDS if f in body.columns]
    keyed = [f for f in ("invoice_id", "payment_id") if f in body.columns]
    no_amount = np.ones(len(cells), dtype=bool)
    for f in money + keyed:
        no_amount &= (body[f] == "").to_numpy()
    out = np.zeros(len(cells), dtype=bool)
    texts: dict[int, str] = {}
    for pos in np.flatnonzero(eligible & no_amount):
        row = cells.iloc[pos]
        values = list(dict.fromkeys(v for v in row.tolist() if v))
        if len(values) == 1 or all(_is_labelled(v) for v in values):
            out[pos] = True
            texts[int(cells.index[pos])] = "  ".join(values)
    return out, texts


def _is_labelled(text: str) -> bool:
    """Text made of `label: value` pairs only."""
    return bool(_LABELLED.search(text)) and not _LABELLED.sub("", text).strip()


def _heading_above_header(raw: RawSheet, mapping: SheetMapping) -> str | None:
    """The one value on the line just above the header, when there is one."""
    above = mapping.header_row - 2
    if above < 0:
        return None
    values = [v.strip() for v in raw.cells.iloc[above].fillna("").astype(str).tolist()]
    values = list(dict.fromkeys(v for v in values if v))
    if len(values) == 1 and not BUCKET.match(values[0]) and parse.find_date(values[0]) is None:
        return values[0]
    return None


def _carry_customer(out: Structure, carry: dict[int, str], *, every_line: bool) -> None:
    """Fill blank customer cells of data rows from the group heading above them.

    Except in a ledger (`every_line`), a row with no id and no date is left as it is:
    an amount alone under a group is its subtotal, checked by its sum.
    """
    keys = [k for k in _ROW_KEYS if k in out.body.columns]
    if (
        keys and not every_line
    ):  # a row with no id and no date (a subtotal's amount) belongs to no heading
        keyed = np.logical_or.reduce([(out.body[k] != "").to_numpy() for k in keys])
        keyed_rows = set(out.body.index[keyed].tolist())
        carry = {r: t for r, t in carry.items() if r in keyed_rows}
    if not carry:
        return
    labelled = {r: _labelled(text) for r, text in carry.items()}
    for name in ("customer_id", "customer_name"):
        values = pd.Series({r: pairs.get(name) for r, pairs in labelled.items()}, dtype="str")
        if name == "customer_name":
            plain = pd.Series(
                {r: t for r, t in carry.items() if not labelled[r]}, dtype="str"
            )  # a heading that is only a name
            values = values.fillna(plain.reindex(values.index)) if len(values) else plain
        values = values.dropna()
        if values.empty:
            continue
        if name in out.body.columns:
            column = out.body[name]
            blank = column == ""
            if not blank.any():
                continue
            fill = values.reindex(column.index[blank.to_numpy()]).dropna()
            out.body.loc[fill.index, name] = fill
        else:
            out.body[name] = values.reindex(out.body.index).fillna("").astype("str")
            out.headers[name] = _CARRIED


def _labelled(text: str) -> dict[str, str]:
    """`客户编码：001  客户名称：华东机械` -> {customer_id: 001, customer_name: 华东机械}."""
    pairs = {}
    for key, value in _LABELLED.findall(text):
        name = field_for(key)
        if name in ("customer_id", "customer_name"):
            pairs[name] = value
    return pairs


def _parent_customers(out: Structure) -> None:
    """`Parent:Job` in a "Customer full name" column (QuickBooks) is the parent's receivable."""
    header = out.headers.get("customer_name")
    if header is None or normalise_header(header) != "customerfullname":
        return
    names = out.body["customer_name"]
    nested = names.str.contains(":", regex=False)
    if not nested.any():
        return
    out.body["customer_name"] = names.where(~nested, names.str.split(":").str[0].str.strip())
    first = int(names.index[nested.to_numpy()][0])
    out.problems.append(
        (first, "customer_name",
         message("ingest.parent_customer",
                 "{n:,} rows name a sub-customer ({example!r}); they are counted under the "
                 "parent customer before the colon.",
                 n=int(nested.sum()), example=str(names[first])),
         "warning")
    )  # fmt: skip


def _resolve_constant_customer(out: Structure, data_rows: np.ndarray) -> None:
    """A customer id column with one value on every row is not the customer (a GL account)
    when the customer can come from elsewhere: a name column or the group headings."""
    if "customer_id" not in out.body.columns or out.headers.get("customer_id") == _CARRIED:
        return
    ids = out.body["customer_id"][data_rows]
    distinct = ids[ids != ""].unique()
    if len(ids) < 3 or len(distinct) != 1:
        return
    names = out.body["customer_name"][data_rows] if "customer_name" in out.body.columns else None
    if names is None or names[names != ""].nunique() < 2:
        return
    out.dropped["customer_id"] = message(
        "ingest.constant_customer_column",
        "Column {column!r} holds one value on every row ({value}), so it is not the customer; "
        "the customer was taken from {source}.",
        column=out.headers["customer_id"],
        value=str(distinct[0]),
        source=out.headers["customer_name"],
    )
    out.body = out.body.drop(columns="customer_id")
    del out.headers["customer_id"]


# --- totals as a checksum -------------------------------------------------------------


def _check_totals(out: Structure, labels: pd.Series, is_data: np.ndarray) -> None:
    """Drop total rows from the body; each must equal the rows it totals (else a problem).

    A row whose key cells are all blank and whose amount is the sum of the block
    above it is a subtotal too (SAP's ALV exports have no words on them).
    """
    body = out.body
    money = [f for f in MONEY_FIELDS if f in body.columns and f not in ("debit", "credit")]
    keys = [k for k in _ROW_KEYS + ("customer_id", "customer_name") if k in body.columns]
    blank_keys = np.logical_and.reduce([(body[k] == "").to_numpy() for k in keys]) if keys else None
    rows = body.index.to_numpy()
    worded = np.isin(rows, labels.index.to_numpy()) if len(labels) else np.zeros(len(rows), bool)
    sum_candidates = (
        np.zeros(len(rows), bool)
        if blank_keys is None or not money
        else ~worded
        & blank_keys
        & np.logical_or.reduce([(body[f] != "").to_numpy() for f in money])
    )
    if not (worded | sum_candidates).any():
        return  # no total row: nothing to check or drop (the amounts are read once, later)
    cents = {f: parse.parse_money(body[f]) for f in money}
    currency = body["currency"] if "currency" in body.columns else None
    # Rows found only by their sum are subtotals when one of them totals its block (a
    # first pass counts them): then one that does not is a broken subtotal, not data.
    probe = _Checker(rows, is_data & ~sum_candidates, cents, currency)
    subtotals = any(
        probe.control(pos, strict=False)[0] is not None
        for pos in np.flatnonzero(sum_candidates).tolist()
    )
    if not subtotals:
        is_data, sum_candidates = is_data | sum_candidates, np.zeros(len(rows), bool)
    check = _Checker(rows, is_data & ~sum_candidates, cents, currency)
    controls, problems, keep = [], [], np.ones(len(rows), dtype=bool)
    for pos in np.flatnonzero(worded | sum_candidates).tolist():
        row = int(rows[pos])
        covers, found = check.control(pos, strict=True)
        controls.append(Control(row, str(labels.get(row, "")), covers))
        problems.extend(found)
        keep[pos] = False
    out.problems.extend(problems)
    out.controls = controls
    out.body = body[keep]


class _Checker:
    """Running sums of the data rows, per amount field and currency, between total rows.

    Rows are added once, segment by segment, so checking every subtotal of a
    100,000-row export costs one pass.
    """

    def __init__(
        self,
        rows: np.ndarray,
        is_data: np.ndarray,
        cents: dict[str, parse.Parsed],
        currency: pd.Series | None,
    ) -> None:
        self.rows, self.is_data = rows, is_data.copy()
        self.given = {f: p.values for f, p in cents.items()}
        self.values = {f: p.values.to_numpy(dtype="float64", na_value=0) for f, p in cents.items()}
        bad = [p.bad.to_numpy(dtype=bool) for p in cents.values()]
        self.bad = np.logical_or.reduce(bad) if bad else np.zeros(len(rows), dtype=bool)
        if currency is None:
            self.codes, self.currencies = np.zeros(len(rows), dtype=np.int64), pd.Index([""])
        else:
            codes, uniques = pd.factorize(currency.to_numpy())
            self.codes, self.currencies = codes, pd.Index(uniques)
        self.blank_currency = (
            np.ones(len(rows), dtype=bool) if currency is None else (currency == "").to_numpy()
        )
        m = len(self.currencies)
        self.sums = {s: {f: np.zeros(m) for f in cents} for s in ("block", "all")}
        self.first = {s: np.full(m, -1) for s in ("block", "all")}
        self.last = np.full(m, -1)
        self.broken = {s: np.zeros(m, dtype=bool) for s in ("block", "all")}
        self.done = 0

    def _advance(self, pos: int) -> None:
        """Add the data rows before `pos` not added yet."""
        seg = np.arange(self.done, pos)
        seg = seg[self.is_data[self.done : pos]]
        self.done = pos
        if not len(seg):
            return
        codes, m = self.codes[seg], len(self.currencies)
        for scope in ("block", "all"):
            for name, values in self.values.items():
                self.sums[scope][name] += np.bincount(codes, weights=values[seg], minlength=m)
            self.broken[scope] |= np.bincount(codes, weights=self.bad[seg], minlength=m) > 0
            present, first = np.unique(codes, return_index=True)
            unset = self.first[scope][present] < 0
            self.first[scope][present[unset]] = seg[first[unset]]
        present, last = np.unique(codes[::-1], return_index=True)
        self.last[present] = seg[::-1][last]

    def control(self, pos: int, *, strict: bool) -> tuple[tuple[int, int] | None, list]:
        """(first and last row covered, problems) of the total row at `pos`.

        Each amount the row gives must equal either the block since the previous
        total of its currency or everything above it of its currency.
        """
        self._advance(pos)
        given = {f: v.iloc[pos] for f, v in self.given.items()}
        given = {f: int(v) for f, v in given.items() if not pd.isna(v)}
        if not given:
            return None, []
        if self.blank_currency[pos]:
            which = np.arange(len(self.currencies))  # a total of every currency
        else:
            which = np.array([self.codes[pos]])
        if self.broken["all"][which].any():
            return None, []  # unreadable amounts above: reported on their own rows
        problems: list = []
        covers = None
        for name, total in given.items():
            block = int(self.sums["block"][name][which].sum())
            everything = int(self.sums["all"][name][which].sum())
            if total == block and (self.first["block"][which] >= 0).any():
                covers = self._span("block", which)
            elif total == everything and (self.first["all"][which] >= 0).any():
                covers = self._span("all", which)
            elif strict:
                scope = "block" if (self.first["block"][which] >= 0).any() else "all"
                span = self._span(scope, which) or (int(self.rows[pos]), int(self.rows[pos]))
                got = block if scope == "block" else everything
                problems.append((int(self.rows[pos]), name, _mismatch(total, got, span), "error"))
            else:
                self._reset(which)  # what follows is a new block, whatever this row was
                return None, []
        self._reset(which)
        return covers, problems

    def _reset(self, which: np.ndarray) -> None:
        """Start a new block for the currencies `which`."""
        for name in self.values:
            self.sums["block"][name][which] = 0
        self.first["block"][which] = -1
        self.broken["block"][which] = False

    def _span(self, scope: str, which: np.ndarray) -> tuple[int, int] | None:
        first = self.first[scope][which]
        last = self.last[which]
        if not (first >= 0).any():
            return None
        return int(self.rows[first[first >= 0].min()]), int(self.rows[last[last >= 0].max()])


def _mismatch(total: int, got: int, span: tuple[int, int]) -> Message:
    first, last = span
    return message(
        "ingest.total_mismatch",
        "The file's total on this row is {total}, but the rows it totals (rows {first}-{last}) "
        "add up to {sum}, a difference of {difference}. Rows are missing or were changed after "
        "the export: export the report again and upload it unchanged.",
        total=format_cents(total, ","),
        first=first,
        last=last,
        sum=format_cents(got, ","),
        difference=format_cents(total - got, ","),
    )
