"""Run as a script by `creditdash.store.columnar`: SQLite queries answered as Arrow, in a process of
its own.

The ADBC SQLite driver carries its own copy of SQLite. Two copies of SQLite
in one process break SQLite's file locking (POSIX locks belong to the
process, and closing any descriptor of a file drops them all): after the
driver closes its connection, the app's own connections no longer hold their
locks, another process can then reset the write-ahead log under them, and
they read stale pages or worse. So the driver runs here, in a child process
that opens nothing else, and hands the results over as files.

Reads one JSON object from stdin: {"uri": a SQLite URI filename, "queries":
[SQL, ...], "batch_rows": n, "folder": a folder the parent made, "lanes": k}.
Writes the result of query i as the Arrow IPC file `i.arrow` in that folder,
which the parent maps into memory without a copy (a pipe cost a copy each way
and a growing buffer, more than the queries themselves at a million rows). On
failure it writes the error's text to stderr and exits with status 1; on
success it prints {"lanes": the number of connections that read}.

Every query sees one committed state of the database. With one lane, the
queries run in one read transaction (one WAL snapshot). With k lanes, k
connections each open a read transaction with query 0, the fence: a
statement whose answer changes with every commit that changes what the other
queries read (the ledger's data version). When every lane's fence answers the
same, their snapshots hold the same data and the other queries are shared out
among them, run at once on as many cores; when a commit came between, one
lane reads everything.

Imports nothing from creditdash, and uses the driver's low-level API rather
than its DB-API layer (which imports pyarrow.dataset and pandas), so the child
starts in a quarter of a second.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any


def shared_out(lanes: list, jobs: Iterable[int], work: Callable[[Any, int], None]) -> None:
    """`work(lane, job)` for every job, each on whichever lane (connection) is free next, a
    thread per lane (the ADBC drivers read without the GIL); the first failure is raised
    here. `creditdash.store.columnar` reads PostgreSQL's lanes with it too."""
    todo: queue.Queue[int] = queue.Queue()
    for job in jobs:
        todo.put(job)
    failed: list[BaseException] = []

    def lane(connection) -> None:
        try:
            while not failed:
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                work(connection, job)
        except BaseException as err:  # raised in the calling thread below
            failed.append(err)

    threads = [threading.Thread(target=lane, args=(c,), name="columnar-read") for c in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise failed[0]


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    # The driver's low-level API: its DB-API layer imports pyarrow.dataset, which imports
    # pandas, tripling the child's start (0.6 s here) for nothing it uses.
    import adbc_driver_manager
    import adbc_driver_sqlite
    import pyarrow as pa

    queries, folder, rows = request["queries"], request["folder"], str(request["batch_rows"])

    def run(connection, sql: str, options: dict[str, str] | None = None):
        """`sql`'s answer on `connection` as a pyarrow Table; None for a statement."""
        statement = adbc_driver_manager.AdbcStatement(connection)
        try:
            statement.set_options(**(options or {}))
            statement.set_sql_query(sql)
            if options is None:
                statement.execute_update()
                return None
            stream, _rows = statement.execute_query()
            return pa.RecordBatchReader.from_stream(stream).read_all()
        finally:
            statement.close()

    def fetch(connection, sql: str):
        return run(connection, sql, {"adbc.sqlite.query.batch_rows": rows})

    def write(i: int, table) -> None:
        with (
            pa.OSFile(f"{folder}/{i}.arrow", "wb") as sink,
            pa.ipc.new_file(sink, table.schema) as writer,
        ):
            writer.write_table(table)

    opened: list = []  # (database, connection)
    try:
        for _ in range(max(1, int(request.get("lanes", 1)))):
            database = adbc_driver_sqlite.connect(request["uri"])
            opened.append((database, adbc_driver_manager.AdbcConnection(database)))
            opened[-1][1].set_autocommit(False)  # one read transaction per connection
            run(opened[-1][1], "PRAGMA busy_timeout = 30000")
        connections = [connection for _, connection in opened]
        fences = [fetch(connection, queries[0]) for connection in connections]
        lanes = connections if all(f.equals(fences[0]) for f in fences) else connections[:1]
        write(0, fences[0])
        shared_out(lanes, range(1, len(queries)), lambda c, i: write(i, fetch(c, queries[i])))
        sys.stdout.write(json.dumps({"lanes": len(lanes)}))
    finally:
        for database, connection in opened:
            try:
                connection.rollback()
                connection.close()
            finally:
                database.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as err:  # the parent reads this and raises
        sys.stderr.write(f"{type(err).__name__}: {err}")
        sys.exit(1)
