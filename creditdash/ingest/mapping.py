"""Which row is the header and which canonical field each column holds.

The header is the row among the first 30 with the most recognised
headers (see `synonyms`), so title and company lines above it are
skipped; a two-row header (a merged group label over sub-headers) is read
as one. The proposal is a `SheetMapping` the user may edit; `adopt`
applies the user's edits and `--map` overrides to a proposal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from creditdash.errors import InvalidArgument
from creditdash.ingest.fields import USES
from creditdash.ingest.read import RawSheet
from creditdash.ingest.synonyms import FIELDS, SYNONYMS, field_for, normalise_header
from creditdash.ingest.systems import recognise

HEADER_SCAN_ROWS = 30
KINDS = (
    "ledger",
    "invoices",
    "payments",
    "open_items",
    "movements",
    "customers",
    "rates",
    "unknown",
)
IGNORED = {"", "ignore", "none"}
KEY_FIELDS = ("invoice_id", "payment_id", "customer_id", "customer_name", "currency")
_CUSTOMER_ONLY = {
    "amount",
    "open_amount",
    "paid_amount",
    "invoice_date",
    "due_date",
    "payment_date",
}


@dataclass
class SheetMapping:
    """One sheet of one file as proposed (and perhaps edited by the user).

    header_row  Excel row number (1-based) of the header; the lower row of a two-row header
    headers     the header text of every column, left to right, as written
    mapping     header text -> canonical field, or None for a column to ignore
    n_rows      data rows below the header
    layout      the report layout recognised (see `systems`), e.g. "sap_fbl5n"
    profile     the name of the saved profile this mapping came from (see `profiles`)
    """

    file: str
    sheet: str | None
    kind: str
    header_row: int
    headers: list[str]
    mapping: dict[str, str | None]
    n_rows: int
    layout: str = "generic"
    profile: str | None = None

    @property
    def ignored(self) -> list[str]:
        """Headers of the columns read for nothing: unmapped, or mapped to a field this kind
        of sheet does not use (blank headers left out)."""
        used = set(USES.get(self.kind, ()))
        return [
            h
            for h, f in self.mapping.items()
            if (not f or f not in used) and not h.startswith("(column ")
        ]

    @property
    def fields(self) -> dict[str, str]:
        """Canonical field -> header text, for the mapped columns."""
        return {f: h for h, f in self.mapping.items() if f}

    def column_of(self, name: str) -> int:
        """Position (0-based) of the column mapped to field `name`."""
        return self.headers.index(self.fields[name])


def detect_kind(fields: Iterable[str]) -> str:
    """The kind of table a set of mapped fields describes (see KINDS)."""
    f = set(fields)
    if _is_rates(f):
        return "rates"
    if {"debit", "credit"} <= f:
        return "movements"
    if "open_amount" in f:
        return "open_items"
    if "paid_amount" in f and "amount" in f and "payment_date" not in f:
        return "open_items"  # amount and paid so far: an open-items list
    if "invoice_date" in f:
        return "ledger" if f & {"payment_date", "paid_amount"} else "invoices"
    if "payment_date" in f and f & {"amount", "paid_amount"}:
        return "payments"
    if "invoice_id" in f and "amount" in f:
        return "ledger" if f & {"payment_date", "paid_amount"} else "invoices"
    if {"currency", "rate"} <= f:
        return "rates"
    if f & {"customer_id", "customer_name"} and not f & _CUSTOMER_ONLY:
        return "customers"
    return "unknown"


def _kind(layout: str, fields: Iterable[str | None]) -> str:
    """The kind the fields describe; a summary aging report holds no invoices ("unknown")."""
    return "unknown" if layout == "summary_aging" else detect_kind(f for f in fields if f)


def propose(raw: RawSheet, header_row: int | None = None) -> SheetMapping:
    """The proposed mapping of a non-empty sheet, with its header found or on `header_row`."""
    if header_row is None:
        index, headers, fields = locate_header(raw.cells, raw.merged)
    else:
        index = checked_header_row(raw, header_row) - 1
        headers = headers_at(raw, header_row)
        fields = [field_for(h) if not h.startswith("(column ") else None for h in headers]
    fields = _resolve_duplicates(headers, fields)
    fields = _payment_sheet_dates(fields)
    fields = _rate_sheet_dates(fields)
    layout, fields = recognise(headers, fields, title_lines(raw.cells, index))
    mapping = dict(zip(headers, fields, strict=True))
    return SheetMapping(
        file=raw.file,
        sheet=raw.sheet,
        kind=_kind(layout, fields),
        header_row=index + 1,
        headers=headers,
        mapping=mapping,
        n_rows=_count_rows(raw.cells, index + 1),
        layout=layout,
    )


def title_lines(cells: pd.DataFrame, header_index: int) -> list[str]:
    """The text of each line above the header (0-based `header_index`), cells joined."""
    top = cells.iloc[: max(header_index, 0)].fillna("").astype(str).to_numpy().tolist()
    return [" ".join(c.strip() for c in row if c.strip()) for row in top]


def locate_header(
    cells: pd.DataFrame, merged: Iterable[tuple[tuple[int, int], tuple[int, int]]] = ()
) -> tuple[int, list[str], list[str | None]]:
    """(0-based row index, header texts, fields) of the best header in the first rows.

    A header row with cells merged down into the next row is read together
    with that row (a two-row header); so is a pair of rows that together
    name more fields than either alone.
    """
    top = cells.iloc[:HEADER_SCAN_ROWS].fillna("").astype(str).to_numpy().tolist()
    singles = [[field_for(t) if t.strip() else None for t in row] for row in top]
    spans_down = {r for (r0, _), (r1, _) in merged for r in range(r0, r1) if r1 > r0}
    best_score, best = 0, None
    for i, row in enumerate(top):
        score = _score(singles[i])
        if score > best_score:
            best_score, best = score, (i, row, singles[i])
        if i + 1 < len(top):
            texts, fields = _combine(row, top[i + 1])
            pair = _score(fields)
            merged_down = i in spans_down and pair >= max(score, best_score, 1)
            if merged_down or pair > max(score, _score(singles[i + 1]), best_score):
                best_score, best = pair, (i + 1, texts, fields)
    if best is None:
        first = next((i for i, row in enumerate(top) if any(t.strip() for t in row)), 0)
        best = (first, top[first] if top else [], [None] * len(top[first] if top else []))
    index, texts, fields = best
    return index, _unique_names(texts), list(fields)


def _score(fields: list[str | None]) -> int:
    return len({f for f in fields if f})


def _combine(upper: list[str], lower: list[str]) -> tuple[list[str], list[str | None]]:
    """A two-row header read as one: 'Invoice' over 'Date' is 'Invoice Date'."""
    texts, fields = [], []
    for u, low in zip(upper, lower, strict=True):
        us, ls = u.strip(), low.strip()
        if us and ls and us != ls:
            texts.append(f"{us} {ls}")
            fields.append(field_for(us + ls) or field_for(ls) or field_for(us))
        else:
            texts.append(low if ls else u)
            fields.append(field_for(ls or us) if (ls or us) else None)
    return texts, fields


def _unique_names(texts: list[str]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, text in enumerate(texts):
        name = text if text.strip() else f"(column {_letters(i)})"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def _letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _resolve_duplicates(headers: list[str], fields: list[str | None]) -> list[str | None]:
    """Each field for one column only: the most specific synonym wins, then the leftmost."""

    def rank(name: str, i: int) -> int:
        names = [normalise_header(n) for n in SYNONYMS[name]]
        key = normalise_header(headers[i])
        return names.index(key) if key in names else len(names)

    out = list(fields)
    for name in {f for f in fields if f}:
        columns = [i for i, f in enumerate(fields) if f == name]
        _, keep = min((rank(name, i), i) for i in columns)
        for i in columns:
            if i != keep:
                out[i] = None
    return out


_NOT_RATES = {"invoice_id", "payment_id", "amount", "open_amount", "paid_amount", "debit", "credit"}


def _is_rates(fields: set[str]) -> bool:
    """A currency and a rate with no money column: an exchange-rates sheet."""
    return {"currency", "rate"} <= fields and not fields & _NOT_RATES


def _rate_sheet_dates(fields: list[str | None]) -> list[str | None]:
    """A rates sheet headed `currency, date, rate`: its date is the rate date."""
    f = {x for x in fields if x}
    if _is_rates(f) and "rate_date" not in f:
        return ["rate_date" if x == "invoice_date" else x for x in fields]
    return fields


def _payment_sheet_dates(fields: list[str | None]) -> list[str | None]:
    """A receipts list headed 'Date' with a payment number: its date is the payment date."""
    f = set(fields)
    if "payment_id" in f and "payment_date" not in f and "invoice_id" not in f:
        return ["payment_date" if x == "invoice_date" else x for x in fields]
    return fields


def _count_rows(cells: pd.DataFrame, start: int) -> int:
    """Rows below `start` with a cell that is not blank."""
    data = cells.iloc[start:]
    if data.empty:
        return 0
    filled = pd.DataFrame({c: data[c].fillna("").str.strip() != "" for c in data.columns})
    return int(filled.any(axis=1).sum())


def duplicate_fields(mapping: SheetMapping) -> dict[str, list[str]]:
    """Fields that more than one column is mapped to: field -> those headers."""
    seen: dict[str, list[str]] = {}
    for header, name in mapping.mapping.items():
        if name:
            seen.setdefault(name, []).append(header)
    return {name: headers for name, headers in seen.items() if len(headers) > 1}


def headers_at(raw: RawSheet, header_row: int) -> list[str]:
    """The header texts of Excel row `header_row`."""
    row = raw.cells.iloc[header_row - 1].fillna("").astype(str).tolist()
    return _unique_names(row)


def check_field(name: str | None, column: str, option: bool = False) -> str | None:
    """`name` as a field (None to ignore); InvalidArgument for an unknown field.

    `column` is the file's column the field was chosen for; `option` says it was
    chosen with the command line's `--map`.
    """
    if name is None or name.strip().casefold() in IGNORED:
        return None
    if name not in FIELDS:
        if option:
            raise InvalidArgument.coded(
                "error.mapping.option_field",
                "--map {column!r} maps to unknown field {field!r}. Use one of: {fields}, or "
                "'ignore'.",
                column=column, field=name, fields=", ".join(FIELDS),
            )  # fmt: skip
        raise InvalidArgument.coded(
            "error.mapping.column_field",
            "Column {column!r} maps to unknown field {field!r}. Use one of: {fields}, or 'ignore'.",
            column=column, field=name, fields=", ".join(FIELDS),
        )  # fmt: skip
    return name


def checked_header_row(raw: RawSheet, header_row: int) -> int:
    """`header_row` when the sheet has that row; InvalidArgument otherwise."""
    if not 1 <= int(header_row) <= len(raw.cells):
        raise InvalidArgument.coded(
            "error.mapping.header_row",
            "The header row must be between 1 and {rows} (the sheet's last row). Got {row}.",
            rows=len(raw.cells),
            row=header_row,
        )
    return int(header_row)


def adopt(
    proposed: SheetMapping,
    raw: RawSheet,
    *,
    user: SheetMapping | None = None,
    overrides: Mapping[str, str] | None = None,
    header_row: int | None = None,
) -> SheetMapping:
    """The mapping to parse with: the proposal, the user's edited mapping, then overrides.

    `header_row` (the command line's --header-row) or the user's header row reads the
    header from that row. The user's kind is kept when they changed it; otherwise the
    kind follows the fields.
    """
    row = user.header_row if user is not None else header_row
    if row is not None and row != proposed.header_row:
        proposed = propose(raw, row)
    headers, mapping = list(proposed.headers), dict(proposed.mapping)
    header_row, explicit = proposed.header_row, set()
    if user is not None:
        for header, name in user.mapping.items():
            if header in mapping:
                mapping[header] = check_field(name, header)
                if user.profile is None:  # a profile's choices yield to --map
                    explicit.add(header)
    for key, name in (overrides or {}).items():
        target = check_field(name, key, option=True)
        for header in headers:
            if header not in explicit and normalise_header(header) == normalise_header(key):
                if target:
                    for other, f in mapping.items():
                        if f == target and other not in explicit:
                            mapping[other] = None
                mapping[header] = target
    kind = _kind(proposed.layout, mapping.values())
    if user is not None and user.kind != proposed.kind and user.kind in KINDS:
        kind = user.kind
    profile = None if user is None else user.profile
    return dataclasses.replace(
        proposed, kind=kind, header_row=header_row, mapping=mapping, profile=profile
    )
