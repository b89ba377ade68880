"""Provisions: the matrix, roll rates worked by hand on a small ledger, the provision, errors."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InsufficientHistory, InvalidArgument
from creditdash.ledger import day_number, day_to_timestamp, ledger_arrays
from creditdash.provisioning import (
    month_ends_before,
    portfolio_roll_rates,
    provision,
    provision_matrix,
    provision_trend,
    roll_rates,
)

EDGES = (30, 60)  # buckets current, 1-30, 31-60, >60 (write-off)
AS_OF = "2025-03-31"


def test_provision_matrix_metrics_example():
    balances = [2_000_000, 600_000, 250_000, 100_000, 50_000]
    rates = [0.005, 0.02, 0.08, 0.20, 0.60]
    assert provision_matrix(balances, rates) == pytest.approx(92_000)
    labels = ["current", "1-30", "31-60", "61-90", ">90"]
    by_label = pd.Series(balances, index=labels)
    assert provision_matrix(by_label, pd.Series(rates, index=labels)[::-1]) == pytest.approx(92_000)
    assert provision_matrix(dict(zip(labels, balances, strict=True)), dict(zip(labels, rates, strict=True))) == pytest.approx(92_000)  # fmt: skip
    frame = pd.DataFrame({"A": balances, "B": balances}, index=labels)
    rate_frame = pd.DataFrame({"A": rates, "B": rates}, index=labels)
    assert provision_matrix(frame, rate_frame) == pytest.approx(184_000)


@pytest.mark.parametrize(
    ("balances", "rates", "message"),
    [
        ([1, 2], [0.1], "must have the same shape"),
        ([1, 2], [0.1, 1.5], "`loss_rates` must be fractions between 0 and 1"),
        ([1, np.nan], [0.1, 0.2], "`balances` must not contain missing values"),
        (pd.Series([1], index=["a"]), pd.Series([0.1], index=["b"]), "must have the same labels"),
        (pd.Series([1]), pd.DataFrame({"a": [0.1]}), "must both be Series or both frames"),
    ],
)
def test_provision_matrix_errors(balances, rates, message):
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        provision_matrix(balances, rates)


def test_month_ends():
    days = month_ends_before(day_number("2025-03-31"), 3)
    assert [day_to_timestamp(d).date().isoformat() for d in days] == [
        "2025-01-31",
        "2025-02-28",
        "2025-03-31",
    ]
    assert day_to_timestamp(month_ends_before(day_number("2025-03-30"), 1)[0]).day == 28


def test_roll_rates_by_hand(ledger):
    roll = roll_rates(ledger, AS_OF, edges=EDGES, months=2)
    flows = roll.flows.set_index("bucket")
    # current: Jan->Feb A 100/100, D 300/400, G 0/250; Feb->Mar F 500/500 -> 900 / 1,250
    # 1-30:    Jan->Feb B 0/200, C 300/300; Feb->Mar A 60/100, D 0/300   -> 360 / 900
    # 31-60:   Feb->Mar C 300/300                                         -> 1
    assert flows["rolled"].tolist() == pytest.approx([900, 360, 300])
    assert flows["exited"].tolist() == pytest.approx([1_250, 900, 300])
    assert flows["roll_rate"].tolist() == pytest.approx([0.72, 0.4, 1.0])
    assert roll.loss_rates.tolist() == pytest.approx([0.288, 0.4, 1.0, 1.0])
    monthly = roll.monthly.set_index("month_end")
    assert monthly["current"].tolist() == pytest.approx([400 / 750, 1.0])
    assert monthly["1-30"].tolist() == pytest.approx([0.6, 0.15])
    assert np.isnan(monthly["31-60"].iloc[0]) and monthly["31-60"].iloc[1] == 1.0
    assert roll.assumed == ()


SEGMENTS = ["S1", "S1", "S1", "S2", "S2", "S2"]  # customers CA, CB, CC, CD, CF, CG


def test_roll_rates_per_segment_by_hand(ledger):
    assert ledger_arrays(ledger).customers["customer_id"].tolist() == [
        "CA", "CB", "CC", "CD", "CF", "CG",
    ]  # fmt: skip
    roll = portfolio_roll_rates(ledger, AS_OF, SEGMENTS, edges=EDGES, months=2, min_exits=1)
    flows = roll.flows.set_index(["portfolio", "bucket"])
    # S1  current: A 100/100                          1 invoice left it
    #     1-30:    A 60/100, B 0/200, C 300/300       3
    #     31-60:   C 300/300                          1
    # S2  current: D 300/400, G 0/250, F 500/500      3
    #     1-30:    D 0/300                            1
    #     31-60:   nothing left it                    0 -> the book's 100%
    assert flows["rolled"].tolist() == pytest.approx([100, 360, 300, 800, 0, 0])
    assert flows["exited"].tolist() == pytest.approx([100, 600, 300, 1_150, 300, 0])
    assert flows["exits"].tolist() == [1, 3, 1, 3, 1, 0]
    assert flows.loc["S1", "roll_rate"].tolist() == pytest.approx([1.0, 0.6, 1.0])
    assert flows.loc["S2", "used"].tolist() == pytest.approx([800 / 1_150, 0.0, 1.0])
    assert roll.loss_rates["S1"].tolist() == pytest.approx([0.6, 0.6, 1.0, 1.0])
    assert roll.loss_rates["S2"].tolist() == pytest.approx([0.0, 0.0, 1.0, 1.0])
    assert roll.fallback == {"S2": ("31-60",)}
    # the book is the two segments together (test_roll_rates_by_hand)
    assert roll.book.flows["roll_rate"].tolist() == pytest.approx([0.72, 0.4, 1.0])


def test_thin_portfolio_history_falls_back_to_the_book(ledger):
    roll = portfolio_roll_rates(ledger, AS_OF, SEGMENTS, edges=EDGES, months=2, min_exits=2)
    assert roll.fallback == {"S1": ("current", "31-60"), "S2": ("1-30", "31-60")}
    flows = roll.flows.set_index(["portfolio", "bucket"])
    assert flows["source"].tolist() == ["book", "portfolio", "book", "portfolio", "book", "book"]
    assert flows.loc["S1", "used"].tolist() == pytest.approx([0.72, 0.6, 1.0])
    assert flows.loc["S2", "used"].tolist() == pytest.approx([800 / 1_150, 0.4, 1.0])
    assert roll.loss_rates["S1"].tolist() == pytest.approx([0.432, 0.6, 1.0, 1.0])
    assert roll.loss_rates["S2"].tolist() == pytest.approx([800 / 1_150 * 0.4, 0.4, 1.0, 1.0])


def test_provision_with_each_segments_own_rates(ledger):
    # open at 03-31: S1 A 60 (31-60), C 300 (>60); S2 G 750 (current), F 500 (1-30)
    result = provision(
        ledger, AS_OF, edges=EDGES, months=2, by="segment", per_portfolio=True, min_exits=2
    )
    assert result.total == pytest.approx(60 + 300 + 750 * 800 / 1_150 * 0.4 + 500 * 0.4)
    assert result.by_portfolio.fallback["S2"] == ("1-30", "31-60")
    assert result.roll is result.by_portfolio.book
    own = provision(ledger, AS_OF, edges=EDGES, months=2, by="segment", per_portfolio=True,
                    min_exits=1)  # fmt: skip
    assert own.total == pytest.approx(360)  # S2's 1-30 roll rate is 0: nothing it holds is lost
    overlaid = provision(ledger, AS_OF, edges=EDGES, months=2, by="segment", per_portfolio=True,
                         min_exits=2, overlay=0.5)  # fmt: skip
    assert overlaid.total == pytest.approx(60 + 300 + 750 * 800 / 1_150 * 0.6 + 500 * 0.6)
    # one portfolio (the whole book): its own rates are the book's
    whole = provision(ledger, AS_OF, edges=EDGES, months=2, per_portfolio=True, min_exits=1)
    assert whole.total == pytest.approx(776)


@pytest.mark.parametrize(
    ("portfolio", "kwargs", "message"),
    [
        (SEGMENTS, {"min_exits": 0}, "`min_exits` must be a whole number >= 1. Got 0."),
        (SEGMENTS[:2], {}, "`portfolio` must name one portfolio per customer (6). Got 2."),
        (SEGMENTS, {"months": 0}, "`months` must be a whole number >= 1. Got 0."),
    ],
)
def test_portfolio_roll_rate_errors(ledger, portfolio, kwargs, message):
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        portfolio_roll_rates(ledger, AS_OF, portfolio, edges=EDGES, **kwargs)


def test_provision_by_hand(ledger):
    # open at 03-31: G 750 current, F 500 1-30, A 60 31-60, C 300 >60
    result = provision(ledger, AS_OF, edges=EDGES, months=2)
    assert result.total == pytest.approx(750 * 0.288 + 500 * 0.4 + 60 + 300)  # 776
    with_overlay = provision(ledger, AS_OF, edges=EDGES, months=2, overlay=0.25)
    assert with_overlay.total == pytest.approx(750 * 0.36 + 500 * 0.5 + 60 + 300)  # 880, capped


def test_individual_assessment_leaves_the_matrix_and_the_history(ledger):
    individual = pd.DataFrame({"customer_id": ["CC"], "rate": [0.5], "reason": ["insolvent"]})
    result = provision(ledger, AS_OF, edges=EDGES, months=2, individual=individual)
    # without C: 1-30 rolls 60 / 600; 31-60 has no history and is taken as 100%
    assert result.roll.flows["roll_rate"].iloc[1] == pytest.approx(0.1)
    assert result.roll.assumed == ("31-60",)
    assert result.collective == pytest.approx(750 * 0.072 + 500 * 0.1 + 60)  # 164
    row = result.individual.iloc[0]
    assert (row["balance"], row["ecl"], row["reason"]) == (300, 150, "insolvent")
    assert result.total == pytest.approx(314)


def test_portfolios_and_hand_rates(ledger):
    result = provision(ledger, AS_OF, edges=EDGES, months=2, by="segment")
    balance = result.wide("balance").set_index("bucket")
    assert balance["S1"].tolist() == [0, 0, 60, 300]
    assert balance["S2"].tolist() == [750, 500, 0, 0]
    rates = pd.DataFrame(
        {
            "bucket": ["current", "1-30", "31-60", ">60"],
            "S1": [0.01, 0.1, 0.5, 1.0],
            "S2": [0.02, 0.2, 0.5, 1.0],
        }  # fmt: skip
    )
    hand = provision(ledger, AS_OF, edges=EDGES, by="segment", rates=rates)
    assert hand.roll is None
    assert hand.total == pytest.approx(60 * 0.5 + 300 + 750 * 0.02 + 500 * 0.2)
    one_column = pd.DataFrame(
        {"all": [0.1, 0.1, 0.1, 0.1]}, index=["current", "1-30", "31-60", ">60"]
    )
    assert provision(ledger, AS_OF, edges=EDGES, rates=one_column).total == pytest.approx(161)
    graded = provision(ledger, AS_OF, edges=EDGES, months=2, by="grade",
                       grades=pd.Series({"CA": "A", "CG": "B"}))  # fmt: skip
    assert set(graded.matrix["portfolio"]) == {"A", "B", "(no grade)"}


def test_invoice_date_basis(ledger):
    result = provision(ledger, AS_OF, basis="invoice", edges=(60, 90), months=2)
    assert result.labels == ["0-60", "61-90", ">90"]
    assert result.roll.loss_rates.iloc[-1] == 1.0
    assert result.matrix["balance"].sum() == pytest.approx(1_610)


def test_trend_ends_with_the_provision(ledger):
    trend = provision_trend(ledger, AS_OF, points=3, edges=EDGES, months=2)
    assert [d.date().isoformat() for d in trend["date"]] == ["2025-01-31", "2025-02-28", AS_OF]
    assert trend["total"].iloc[-1] == pytest.approx(776)
    assert trend["coverage"].iloc[-1] == pytest.approx(776 / 1_610)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "city"}, "`by` must be one of"),
        ({"by": "grade"}, "Portfolios by `grade` need customer risk grades"),
        ({"overlay": -1}, "`overlay` must be a factor above -1"),
        ({"months": 0}, "`months` must be a whole number >= 1"),
        ({"individual": pd.DataFrame({"customer_id": ["CA"]})}, "`individual` must have columns"),
        (
            {"individual": pd.DataFrame({"customer_id": ["CA"], "rate": [2], "reason": ["x"]})},
            "`individual` rates must be fractions between 0 and 1; check customer(s) ['CA']",
        ),
        ({"rates": pd.DataFrame({"all": [0.1]}, index=["current"])}, "`rates` needs a row per bucket"),
        (
            {"by": "segment", "rates": pd.DataFrame({"S1": [0.1] * 4, "X": [0.1] * 4},
                                                    index=["current", "1-30", "31-60", ">60"])},
            "`rates` needs a column per portfolio; missing ['S2']",
        ),
        (
            {"rates": pd.DataFrame({"all": [0.1, 0.1, 2, 0.1]}, index=["current", "1-30", "31-60", ">60"])},
            "`rates` must be fractions between 0 and 1 in every cell",
        ),
    ],
)  # fmt: skip
def test_provision_errors(ledger, kwargs, message):
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        provision(ledger, AS_OF, edges=EDGES, **kwargs)


def test_no_history_is_said(ledger):
    with pytest.raises(InsufficientHistory, match="Roll rates need invoices open at a month-end"):
        roll_rates(ledger, "2024-12-31", edges=EDGES, months=2)
    with pytest.raises(InvalidArgument, match="`points` must be a whole number >= 2"):
        provision_trend(ledger, AS_OF, points=1)
