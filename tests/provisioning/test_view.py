"""The Provisions page's view, on the ledger worked by hand in conftest.py: open at
2025-03-31 G 750 current, F 500 1-30, A 60 31-60, C 300 >60 (1,610 in all); the book's loss
rates over two months 0.288, 0.4, 1, 1, so the provision is 776 (test_provision.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from creditdash.i18n import Text
from creditdash.presentation import Column
from creditdash.provisioning import WHOLE_BOOK, provision, provision_trend
from creditdash.provisioning.portfolios import portfolio_name
from creditdash.provisioning.view import provision_view, rate_columns

EDGES = (30, 60)
AS_OF = "2025-03-31"
DAY = date(2025, 3, 31)


def view_of(ledger, lang="en", **settings):
    settings = {"edges": EDGES, "months": 2, **settings}
    result = provision(ledger, AS_OF, **settings)
    return provision_view(result, provision_trend(ledger, AS_OF, points=3, **settings), DAY, lang)


def test_tiles_total_parts_change_and_coverage(ledger):
    view = view_of(ledger)
    february = provision(ledger, "2025-02-28", edges=EDGES, months=2).total
    assert [(tile.label.code, tile.kind) for tile in view.tiles] == [
        ("prov.total", "compact"), ("prov.collective", "compact"), ("prov.individual", "compact"),
        ("prov.change", "compact"), ("prov.coverage", "pct"),
    ]  # fmt: skip
    total, collective, individual, change, coverage = (tile.value for tile in view.tiles)
    assert (total, collective, individual) == pytest.approx((776, 776, 0))
    assert change == pytest.approx(776 - february)
    assert coverage == pytest.approx(776 / 1_610 * 100)
    assert view.tiles[3].help == Text("prov.change.help", {"date": "2025-02-28"})


@pytest.mark.parametrize(
    ("lang", "current", "book"), [("en", "Current", "All customers"), ("zh", "未到期", "全部客户")]
)
def test_the_matrix_names_buckets_and_the_whole_book(ledger, lang, current, book):
    view = view_of(ledger, lang)
    assert view.matrix["bucket"].tolist() == [current, "1-30", "31-60", ">60"]
    assert set(view.matrix["portfolio"]) == {book}
    assert view.matrix["ecl"].tolist() == pytest.approx([750 * 0.288, 500 * 0.4, 60, 300])
    assert view.flows is not None and view.flows["bucket"].tolist() == [current, "1-30", "31-60"]
    assert view.flows["loss_rate"].tolist() == pytest.approx([0.288, 0.4, 1.0])
    assert view.assumed is None and view.fallback is None
    assert list(view.sheets) == ["Matrix", "ECL by portfolio", "Individual", "Trend",
                                 "Roll rates", "Roll rates by month"]  # fmt: skip
    assert view.caption.params["rates"] == Text("prov.rates.history")


def test_portfolios_on_the_books_rates_are_said_with_their_buckets(ledger):
    view = view_of(ledger, "zh", by="segment", per_portfolio=True, min_exits=2)
    assert view.fallback == Text(
        "prov.roll.fallback", {"n": 2, "where": "S1: current, 31-60; S2: 1-30, 31-60"}
    )
    assert view.flows is not None
    assert view.flows["source"].tolist() == ["全部客户（历史过少）", "本组合历史", "全部客户（历史过少）",
                                             "本组合历史", "全部客户（历史过少）", "全部客户（历史过少）"]  # fmt: skip


def test_individual_assessment_and_hand_rates(ledger):
    individual = pd.DataFrame({"customer_id": ["CC"], "rate": [0.5], "reason": ["insolvent"]})
    view = view_of(ledger, individual=individual)
    assert view.individual[["customer_id", "balance", "ecl"]].values.tolist() == [["CC", 300, 150]]
    assert view.assumed == Text("prov.roll.assumed", {"buckets": "31-60"})  # no history left
    rates = pd.DataFrame({"bucket": ["current", "1-30", "31-60", ">60"], WHOLE_BOOK: [0.1] * 4})
    hand = view_of(ledger, rates=rates)
    assert hand.flows is None and "Roll rates" not in hand.sheets
    assert hand.caption.params["rates"] == Text("prov.rates.hand")


def test_headers_and_names(ledger):
    columns = view_of(ledger, "zh").columns
    assert columns["matrix"]["ecl"].kind == "money" and columns["matrix"]["loss_rate"].help
    assert columns["flows"]["roll_rate"].kind == "percent"
    assert columns["individual"]["balance"].kind == "money"
    assert rate_columns("zh") == {"bucket": Column("账龄区间"), WHOLE_BOOK: Column("全部客户")}
    assert portfolio_name(WHOLE_BOOK, "zh") == "全部客户" and portfolio_name("S1", "zh") == "S1"
