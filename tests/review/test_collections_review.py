"""The weekly review's collections section: the week's promises and disputes per collector
and per salesperson."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.ledger import Ledger
from creditdash.review.collections import REVIEW_COLUMNS, collections_review
from tests.collections.conftest import company_frames, dispute_rows, inputs_with, promise_rows
from tests.collections.test_promises import with_payments


def test_promises_and_disputes_of_the_week_by_collector_and_salesperson():
    ledger = with_payments(
        ("A", "C1", "I12", "2026-07-06", 200_000),  # promise 1 kept on 07-06
        ("B", "C2", "I21", "2026-07-03", 100_000),  # promise 2: a fifth by its deadline
    )
    promises = promise_rows(
        (1, "C1", 200_000, "2026-07-05", "2026-06-30", ["I12"]),  # made last week, kept this
        (2, "C2", 500_000, "2026-07-04", "2026-07-01", ["I21"]),  # deadline 07-07: partly kept
        (3, "C3", 60_000, "2026-07-02", "2026-07-01", []),  # deadline 07-05: broken
        (4, "C3", 70_000, "2026-07-20", "2026-07-08", []),  # made this week, pending
    )
    disputes = dispute_rows(
        (1, "I13", "C1", "2026-06-20", "credit", "2026-07-06"),  # resolved in 16 days
        (2, "I31", "C3", "2026-07-03", None, None),  # opened this week, open 8 days at 07-11
        (3, "I32", "C3", "2026-06-01", None, None),  # open for 40 days
    )
    assignments = pd.DataFrame({"scope": ["salesperson"], "key": ["张伟"],
                                "collector": ["chen@x.cn"], "language": [None]})  # fmt: skip
    inputs = inputs_with(promises=promises, disputes=disputes, assignments=assignments)
    review = collections_review(ledger, inputs, "2026-07-11")  # the week 07-05 .. 07-11
    by = review.by_collector.set_index("group")
    assert list(review.by_collector.columns) == REVIEW_COLUMNS
    chen = by.loc["chen@x.cn"]  # C1 and C3 (salesperson 张伟)
    assert (chen["promises_made"], chen["promised_cents"]) == (1, 70_000)
    assert (chen["kept"], chen["kept_cents"]) == (1, 200_000)
    assert (chen["broken"], chen["broken_cents"]) == (1, 60_000)
    assert (chen["disputes_opened"], chen["disputed_cents"]) == (0, 0)  # 07-03 is last week
    assert (chen["disputes_resolved"], chen["credited"], chen["resolution_days"]) == (1, 1, 16.0)
    assert chen["disputes_open"] == 2 and chen["open_age_days"] == (8 + 40) / 2
    nobody = by.loc[""]  # C2 has no collector
    assert (nobody["partly_kept"], nobody["partly_kept_cents"]) == (1, 500_000)
    assert np.isnan(nobody["resolution_days"])
    sales = review.by_salesperson.set_index("group")
    assert set(sales.index) == {"张伟", "李娜"} and sales.loc["李娜", "partly_kept"] == 1
    assert review.totals["kept"] == 1 and review.totals["disputes_open"] == 2
    # the week before (06-28 .. 07-04): promises 1, 2 and 3 made, dispute 2 opened
    earlier = collections_review(ledger, inputs, "2026-07-04").totals
    assert earlier["promises_made"] == 3 and earlier["disputes_opened"] == 1
    assert earlier["disputed_cents"] == 60_000


def test_an_empty_book_gives_zeros():
    review = collections_review(Ledger.from_frames(*company_frames()), inputs_with(), "2026-07-11")
    assert review.by_collector.empty and review.totals["promises_made"] == 0
