"""Aging: a hand-built ledger worked out cell by cell, and random ledgers against a plain loop."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from creditdash.aging import (
    BUCKET_EDGES_DEFAULT,
    aging,
    aging_totals,
    ar_by_month,
    ar_summary,
    bucket_labels,
    checked_edges,
    exchange_differences,
    open_items,
    to_money,
)
from creditdash.errors import InvalidArgument
from creditdash.ledger import Ledger, ledger_arrays
from tests import reference

AS_OF = "2025-06-30"
DUE_LABELS = ["current", "1-30", "31-60", "61-90", "91-180", "181-365", ">365"]
YEAR_EDGES = (365, 730, 1095)


@pytest.fixture
def ledger() -> Ledger:
    return reference.hand_ledger()


def _rows(table: pd.DataFrame, keys: list[str]) -> dict[tuple, list[int]]:
    """Buckets, unapplied and total per group (`retention` is tested on its own)."""
    values = [c for c in table.columns if c not in keys and c != "retention"]
    return {
        tuple(r[k] for k in keys): [int(r[c]) for c in values] for r in table.to_dict("records")
    }


# --- labels and edges ------------------------------------------------------------


def test_bucket_labels_due_and_invoice_basis():
    assert bucket_labels() == DUE_LABELS
    assert bucket_labels(BUCKET_EDGES_DEFAULT, "invoice") == [
        "0-30",
        "31-60",
        "61-90",
        "91-180",
        "181-365",
        ">365",
    ]
    assert bucket_labels(YEAR_EDGES, "invoice") == ["0-365", "366-730", "731-1095", ">1095"]
    assert bucket_labels([7], "due") == ["current", "1-7", ">7"]
    assert checked_edges(np.array([30, 60])) == (30, 60)


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        (30, "`edges` must be a non-empty sequence of days such as (30, 60, 90). Got 30."),
        ((), "`edges` must be a non-empty sequence of days such as (30, 60, 90). Got ()."),
        ((30, 45.5), "`edges` must be whole numbers of days. Got (30, 45.5)."),
        ((True, 30), "`edges` must be whole numbers of days. Got (True, 30)."),
        ((0, 30), "`edges` must be positive (> 0 days). Got (0, 30)."),
        ((-5, 30), "`edges` must be positive (> 0 days). Got (-5, 30)."),
        ((30, 30, 60), "`edges` must be strictly increasing. Got (30, 30, 60)."),
        ([60, 30], "`edges` must be strictly increasing. Got (60, 30)."),
    ],
)
def test_bad_edges_are_rejected_with_the_rule(ledger, edges, message):
    with pytest.raises(InvalidArgument) as caught:
        aging(ledger, AS_OF, edges=edges)
    assert str(caught.value) == message


def test_bad_basis_by_and_as_of_are_rejected(ledger):
    with pytest.raises(
        InvalidArgument, match=r"^`basis` must be one of 'due', 'invoice'\. Got 'x'\.$"
    ):
        aging(ledger, AS_OF, basis="x")
    with pytest.raises(
        InvalidArgument,
        match=r"^`by` must be one of 'customer', 'segment', 'region', 'salesperson', 'none'\. "
        r"Got 'industry'\.$",
    ):
        aging(ledger, AS_OF, by="industry")
    for bad in ("not a date", None, 20250630):
        with pytest.raises(InvalidArgument) as caught:
            aging(ledger, bad)
        assert str(caught.value) == f"`as_of` must be a date such as '2025-03-20'. Got {bad!r}."
    with pytest.raises(InvalidArgument, match=r"^`end` must be a date such as '2025-03-20'\."):
        ar_by_month(ledger, "soon")


@pytest.mark.parametrize("months", [0, -3, 2.5, True])
def test_bad_months_are_rejected(ledger, months):
    with pytest.raises(InvalidArgument) as caught:
        ar_by_month(ledger, AS_OF, months=months)
    assert str(caught.value) == f"`months` must be a whole number >= 1. Got {months!r}."


# --- the hand-built ledger ---------------------------------------------------------

#                 current  1-30  31-60 61-90 91-180 181-365  >365  unapplied   total
HAND_BY_CUSTOMER = {
    ("A", "Alpha Ltd"): [100000, 30000, 0, 0, 80000, 0, 0, -5000, 205000],
    ("C", "Gamma Inc"): [12000, 0, 3000, 4000, 6000, 32000, 0, -1000, 56000],
    ("B", "Beta GmbH"): [0, -15000, -5000, 0, 0, 0, 70000, 0, 50000],
    ("D", "Delta"): [0, 0, 0, 0, 0, 0, 0, -2500, -2500],
}
HAND_TOTALS = [112000, 15000, -2000, 4000, 86000, 32000, 70000, -8500, 308500]


def test_hand_ledger_by_customer(ledger):
    table = aging(ledger, AS_OF)
    assert list(table.columns) == [
        "customer_id",
        "customer_name",
        *DUE_LABELS,
        "unapplied",
        "total",
        "retention",
    ]
    assert _rows(table, ["customer_id", "customer_name"]) == HAND_BY_CUSTOMER
    assert list(table["customer_id"]) == ["A", "C", "B", "D"]  # total descending, E dropped
    assert list(table.index) == [0, 1, 2, 3]
    assert all(table[c].dtype == np.int64 for c in [*DUE_LABELS, "unapplied", "total"])
    assert int(table["total"].sum()) == 308500


def test_hand_ledger_totals_and_summary(ledger):
    totals = aging_totals(ledger, AS_OF)
    assert list(totals.columns) == [*DUE_LABELS, "unapplied", "total", "retention"]
    assert totals.iloc[0].tolist() == [*HAND_TOTALS, 0]
    assert aging(ledger, AS_OF, by="none").equals(totals)
    summary = ar_summary(ledger, AS_OF)
    assert (summary.total, summary.current, summary.overdue, summary.unapplied) == (
        308500,
        112000,
        205000,
        -8500,
    )


def test_hand_ledger_invoice_basis_in_years(ledger):
    table = aging(ledger, AS_OF, basis="invoice", edges=YEAR_EDGES)
    assert list(table.columns)[2:] == [
        "0-365",
        "366-730",
        "731-1095",
        ">1095",
        "unapplied",
        "total",
        "retention",
    ]
    assert _rows(table, ["customer_id", "customer_name"]) == {
        ("A", "Alpha Ltd"): [210000, 0, 0, 0, -5000, 205000],
        ("C", "Gamma Inc"): [50000, 7000, 0, 0, -1000, 56000],
        ("B", "Beta GmbH"): [-20000, 0, 70000, 0, 0, 50000],
        ("D", "Delta"): [0, 0, 0, 0, -2500, -2500],
    }


def test_hand_ledger_invoice_basis_default_edges(ledger):
    # ages: A 10, 60, 121; B 76, 29, 791; C 211, 30, 90, 120, 210, 395, (396 settled)
    table = aging(ledger, AS_OF, basis="invoice")
    assert _rows(table, ["customer_id", "customer_name"]) == {
        ("A", "Alpha Ltd"): [100000, 30000, 0, 80000, 0, 0, -5000, 205000],
        ("C", "Gamma Inc"): [12000, 0, 3000, 4000, 25000 + 6000, 7000, -1000, 56000],
        ("B", "Beta GmbH"): [-15000, 0, -5000, 0, 0, 70000, 0, 50000],
        ("D", "Delta"): [0, 0, 0, 0, 0, 0, -2500, -2500],
    }


def test_hand_ledger_custom_due_edges(ledger):
    table = aging(ledger, AS_OF, edges=(15, 45))
    assert list(table.columns)[2:] == [
        *["current", "1-15", "16-45", ">45", "unapplied", "total", "retention"]
    ]
    assert _rows(table, ["customer_id", "customer_name"]) == {
        ("A", "Alpha Ltd"): [100000, 0, 30000, 80000, -5000, 205000],
        ("C", "Gamma Inc"): [12000, 0, 0, 45000, -1000, 56000],
        ("B", "Beta GmbH"): [0, 0, -15000, 65000, 0, 50000],
        ("D", "Delta"): [0, 0, 0, 0, -2500, -2500],
    }
    assert aging_totals(ledger, AS_OF, edges=(15, 45)).iloc[0].tolist() == [
        112000,
        0,
        15000,
        190000,
        -8500,
        308500,
        0,
    ]


def test_hand_ledger_by_attribute(ledger):
    by_segment = aging(ledger, AS_OF, by="segment")
    assert list(by_segment.columns)[0] == "segment"
    assert _rows(by_segment, ["segment"]) == {
        ("Retail",): [112000, 30000, 3000, 4000, 86000, 32000, 0, -6000, 261000],
        ("Wholesale",): [0, -15000, -5000, 0, 0, 0, 70000, 0, 50000],
        ("(none)",): [0, 0, 0, 0, 0, 0, 0, -2500, -2500],
    }
    by_region = aging(ledger, AS_OF, by="region")
    assert list(by_region["region"]) == ["North", "(none)", "South"]
    assert list(by_region["total"]) == [205000, 53500, 50000]
    by_person = aging(ledger, AS_OF, by="salesperson")
    assert dict(zip(by_person["salesperson"], by_person["total"], strict=True)) == {
        "Li": 261000,
        "(none)": 47500,
    }


def test_payment_before_its_invoice_applies_once_the_invoice_exists(ledger):
    # At 2025-07-05 A4 exists (999900 - 5000 paid) and A3 is paid; P8 (D, 9999) has arrived.
    table = aging(ledger, "2025-07-05")
    row = table.set_index("customer_id").loc["A"]
    assert row["unapplied"] == 0
    assert row["current"] == 999900 - 5000 + 100000
    assert row["total"] == 999900 - 5000 + 100000 + 30000
    assert table.set_index("customer_id").loc["D", "unapplied"] == -2500 - 9999


def test_as_of_before_any_invoice(ledger):
    assert aging(ledger, "2020-01-01").empty
    assert aging_totals(ledger, "2020-01-01").iloc[0].tolist() == [0] * 10
    assert len(open_items(ledger, "2020-01-01")) == 0


def test_open_items(ledger):
    items = open_items(ledger, AS_OF)
    assert list(items.columns) == [
        "invoice_id",
        "customer_id",
        "customer_name",
        "invoice_date",
        "due_date",
        "amount_cents",
        "paid_cents",
        "outstanding_cents",
        "currency",
        "outstanding_original_cents",
        "exchange_difference_cents",
        "dpd",
        "age_days",
        "bucket",
        "disputed",
        "segment",
        "region",
        "salesperson",
        "document_id",
        "part",
    ]
    # invoice-date order; A4 (after as_of), C7 and E1 (settled) are not open
    assert list(items["invoice_id"]) == [
        "B3", "C6", "C1", "C5", "A3", "C4", "C3", "B1", "A2", "C2", "B2", "A1",
    ]  # fmt: skip
    a2 = items.set_index("invoice_id").loc["A2"]
    assert (a2["amount_cents"], a2["paid_cents"], a2["outstanding_cents"]) == (50000, 20000, 30000)
    assert (a2["dpd"], a2["age_days"], a2["bucket"]) == (30, 60, "1-30")
    assert a2["customer_name"] == "Alpha Ltd"
    assert (a2["segment"], a2["region"], a2["salesperson"]) == ("Retail", "North", "Li")
    b1 = items.set_index("invoice_id").loc["B1"]
    assert (b1["segment"], b1["salesperson"]) == ("Wholesale", "(none)")
    assert (b1["outstanding_cents"], b1["bucket"]) == (-5000, "31-60")
    assert dict(zip(items["invoice_id"], items["dpd"], strict=True))["C1"] == 181
    assert list(items["bucket"].cat.categories) == DUE_LABELS
    assert items["bucket"].cat.ordered
    assert int(items["outstanding_cents"].sum()) == 308500 + 8500  # all but unapplied cash
    settled = open_items(ledger, AS_OF, include_settled=True)
    assert set(settled["invoice_id"]) == set(items["invoice_id"]) | {"C7", "E1"}
    by_year = open_items(ledger, AS_OF, basis="invoice", edges=YEAR_EDGES).set_index("invoice_id")
    assert (by_year.loc["C6", "bucket"], by_year.loc["B3", "bucket"]) == ("366-730", "731-1095")


def test_ar_by_month(ledger):
    frame = ar_by_month(ledger, AS_OF, months=3)
    assert list(frame.columns) == ["month_end", *DUE_LABELS, "unapplied", "total", "retention"]
    assert list(frame["month_end"]) == [
        pd.Timestamp("2025-04-30"),
        pd.Timestamp("2025-05-31"),
        pd.Timestamp("2025-06-30"),
    ]
    assert frame.iloc[-1, 1:].tolist() == [*HAND_TOTALS, 0]
    for row in frame.itertuples(index=False):
        assert list(row[1:]) == aging_totals(ledger, row.month_end).iloc[0].tolist()
    mid_month = ar_by_month(ledger, "2025-06-15", months=2)
    assert list(mid_month["month_end"]) == [pd.Timestamp("2025-05-31"), pd.Timestamp("2025-06-15")]
    assert len(ar_by_month(ledger, AS_OF)) == 12


@pytest.mark.parametrize(("seed", "scale"), [(1, 1), (2, 1), (3, 10**9)])
@pytest.mark.parametrize("basis", ["due", "invoice"])
def test_ar_by_month_is_the_aging_at_each_month_end(seed, scale, basis):
    # the month ends share one running sum of payments per invoice; aging_totals sums afresh
    # (scale 10**9 takes the sums past float64's exact range: the int64 path)
    ledger = reference.random_ledger(seed, scale=scale)
    edges = BUCKET_EDGES_DEFAULT
    monthly = ar_by_month(ledger, "2024-12-31", months=30, basis=basis)
    for row in monthly.itertuples(index=False):
        fresh = aging_totals(ledger, row.month_end, basis=basis, edges=edges).iloc[0].tolist()
        assert list(row[1:]) == fresh, row.month_end
        assert row.total == reference.ar(ledger, row.month_end.date())[0]


def test_to_money(ledger):
    money = to_money(aging(ledger, AS_OF))
    a = money.set_index("customer_id").loc["A"]
    assert (a["current"], a["1-30"], a["unapplied"], a["total"]) == (1000.0, 300.0, -50.0, 2050.0)
    assert to_money(money).equals(money)  # a second call does not divide again
    items = to_money(open_items(ledger, AS_OF))
    assert {"amount", "paid", "outstanding"} <= set(items.columns)
    assert "amount_cents" not in items.columns
    assert items.set_index("invoice_id").loc["A2", "outstanding"] == 300.0
    assert items["dpd"].dtype == np.int64  # days stay days
    plain = pd.DataFrame({"x": [12345], "y": [1]})
    assert to_money(plain, cents_columns=["x"]).iloc[0].tolist() == [123.45, 1]


def test_empty_ledger():
    empty = Ledger.from_frames()
    assert aging(empty, AS_OF).empty
    assert aging_totals(empty, AS_OF).iloc[0].tolist() == [0] * 10
    assert open_items(empty, AS_OF).empty
    assert ar_summary(empty, AS_OF).total == 0


# --- random ledgers against the plain loop ----------------------------------------

DATES = ["2022-12-31", "2023-02-14", "2023-09-30", "2024-03-31", "2024-12-31", "2026-01-01"]
CASES = [
    ("due", BUCKET_EDGES_DEFAULT),
    ("invoice", BUCKET_EDGES_DEFAULT),
    ("invoice", YEAR_EDGES),
    ("due", (7, 14, 200_000)),  # an edge past the lookup-table limit
]


def _check_against_reference(ledger: Ledger, as_of: str, basis: str, edges, by: str) -> None:
    day = dt.date.fromisoformat(as_of)
    expected = reference.aging_cells(ledger, day, edges, basis, by)
    table = aging(ledger, as_of, basis=basis, edges=edges, by=by)
    keys = {"customer": ["customer_id", "customer_name"], "none": []}.get(by, [by])
    names = [*reference.labels(edges, basis), "unapplied", "total"]
    got = {
        tuple(r[k] for k in keys): {c: int(r[c]) for c in names} for r in table.to_dict("records")
    }
    assert got == expected, (as_of, basis, edges, by)
    totals = table["total"].to_numpy()
    assert (np.diff(totals) <= 0).all()  # sorted by total descending
    total_ar, _, _ = reference.ar(ledger, day)
    assert int(totals.sum()) == total_ar


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_ledgers_match_a_plain_loop(seed):
    ledger = reference.random_ledger(seed)
    for as_of in DATES:
        for basis, edges in CASES:
            for by in ("customer", "segment", "region", "salesperson", "none"):
                _check_against_reference(ledger, as_of, basis, edges, by)
    assert ledger_arrays(ledger).invoice_weights.dtype == np.float64


def test_random_open_items_match_a_plain_loop():
    ledger = reference.random_ledger(7)
    day = dt.date(2024, 3, 31)
    owed, _, existing = reference.outstanding(ledger, day)
    items = open_items(ledger, day, include_settled=True)
    assert dict(zip(items["invoice_id"], items["outstanding_cents"], strict=True)) == owed
    by_id = {i.invoice_id: i for i in existing}
    for row in items.itertuples():
        inv = by_id[row.invoice_id]
        assert row.dpd == (day - inv.due_date).days
        assert row.age_days == (day - inv.invoice_date).days
        assert row.bucket == reference.bucket_of(inv, day, BUCKET_EDGES_DEFAULT, "due")
        assert row.paid_cents == inv.amount - owed[inv.invoice_id]
    open_only = open_items(ledger, day)
    assert set(open_only["invoice_id"]) == {k for k, v in owed.items() if v != 0}


@pytest.mark.parametrize("by", ["segment", "region", "salesperson"])
def test_open_items_drill_down_adds_up_to_the_aging_row(by):
    ledger = reference.random_ledger(8)
    items = open_items(ledger, "2024-06-30")
    table = aging(ledger, "2024-06-30", by=by).set_index(by)
    from_items = items.groupby(by)["outstanding_cents"].sum()
    from_table = table["total"] - table["unapplied"]
    assert from_items.to_dict() == from_table[from_table != 0].to_dict()


def test_amounts_beyond_float_precision_stay_exact():
    # Sums pass 2**53 cents, where float64 would round: the int64 path must take over.
    ledger = reference.random_ledger(11, scale=10**9)
    assert ledger_arrays(ledger).invoice_weights.dtype == np.int64
    for as_of in ("2023-09-30", "2026-01-01"):
        for by in ("customer", "none"):
            _check_against_reference(ledger, as_of, "due", BUCKET_EDGES_DEFAULT, by)
        total, _, _ = reference.ar(ledger, dt.date.fromisoformat(as_of))
        assert abs(total) > 2**53


def test_cache_is_built_once_and_reused(ledger):
    aging(ledger, AS_OF)
    arrays = ledger_arrays(ledger)
    aging(ledger, "2024-01-31", by="segment")
    open_items(ledger, AS_OF)
    assert ledger_arrays(ledger) is arrays
    assert _rows(aging(ledger, AS_OF), ["customer_id", "customer_name"]) == HAND_BY_CUSTOMER


# --- foreign currencies: balances at the as-of date's rate ------------------------

FX_RATES = pd.DataFrame(
    {
        "currency": ["USD", "USD", "USD", "EUR", "EUR"],
        "rate_date": pd.to_datetime(
            ["2025-05-01", "2025-06-01", "2025-06-30", "2025-05-15", "2025-06-20"]
        ),
        "rate": [7.10, 7.15, 7.20, 7.80, 7.90],
    }
)


def fx_ledger(invoices: list[tuple], payments: list[tuple] = (), rates=FX_RATES) -> Ledger:
    """Amounts in their own currency's cents, converted as the store loads them."""
    from creditdash.store.load import to_reporting

    inv = pd.DataFrame(
        invoices,
        columns=[
            "invoice_id",
            "customer_id",
            "invoice_date",
            "due_date",
            "amount_cents",
            "currency",
        ],
    )
    for column in ("invoice_date", "due_date"):
        inv[column] = pd.to_datetime(inv[column])
    pay = pd.DataFrame(
        list(payments),
        columns=["payment_id", "customer_id", "invoice_id", "payment_date", "amount_cents"],
    )
    pay["payment_date"] = pd.to_datetime(pay["payment_date"])
    customers = pd.DataFrame(
        {"customer_id": ["A", "B"], "customer_name": ["Acme", "Beta"], "currency": ["USD", "CNY"]}
    )
    inv, pay = to_reporting(inv, pay, customers, rates, "CNY")
    return Ledger.from_frames(customers, inv, pay, currency="CNY", rates=rates)


USD_100 = ("U1", "A", "2025-05-01", "2025-05-31", 10_000, "USD")


def test_a_foreign_invoice_ages_at_the_as_of_rate():
    # USD 100.00 invoiced at 7.10, open at 2025-06-30 when the rate is 7.20.
    ledger = fx_ledger([USD_100])
    [item] = open_items(ledger, AS_OF).to_dict("records")
    assert (item["amount_cents"], item["outstanding_cents"]) == (71_000, 72_000)
    assert (item["currency"], item["outstanding_original_cents"]) == ("USD", 10_000)
    assert item["exchange_difference_cents"] == 1_000
    assert aging_totals(ledger, AS_OF)["total"].tolist() == [72_000]
    summary = ar_summary(ledger, AS_OF)
    assert (summary.total, summary.overdue, summary.exchange_difference) == (72_000, 72_000, 1_000)
    total = exchange_differences(ledger, AS_OF, by="none").to_dict("records")
    assert total == [
        {"at_transaction_rates": 71_000, "at_as_of_rate": 72_000, "exchange_difference": 1_000}
    ]
    # The day before, 2025-06-01's 7.15 is the rate in force.
    assert ar_summary(ledger, "2025-06-29").total == 71_500


def test_a_partly_paid_foreign_invoice_translates_what_is_left_in_its_currency():
    # USD 40.00 paid on 2025-06-01 settles at the invoice's 7.10 (¥284.00);
    # the USD 60.00 left is worth ¥432.00 at 7.20, ¥6.00 more than at 7.10.
    ledger = fx_ledger([USD_100], [("P1", "A", "U1", "2025-06-01", 4_000)])
    [item] = open_items(ledger, AS_OF).to_dict("records")
    assert (item["amount_cents"], item["paid_cents"]) == (71_000, 28_400)
    assert (item["outstanding_cents"], item["outstanding_original_cents"]) == (43_200, 6_000)
    assert item["exchange_difference_cents"] == 600
    assert item["outstanding_cents"] == item["amount_cents"] - item["paid_cents"] + 600
    paid_off = fx_ledger([USD_100], [("P1", "A", "U1", "2025-06-01", 10_000)])
    assert open_items(paid_off, AS_OF).empty
    assert ar_summary(paid_off, AS_OF).total == 0


def test_a_customer_owing_in_three_currencies():
    ledger = fx_ledger(
        [
            USD_100,
            ("E1", "A", "2025-05-15", "2025-07-14", 5_000, "EUR"),  # EUR 50.00 at 7.80
            ("C1", "A", "2025-06-10", "2025-07-10", 50_000, "CNY"),
            ("C2", "B", "2025-06-10", "2025-07-10", 30_000, "CNY"),
        ],
        # USD 10.00 without an invoice: the customer's currency, ¥71.50 at 2025-06-01's rate.
        [("P9", "A", None, "2025-06-01", 1_000)],
    )
    table = aging(ledger, AS_OF).set_index("customer_id")
    # A: USD 720.00 + EUR 395.00 (at 7.90) + CNY 500.00 owed, USD 10.00 = ¥72.00 received.
    assert table.loc["A", ["current", "1-30", "unapplied", "total"]].tolist() == [
        89_500,
        72_000,
        -7_200,
        154_300,
    ]
    assert table.loc["B", "total"] == 30_000
    by_customer = exchange_differences(ledger, AS_OF)
    assert by_customer[
        ["customer_id", "at_transaction_rates", "at_as_of_rate"]
    ].values.tolist() == [["A", 71_000 + 39_000 - 7_150, 72_000 + 39_500 - 7_200]]
    # +¥10.00 on the dollars owed, +¥5.00 on the euros, -¥0.50 on the dollars received.
    assert by_customer["exchange_difference"].tolist() == [1_450]
    assert exchange_differences(ledger, AS_OF, by="none")["exchange_difference"].tolist() == [1_450]
    assert ar_summary(ledger, AS_OF).exchange_difference == 1_450
    assert int(aging_totals(ledger, AS_OF)["total"].iloc[0]) == 154_300 + 30_000
    items = open_items(ledger, AS_OF).set_index("invoice_id")
    assert items["exchange_difference_cents"].to_dict() == {
        "U1": 1_000,
        "E1": 500,
        "C1": 0,
        "C2": 0,
    }
    assert items.loc["C1", "currency"] == "CNY"


def test_every_figure_at_month_ends_uses_that_month_end_rate():
    ledger = fx_ledger([USD_100])
    monthly = ar_by_month(ledger, AS_OF, months=3)
    assert monthly["total"].tolist() == [0, 71_000, 72_000]  # April: not yet invoiced


def test_a_balance_without_a_rate_at_the_as_of_date_is_an_error_naming_currency_and_date():
    # The first dollar rate is dated 2025-05-10: at 2025-05-05 the invoice is open and
    # no rate was in force. The error never falls back to a later or earlier rate.
    rates = pd.DataFrame(
        {"currency": ["USD"], "rate_date": pd.to_datetime(["2025-05-10"]), "rate": [7.10]}
    )
    ledger = fx_ledger([USD_100], rates=rates)
    with pytest.raises(InvalidArgument, match="No exchange rate from USD to CNY") as caught:
        aging(ledger, "2025-05-05")
    assert "dated on or before 2025-05-05" in str(caught.value)
    assert caught.value.code == "error.ledger.no_rate"
    assert caught.value.params["currencies"] == "USD"
    assert ar_summary(ledger, "2025-05-10").total == 71_000


def test_a_settled_foreign_invoice_needs_no_rate():
    rates = pd.DataFrame(
        {"currency": ["USD"], "rate_date": pd.to_datetime(["2025-05-01"]), "rate": [7.10]}
    )
    ledger = fx_ledger([USD_100], [("P1", "A", "U1", "2025-05-20", 10_000)], rates=rates)
    keep = ledger.rates.iloc[0:0]
    bare = Ledger.from_frames(
        ledger.customers, ledger.invoices, ledger.payments, currency="CNY", rates=keep
    )
    assert ar_summary(bare, "2025-06-30").total == 0
    with pytest.raises(InvalidArgument, match="USD"):
        ar_summary(bare, "2025-05-10")  # still open then


def test_random_foreign_ledgers_match_a_plain_loop():
    """Mixed-currency ledgers against a row-by-row translation in Python ints and floats."""
    rng = np.random.default_rng(5)
    days = pd.date_range("2024-01-01", "2024-12-31", freq="D")
    rates = pd.concat(
        [
            pd.DataFrame({"currency": c, "rate_date": days[::7], "rate": base + rng.random(53)})
            for c, base in (("USD", 7.0), ("EUR", 7.6))
        ],
        ignore_index=True,
    )
    invoices, payments = [], []
    for i in range(300):
        day = days[rng.integers(0, 300)]
        currency = ["CNY", "USD", "EUR"][rng.integers(0, 3)]
        amount = int(rng.integers(-2_000, 200_000))
        customer = "AB"[rng.integers(0, 2)]
        invoices.append((f"I{i}", customer, day, day + pd.Timedelta(days=30), amount, currency))
        for k in range(int(rng.integers(0, 3))):
            paid_on = day + pd.Timedelta(days=int(rng.integers(0, 90)))
            applied = None if rng.random() < 0.1 else f"I{i}"
            payments.append((f"P{i}-{k}", customer, applied, paid_on, amount // 3))
    ledger = fx_ledger(invoices, payments, rates=rates)
    for as_of in ("2024-03-31", "2024-08-15", "2025-02-01"):
        day = pd.Timestamp(as_of)
        expected = {"A": 0, "B": 0}
        currency_of = {}
        for inv_id, customer, inv_day, _, amount, currency in invoices:
            if inv_day <= day:
                paid = sum(p[4] for p in payments if p[2] == inv_id and p[3] <= day)
                currency_of[inv_id] = currency
                expected[customer] += _at(amount - paid, currency, day, rates)
        for _, customer, inv_id, paid_on, amount in payments:
            if paid_on <= day and inv_id not in currency_of:
                own = next(i[5] for i in invoices if i[0] == inv_id) if inv_id else "USD"
                if customer == "B" and inv_id is None:
                    own = "CNY"
                expected[customer] -= _at(amount, own, day, rates)
        table = aging(ledger, as_of).set_index("customer_id")["total"]
        assert {c: int(table.get(c, 0)) for c in "AB"} == expected


def _at(cents: int, currency: str, day: pd.Timestamp, rates: pd.DataFrame) -> int:
    if currency == "CNY" or cents == 0:
        return cents
    known = rates[(rates["currency"] == currency) & (rates["rate_date"] <= day)]
    return int(round(cents * float(known.sort_values("rate_date")["rate"].iloc[-1])))


# --- retention money (质保金) ------------------------------------------------------


def _retention_ledger() -> Ledger:
    """A 1,000,000.00 invoice keeping 100,000.00 retention due a year later, and a plain one."""
    invoices = pd.DataFrame(
        {
            "invoice_id": ["FP-1#1", "FP-1#R", "FP-2"],
            "customer_id": ["C1", "C1", "C2"],
            "invoice_date": pd.Timestamp("2024-01-10"),
            "due_date": pd.to_datetime(["2024-02-09", "2025-01-10", "2024-02-09"]),
            "amount_cents": [90_000_000, 10_000_000, 50_000],
            "currency": "CNY",
            "disputed": False,
            "source": "invoice",
            "document_id": ["FP-1", "FP-1", None],
            "part": ["instalment", "retention", None],
        }
    )
    return Ledger.from_frames(None, invoices)


def test_retention_is_its_own_item_and_of_which_in_the_total():
    ledger = _retention_ledger()
    table = aging(ledger, "2024-03-20").set_index("customer_id")  # main part 40 days late
    c1 = table.loc["C1"]
    assert (c1["current"], c1["31-60"], c1["total"], c1["retention"]) == (
        10_000_000,
        90_000_000,
        100_000_000,
        10_000_000,
    )
    assert table.loc["C2", "retention"] == 0
    totals = aging_totals(ledger, "2024-03-20").iloc[0]
    assert totals["total"] == 100_050_000 and totals["retention"] == 10_000_000
    assert aging(ledger, "2025-01-10", by="region").iloc[0]["retention"] == 10_000_000
    assert aging(ledger, "2025-01-11")["retention"].sum() == 0  # due: overdue, no longer held
    monthly = ar_by_month(ledger, "2025-02-28", months=3)
    assert monthly["retention"].tolist() == [10_000_000, 0, 0]
    items = open_items(ledger, "2024-03-20").set_index("invoice_id")
    assert items.loc["FP-1#R", ["part", "document_id", "bucket"]].tolist() == [
        "retention",
        "FP-1",
        "current",
    ]
    assert to_money(aging(ledger, "2024-03-20"))["retention"].tolist() == [100_000.0, 0.0]
