"""A database that cannot be reached, opened or written says why, in the library and the CLI.

Server not answering, no such database, a bad or unsupported URL, a read-only
or immutable SQLite file, a full disk, a setting that is not a number, a
text longer than its column: each a coded StoreError / InvalidArgument /
import problem, never a driver traceback.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager

import pytest
from alembic import command
from sqlalchemy import event, text

from creditdash import i18n
from creditdash.cli import main
from creditdash.errors import ImportRejected, InvalidArgument, StoreError
from creditdash.importing import import_sources, list_imports
from creditdash.ingest import Source
from creditdash.settings import Settings
from creditdash.store import engine as store_engine
from creditdash.store import open_store
from creditdash.store.engine import is_read_only, make_engine, raise_for
from tests.conftest import PG_URL

LEDGER = b"Invoice No,Customer ID,Invoice Date,Amount\nX1,C1,2024-01-05,100.00\n"


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), stdout=out)
    return code, out.getvalue()


def said_in_both(err) -> None:
    """The error's code renders its English message and a Chinese one."""
    assert i18n.t(err.code, "en", **err.params) == str(err)
    assert i18n.t(err.code, "zh", **err.params) != i18n.t(err.code, "en", **err.params)


@pytest.mark.parametrize(
    ("url", "code", "says"),
    [
        ("not a url", "error.store.bad_url", "cannot be read. Use sqlite:///"),
        ("mysql://u:secret@h/db", "error.store.unsupported_url", "is for mysql"),
        ("postgresql+nosuch://u@h/db", "error.store.no_driver", "needs a driver"),
    ],
)
def test_a_url_that_cannot_be_used_is_refused_by_name(url, code, says):
    with pytest.raises(StoreError) as refused:
        open_store(url)
    assert refused.value.code == code and says in str(refused.value)
    assert "secret" not in str(refused.value)
    said_in_both(refused.value)


def test_the_cli_says_what_is_wrong_with_the_url(capsys):
    code, _ = run("--db", "mysql://u@h/db", "imports")
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: The database URL 'mysql://u@h/db' is for mysql")
    assert "Traceback" not in err


def test_a_folder_that_cannot_hold_the_file_is_said(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as refused:
        open_store(f"sqlite:///{blocker / 'sub' / 'x.sqlite'}")
    assert refused.value.code == "error.store.cannot_open"
    said_in_both(refused.value)
    code, _ = run("--db", f"sqlite:///{tmp_path}", "imports")  # a folder, not a file
    assert code == 1 and "cannot be opened or created" in capsys.readouterr().err


def test_a_file_that_is_not_a_database_is_said(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello, not a database " * 100)
    with pytest.raises(StoreError) as refused:
        open_store(f"sqlite:///{notes}")
    assert refused.value.code == "error.store.not_a_database"
    said_in_both(refused.value)


@pytest.mark.pg
def test_postgresql_not_answering_is_said(capsys):
    if not PG_URL:
        pytest.skip("CREDITDASH_TEST_PG_URL is not set")
    url = "postgresql+psycopg://postgres@127.0.0.1:1/test"
    with pytest.raises(StoreError) as refused:
        open_store(url)
    assert refused.value.code == "error.store.unreachable"
    assert "127.0.0.1:1/test does not answer" in str(refused.value)
    said_in_both(refused.value)
    code, _ = run("--db", url, "imports")
    err = capsys.readouterr().err
    assert code == 1 and "does not answer" in err and "Traceback" not in err


@pytest.mark.pg
def test_a_missing_postgresql_database_is_said(pg_engine):
    url = pg_engine.url.set(database="creditdash_no_such_db").render_as_string(False)
    with pytest.raises(StoreError) as refused:
        open_store(url)
    assert refused.value.code == "error.store.no_database"
    assert "creditdash_no_such_db does not exist" in str(refused.value)
    said_in_both(refused.value)


@pytest.mark.pg
def test_a_refused_postgresql_login_is_said(pg_engine):
    url = pg_engine.url.set(username="creditdash_nobody").render_as_string(False)
    with pytest.raises(StoreError) as refused:
        open_store(url)
    assert refused.value.code == "error.store.login_refused"
    said_in_both(refused.value)


# ---------------------------------------------------------------- read-only SQLite


@pytest.fixture
def stored(tmp_path):
    """A SQLite file holding one import, every connection closed."""
    path = tmp_path / "store.sqlite"
    engine = open_store(f"sqlite:///{path}")
    import_sources(engine, [Source("a.csv", LEDGER)])
    engine.dispose()
    return path


@contextmanager
def not_writable(path):
    """This process may not write `path`: as a normal user with the file mode 0444 would."""
    real = os.access

    def access(p, mode, *args, **kwargs):
        if mode & os.W_OK and os.path.abspath(p) == os.path.abspath(path):
            return False
        return real(p, mode, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_engine.os, "access", access)
        yield


def test_a_read_only_file_is_read_without_writing(stored, capsys):
    url = f"sqlite:///{stored}"
    with not_writable(stored):
        engine = open_store(url)
        assert is_read_only(engine)
        assert list(list_imports(engine)["import_id"]) == [1]
        with pytest.raises(StoreError) as refused:
            import_sources(engine, [Source("b.csv", LEDGER.replace(b"100.00", b"120.00"))])
        engine.dispose()
        assert refused.value.code == "error.store.read_only"
        assert str(refused.value).startswith(f"The database {stored} is read-only here")
        said_in_both(refused.value)
        code, out = run("--db", url, "imports")
        assert code == 0 and out.startswith("#1 ")
        code, _ = run("--db", url, "rollback", "1")
        assert code == 1 and "is read-only here" in capsys.readouterr().err


def test_a_read_only_file_with_an_old_schema_says_it_needs_upgrading(tmp_path):
    path = tmp_path / "old.sqlite"
    old = make_engine(f"sqlite:///{path}")
    command.upgrade(store_engine._alembic_config(old), "0001")
    old.dispose()
    with not_writable(path), pytest.raises(StoreError) as refused:
        open_store(f"sqlite:///{path}")
    assert refused.value.code == "error.store.read_only_outdated"
    assert "Open it once with write access" in str(refused.value)
    said_in_both(refused.value)


@pytest.mark.parametrize(
    ("journal", "folder_too"),
    [("wal", True), ("delete", False)],
    ids=["wal file in an immutable folder", "rollback-journal file"],
)
def test_an_immutable_file_lists_its_imports(stored, journal, folder_too):
    """Opening must not write: not the journal mode, not the WAL's side files, not a migration."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not available")
    if journal != "wal":
        with sqlite3.connect(stored) as conn:
            conn.execute(f"PRAGMA journal_mode={journal}")
        conn.close()
    targets = [stored, stored.parent] if folder_too else [stored]
    marked = []
    try:
        for target in targets:
            if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode:
                pytest.skip("this file system or user cannot mark files immutable")
            marked.append(target)
        code, out = run("--db", f"sqlite:///{stored}", "imports")
        assert code == 0 and out.startswith("#1 ")
    finally:
        for target in marked:
            subprocess.run(["chattr", "-i", str(target)], check=True)


# ---------------------------------------------------------------- a full disk


def _small_disk(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA max_page_count = 40")


def test_a_full_disk_stops_the_import_cleanly(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'full.sqlite'}")
    engine.dispose()
    event.listen(engine, "connect", _small_disk)  # SQLite reports SQLITE_FULL past 40 pages
    rows = "".join(f"F{i},C{i % 50},2024-01-05,{i}.00\n" for i in range(3000))
    source = Source("big.csv", ("Invoice No,Customer ID,Invoice Date,Amount\n" + rows).encode())
    with pytest.raises(StoreError) as full:
        import_sources(engine, [source])
    assert full.value.code == "error.store.disk_full"
    assert str(full.value).endswith("is full; nothing was written. Free some space and try again.")
    said_in_both(full.value)
    assert list_imports(engine).empty
    engine.dispose()


def test_a_full_disk_in_the_cli_is_one_line(tmp_path, monkeypatch, capsys):
    original = store_engine._sqlite_pragmas

    def small(dbapi_connection, record):
        original(dbapi_connection, record)
        _small_disk(dbapi_connection, record)

    monkeypatch.setattr(store_engine, "_sqlite_pragmas", small)
    ledger = tmp_path / "big.csv"
    rows = "".join(f"F{i},C{i % 50},2024-01-05,{i}.00\n" for i in range(3000))
    ledger.write_text("Invoice No,Customer ID,Invoice Date,Amount\n" + rows)
    code, _ = run("--db", f"sqlite:///{tmp_path / 'x.sqlite'}", "import", str(ledger))
    err = capsys.readouterr().err
    assert code == 1 and "is full; nothing was written" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (OSError(28, "No space left on device"), "error.store.disk_full"),
        (Exception("database or disk is full"), "error.store.disk_full"),
        (Exception("database is locked"), "error.store.busy"),
        (Exception("attempt to write a readonly database"), "error.store.read_only"),
    ],
)
def test_driver_failures_are_explained(error, code):
    with pytest.raises(StoreError) as explained:
        raise_for(error, "/data/x.sqlite")
    assert explained.value.code == code and explained.value.__cause__ is error
    said_in_both(explained.value)


def test_other_driver_errors_pass_through(sqlite_engine):
    from sqlalchemy.exc import OperationalError

    with pytest.raises(OperationalError), sqlite_engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))


# ---------------------------------------------------------------- settings and lengths


@pytest.mark.parametrize(
    ("name", "value"),
    [("CREDITDASH_MAX_UPLOAD_MB", "abc"), ("CREDITDASH_MAX_UPLOAD_MB", "0"),
     ("CREDITDASH_DEFAULT_TERMS_DAYS", "30 days")],
)  # fmt: skip
def test_a_setting_that_is_not_a_number_names_its_variable(name, value):
    with pytest.raises(InvalidArgument) as refused:
        Settings.from_env({name: value})
    assert refused.value.code == "error.settings.whole"
    assert str(refused.value).startswith(f"The environment variable {name} must be a whole number")
    assert str(refused.value).endswith(f"Got {value!r}.")
    said_in_both(refused.value)


def test_the_cli_names_a_bad_setting(monkeypatch, capsys):
    monkeypatch.setenv("CREDITDASH_MAX_UPLOAD_MB", "abc")
    code, _ = run("imports")
    err = capsys.readouterr().err
    assert code == 1 and "CREDITDASH_MAX_UPLOAD_MB must be a whole number" in err


NAME = "N" * 301
LONG_ID = "C" * 101


@pytest.mark.parametrize(
    ("body", "row", "column"),
    [
        # a customer name carried on invoice rows, third row of the file
        (f"Invoice No,Customer ID,Customer Name,Invoice Date,Amount\n"
         f"A1,C1,Acme,2024-01-05,1.00\nA2,C2,{NAME},2024-01-06,2.00\n", 3, "Customer Name"),
        # a customer id on an invoice row
        (f"Invoice No,Customer ID,Invoice Date,Amount\nA1,{LONG_ID},2024-01-05,1.00\n", 2,
         "Customer ID"),
    ],
    ids=["name on invoice rows", "customer id"],
)  # fmt: skip
def test_a_text_longer_than_its_column_is_an_import_problem(engine, body, row, column):
    with pytest.raises(ImportRejected) as rejected:
        import_sources(engine, [Source("long.csv", body.encode())])
    [problem] = [p for p in rejected.value.errors if p.code == "ingest.too_long"]
    assert (problem.file, problem.row, problem.column) == ("long.csv", row, column)
    assert problem.params == {"length": 301, "limit": 300} or problem.params == {
        "length": 101,
        "limit": 100,
    }
    assert problem.message == i18n.t("ingest.too_long", "en", **problem.params)
    assert list_imports(engine).empty


def test_the_length_rules_are_the_store_columns():
    from creditdash.ingest.checks import STORED_LENGTHS
    from creditdash.store.models import Customer, Invoice, Payment

    columns = {**Customer.__table__.c, **Invoice.__table__.c, **Payment.__table__.c}
    for name, limit in STORED_LENGTHS.items():
        assert columns[name].type.length == limit, name
