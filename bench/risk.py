"""Risk speed: scoring 100,000 customers with 10,000,000 invoices (target < 30 s).

Cold is the first scoring of a freshly loaded ledger: its cached arrays are
built, then the customers scored. First call is that scoring alone, the
arrays already built (as once another page has used them); warm scores
again at another date.
"""

from __future__ import annotations

import time
from datetime import date


def run(report) -> None:
    from bench.synthetic import synthetic_frames
    from creditdash.ledger import Ledger, ledger_arrays
    from creditdash.risk.assess import risk_table
    from creditdash.risk.policy import default_policy

    t0 = time.perf_counter()
    frames = synthetic_frames(10_000_000, 100_000)
    print(f"{'synthetic 10M-invoice frames (not timed)':<58} {time.perf_counter() - t0:8.3f} s")
    t0 = time.perf_counter()
    ledger = Ledger.from_frames(*frames)
    del frames
    print(
        f"{'Ledger.from_frames, once per data version (load)':<58} {time.perf_counter() - t0:8.3f} s"
    )
    policy = default_policy()
    as_of = date(2023, 6, 30)
    t0 = time.perf_counter()
    ledger_arrays(ledger)
    arrays = time.perf_counter() - t0
    print(f"{'ledger arrays, built once per data version (shared)':<58} {arrays:8.3f} s")
    t0 = time.perf_counter()
    table = risk_table(ledger, as_of, policy)
    first = time.perf_counter() - t0
    assert len(table) == 100_000
    cold = arrays + first
    report(
        "risk scoring 100k customers / 10M invoices, cold",
        cold,
        "< 30 s",
        cold / 30,
        cold < 30,
    )
    report(
        "risk scoring 100k customers / 10M invoices, first call",
        first,
        "< 30 s",
        first / 30,
        first < 30,
    )
    t0 = time.perf_counter()
    risk_table(ledger, date(2023, 5, 31), policy)
    warm = time.perf_counter() - t0
    report("risk scoring 100k customers / 10M invoices, warm", warm, "< 30 s", warm / 30, warm < 30)
