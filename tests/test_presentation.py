"""Shaping aging tables for display."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.errors import InvalidArgument
from creditdash.presentation import items_of_group, labelled_aging, parse_edges, top_overdue

LABELS = ["current", "1-30", "31-60"]


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "customer_name": ["Acme", None, "华盛"],
            "current": [100, 0, 5000],
            "1-30": [250, 0, 0],
            "31-60": [0, 999, 0],
            "unapplied": [0, -9, 0],
            "total": [350, 990, 5000],
        }
    )


def test_top_overdue_ranks_by_overdue_money_and_names_the_oldest_bucket():
    top = top_overdue(table(), LABELS, n=10)
    assert top["customer"].tolist() == ["C2", "C1 Acme"]
    assert top["overdue"].tolist() == [9.99, 2.5]
    assert top["oldest_bucket"].tolist() == ["31-60", "1-30"]
    assert top["total"].tolist() == [9.90, 3.5]


def test_labelled_aging_is_money_with_a_group_label():
    shown = labelled_aging(table(), "customer")
    assert shown["group"].tolist() == ["C1 Acme", "C2", "C3 华盛"]
    assert shown["total"].tolist() == [3.5, 9.9, 50.0]


def test_labelled_aging_names_the_whole_book_and_the_missing_group_as_told():
    by_region = (
        table()
        .assign(region=["East", "(none)", "East"])
        .drop(columns=["customer_id", "customer_name"])
    )
    assert labelled_aging(by_region, "region")["group"].tolist() == ["East", "(none)", "East"]
    named = labelled_aging(by_region, "region", missing_label="（未填）")
    assert named["group"].tolist() == ["East", "（未填）", "East"]
    whole = table().drop(columns=["customer_id", "customer_name"]).head(1)
    assert labelled_aging(whole, "none")["group"].tolist() == ["All customers"]
    assert labelled_aging(whole, "none", all_label="全部客户")["group"].tolist() == ["全部客户"]


def test_items_of_group_filters_by_the_row_key():
    items = pd.DataFrame({"customer_id": ["C1", "C2", "C1"], "outstanding_cents": [1, 2, 3]})
    row = table().iloc[0]
    assert items_of_group(items, "customer", row)["outstanding_cents"].tolist() == [1, 3]


def test_parse_edges_accepts_chinese_commas_and_rejects_bad_input():
    assert parse_edges("365，730, 1095") == (365, 730, 1095)
    with pytest.raises(InvalidArgument, match="whole numbers of days"):
        parse_edges("30, sixty")
    with pytest.raises(InvalidArgument, match="strictly increasing"):
        parse_edges("60, 30")
    with pytest.raises(InvalidArgument, match="strictly increasing"):
        parse_edges("")
