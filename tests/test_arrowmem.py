"""Arrow's memory pool while a ledger is built (creditdash.arrowmem)."""

from __future__ import annotations

import threading

import pyarrow as pa

from creditdash.arrowmem import arrow_on_malloc


def test_arrow_allocates_from_malloc_inside_the_block_and_as_before_after_it():
    before = pa.default_memory_pool().backend_name
    with arrow_on_malloc():
        assert pa.default_memory_pool().backend_name == "system"
        assert pa.array(["a", "b"]).to_pylist() == ["a", "b"]
    assert pa.default_memory_pool().backend_name == before


def test_the_pool_returns_only_when_the_last_of_overlapping_builds_ends():
    before = pa.default_memory_pool().backend_name
    inner_entered, outer_may_end = threading.Event(), threading.Event()
    seen = []

    def other_build():
        with arrow_on_malloc():
            inner_entered.set()
            outer_may_end.wait(5)
        seen.append(pa.default_memory_pool().backend_name)

    with arrow_on_malloc():
        thread = threading.Thread(target=other_build)
        thread.start()
        assert inner_entered.wait(5)
    still = pa.default_memory_pool().backend_name  # the other build is still under way
    outer_may_end.set()
    thread.join(5)
    assert still == "system"
    assert seen == [before]
    assert pa.default_memory_pool().backend_name == before


def test_a_failing_build_puts_the_pool_back():
    before = pa.default_memory_pool().backend_name
    try:
        with arrow_on_malloc():
            raise ValueError("a build that fails")
    except ValueError:
        pass
    assert pa.default_memory_pool().backend_name == before
