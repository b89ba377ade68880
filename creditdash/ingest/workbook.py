"""Workbook bytes -> columns of text, run in a reader process of its own.

python-calamine reads untrusted workbooks in native code: a file can make
it abort the process ("memory allocation of 549755813888 bytes failed"),
crash, or take all the memory there is. `creditdash.ingest.read` therefore
runs this module as a script in a child process (`python -I workbook.py
IN OUT MEMORY SECONDS SPEC`) with an address-space and CPU limit, and
turns what comes back into `RawSheet`s; `read_book` is the same work in
process (for tests, and for callers that opt out of the child).

The child imports the standard library, python-calamine and `sheetxml`
only, so it starts in a few tens of milliseconds. Its result is a dict of
plain values written with `marshal` (which cannot run code on loading):

    {"error": None | "password" | "unreadable" | "sheet_not_found" | "memory",
     "detail": str, "sheets": [sheet, ...], "names": [worksheet names],
     "peak_kb": the reader process's peak resident memory (when run as the script)}
    sheet = {"name": str, "error": str | None, "height": int,
             "columns": [text joined by NUL, or a list of texts], "merged": [[r0, c0, r1, c1]]}

Every cell is text: numbers without binary noise (12345.0 -> "12345",
1e-05 -> "0.00001"), dates as ISO text, TRUE/FALSE, "" for empty; a merged
range's value fills all its cells.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import marshal
import math
import sys
from decimal import Decimal
from pathlib import Path

import python_calamine

if __package__:
    from creditdash.ingest import sheetxml
else:  # run as the reader process's script: creditdash itself is not imported
    sys.path.append(str(Path(__file__).resolve().parent))
    import sheetxml  # type: ignore[no-redef]

SEP = "\x00"
EXIT_MEMORY = 3


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
        data = sheetxml.trim(data, cuts)
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
        rows = found.to_python(skip_empty_area=False)
        merged = found.merged_cell_ranges or []
    except MemoryError:
        raise
    except Exception as exc:  # a damaged sheet should not hide the others
        sheet["error"] = str(exc)
        return sheet
    sheet["merged"] = [[r0, c0, r1, c1] for (r0, c0), (r1, c1) in merged]
    sheet["height"] = len(rows)
    sheet["columns"] = [_pack(col) for col in _columns(rows, merged)]
    return sheet


def _columns(rows: list[list[object]], merged: list) -> list:
    """The rows' cells as columns (sequences of values); a merged range's value fills all its cells."""
    width = max((len(r) for r in rows), default=0)
    if not rows or not width:
        return []
    if any(len(r) != width for r in rows):
        rows = [r + [""] * (width - len(r)) for r in rows]
    columns: list = list(zip(*rows, strict=True))
    del rows
    if merged:
        columns = [list(col) for col in columns]
        height = len(columns[0])
        for (r0, c0), (r1, c1) in merged:
            if r0 >= height or c0 >= width:
                continue
            value = columns[c0][r0]
            for c in range(c0, min(c1, width - 1) + 1):
                for r in range(r0, min(r1, height - 1) + 1):
                    columns[c][r] = value
    return columns


def _pack(values) -> str | list[str]:
    """The column's cells as text joined by NUL, or a list when a cell holds a NUL itself."""
    try:
        joined = SEP.join(values)
    except TypeError:
        values = [_cell_text(v) for v in values]
        joined = SEP.join(values)
    return joined if joined.count(SEP) == len(values) - 1 else list(values)


def unpack(packed: str | list[str]) -> list[str]:
    """The cell texts `_pack` joined."""
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
        text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --- the reader process -----------------------------------------------------------


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
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def main(argv: list[str]) -> int:
    """IN OUT MEMORY SECONDS SPEC: read IN, write the marshalled result to OUT.

    SPEC is JSON {"only": sheet or null, "cuts": {part: [rows, columns]}, "skip": [sheet, ...]}.
    """
    source, target, memory, seconds, spec = argv
    _limit(int(memory), int(seconds))
    try:
        data = Path(source).read_bytes()
        asked = json.loads(spec)
        cuts = {k: (v[0], v[1]) for k, v in asked.get("cuts", {}).items()}
        result = read_book(data, asked.get("only"), cuts, asked.get("skip", []))
        del data
        result["peak_kb"] = _peak_kb()
        Path(target).write_bytes(marshal.dumps(result))
    except MemoryError:
        return EXIT_MEMORY
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
