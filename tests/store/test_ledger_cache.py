"""The ledger saved per data version: used when current, rebuilt on any doubt, shared by processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest

from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.store import ledger_cache, load_ledger
from creditdash.store import load as load_module
from creditdash.store.engine import make_engine
from creditdash.store.load import (
    TABLES,
    cache_version,
    data_version,
    database_identity,
    ledger_from_frames,
    read_table,
)
from tests.store.test_columnar import assert_same_ledger, fill

ROOT = Path(__file__).resolve().parents[2]
LATE = (
    "Invoice No,Customer ID,Invoice Date,Due Date,Amount\nLATE-1,C9,2024-04-01,2024-05-01,123.45\n"
)


def loaded(engine, folder: Path) -> tuple[object, list[str]]:
    """The ledger load_ledger gives with the cache in `folder`, and the steps it reported."""
    steps: list[str] = []
    ledger = load_ledger(engine, "CNY", cache=folder, progress=lambda _s, t: steps.append(t.code))
    return ledger, steps


FROM_CACHE = ["load.step.cache", "load.step.done"]


def fresh(engine):
    """The ledger built from the row path: what any load must equal."""
    return ledger_from_frames({n: read_table(engine, n, columnar=False) for n in TABLES}, "CNY")


def the_file(engine, folder: Path) -> Path:
    key = ledger_cache.CacheKey(database_identity(engine), cache_version(engine), "CNY")
    return ledger_cache.cache_file(folder, key)


def test_a_restart_on_unchanged_data_reads_the_saved_ledger(engine, tmp_path):
    fill(engine)
    first, steps = loaded(engine, tmp_path)
    assert "load.step.reading" in steps and "load.step.saving" in steps
    assert the_file(engine, tmp_path).is_file()
    again, steps = loaded(engine, tmp_path)
    assert steps == FROM_CACHE
    assert_same_ledger(again, fresh(engine))
    assert_same_ledger(again, first)
    # the restored arrays can be written like freshly built ones
    assert again._cache["arrays"].invoice_order.flags.writeable


def test_a_ledger_saved_later_is_the_same_file(sqlite_engine, tmp_path):
    fill(sqlite_engine)
    first = load_ledger(sqlite_engine, "CNY", cache=tmp_path, save_later=True)
    for thread in threading.enumerate():
        if thread.name == "ledger-cache-save":
            thread.join()
    again, steps = loaded(sqlite_engine, tmp_path)
    assert steps == FROM_CACHE
    assert_same_ledger(again, first)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice is Linux's")
def test_the_background_save_runs_at_the_lowest_priority(sqlite_engine, tmp_path, monkeypatch):
    fill(sqlite_engine)
    ledger = load_ledger(sqlite_engine, "CNY")
    key = ledger_cache.CacheKey(
        database_identity(sqlite_engine), cache_version(sqlite_engine), "CNY"
    )
    seen: list[int] = []
    save = ledger_cache.save

    def watched(folder, key, ledger):
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return save(folder, key, ledger)

    monkeypatch.setattr(ledger_cache, "save", watched)
    ledger_cache.save_in_background(tmp_path, key, ledger).join()
    assert seen == [19]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < 19  # this thread's own
    assert_same_ledger(ledger_cache.load(tmp_path, key), ledger)


def test_an_import_changes_the_version_and_the_ledger_is_read_again(engine, tmp_path):
    fill(engine)
    loaded(engine, tmp_path)
    before = the_file(engine, tmp_path).read_bytes()
    import_sources(engine, [Source("late.csv", LATE.encode())])
    ledger, steps = loaded(engine, tmp_path)
    assert steps != FROM_CACHE
    assert "LATE-1" in set(ledger.invoices["invoice_id"])
    assert_same_ledger(ledger, fresh(engine))
    # the file of the earlier version is stale now: put back, it is still not used
    the_file(engine, tmp_path).write_bytes(before)
    ledger, steps = loaded(engine, tmp_path)
    assert steps != FROM_CACHE and "LATE-1" in set(ledger.invoices["invoice_id"])
    assert loaded(engine, tmp_path)[1] == FROM_CACHE  # and it was written anew


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "flipped byte":
        data[len(data) // 2] ^= 0x40
    elif how == "truncated":
        data = data[: len(data) - 100]
    elif how == "empty":
        data = bytearray()
    elif how == "not a cache file":
        data = bytearray(b"PK\x03\x04 a zip, say" * 100)
    elif how == "another key, checksum fixed":
        # a whole, valid file that says it holds another data version
        size = int.from_bytes(data[8:16], "little")
        head = json.loads(bytes(data[16 : 16 + size]))
        head["key"]["version"] = "0|0|0|None|None"
        text = json.dumps(head, sort_keys=True).encode()
        body = ledger_cache.MAGIC + len(text).to_bytes(8, "little") + text + data[16 + size : -12]
        data = bytearray(body + zlib.crc32(body).to_bytes(4, "little") + ledger_cache.MAGIC)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "how",
    ["flipped byte", "truncated", "empty", "not a cache file", "another key, checksum fixed"],
)
def test_a_damaged_or_stale_file_is_rebuilt_never_trusted(sqlite_engine, tmp_path, how):
    engine = sqlite_engine
    fill(engine)
    loaded(engine, tmp_path)
    path = the_file(engine, tmp_path)
    _damage(path, how)
    key = ledger_cache.CacheKey(database_identity(engine), cache_version(engine), "CNY")
    assert ledger_cache.load(tmp_path, key) is None
    ledger, steps = loaded(engine, tmp_path)
    assert steps != FROM_CACHE
    assert_same_ledger(ledger, fresh(engine))
    assert ledger_cache.load(tmp_path, key) is not None  # rewritten whole


def test_another_code_layout_or_currency_does_not_match(sqlite_engine, tmp_path):
    fill(sqlite_engine)
    loaded(sqlite_engine, tmp_path)
    identity, version = database_identity(sqlite_engine), cache_version(sqlite_engine)
    assert ledger_cache.load(tmp_path, ledger_cache.CacheKey(identity, version, "CNY"))
    other_code = ledger_cache.CacheKey(identity, version, "CNY", layout="0" * 32)
    assert ledger_cache.load(tmp_path, other_code) is None
    assert ledger_cache.load(tmp_path, ledger_cache.CacheKey(identity, version, "USD")) is None


def test_a_folder_that_cannot_be_written_only_costs_the_cache(sqlite_engine, tmp_path):
    fill(sqlite_engine)
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    ledger, steps = loaded(sqlite_engine, blocked)
    assert_same_ledger(ledger, fresh(sqlite_engine))
    assert loaded(sqlite_engine, blocked)[1] != FROM_CACHE


def test_an_in_memory_database_is_not_cached(tmp_path):
    from creditdash.store.engine import make_engine, migrate

    engine = make_engine("sqlite://")
    migrate(engine)
    assert database_identity(engine) is None
    loaded(engine, tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- two processes ---------------------------------------------------------------


def _cli(url: str, folder: Path, *args: str) -> str:
    env = dict(os.environ, CREDITDASH_LEDGER_CACHE=str(folder), PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "creditdash", "--db", url, *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_an_import_and_a_rollback_in_another_process_are_seen(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(load_module, "COLUMNS_FROM_ROWS", 0)  # the columnar reader, however small
    fill(engine)
    folder = tmp_path / "cache"
    loaded(engine, folder)
    assert loaded(engine, folder)[1] == FROM_CACHE
    late = tmp_path / "late.csv"
    late.write_text(LATE)
    said = _cli(_url(engine), folder, "import", str(late))
    import_id = int(said.split("#")[1].split()[0])
    ledger, steps = loaded(engine, folder)
    assert steps != FROM_CACHE and "LATE-1" in set(ledger.invoices["invoice_id"])
    assert_same_ledger(ledger, fresh(engine))
    _cli(_url(engine), folder, "rollback", str(import_id))
    # this process's own connections see it too: the SQLite driver ran in a child process, so
    # it took none of their file locks with it (see creditdash.store.sqlite_reader)
    other = make_engine(_url(engine))
    assert data_version(engine) == data_version(other)
    other.dispose()
    ledger, steps = loaded(engine, folder)
    assert steps != FROM_CACHE and "LATE-1" not in set(ledger.invoices["invoice_id"])
    assert_same_ledger(ledger, fresh(engine))


def test_another_process_sees_this_ones_import_through_the_shared_cache(engine, tmp_path):
    fill(engine)
    folder = tmp_path / "cache"
    aging = ["aging", "--as-of", "2024-04-30", "--format", "csv", "--by", "none"]
    first = _cli(_url(engine), folder, *aging)  # loads and saves the ledger
    assert loaded(engine, folder)[1] == FROM_CACHE  # the other process's file is used here
    import_sources(engine, [Source("late.csv", LATE.encode())])
    second = _cli(_url(engine), folder, *aging)
    total = [line.split(",")[-2] for line in (first, second)]
    assert first != second, total


def test_two_processes_loading_at_once_leave_one_whole_file(sqlite_engine, tmp_path):
    fill(sqlite_engine)
    folder = tmp_path / "cache"
    env = dict(os.environ, CREDITDASH_LEDGER_CACHE=str(folder), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "creditdash", "--db", _url(sqlite_engine), "kpis",
               "--as-of", "2024-04-30", "--format", "json"]  # fmt: skip
    runs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE) for _ in range(3)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert len(set(outputs)) == 1
    assert [p.suffix for p in folder.iterdir()] == [".ledger"]  # no temporary file left
    assert loaded(sqlite_engine, folder)[1] == FROM_CACHE


# --- figures saved beside a ledger -------------------------------------------------


def test_a_loaded_ledger_knows_its_key_read_or_found(sqlite_engine, tmp_path):
    fill(sqlite_engine)
    key = ledger_cache.CacheKey(
        database_identity(sqlite_engine), cache_version(sqlite_engine), "CNY"
    )
    read, steps = loaded(sqlite_engine, tmp_path)
    assert steps != FROM_CACHE and ledger_cache.key_of(read) == key
    found, steps = loaded(sqlite_engine, tmp_path)
    assert steps == FROM_CACHE and ledger_cache.key_of(found) == key
    assert ledger_cache.key_of(load_ledger(sqlite_engine, "CNY")) is None  # no cache, no key


def _figures() -> tuple[dict, dict]:
    import pandas as pd

    frames = {
        "monthly": pd.DataFrame(
            {
                "month_end": pd.to_datetime(["2024-01-31", "2024-02-29"]).astype("datetime64[us]"),
                "current": pd.Series([2**62, -5], dtype="int64"),
            }
        ),
        "by_customer": pd.DataFrame(
            {
                "customer_id": pd.Series(["C1", "客户2"], dtype="str"),
                "customer_name": pd.Series([None, "名称"], dtype="str"),
                "total": pd.Series([123, 0], dtype="int64"),
            }
        ),
    }
    frames["monthly"].attrs["cents_columns"] = ["current"]
    values = {"now": {"total_ar": 1234.56, "dso": None, "days": 90, "capped": False}}
    return frames, values


def test_figures_saved_beside_a_ledger_come_back_exactly(tmp_path):
    import pandas as pd

    key = ledger_cache.CacheKey("sqlite:/x.sqlite", "3|3|10|t|d", "CNY")
    frames, values = _figures()
    params = {"as_of": "2024-02-29"}
    assert ledger_cache.save_figures(tmp_path, key, "overview", params, frames, values)
    found = ledger_cache.load_figures(tmp_path, key, "overview", params)
    assert found is not None
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(found[0][name], frame, check_exact=True)
        assert found[0][name].attrs == frame.attrs  # e.g. which columns are cents
    assert found[1] == values


def test_figures_of_another_version_date_name_or_library_source_are_not_used(tmp_path, monkeypatch):
    key = ledger_cache.CacheKey("sqlite:/x.sqlite", "3|3|10|t|d", "CNY")
    frames, values = _figures()
    params = {"as_of": "2024-02-29"}
    ledger_cache.save_figures(tmp_path, key, "overview", params, frames, values)
    newer = ledger_cache.CacheKey("sqlite:/x.sqlite", "4|4|11|t|e", "CNY")
    assert ledger_cache.load_figures(tmp_path, newer, "overview", params) is None
    assert ledger_cache.load_figures(tmp_path, key, "overview", {"as_of": "2024-01-31"}) is None
    assert ledger_cache.load_figures(tmp_path, key, "review", params) is None
    assert ledger_cache.load_figures(tmp_path, key, "overview", params) is not None
    monkeypatch.setattr(ledger_cache, "source_digest", lambda: "another library")
    assert ledger_cache.load_figures(tmp_path, key, "overview", params) is None


def test_a_change_to_any_module_of_the_library_changes_the_source_digest(monkeypatch):
    compute = ledger_cache.source_digest.__wrapped__
    before = compute()
    assert before == ledger_cache.source_digest()
    real = Path.read_bytes

    def edited(path: Path) -> bytes:  # one figure's code edited, the rest as they are
        return real(path) + (b"# edited" if path.name == "kpis.py" else b"")

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert compute() != before


@pytest.mark.parametrize(
    "how",
    ["flipped byte", "truncated", "empty", "not a cache file", "another key, checksum fixed"],
)
def test_damaged_or_stale_figures_are_never_used(tmp_path, how):
    key = ledger_cache.CacheKey("sqlite:/x.sqlite", "3|3|10|t|d", "CNY")
    frames, values = _figures()
    params = {"as_of": "2024-02-29"}
    path = ledger_cache.save_figures(tmp_path, key, "overview", params, frames, values)
    assert path is not None
    _damage(path, how)
    assert ledger_cache.load_figures(tmp_path, key, "overview", params) is None


def test_a_temporary_file_a_killed_writer_left_is_swept_one_being_written_is_not(
    sqlite_engine, tmp_path
):
    fill(sqlite_engine)
    key = ledger_cache.CacheKey(
        database_identity(sqlite_engine), cache_version(sqlite_engine), "CNY"
    )
    path = ledger_cache.cache_file(tmp_path, key)
    left = path.with_name(f"{path.name}.killed.tmp")
    writing = path.with_name(f"{path.name}.writing.tmp")
    for temp in (left, writing):
        temp.write_bytes(b"part of a ledger")
    two_hours_ago = os.stat(left).st_mtime - 7200
    os.utime(left, (two_hours_ago, two_hours_ago))
    loaded(sqlite_engine, tmp_path)
    assert not left.exists() and writing.exists()
    assert path.is_file()


def test_a_save_started_by_a_daemon_thread_is_finished_before_the_process_exits(
    sqlite_engine, tmp_path
):
    fill(sqlite_engine)
    ledger = fresh(sqlite_engine)
    key = ledger_cache.CacheKey(
        database_identity(sqlite_engine), cache_version(sqlite_engine), "CNY"
    )
    started: list[threading.Thread] = []
    warm_up = threading.Thread(
        target=lambda: started.append(ledger_cache.save_in_background(tmp_path, key, ledger)),
        daemon=True,  # as the server's warm-up is
    )
    warm_up.start()
    warm_up.join()
    assert started[0].daemon is False  # the interpreter waits for it at exit
    started[0].join()
    assert ledger_cache.load(tmp_path, key) is not None


def _slow_save(monkeypatch, seconds: float = 0.5) -> None:
    real = ledger_cache.save

    def slow(*args, **kwargs):
        import time

        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger_cache, "save", slow)


def test_waiting_for_the_saves_returns_once_they_are_written(sqlite_engine, tmp_path, monkeypatch):
    fill(sqlite_engine)
    key = ledger_cache.CacheKey(
        database_identity(sqlite_engine), cache_version(sqlite_engine), "CNY"
    )
    _slow_save(monkeypatch)
    ledger_cache.save_in_background(tmp_path, key, fresh(sqlite_engine))
    assert ledger_cache.load(tmp_path, key) is None  # still being written
    ledger_cache.wait_for_saves()
    assert ledger_cache.load(tmp_path, key) is not None
    assert not ledger_cache._SAVING
