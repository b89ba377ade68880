"""Credit terms and provisions: a slider move on the Credit terms page, warm, on the demo company.

A slider move re-runs what the page computes from the sliders: the
simulation, the tornado, both break-even values, the comparison with three
saved scenarios, the 13-week collections shift and the three charts (the
cash forecast under the shift is fitted once per as-of date and not timed). The measured baseline is cached per
selection (ui.computed), so it is timed on its own, as are the Provisions
page's library calls.
"""

from __future__ import annotations

import time

from creditdash.demo import generate_demo
from creditdash.ledger import Ledger


def _best(fn, repeat: int = 20) -> float:
    fn()  # warm
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(report) -> None:
    from creditdash.forecast import cash_forecast
    from creditdash.provisioning import provision, provision_trend
    from creditdash.simulate import (
        Scenario,
        Selection,
        break_even,
        compare,
        measure_baseline,
        simulate,
        tornado,
    )
    from creditdash.simulate.charts import collections_shift_chart, tornado_chart, waterfall
    from creditdash.simulate.collections import (
        book_payment_curve,
        collections_basis,
        collections_shift,
    )
    from creditdash.working_capital import working_capital

    demo = generate_demo()
    ledger = Ledger.from_frames(demo.customers, demo.invoices, demo.payments)
    as_of = demo.as_of
    baseline = measure_baseline(ledger, as_of)
    basis = collections_basis(cash_forecast(ledger, as_of), book_payment_curve(ledger, as_of))
    saved = {
        f"saved {days}": (baseline, Scenario(net_days=days, sales_change=0.05))
        for days in (30, 45, 90)
    }

    def slider_move(net_days: float = 60.0) -> None:
        scenario = Scenario(net_days=net_days, discount=0.02, take_up=0.4, sales_change=0.08)
        result = simulate(baseline, scenario)
        spread = tornado(baseline, scenario)
        break_even(baseline, scenario, "sales_change")
        break_even(baseline, scenario, "take_up")
        result.table()
        waterfall(result.components())
        tornado_chart(spread, result.net)
        collections_shift_chart(collections_shift(basis, baseline, scenario))
        compare({"now": result, **{k: simulate(b, s) for k, (b, s) in saved.items()}})

    seconds = _best(slider_move)
    report(
        "Credit terms: slider move (simulate, tornado, 13 weeks, charts), demo",
        seconds,
        "< 300 ms",
        seconds / 0.3,
        seconds < 0.3,
    )
    segment = Selection("segment", ("SME",))
    seconds = _best(lambda: measure_baseline(ledger, as_of, segment))
    report(
        "Credit terms: measure a new selection's baseline, demo",
        seconds,
        "< 300 ms",
        seconds / 0.3,
        seconds < 0.3,
    )
    seconds = _best(lambda: working_capital(ledger, as_of, inventory=1e7, ap=5e6, cogs=4e8))
    report("Credit terms: working-capital panel, demo", seconds, "(reported)", seconds / 0.3, True)
    seconds = _best(lambda: provision(ledger, as_of, by="segment"), repeat=5)
    report(
        "Provisions: provision with 12 months of roll rates, demo",
        seconds,
        "(reported)",
        seconds / 0.3,
        True,
    )
    seconds = _best(lambda: provision_trend(ledger, as_of, points=7, by="segment"), repeat=3)
    report("Provisions: trend over 7 dates, demo", seconds, "(reported)", seconds / 0.3, True)
