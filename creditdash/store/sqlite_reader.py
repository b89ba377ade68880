"""Run as a script by `creditdash.store.columnar`: SQLite queries answered as Arrow, in a process of
its own.

The ADBC SQLite driver carries its own copy of SQLite. Two copies of SQLite
in one process break SQLite's file locking (POSIX locks belong to the
process, and closing any descriptor of a file drops them all): after the
driver closes its connection, the app's own connections no longer hold their
locks, another process can then reset the write-ahead log under them, and
they read stale pages or worse. So the driver runs here, in a child process
that opens nothing else, and hands the results over a pipe.

Reads one JSON object from stdin: {"uri": a SQLite URI filename, "queries":
[SQL, ...], "batch_rows": n}. Runs the queries in one read transaction (one
WAL snapshot) and writes, per query, its result as an Arrow IPC stream
preceded by its length (8 bytes, little-endian) to stdout. On failure it
writes the error's text to stderr and exits with status 1.

Imports nothing from creditdash, so the child starts in a fraction of a second.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    import adbc_driver_sqlite.dbapi as driver
    import pyarrow as pa

    out = sys.stdout.buffer
    connection = driver.connect(request["uri"])
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 30000")
        for sql in request["queries"]:  # one transaction: autocommit is off
            with connection.cursor() as cursor:
                cursor.adbc_statement.set_options(
                    **{"adbc.sqlite.query.batch_rows": str(request["batch_rows"])}
                )
                cursor.execute(sql)
                table = cursor.fetch_arrow_table()
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            data = sink.getvalue()
            out.write(data.size.to_bytes(8, "little"))
            out.write(memoryview(data))
        out.flush()
    finally:
        connection.rollback()
        connection.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as err:  # the parent reads this and raises
        sys.stderr.write(f"{type(err).__name__}: {err}")
        sys.exit(1)
