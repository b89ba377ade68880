"""The weekly review, its pack and the Customer risk page grade and alert alike on the same day."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.auth import Actor
from creditdash.demo import generate_demo
from creditdash.ledger import Ledger
from creditdash.report import review_html
from creditdash.review import build_review
from creditdash.risk.assess import risk_overview, risk_table
from creditdash.risk.bureau import read_reports
from creditdash.risk.policy import default_policy
from creditdash.risk.policy_store import current_policy, save_policy
from creditdash.risk.requests import approved_limits
from creditdash.store import open_store


@pytest.fixture(scope="module")
def demo_book() -> tuple[Ledger, pd.Timestamp]:
    demo = generate_demo()
    return Ledger.from_frames(demo.customers, demo.invoices, demo.payments), demo.as_of


def test_the_review_grades_and_alerts_as_the_risk_page_does(tmp_path, demo_book):
    ledger, as_of = demo_book
    engine = open_store(f"sqlite:///{tmp_path / 'review.sqlite'}")
    policy = default_policy()
    policy["grades"][0]["min_score"] = 85
    next(r for r in policy["rules"] if r["id"] == "oldest_60")["threshold"] = 45
    save_policy(engine, policy, Actor("li.na", "credit_manager"), note="Stricter")
    # what the Customer risk page computes (pages/risk.py)
    stored = current_policy(engine)
    limits = tuple(sorted(approved_limits(engine).items()))
    page = risk_overview(ledger, as_of, stored.json, read_reports(engine), limits)
    review = build_review(ledger, as_of, engine=engine)

    graded = review.sections["grades"].frame().set_index("customer_id")["grade"]
    on_page = page.table.set_index("customer_id")["grade"]
    assert graded.sort_index().equals(on_page.sort_index())
    by_default = risk_table(ledger, as_of, default_policy()).set_index("customer_id")["grade"]
    assert (by_default.reindex(on_page.index) != on_page).sum() > 0  # the policy in force counts

    hits = page.watchlist
    fresh = hits[hits["new"]]
    new_on_page = set(zip(fresh["customer_id"], fresh["rule"], strict=True))
    new_in_review = {tuple(k.split(":")[:0:-1]) for k in review.alerts_new["key"]}
    assert new_on_page and new_in_review == new_on_page
    assert len(review.alerts_open) == len(hits)
    print(f"\nDemo at {as_of:%Y-%m-%d}, policy v2: {len(new_on_page)} new alerts on both")

    pack = review_html(review)
    assert "Grades and alerts under credit policy version 2" in pack
    assert "PD = chance of an invoice 90+ days past due within 12 months" in pack
    engine.dispose()
