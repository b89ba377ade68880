"""Workbook bytes -> columns of text, run in a reader process of its own.

python-calamine reads untrusted workbooks in native code: a file can make
it abort the process ("memory allocation of 549755813888 bytes failed"),
crash, or take all the memory there is. `creditdash.ingest.read` therefore
runs this module as a script in a child process (`python -I workbook.py
FOLDER MEMORY SECONDS`) with an address-space and CPU limit, and
turns what comes back into `RawSheet`s; `read_book` is the same work in
process (for tests, and for callers that opt out of the child).

The child imports a few standard modules and python-calamine only (and
`sheetxml` when cells are cut), so it starts in a few tens of milliseconds. Its result is a dict of
plain values written with `marshal` (which cannot run code on loading):

    {"error": None | "password" | "unreadable" | "sheet_not_found" | "memory",
     "detail": str, "sheets": [sheet, ...], "names": [worksheet names],
     "peak_kb": the reader process's peak resident memory (when run as the script)}
    sheet = {"name": str, "error": str | None, "height": int,
             "columns": [UTF-8 of the texts joined by NUL, or a list of texts when a
                         cell holds a NUL itself], "merged": [[r0, c0, r1, c1]]}

Every cell is text: numbers without binary noise (12345.0 -> "12345",
1e-05 -> "0.00001"), dates as ISO text, TRUE/FALSE, "" for empty; a merged
range's value fills all its cells.
"""

from __future__ import annotations

import datetime as dt
import io
import marshal
import math
import os
import sys

import python_calamine

SEP = "\x00"
EXIT_MEMORY = 3
BLOCK_ROWS = 50_000


def read_book(
    data: bytes,
    only: str | None = None,
    cuts: dict[str, tuple[list[int], list[int]]] | None = None,
    skip: list[str] | tuple[str, ...] = (),
) -> dict:
    """The worksheets of a workbook as text columns (see the module docstring).

    only  read this sheet alone
    cuts  sheet part -> (rows, columns) whose cells are removed first (see `sheetxml.trim`)
    skip  sheets not to read (they are listed in "names" all the same)
    """
    if cuts:
        data = _sheetxml().trim(data, cuts)
    result: dict = {"error": None, "detail": "", "sheets": [], "names": []}
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        result["error"] = "password"
        return result
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        result.update(error="unreadable", detail=str(exc))
        return result
    names = [
        m.name for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    result["names"] = names
    if only is not None:
        if only not in names:
            result["error"] = "sheet_not_found"
            return result
        names = [only]
    for name in names:
        if name not in skip:
            result["sheets"].append(_read_sheet(book, name))
    return result


def _read_sheet(book, name: str) -> dict:
    sheet: dict = {"name": name, "error": None, "height": 0, "columns": [], "merged": []}
    try:
        found = book.get_sheet_by_name(name)
        merged = found.merged_cell_ranges or []
        last = found.end
        columns, height = _stream(found.iter_rows())
        del found  # the reader's own copy of the cells
    except (MemoryError, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a damaged sheet should not hide the others; pyo3 panics
        sheet["error"] = str(exc)  # are BaseExceptions
        return sheet
    if last is not None:
        columns, height = _from_a1(columns, height, last[0] + 1, last[1] + 1)
    sheet["height"] = height
    sheet["columns"] = [
        c.encode("utf-8", "surrogatepass") if isinstance(c, str) else c
        for c in _fill_merged(columns, merged, height)
    ]
    sheet["merged"] = [[r0, c0, r1, c1] for (r0, c0), (r1, c1) in merged]
    return sheet


def _stream(rows) -> tuple[list[str | list[str]], int]:
    """(packed text columns, height) of the rows, made BLOCK_ROWS rows at a time, so that
    only one block's cells live as Python objects at once."""
    parts: list[list[str | list[str]]] = []
    height = 0
    block: list[list[object]] = []
    for row in rows:
        block.append(row)
        if len(block) == BLOCK_ROWS:
            height = _add_block(parts, block, height)
            block = []
    if block:
        height = _add_block(parts, block, height)
    return [_join(p) for p in parts], height


def _add_block(parts: list[list[str | list[str]]], block: list[list[object]], height: int) -> int:
    width = max(len(r) for r in block)
    if width < len(parts) or any(len(r) != width for r in block):
        width = max(width, len(parts))
        block = [r + [""] * (width - len(r)) for r in block]
    while len(parts) < width:  # a column first seen in this block: empty above
        parts.append([SEP * (height - 1)] if height else [])
    for i, column in enumerate(zip(*block, strict=True)):
        parts[i].append(_pack(column))
    return height + len(block)


def _join(parts: list[str | list[str]]) -> str | list[str]:
    texts = [p for p in parts if isinstance(p, str)]
    if len(texts) == len(parts):
        return SEP.join(texts)
    return [cell for p in parts for cell in unpack(p)]


def _from_a1(
    columns: list[str | list[str]], height: int, rows: int, width: int
) -> tuple[list[str | list[str]], int]:
    """The columns as they stand from A1: empty rows above and columns to the left added
    when the reader left them out (it starts rows at row 1 but columns at the first used)."""
    if height < rows:
        top = rows - height
        columns = [SEP * top + c if isinstance(c, str) else [""] * top + c for c in columns]
        height = rows
    if len(columns) < width:
        empty: list[str | list[str]] = [SEP * (height - 1)]
        columns = empty * (width - len(columns)) + columns
    return columns, height


def _fill_merged(columns: list[str | list[str]], merged: list, height: int) -> list:
    """A merged range's top-left text fills all its cells (only the columns merges touch
    are unpacked)."""
    width = len(columns)
    opened: dict[int, list[str]] = {}

    def cells(c: int) -> list[str]:
        if c not in opened:
            opened[c] = unpack(columns[c])
        return opened[c]

    for (r0, c0), (r1, c1) in merged:
        if r0 >= height or c0 >= width:
            continue
        value = cells(c0)[r0]
        for c in range(c0, min(c1, width - 1) + 1):
            column = cells(c)
            for r in range(r0, min(r1, height - 1) + 1):
                column[r] = value
    for c, column in opened.items():
        columns[c] = _pack(column)
    return columns


def _pack(values) -> str | list[str]:
    """The column's cells as text joined by NUL, or a list when a cell holds a NUL itself."""
    try:
        joined = SEP.join(values)
    except TypeError:
        values = [_cell_text(v) for v in values]
        joined = SEP.join(values)
    return joined if joined.count(SEP) == len(values) - 1 else list(values)


def unpack(packed: bytes | str | list[str]) -> list[str]:
    """The cell texts of a packed column (joined by NUL, as text or UTF-8, or a list)."""
    if isinstance(packed, bytes):
        packed = packed.decode("utf-8", "surrogatepass")
    return packed.split(SEP) if isinstance(packed, str) else packed


def _cell_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def float_text(value: float) -> str:
    """The shortest digits that read back as `value`, without exponent or trailing zeros."""
    if not math.isfinite(value):
        return ""
    text = repr(value)
    if "e" in text:
        from decimal import Decimal  # rare: only exponent notation needs it

        text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --- the reader process -----------------------------------------------------------


def _sheetxml():
    """The `sheetxml` module, imported only when cells are cut (it needs `re` and more)."""
    if __package__:
        from creditdash.ingest import sheetxml
    else:  # the reader process's script: creditdash itself is not imported
        sys.path.append(os.path.dirname(os.path.abspath(__file__)))
        import sheetxml  # type: ignore[import-not-found]  # found on sys.path at run time
    return sheetxml


def _limit(memory: int, seconds: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if seconds > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))


def _peak_kb() -> int | None:
    """This process's peak resident memory (Linux VmHWM, which starts afresh at exec;
    ru_maxrss would count the parent's memory at the fork)."""
    try:
        with open("/proc/self/status") as status_file:
            status = status_file.read()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def main(argv: list[str]) -> int:
    """FOLDER MEMORY SECONDS: read FOLDER/in as asked in FOLDER/spec, write FOLDER/out.

    spec (marshal) is {"only": sheet or None, "cuts": {part: [rows, columns]},
    "skip": [sheet, ...]}; out (marshal) is `read_book`'s result with "peak_kb".
    """
    folder, memory, seconds = argv
    _limit(int(memory), int(seconds))
    try:
        with open(os.path.join(folder, "spec"), "rb") as spec:
            asked = marshal.load(spec)
        with open(os.path.join(folder, "in"), "rb") as source:
            data = source.read()
        cuts = {k: (v[0], v[1]) for k, v in asked.get("cuts", {}).items()}
        result = read_book(data, asked.get("only"), cuts, asked.get("skip", []))
        del data
        result["peak_kb"] = _peak_kb()
        with open(os.path.join(folder, "out"), "wb") as out:
            marshal.dump(result, out)
    except MemoryError:
        return EXIT_MEMORY
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
