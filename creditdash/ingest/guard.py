"""What reading one workbook may cost, and the checks that keep it there.

Two guards stand between an uploaded workbook and the server:

1. `survey` (xlsx / xlsm) streams each sheet's XML (see `sheetxml`) and
   decides, before its cells are used, whether the sheet is read as it is,
   read without a few stray cells far from its table (`trim`), or refused:

       read    the rectangle from A1 to the last value is within
               `max_cells` cells and `max_columns` columns
       trim    it is not, but cutting off at most `max_strays` value cells
               beyond a gap of ROW_GAP empty rows or COLUMN_GAP empty
               columns leaves a table that is
       refuse  neither: too many filled cells, or values spread far and wide

   The `<dimension ref>` a writer declares is recorded but not trusted: a
   writer may claim A1:XFD1048576 for a small table or A1 for a huge one,
   and python-calamine (0.9) allocates from the cells it finds, not from it.
   A sheet whose cells do not all name their position first (r="A1") cannot
   be bounded this way and is left to the reader process's limits.

2. `Reader` reads the workbook in a child process (`workbook.py` run as a
   script) with an address-space limit (RLIMIT_AS) and a CPU and wall-time
   limit, so an abort, crash or runaway allocation in the native reader
   ends that process only. The child starts while the survey runs; if the
   survey trims or refuses a sheet, that read is cancelled and a new one
   started with the cuts.
"""

from __future__ import annotations

import contextlib
import io
import marshal
import math
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import creditdash.ingest.sheetxml as sheetxml
import creditdash.ingest.workbook as workbook

ROW_GAP = 1_000
COLUMN_GAP = 26
_WORKER = Path(workbook.__file__).resolve()


@dataclass(frozen=True)
class ReadLimits:
    """What reading one workbook may cost.

    memory_bytes  address space of the reader process (RLIMIT_AS)
    seconds       wall time (and CPU time) of the reader process
    max_cells     cells of one sheet's rectangle from A1 to its last value
    max_columns   columns of one sheet
    max_strays    value cells that may be cut off far from the table
    isolate       read in a child process (False: in this process, unguarded)

    The reader needs about 100 bytes a cell at its peak (measured: 246 MB for a
    400,000 x 6 sheet, 1.9 GB for 1,000,000 x 20), so 25 million cells (a full
    1,048,576-row sheet of 23 columns) fit in 3 GiB; exports wider than 1,024
    columns are not ledgers.
    """

    memory_bytes: int = 3 * 2**30
    seconds: float = 180.0
    max_cells: int = 25_000_000
    max_columns: int = 1_024
    max_strays: int = 100
    isolate: bool = True


@dataclass
class SheetPlan:
    """What the survey decided for one sheet (`action`: read, trim or refuse).

    refuse: `reason` is "too_many" (more filled cells than allowed) or "absurd"
    (values spread far and wide); `filled` counts the cells with a value and
    `last` is the last cell. trim: `end` is the table's last cell, `rows` and
    `columns` are cut off (1-based), `strays` names up to sheetxml.NAMED of the
    `n_strays` cells removed.
    """

    name: str
    part: str
    extent: sheetxml.Extent
    action: str = "read"
    reason: str = ""
    filled: int = 0
    last: str = ""
    end: str = ""
    rows: list[int] = field(default_factory=list)
    columns: list[int] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)
    n_strays: int = 0


@dataclass
class Survey:
    """The plans of the sheets, and the workbooks that formulas link to ([1], [2], ...)."""

    plans: list[SheetPlan] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def survey(data: bytes, only: str | None, limits: ReadLimits) -> Survey:
    """A plan for every worksheet (only `only` when given); empty when the XML cannot be read.

    An unreadable part is left to the reader, which reports it in its words.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            found = Survey(links=sheetxml.external_sources(archive))
            for part in sheetxml.sheet_parts(archive):
                if only is not None and part.name != only:
                    continue
                extent = sheetxml.scan(
                    archive, part.path, external=bool(found.links), column_cap=limits.max_columns
                )
                plan = SheetPlan(part.name, part.path, extent)
                _decide(archive, plan, limits)
                found.plans.append(plan)
            return found
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError, ValueError):
        return Survey()


def _decide(archive: zipfile.ZipFile, plan: SheetPlan, limits: ReadLimits) -> None:
    extent = plan.extent
    if not extent.complete or _fits(extent.rows, extent.columns, limits):
        return
    filled = sheetxml.count_values(archive, plan.part)
    counted = None if filled > limits.max_cells else sheetxml.census(archive, plan.part)
    if counted is None:
        plan.action, plan.reason, plan.filled = "refuse", "too_many", filled
        return
    last_row, last_col = counted.last
    if _fits(last_row, last_col, limits):
        return
    plan.filled, plan.last = counted.filled, sheetxml.cell_ref(last_row, last_col)
    box = _core(archive, plan.part, counted, limits)
    if box is None:
        plan.action, plan.reason = "refuse", "absurd"
        return
    end_row, end_col, strays = box
    plan.action, plan.end = "trim", sheetxml.cell_ref(end_row, end_col)
    plan.rows = sorted(r for r in counted.rows if r > end_row)
    plan.columns = sorted(c for c in counted.columns if c > end_col)
    plan.strays = [sheetxml.cell_ref(r, c) for r, c in strays[: sheetxml.NAMED]]
    plan.n_strays = len(strays)


def _fits(rows: int, columns: int, limits: ReadLimits) -> bool:
    return rows * columns <= limits.max_cells and columns <= limits.max_columns


def _core(
    archive: zipfile.ZipFile, part: str, counted: sheetxml.Census, limits: ReadLimits
) -> tuple[int, int, list[tuple[int, int]]] | None:
    """(last row, last column, cells cut off) of the table that fits with the fewest
    cells cut off (then the smallest), or None when none fits.

    Candidate ends are the last number before a gap of more than ROW_GAP rows or
    COLUMN_GAP columns with at most `max_strays` value cells after it; the cells
    after the widest such gaps are located exactly, so each pair of ends is
    judged by the cells it really cuts off.
    """
    row_ends = _ends(counted.rows, ROW_GAP, limits.max_strays)
    col_ends = _ends(counted.columns, COLUMN_GAP, limits.max_strays)
    tail_rows = [r for r in counted.rows if r > row_ends[-1]]
    tail_cols = [c for c in counted.columns if c > col_ends[-1]]
    if not tail_rows and not tail_cols:
        return None
    cells = sheetxml.cells_in(archive, part, tail_rows, tail_cols)
    best = None
    for end_row in row_ends:
        for end_col in col_ends:
            if not _fits(end_row, end_col, limits):
                continue
            cut = [(r, c) for r, c in cells if r > end_row or c > end_col]
            key = (len(cut), end_row * end_col)
            if len(cut) <= limits.max_strays and (best is None or key < best[0]):
                best = (key, (end_row, end_col, sorted(cut)))
    return None if best is None else best[1]


def _ends(counts: Counter, gap: int, most: int) -> list[int]:
    """The last number (row or column) to keep: all of them, or the last before each gap
    wider than `gap` with at most `most` cells after it; widest cut last."""
    used = sorted(counts)
    ends = [used[-1]] if used else [0]
    beyond = 0
    for i in range(len(used) - 1, 0, -1):
        beyond += counts[used[i]]
        if beyond > most:
            break
        if used[i] - used[i - 1] > gap:
            ends.append(used[i - 1])
    return ends


def reader_spec(only: str | None, plans: list[SheetPlan]) -> dict:
    """What the reader process is asked: the sheet, the cuts, the sheets to leave alone."""
    return {
        "only": only,
        "cuts": {p.part: [p.rows, p.columns] for p in plans if p.action == "trim"},
        "skip": [p.name for p in plans if p.action == "refuse"],
    }


# --- the reader process -----------------------------------------------------------


@dataclass
class Outcome:
    """What a read came to: `result` (see `workbook`), or a `failure`.

    failure  "memory" (over the memory limit), "time" (over the time limit) or
             "crashed" (the reader died otherwise; `detail` says how)
    """

    result: dict | None = None
    failure: str | None = None
    detail: str = ""


class Reader:
    """One read of a workbook; in a child process it starts at once."""

    def __init__(self, data: bytes, spec: dict, limits: ReadLimits):
        self.data, self.spec, self.limits = data, spec, limits
        self._proc: subprocess.Popen | None = None
        self._dir: Path | None = None
        if limits.isolate:
            self._start()

    def _start(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="creditdash-read-"))
        (self._dir / "in").write_bytes(self.data)
        (self._dir / "spec").write_bytes(marshal.dumps(self.spec))
        self._err = self._dir / "err"
        args = [
            sys.executable,
            "-I",
            str(_WORKER),
            str(self._dir),
            str(int(self.limits.memory_bytes)),
            str(max(math.ceil(self.limits.seconds), 1)),
        ]
        with self._err.open("wb") as err:
            self._proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
            )
        self._started = time.monotonic()

    def outcome(self) -> Outcome:
        """Wait for the read (within the time limit) and say what it came to."""
        if self._proc is None:
            return Outcome(
                result=workbook.read_book(
                    self.data,
                    self.spec.get("only"),
                    self.spec.get("cuts"),
                    self.spec.get("skip", []),
                )
            )
        try:
            left = self.limits.seconds - (time.monotonic() - self._started)
            code = self._proc.wait(timeout=max(left, 0.01))
        except subprocess.TimeoutExpired:
            self.cancel()
            return Outcome(failure="time")
        try:
            return self._judge(code)
        finally:
            self.cancel()

    def _judge(self, code: int) -> Outcome:
        assert self._dir is not None
        stderr = self._err.read_bytes()[-4000:].decode("utf-8", "replace")
        if code == 0:
            try:
                return Outcome(result=marshal.loads((self._dir / "out").read_bytes()))
            except (OSError, EOFError, ValueError, TypeError):
                return Outcome(failure="crashed", detail="no result")
        if code == -signal.SIGXCPU:
            return Outcome(failure="time")
        if (
            code in (workbook.EXIT_MEMORY, -signal.SIGKILL)
            or "memory allocation" in stderr
            or "MemoryError" in stderr
        ):
            return Outcome(failure="memory")
        if code < 0:
            with contextlib.suppress(ValueError):
                return Outcome(failure="crashed", detail=signal.Signals(-code).name)
        lines = [line for line in stderr.splitlines() if line.strip()]
        return Outcome(failure="crashed", detail=lines[-1][:200] if lines else f"exit {code}")

    def cancel(self) -> None:
        """End the read if it still runs, and remove its files."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
