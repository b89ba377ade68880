"""The loaded ledger saved on disk per data version, so a restart on unchanged data skips the database.

One file per database and reporting currency in the cache folder (the app's
is `data/cache/`), holding a `Ledger`'s frames and its arrays
(`creditdash.ledger.LedgerArrays`) as written after a load. It is used only
when its key is exactly the one wanted now (`CacheKey`): the database's
identity, its data version (an import, a rollback or an open-items snapshot
changes it), the reporting currency, and a digest of the source of the code
that shapes the frames and arrays. Anything else about it is a doubt, and a
doubt means the ledger is read from the database again and the file written
anew: a missing, truncated, corrupted (checksum), stale (another key) or
unreadable file is never trusted.

Two processes (the app and a scheduled `report`) may share the folder: a
writer writes a temporary file beside the cache file and renames it over
it (`os.replace`, atomic), so a reader sees the old file or the new one,
whole; the checksum at the end catches a torn or damaged file anyway.

Beside a ledger, a few figures computed from it may be saved the same way
(`save_figures`: the Overview's, at the latest date), used only under the same
key and the same source of the whole library (`source_digest`).

Layout: MAGIC, the header's length (8 bytes, little-endian), the header
(JSON: key, currency, and per blob its name, kind, offset and length),
the blobs (frames as Arrow IPC streams, arrays as raw bytes), then the
CRC-32 of everything before it (4 bytes) and MAGIC again. (A CRC-32 finds a
torn or damaged file as surely as a cryptographic digest would, at twice
the speed: the cache guards against accidents, not against someone who can
write to the data folder.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import glob
import hashlib
import json
import mmap
import os
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from creditdash.ledger import _ARRAYS_KEY, FxArrays, Ledger, LedgerArrays, ledger_arrays

T = TypeVar("T")

MAGIC = b"CDLEDGR1"
_CRC = 4  # bytes of the checksum
_SUFFIX = ".ledger"
# the modules whose code decides what a loaded ledger holds: a change to any rebuilds the cache
_SHAPING = ("frames.py", "ledger.py", "documents.py", "store/load.py", "store/columnar.py")


@dataclass(frozen=True)
class CacheKey:
    """What a cached ledger must match to be used."""

    database: str  # the database's identity: a SQLite file's path, a server's host/db/options
    version: str  # the data version and the newest import's stamp (`store.load.cache_version`)
    currency: str  # the reporting currency
    layout: str = ""  # the digest of the code that shapes the ledger (`layout_digest()`)

    def __post_init__(self) -> None:
        if not self.layout:
            object.__setattr__(self, "layout", layout_digest())

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


def layout_digest() -> str:
    """A digest of the source of the modules that shape a loaded ledger (see `_SHAPING`)."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(MAGIC)
    for name in _SHAPING:
        digest.update(name.encode())
        digest.update((package / name).read_bytes())
    return digest.hexdigest()[:32]


def cache_file(folder: Path, key: CacheKey) -> Path:
    """The file that holds the ledger of `key`'s database and currency (any version)."""
    name = hashlib.sha256(key.database.encode()).hexdigest()[:24]
    return Path(folder) / f"{name}-{key.currency}{_SUFFIX}"


# --- writing -----------------------------------------------------------------


def save(folder: Path, key: CacheKey, ledger: Ledger) -> Path | None:
    """Write `ledger` (its arrays built if need be) as the cache of `key`; its path.

    Returns None, writing nothing, when the folder cannot be written: the
    cache is an optimisation, never a reason for a load to fail.
    """
    path = cache_file(folder, key)
    blobs = list(_ledger_blobs(ledger))
    header, offset = [], 0
    for name, kind, meta, data in blobs:
        header.append({"name": name, "kind": kind, **meta, "offset": offset, "length": len(data)})
        offset += len(data)
    head = {"key": key.as_dict(), "currency": ledger.currency, "blobs": header}
    return _write(path, head, [b[3] for b in blobs])


def _write(path: Path, head: dict, parts: list[Blob]) -> Path | None:
    """Write the file `path` (layout in the module doc) by renaming a whole one over it; None
    when the folder cannot be written."""
    head_bytes = json.dumps(head, sort_keys=True).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep_temporary(path)
        handle, temp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except OSError:
        return None
    try:
        with os.fdopen(handle, "wb") as out:
            crc = 0
            for part in (MAGIC, len(head_bytes).to_bytes(8, "little"), head_bytes, *parts):
                out.write(part)
                crc = zlib.crc32(part, crc)
            out.write(crc.to_bytes(_CRC, "little") + MAGIC)
        # no fsync: a file the system lost part of in a crash fails its checksum and is rebuilt
        os.replace(temp, path)
    except OSError:
        Path(temp).unlink(missing_ok=True)
        return None
    return path


_STALE_SECONDS = 3600  # a temporary file this old was left by a process killed while writing


def _sweep_temporary(path: Path) -> None:
    """Remove the temporary files of `path` that killed writers left (a whole ledger each);
    one being written now is minutes old at most."""
    now = time.time()
    for left in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - left.stat().st_mtime > _STALE_SECONDS:
                left.unlink()


Blob = bytes | memoryview  # a part of the file, written as it is (no copy of an array)


_SAVING: set[threading.Thread] = set()  # the background saves under way


def save_in_background(folder: Path, key: CacheKey, ledger: Ledger) -> threading.Thread:
    """`save` in a thread of its own, started, at the lowest priority the system gives a
    thread (Linux: nice 19), so the page being drawn and the browser go first.

    A process that stops waits for it (`wait_for_saves`; the thread is no daemon either,
    even when a daemon starts it), or the next start would read the database again.
    """

    def run() -> None:
        try:
            with contextlib.suppress(AttributeError, OSError):  # not Linux: a plain thread
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
            save(folder, key, ledger)
        finally:
            _SAVING.discard(threading.current_thread())

    thread = threading.Thread(target=run, name="ledger-cache-save", daemon=False)
    _SAVING.add(thread)
    thread.start()
    return thread


def wait_for_saves(timeout: float = 60.0) -> None:
    """Return once the background saves under way are written, or after `timeout` seconds.

    For a server that stops: the ASGI server ends the process by raising again the signal
    it was stopped with, which does not wait for threads.
    """
    deadline = time.monotonic() + timeout
    for thread in list(_SAVING):
        thread.join(max(0.0, deadline - time.monotonic()))


def _ledger_blobs(ledger: Ledger) -> Iterator[tuple[str, str, dict, Blob]]:
    """(name, kind, metadata, bytes) of every part of the ledger and its arrays."""
    for name in ("customers", "invoices", "payments", "rates"):
        frame = getattr(ledger, name)
        if frame is not None:
            yield f"ledger.{name}", "frame", {}, _frame_bytes(frame)
    yield from _dataclass_blobs("arrays", ledger_arrays(ledger))


def _dataclass_blobs(
    prefix: str, value: LedgerArrays | FxArrays
) -> Iterator[tuple[str, str, dict, Blob]]:
    for field in dataclasses.fields(value):
        if field.name.startswith("_"):
            continue  # built on demand (group codes)
        yield from _value_blobs(f"{prefix}.{field.name}", getattr(value, field.name))


def _value_blobs(name: str, value: object) -> Iterator[tuple[str, str, dict, Blob]]:
    if value is None:
        yield name, "none", {}, b""
    elif isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        meta = {"dtype": array.dtype.str, "shape": list(array.shape)}
        yield name, "array", meta, array.reshape(-1).view(np.uint8).data
    elif isinstance(value, pd.DataFrame):
        yield name, "frame", {}, _frame_bytes(value)
    elif isinstance(value, FxArrays):
        yield name, "fx", {}, b""
        yield from _dataclass_blobs(name, value)
    elif isinstance(value, str):
        yield name, "text", {"value": value}, b""
    elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        yield name, "texts", {"value": list(value)}, b""
    elif isinstance(value, tuple) and all(isinstance(v, np.ndarray) for v in value):
        yield name, "arrays", {"count": len(value)}, b""
        for i, item in enumerate(value):
            yield from _value_blobs(f"{name}.{i}", item)
    else:  # a new kind of field: better no cache than a wrong one
        raise TypeError(f"cannot cache {name} of type {type(value).__name__}")


def _frame_bytes(frame: pd.DataFrame) -> memoryview:
    import pyarrow as pa

    # one thread: the save runs beside the page being drawn and must not take both cores
    table = pa.Table.from_pandas(frame, preserve_index=False, nthreads=1)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return memoryview(sink.getvalue())


# --- reading -----------------------------------------------------------------


def load(folder: Path, key: CacheKey) -> Ledger | None:
    """The cached ledger of `key`, or None when there is none or any doubt about it."""

    def read() -> Ledger | None:
        opened = _opened(cache_file(folder, key))
        if opened is None or opened[0].get("key") != key.as_dict():
            return None
        return _ledger(*opened)

    ledger = _trusted(read)
    if ledger is not None:
        remember(ledger, key)
    return ledger


def _trusted(read: Callable[[], T | None]) -> T | None:
    """`read()`, or None when it fails the way a damaged or foreign file makes it fail."""
    try:
        return read()
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    except Exception as err:  # a damaged Arrow stream that passed the checksum: still no trust
        if type(err).__module__.startswith("pyarrow"):
            return None
        raise


def _opened(path: Path) -> tuple[dict, memoryview] | None:
    """The header and the blobs of the file at `path` when it is whole, else None."""
    data = _verified(path)
    if data is None:
        return None
    size = int.from_bytes(bytes(data[8:16]), "little")
    head = json.loads(bytes(data[16 : 16 + size]))
    return head, data[16 + size :].data


def _verified(path: Path) -> np.ndarray | None:
    """The file's content (bytes as uint8) when it is whole and its checksum holds, else None."""
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size < 16 + len(MAGIC) + _CRC:
                return None
            # mapped, not read: no copy into fresh memory. Private (copy on write), so the
            # arrays can be written like built ones; a writer replaces the file by renaming
            # another over it, never changes this one in place.
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY)
    except FileNotFoundError:
        return None
    data = np.frombuffer(mapped, dtype=np.uint8)
    tail = len(MAGIC) + _CRC
    if len(data) < 16 + tail or bytes(data[:8]) != MAGIC or bytes(data[-len(MAGIC) :]) != MAGIC:
        return None
    end = len(data) - tail
    if zlib.crc32(data[:end].data) != int.from_bytes(bytes(data[end : -len(MAGIC)]), "little"):
        return None
    return data


def _ledger(head: dict, blobs: memoryview) -> Ledger:
    parts = {b["name"]: b for b in head["blobs"]}

    def value(name: str):
        blob = parts[name]
        data = blobs[blob["offset"] : blob["offset"] + blob["length"]]
        kind = blob["kind"]
        if kind == "none":
            return None
        if kind == "array":
            array = np.frombuffer(data, dtype=np.dtype(blob["dtype"]))
            return array.reshape(blob["shape"])
        if kind == "frame":
            return _frame(data)
        if kind == "text":
            return blob["value"]
        if kind == "texts":
            return tuple(blob["value"])
        if kind == "arrays":
            return tuple(value(f"{name}.{i}") for i in range(blob["count"]))
        if kind == "fx":
            return _restored(FxArrays, name, value)
        raise ValueError(f"unknown blob kind {kind!r}")

    frames = {n: value(f"ledger.{n}") if f"ledger.{n}" in parts else None
              for n in ("customers", "invoices", "payments", "rates")}  # fmt: skip
    ledger = Ledger(
        customers=frames["customers"],
        invoices=frames["invoices"],
        payments=frames["payments"],
        rates=frames["rates"],
        currency=head["currency"],
    )
    ledger._cache[_ARRAYS_KEY] = _restored(LedgerArrays, "arrays", value)
    return ledger


def _restored(cls: type, prefix: str, value) -> object:
    fields = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]
    return cls(**{name: value(f"{prefix}.{name}") for name in fields})


def _frame(data: memoryview) -> pd.DataFrame:
    import pyarrow as pa

    with pa.ipc.open_stream(pa.py_buffer(data)) as reader:
        table = reader.read_all()
    return table.to_pandas()


# --- the key a ledger was loaded under ------------------------------------------

_KEY = "ledger_cache.key"


def remember(ledger: Ledger, key: CacheKey) -> None:
    """Note on `ledger` the key it was saved or found under (`key_of`)."""
    ledger._cache[_KEY] = key


def key_of(ledger: Ledger) -> CacheKey | None:
    """The key `ledger` was saved or found under; None for one loaded without a cache."""
    return ledger._cache.get(_KEY)


# --- figures computed from a cached ledger -----------------------------------------
#
# A few figures a first page needs (the Overview's), saved beside the ledger they were
# computed from, in the same layout: a restart on unchanged data draws them without
# computing them. They are used only under the same ledger key, name and parameters, and
# the same source of the whole library (`source_digest`): a change to how any figure is
# computed recomputes them. Any doubt about the file means they are computed again.

_FIGURES_SUFFIX = ".figures"


def figures_file(folder: Path, key: CacheKey, name: str) -> Path:
    """The file that holds the figures `name` of `key`'s database and currency."""
    ledger_file = cache_file(folder, key)
    return ledger_file.with_name(f"{ledger_file.stem}.{name}{_FIGURES_SUFFIX}")


@functools.cache
def source_digest() -> str:
    """A digest of the source of every module of the library."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(MAGIC)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _figures_head(key: CacheKey, name: str, params: dict) -> dict:
    return {"key": key.as_dict(), "code": source_digest(), "name": name, "params": params}


def save_figures(
    folder: Path,
    key: CacheKey,
    name: str,
    params: dict,
    frames: dict[str, pd.DataFrame],
    values: dict,
) -> Path | None:
    """Save `frames` and `values` (plain JSON values) as the figures `name` at `params` (plain
    JSON values, e.g. the as-of date as text) of the ledger saved under `key`; their path,
    or None when the folder cannot be written."""
    parts = [(f, _frame_bytes(frame)) for f, frame in frames.items()]
    header, offset = [], 0
    for frame_name, data in parts:
        header.append({"name": frame_name, "offset": offset, "length": len(data)})
        offset += len(data)
    head = {**_figures_head(key, name, params), "values": values, "blobs": header}
    return _write(figures_file(folder, key, name), head, [data for _, data in parts])


def load_figures(
    folder: Path, key: CacheKey, name: str, params: dict
) -> tuple[dict[str, pd.DataFrame], dict] | None:
    """The frames and values `save_figures` saved for exactly these arguments and this
    library's source, or None when there are none or any doubt about them."""

    def read() -> tuple[dict[str, pd.DataFrame], dict] | None:
        opened = _opened(figures_file(folder, key, name))
        if opened is None:
            return None
        head, blobs = opened
        if {k: head.get(k) for k in ("key", "code", "name", "params")} != _figures_head(
            key, name, params
        ):
            return None
        frames = {
            b["name"]: _frame(blobs[b["offset"] : b["offset"] + b["length"]]) for b in head["blobs"]
        }
        return frames, head["values"]

    return _trusted(read)
