"""Forecast speed: 13 weeks for 1,000,000 invoices / 10,000 customers; a 52-origin back-test
(with the risk model's PD refitted as of each origin)."""

from __future__ import annotations

import time
from datetime import date, timedelta

from bench.synthetic import synthetic_ledger


def run(report) -> None:
    from creditdash.demo import generate_demo
    from creditdash.forecast.backtest import collections_backtest
    from creditdash.forecast.collections import CollectionsForecast
    from creditdash.ledger import Ledger, ledger_arrays

    ledger = synthetic_ledger(1_000_000, 10_000)
    ledger_arrays(ledger)  # built once per data version in the app, as for the aging
    t0, c0 = time.perf_counter(), time.process_time()
    fc = CollectionsForecast(weeks=13).fit(ledger, date(2023, 6, 30))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    report(
        f"forecast 1M inv / 10k cust, {len(fc.items_.position):,} open (cpu {cpu:.1f} s)",
        seconds,
        "< 5 s",
        seconds / 5,
        seconds < 5,
    )

    demo = generate_demo()
    company = Ledger.from_frames(demo.customers, demo.invoices, demo.payments)
    ledger_arrays(company)
    t0, c0 = time.perf_counter(), time.process_time()
    result = collections_backtest(
        company, date(2025, 5, 1), date(2025, 5, 1) + timedelta(days=51 * 7), step_days=7
    )
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    s = result.summary
    report(
        f"back-test 52 origins, demo, WAPE {s['wape']}%, P10-P90 {s['coverage_p10_p90']}% "
        f"(cpu {cpu:.1f} s)",
        seconds,
        "< 60 s",
        seconds / 60,
        seconds < 60 and s["origins"] == 52,
    )
