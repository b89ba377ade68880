"""Payments naming a document spread over its items oldest due first, when a Ledger is built."""

from __future__ import annotations

import pandas as pd

from creditdash.aging import aging, open_items
from creditdash.documents import spread_over_items
from creditdash.ledger import Ledger


def invoices() -> pd.DataFrame:
    """Document S in three instalments (30% / 50% / 20%) and an ordinary invoice X."""
    return pd.DataFrame(
        {
            "invoice_id": ["S#2", "S#1", "S#3", "X"],
            "customer_id": "C",
            "invoice_date": pd.Timestamp("2024-01-05"),
            "due_date": pd.to_datetime(["2024-03-05", "2024-02-04", "2024-04-04", "2024-02-01"]),
            "amount_cents": [50000, 30000, 20000, 1000],
            "currency": "CNY",
            "disputed": False,
            "source": "invoice",
            "document_id": ["S", "S", "S", None],
            "part": ["instalment", "instalment", "instalment", None],
        }
    )


def payments(*rows: tuple[str, str, str, int]) -> pd.DataFrame:
    ids, named, dates, cents = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "payment_id": ids,
            "customer_id": "C",
            "invoice_id": named,
            "payment_date": pd.to_datetime(list(dates)),
            "amount_cents": cents,
            "source": "payment",
        }
    )


def paid(frame: pd.DataFrame) -> dict[str, int]:
    return frame.groupby("invoice_id")["amount_cents"].sum().to_dict()


def test_oldest_due_first_and_ids_stay_unique():
    spread = spread_over_items(invoices(), payments(("P1", "S", "2024-02-10", 40000)))
    assert spread[["payment_id", "invoice_id", "amount_cents"]].values.tolist() == [
        ["P1>S#1", "S#1", 30000],
        ["P1>S#2", "S#2", 10000],
    ]


def test_a_payment_naming_an_item_counts_before_later_document_payments():
    rows = payments(
        ("P1", "S#1", "2024-02-01", 10000),  # names the first instalment
        ("P2", "S", "2024-02-10", 30000),  # fills the rest of #1, then #2
        ("P3", "X", "2024-02-11", 1000),
    )
    spread = spread_over_items(invoices(), rows)
    assert paid(spread) == {"S#1": 30000, "S#2": 10000, "X": 1000}
    assert set(spread["payment_id"]) == {"P1", "P2>S#1", "P2>S#2", "P3"}
    assert int(spread["amount_cents"].sum()) == int(rows["amount_cents"].sum())


def test_overpayment_stays_on_the_last_item_and_a_reversal_takes_back_newest_first():
    rows = payments(("P1", "S", "2024-02-10", 100500), ("P2", "S", "2024-02-20", -60000))
    spread = spread_over_items(invoices(), rows)
    assert spread[["payment_id", "invoice_id", "amount_cents"]].values.tolist() == [
        ["P1>S#1", "S#1", 30000],
        ["P1>S#2", "S#2", 50000],
        ["P1>S#3", "S#3", 20500],
        ["P2>S#2", "S#2", -39500],
        ["P2>S#3", "S#3", -20500],
    ]


def test_own_currency_amount_is_split_in_proportion():
    rows = payments(("P1", "S", "2024-02-10", 40000)).assign(original_cents=5635, currency="USD")
    spread = spread_over_items(invoices(), rows)
    assert spread["original_cents"].tolist() == [4226, 1409]
    assert int(spread["original_cents"].sum()) == 5635


def test_nothing_to_spread_returns_the_same_frame():
    rows = payments(("P1", "X", "2024-02-10", 100), ("P2", None, "2024-02-10", 50))
    assert spread_over_items(invoices(), rows) is rows
    plain = invoices().drop(columns=["document_id", "part"])
    assert spread_over_items(plain, rows) is rows


def test_the_ledger_ages_each_instalment_on_its_own_due_date():
    ledger = Ledger.from_frames(None, invoices(), payments(("P1", "S", "2024-02-10", 40000)))
    items = open_items(ledger, "2024-03-10").set_index("invoice_id")
    assert items["outstanding_cents"].to_dict() == {"S#2": 40000, "S#3": 20000, "X": 1000}
    assert items["dpd"].to_dict() == {"S#2": 5, "S#3": -25, "X": 38}
    assert items.loc["S#2", "document_id"] == "S"
    row = aging(ledger, "2024-03-10").iloc[0]
    assert (row["current"], row["1-30"], row["31-60"], row["total"]) == (20000, 40000, 1000, 61000)
    # before the payment arrived, the first instalment was overdue
    early = aging(ledger, "2024-02-09").iloc[0]
    assert (early["current"], early["1-30"], early["total"]) == (70000, 31000, 101000)
