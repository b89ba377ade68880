"""What the XML of an .xlsx workbook holds, read cheaply and without the real reader.

The reader (python-calamine) allocates the whole rectangle from A1 to the
last cell that holds a value, so one stray cell at XFD1048576 asks for
17 billion cells. `scan` streams a sheet's decompressed XML in chunks and,
with a few regex passes over each (C speed, no Python work per cell in the
common case), finds:

    declared   the `<dimension ref>` the writer claims
    rows       the last row number of any `<row>` (an upper bound)
    columns    the last column of a cell with a value (cells holding only a
               formula without a result count too)
    complete   every row and cell names its position (r="..."), so the
               bounds hold; a writer may leave them out, and then the reader
               process's memory and time limits are the only guard
    uncached   formula cells with no saved result (up to `KEPT` refs, and a count)
    external   formula cells that read another workbook ([1]Sheet!A1)

`census` counts the value cells of each row and column exactly (run only
when the bounds look absurd), `cells_in` locates the cells of some rows and
columns, and
`trim` returns the workbook without them. This module uses the standard
library only: the reader process imports it without creditdash.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote

CHUNK = 4 * 2**20
NAMED = 20  # stray or external refs kept for a message
KEPT = 1_000  # uncached formula refs kept (suspicious.py sorts them by column)
MAX_CARRY = 64 * 2**20
_PREFIX = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet\b")
_DIMENSION = re.compile(
    rb'<(?:[\w.-]+:)?dimension\s+ref="([A-Z]{1,3}[0-9]+)(?::([A-Z]{1,3}[0-9]+))?"'
)
_VALUE_COL = re.compile(rb'\sr="([A-Z]{1,3})[0-9]+"[^>/]*>')
_VALUE_ROW = re.compile(rb'\sr="[A-Z]{1,3}([0-9]+)"[^>/]*>')
_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


@dataclass
class SheetPart:
    """A worksheet's name as the reader shows it and its part in the zip."""

    name: str
    path: str


@dataclass
class Extent:
    """What one sheet's XML holds (see the module docstring)."""

    declared: str | None = None
    rows: int = 0
    columns: int = 0
    complete: bool = True
    uncached: list[str] = field(default_factory=list)
    n_uncached: int = 0
    external: list[str] = field(default_factory=list)
    n_external: int = 0

    @property
    def area(self) -> int:
        return self.rows * self.columns


@dataclass
class Census:
    """Value cells per row and per column (1-based numbers), counted exactly."""

    rows: Counter = field(default_factory=Counter)
    columns: Counter = field(default_factory=Counter)

    @property
    def filled(self) -> int:
        return sum(self.rows.values())

    @property
    def last(self) -> tuple[int, int]:
        """(last row, last column) holding a value; (0, 0) for none."""
        return max(self.rows, default=0), max(self.columns, default=0)


def column_number(letters: str) -> int:
    """'A' -> 1, 'Z' -> 26, 'AA' -> 27, 'XFD' -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    """1 -> 'A', 16384 -> 'XFD'."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def cell_ref(row: int, column: int) -> str:
    """(1-based row, 1-based column) -> 'B7'."""
    return f"{column_letters(column)}{row}"


def parse_ref(ref: str) -> tuple[int, int]:
    """'B7' -> (7, 2), 1-based."""
    match = _REF.fullmatch(ref)
    if match is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(match[2]), column_number(match[1])


# --- parts ------------------------------------------------------------------------


def _attrs(tag: bytes) -> dict[str, str]:
    """Attributes of one start tag, prefixes dropped ('r:id' -> 'id'), values unescaped."""
    found = re.findall(rb'([\w.:-]+)\s*=\s*"([^"]*)"', tag)
    return {
        k.decode().rpartition(":")[2]: html.unescape(v.decode("utf-8", "replace")) for k, v in found
    }


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, target) of a part's relationships; targets as zip paths."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", name + ".rels")
    try:
        text = archive.read(path)
    except KeyError:
        return {}
    out = {}
    for tag in re.findall(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>", text):
        a = _attrs(tag)
        target = a.get("Target", "")
        if a.get("TargetMode") != "External":
            target = (
                target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            )
            target = posixpath.normpath(target)
        out[a.get("Id", "")] = (a.get("Type", ""), target)
    return out


def _workbook_part(archive: zipfile.ZipFile) -> str:
    for kind, target in _rels(archive, "").values():
        if kind.endswith("/officeDocument"):
            return target
    return "xl/workbook.xml"


def sheet_parts(archive: zipfile.ZipFile) -> list[SheetPart]:
    """The worksheets in workbook order (chart and dialog sheets left out)."""
    book = _workbook_part(archive)
    try:
        text = archive.read(book)
    except KeyError:
        return []
    rels = _rels(archive, book)
    parts = []
    for tag in re.findall(rb"<(?:[\w.-]+:)?sheet\b[^>]*>", text):
        a = _attrs(tag)
        kind, target = rels.get(a.get("id", ""), ("", ""))
        if kind.endswith("/worksheet") and target in archive.NameToInfo:
            parts.append(SheetPart(a.get("name", ""), target))
    return parts


def external_sources(archive: zipfile.ZipFile) -> list[str]:
    """File names of the workbooks that formulas link to, in their [1], [2], ... order."""
    book = _workbook_part(archive)
    try:
        text = archive.read(book)
    except KeyError:
        return []
    rels = _rels(archive, book)
    names = []
    for tag in re.findall(rb"<(?:[\w.-]+:)?externalReference\b[^>]*>", text):
        _, part = rels.get(_attrs(tag).get("id", ""), ("", ""))
        targets = [t for _, t in _rels(archive, part).values()] if part else []
        target = unquote(targets[0]) if targets else ""
        names.append(re.split(r"[\\/]", target)[-1] or "?")
    return names


# --- scanning ---------------------------------------------------------------------


def _chunks(archive: zipfile.ZipFile, path: str, cut: bytes):
    """The part's decompressed bytes in pieces that each end just after a `cut` tag.

    A piece never splits a cell (`cut` is a cell or row end tag); a piece of
    more than MAX_CARRY bytes without one is cut after its last '>'.
    """
    carry = b""
    with archive.open(path) as stream:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            buf = carry + chunk
            end = buf.rfind(cut)
            if end < 0 and len(buf) > MAX_CARRY:
                end = buf.rfind(b">")
                end = end + 1 if end >= 0 else len(buf)
            elif end >= 0:
                end += len(cut)
            if end < 0:
                carry = buf
                continue
            yield buf[:end]
            carry = buf[end:]
    if carry:
        yield carry


def _prefix(archive: zipfile.ZipFile, path: str) -> bytes:
    """The namespace prefix of the sheet's elements with its colon (b'' for none)."""
    with archive.open(path) as stream:
        head = stream.read(8192)
    match = _PREFIX.search(head)
    return match[1] + b":" if match and match[1] else b""


class _Patterns:
    """The regexes that depend on the sheet's namespace prefix."""

    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        self.cell_end = b"</" + prefix + b"c>"
        self.values = (b"<" + prefix + b"v>", b"<" + prefix + b"is>")
        self.formula = b"<" + prefix + b"f"
        # every cell and row names its position first (r="..."), as Excel writes them
        self.positionless = re.compile(rb"<" + p + rb"(?:c|row)(?:>|\s(?!r=))")
        self.row_number = re.compile(rb"<" + p + rb'row r="([0-9]+)"')
        self.wide_value = re.compile(rb"<" + p + rb'c r="([A-Z]{2,3})[0-9]+"[^>/]*>')
        self.wide = re.compile(rb"<" + p + rb'c r="[A-Z]{2}')
        # letter_from[n]: a value cell in column n (1-26) or further right within A-Z
        self.letter_from = [
            re.compile(rb"<" + p + b'c r="[' + bytes([64 + n]) + rb'-Z][0-9]+"[^>/]*>')
            for n in range(1, 27)
        ]
        cell = rb"<" + p + rb'c\s[^>]*?\br="([A-Z]{1,3}[0-9]+)"[^>/]*>\s*'
        formula = rb"<" + p + rb"f\b[^>]*"
        # no <v>, or an empty one (openpyxl writes <v />); an empty text result is t="str"
        self.uncached = re.compile(
            rb"<"
            + p
            + rb'c(?![^>]*\st="str")\s[^>]*?\br="([A-Z]{1,3}[0-9]+)"[^>/]*>\s*'
            + formula
            + rb"(?:/>|>[^<]*</"
            + p
            + rb"f>)\s*"
            rb"(?:<" + p + rb"v\s*/>|<" + p + rb"v>\s*</" + p + rb"v>)?\s*</" + p + rb"c>"
        )
        self.external = re.compile(cell + formula + rb">[^<]*?\[[0-9]+\][^<]*</" + p + rb"f>")


def scan(
    archive: zipfile.ZipFile, path: str, *, external: bool = False, column_cap: int = 0
) -> Extent:
    """The bounds and formula facts of one sheet part (see the module docstring).

    Once the last column passes `column_cap` (when given), it is not followed further:
    `columns` then says only that the cap is passed.
    """
    found = Extent()
    pat = _Patterns(_prefix(archive, path))
    wide = letter = 0
    for piece in _chunks(archive, path, pat.cell_end):
        if found.declared is None:
            dim = _DIMENSION.search(piece)
            found.declared = (dim[2] or dim[1]).decode() if dim else ""
        rows = pat.row_number.findall(piece)
        if rows:
            found.rows = max(found.rows, max(map(int, rows)))
        if letter < 26 and not wide and pat.letter_from[letter].search(piece):
            letter = _last_letter(piece, pat, letter)
        if not (column_cap and wide > column_cap) and pat.wide.search(piece):
            letters = set(pat.wide_value.findall(piece))
            if letters:
                wide = max(wide, max(column_number(c.decode()) for c in letters))
        if found.complete and pat.positionless.search(piece):
            found.complete = False
        if pat.formula in piece:
            _formulas(piece, pat, found, external)
    found.columns = wide or letter
    return found


def _last_letter(piece: bytes, pat: _Patterns, known: int) -> int:
    """The last column within A-Z holding a value in `piece`, known to be past `known`.

    A binary search: a search for a range that is there stops at its first cell.
    """
    low, high = known + 1, 26
    while low < high:
        middle = (low + high + 1) // 2
        if pat.letter_from[middle - 1].search(piece):
            low = middle
        else:
            high = middle - 1
    return low


def count_values(archive: zipfile.ZipFile, path: str) -> int:
    """How many cells hold a value (`<v>` or an inline string)."""
    pat = _Patterns(_prefix(archive, path))
    return sum(
        piece.count(tag) for piece in _chunks(archive, path, pat.cell_end) for tag in pat.values
    )


def _formulas(piece: bytes, pat: _Patterns, found: Extent, external: bool) -> None:
    refs = pat.uncached.findall(piece)
    found.n_uncached += len(refs)
    found.uncached += [r.decode() for r in refs[: KEPT - len(found.uncached)]]
    if external:
        refs = pat.external.findall(piece)
        found.n_external += len(refs)
        found.external += [r.decode() for r in refs[: NAMED - len(found.external)]]


def census(archive: zipfile.ZipFile, path: str) -> Census:
    """Exact value cells per row and column."""
    pat = _Patterns(_prefix(archive, path))
    rows: Counter = Counter()
    cols: Counter = Counter()
    for piece in _chunks(archive, path, pat.cell_end):
        rows.update(_VALUE_ROW.findall(piece))
        cols.update(_VALUE_COL.findall(piece))
    return Census(
        Counter({int(k): v for k, v in rows.items()}),
        Counter({column_number(k.decode()): v for k, v in cols.items()}),
    )


def _beyond(rows: list[int], cols: list[int]) -> re.Pattern[bytes]:
    """Cell refs in any of `rows` or any of `cols` (1-based numbers)."""
    alts = []
    if cols:
        alts.append(b"(?:" + b"|".join(column_letters(c).encode() for c in cols) + rb")[0-9]+")
    if rows:
        alts.append(rb"[A-Z]{1,3}(?:" + b"|".join(str(r).encode() for r in rows) + b")")
    return re.compile(b"|".join(alts))


def cells_in(
    archive: zipfile.ZipFile, path: str, rows: list[int], cols: list[int]
) -> list[tuple[int, int]]:
    """(row, column) of every value cell in any of `rows` or `cols` (1-based)."""
    if not rows and not cols:
        return []
    pat = _Patterns(_prefix(archive, path))
    refs = re.compile(rb'\sr="((?:' + _beyond(rows, cols).pattern + rb'))"[^>/]*>')
    found: list[tuple[int, int]] = []
    for piece in _chunks(archive, path, pat.cell_end):
        found += [parse_ref(r.decode()) for r in refs.findall(piece)]
    return found


def trim(data: bytes, cuts: dict[str, tuple[list[int], list[int]]]) -> bytes:
    """The workbook without the cells in the given rows or columns of each part.

    `cuts` maps a sheet part to (rows, columns), 1-based. The parts are
    stored uncompressed: the copy lives only as long as one read.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename in cuts:
                body = _without(body, _prefix(src, info.filename), *cuts[info.filename])
            dst.writestr(info.filename, body, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def _without(body: bytes, prefix: bytes, rows: list[int], cols: list[int]) -> bytes:
    p = re.escape(prefix)
    cell = re.compile(
        rb"<" + p + rb'c\s[^>]*?\br="(?:' + _beyond(rows, cols).pattern + rb')"'
        rb"(?:[^>]*?/>|[^>]*>.*?</" + p + rb"c>)",
        re.DOTALL,
    )
    return cell.sub(b"", body)
