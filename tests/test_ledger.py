"""The ledger's cached arrays against a row-by-row computation in plain Python."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InvalidArgument
from creditdash.ledger import NO_ATTRIBUTE, Ledger, day_number, ledger_arrays

EPOCH = dt.date(1970, 1, 1)


def seeded_frames(
    seed: int, n_invoices: int = 300, n_payments: int = 400, first_year: int = 2023
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Customers, invoices and payments with unsorted, repeated string ids.

    Customer ids are listed out of order, one twice; "K-cash" has no invoices
    (payments only) and "K-idle" nothing at all. One invoice id is used twice,
    one invoice has no id, some have no due date, and payments are applied,
    unapplied or point at invoices that do not exist.
    """
    rng = np.random.default_rng(seed)
    customer_ids = ["K-9", "K-10", "K-1", "K-idle", "Z", "K-10", "A-7", "K-cash", "K-2"]
    customers = pd.DataFrame(
        {
            "customer_id": customer_ids,
            "customer_name": [f"name {i}" for i in range(len(customer_ids))],
            "segment": rng.choice(["Retail", " Export ", None, " "], len(customer_ids)),
            "region": rng.choice(["华东", "华南", ""], len(customer_ids)),
            "salesperson": rng.choice(["Li", "Wang", None], len(customer_ids)),
        }
    )
    billed = [c for c in dict.fromkeys(customer_ids) if c not in ("K-idle", "K-cash")]
    invoice_ids = [f"INV-{i}" for i in rng.permutation(n_invoices)]
    invoice_ids[7] = invoice_ids[3]
    invoice_ids[11] = None
    invoice_dates = pd.Timestamp(f"{first_year}-01-01") + pd.to_timedelta(
        rng.integers(0, 400, n_invoices), "D"
    )
    due_dates = invoice_dates + pd.to_timedelta(rng.choice([0, 30, 60], n_invoices), "D")
    invoices = pd.DataFrame(
        {
            "invoice_id": invoice_ids,
            "customer_id": rng.choice(billed, n_invoices),
            "invoice_date": invoice_dates,
            "due_date": due_dates.where(rng.random(n_invoices) > 0.05),
            "amount_cents": rng.integers(-1_000, 100_000, n_invoices),
        }
    )
    applied_to = rng.choice(np.array(invoice_ids, dtype=object), n_payments)
    kind = rng.random(n_payments)
    applied_to[kind < 0.15] = None
    applied_to[(kind >= 0.15) & (kind < 0.25)] = "INV-none"
    payments = pd.DataFrame(
        {
            "payment_id": [f"P{i}" for i in rng.permutation(n_payments)],
            "customer_id": rng.choice([*billed, "K-cash"], n_payments),
            "invoice_id": applied_to,
            "payment_date": pd.Timestamp(f"{first_year}-02-01")
            + pd.to_timedelta(rng.integers(0, 400, n_payments), "D"),
            "amount_cents": rng.integers(1, 50_000, n_payments),
        }
    )
    return customers, invoices, payments


def _text(value) -> str | None:
    return None if pd.isna(value) else value


def _day(value) -> int:
    return (value.date() - EPOCH).days


def expected_arrays(ledger: Ledger) -> dict[str, list]:
    """The arrays worked out row by row: lists, dicts and Python's stable sort."""
    invoices = ledger.invoices.to_dict("records")
    payments = ledger.payments.to_dict("records")
    customer_ids: list[str] = []
    for row in [*ledger.customers.to_dict("records"), *invoices, *payments]:
        if row["customer_id"] not in customer_ids:
            customer_ids.append(row["customer_id"])
    code = {c: i for i, c in enumerate(customer_ids)}

    inv_days = [_day(r["invoice_date"]) for r in invoices]
    inv_order = sorted(range(len(invoices)), key=lambda i: inv_days[i])
    sorted_position = {row: pos for pos, row in enumerate(inv_order)}
    first_row: dict[str, int] = {}
    for i, r in enumerate(invoices):
        if not pd.isna(r["invoice_id"]):  # an invoice without id matches no payment
            first_row.setdefault(r["invoice_id"], i)
    pay_order = sorted(range(len(payments)), key=lambda i: _day(payments[i]["payment_date"]))

    def due(r) -> int:
        return _day(r["invoice_date"] if pd.isna(r["due_date"]) else r["due_date"])

    def applied(r) -> int:
        if pd.isna(r["invoice_id"]) or r["invoice_id"] not in first_row:
            return -1
        return sorted_position[first_row[r["invoice_id"]]]

    first_customer_row = {}
    for r in ledger.customers.to_dict("records"):
        first_customer_row.setdefault(r["customer_id"], r)

    def attribute(customer_id: str, name: str) -> str:
        value = _text(first_customer_row.get(customer_id, {}).get(name))
        return (value or "").strip() or NO_ATTRIBUTE

    return {
        "invoice_order": inv_order,
        "invoice_day": [inv_days[i] for i in inv_order],
        "due_day": [due(invoices[i]) for i in inv_order],
        "invoice_amount": [invoices[i]["amount_cents"] for i in inv_order],
        "invoice_customer": [code[invoices[i]["customer_id"]] for i in inv_order],
        "payment_order": pay_order,
        "payment_day": [_day(payments[i]["payment_date"]) for i in pay_order],
        "payment_amount": [payments[i]["amount_cents"] for i in pay_order],
        "payment_invoice": [applied(payments[i]) for i in pay_order],
        "payment_customer": [code[payments[i]["customer_id"]] for i in pay_order],
        "customer_id": customer_ids,
        "customer_name": [
            _text(first_customer_row.get(c, {}).get("customer_name")) for c in customer_ids
        ],
        **{
            name: [attribute(c, name) for c in customer_ids]
            for name in ("segment", "region", "salesperson")
        },
    }


def assert_matches(ledger: Ledger) -> None:
    arrays = ledger_arrays(ledger)
    expected = expected_arrays(ledger)
    for name, values in expected.items():
        if name in ("customer_id", "customer_name"):
            got = [_text(v) for v in arrays.customers[name]]
        elif name in ("segment", "region", "salesperson"):
            got = arrays.attributes[name].tolist()
        else:
            got = getattr(arrays, name).tolist()
            assert getattr(arrays, name).dtype.kind == "i", name
        assert got == values, name
    cumsum = [0, *np.cumsum(expected["invoice_amount"]).tolist()]
    assert arrays.invoice_amount_cumsum.tolist() == cumsum


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_arrays_match_a_row_by_row_computation(seed):
    ledger = Ledger.from_frames(*seeded_frames(seed))
    # every kind of row the data promises is there
    assert ledger.invoices["invoice_id"].dropna().duplicated().any()
    assert ledger.invoices["invoice_id"].isna().any()
    assert ledger.payments["invoice_id"].isna().any()
    assert (ledger.payments["invoice_id"] == "INV-none").any()
    assert ledger.invoices["due_date"].isna().any()
    assert_matches(ledger)
    customers = ledger_arrays(ledger).customers["customer_id"].tolist()
    assert customers == ["K-9", "K-10", "K-1", "K-idle", "Z", "A-7", "K-cash", "K-2"]


def test_customers_missing_from_the_table_are_appended_sorted():
    customers, invoices, payments = seeded_frames(4)
    table = customers[customers["customer_id"].isin(["K-10", "K-idle"])]
    ledger = Ledger.from_frames(table, invoices, payments)
    ids = ledger.customers["customer_id"].tolist()
    assert ids == ["K-10", "K-idle", "K-10", "A-7", "K-1", "K-2", "K-9", "K-cash", "Z"]
    assert_matches(ledger)


def test_ledger_built_without_from_frames_appends_customers_by_first_appearance():
    customers, invoices, payments = seeded_frames(5)
    full = Ledger.from_frames(customers, invoices, payments)
    ledger = Ledger(
        customers=full.customers[full.customers["customer_id"] == "Z"],
        invoices=full.invoices,
        payments=full.payments,
    )
    arrays = ledger_arrays(ledger)
    first_seen = list(dict.fromkeys([*full.invoices["customer_id"], *full.payments["customer_id"]]))
    assert arrays.customers["customer_id"].tolist() == ["Z", *(c for c in first_seen if c != "Z")]
    assert_matches(ledger)


def test_dates_over_centuries_sort_the_same():
    # More than 2**16 days between the first and last date.
    customers, invoices, payments = seeded_frames(6, first_year=1850)
    late = invoices.index[::7]
    invoices.loc[late, ["invoice_date", "due_date"]] += pd.Timedelta(days=2**16 + 100)
    ledger = Ledger.from_frames(customers, invoices, payments)
    assert_matches(ledger)
    days = ledger_arrays(ledger).invoice_day
    assert days[-1] - days[0] > 2**16


def test_the_default_as_of_date_is_the_latest_invoice_or_payment_date():
    invoices = pd.DataFrame(
        {"invoice_id": ["I1", "I2"], "customer_id": ["C1", "C1"],
         "invoice_date": pd.to_datetime(["2026-11-02", "2026-11-20"]),
         "due_date": pd.to_datetime(["2026-12-02", "2026-12-20"]),
         "amount_cents": [10_000, 20_000]}
    )  # fmt: skip
    paid_late = pd.DataFrame(
        {"payment_id": ["P1"], "customer_id": ["C1"], "invoice_id": ["I1"],
         "payment_date": pd.to_datetime(["2026-11-30"]), "amount_cents": [10_000]}
    )  # fmt: skip
    assert Ledger.from_frames(None, invoices, paid_late).last_date == pd.Timestamp("2026-11-30")
    paid_early = paid_late.assign(payment_date=pd.to_datetime(["2026-11-10"]))
    assert Ledger.from_frames(None, invoices, paid_early).last_date == pd.Timestamp("2026-11-20")
    assert Ledger.from_frames(None, invoices, None).last_date == pd.Timestamp("2026-11-20")
    assert Ledger.from_frames().last_date is None


def test_empty_ledger_has_empty_arrays():
    arrays = ledger_arrays(Ledger.from_frames())
    assert len(arrays.invoice_order) == len(arrays.payment_invoice) == len(arrays.customers) == 0
    assert arrays.invoice_amount_cumsum.tolist() == [0]


# --- foreign-currency items ------------------------------------------------------------


def _fx_frames():
    invoices = pd.DataFrame(
        {
            "invoice_id": ["E1", "U1", "C1", "U2"],
            "customer_id": ["A", "A", "B", "B"],
            "invoice_date": pd.to_datetime(
                ["2025-05-03", "2025-05-01", "2025-05-02", "2025-04-01"]
            ),
            "due_date": pd.to_datetime(["2025-06-03", "2025-05-31", "2025-06-01", "2025-05-01"]),
            "amount_cents": [39_000, 71_000, 10_000, 14_200],
            "currency": ["EUR", "USD", "CNY", "USD"],
            "original_cents": [5_000, 10_000, 10_000, 2_000],
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": ["P1", "P2"],
            "customer_id": ["A", "B"],
            "invoice_id": ["U1", None],
            "payment_date": pd.to_datetime(["2025-06-01", "2025-05-20"]),
            "amount_cents": [28_400, 5_000],
            "currency": ["USD", "CNY"],
            "original_cents": [4_000, 5_000],
        }
    )
    rates = pd.DataFrame(
        {
            "currency": ["USD", "EUR", "USD", "JPY"],
            "rate_date": pd.to_datetime(["2025-06-30", "2025-05-03", "2025-04-01", "2025-01-01"]),
            "rate": [7.20, 7.80, 7.10, 0.05],
        }
    )
    return invoices, payments, rates


def test_foreign_items_keep_their_own_currency_and_rates_sort_by_date():
    invoices, payments, rates = _fx_frames()
    ledger = Ledger.from_frames(invoices=invoices, payments=payments, rates=rates)
    assert ledger.invoices["original_cents"].tolist() == [5_000, 10_000, 10_000, 2_000]
    assert ledger.payments["currency"].tolist() == ["USD", "CNY"]
    assert ledger.has_foreign_currency
    fx = ledger_arrays(ledger).fx
    assert fx.currencies == ("EUR", "USD")
    # invoices sorted by date: U2 (04-01), U1 (05-01), C1 (05-02), E1 (05-03)
    assert fx.invoices.tolist() == [0, 1, 3]
    assert [fx.currencies[c] for c in fx.invoice_currency] == ["USD", "USD", "EUR"]
    assert fx.invoice_original.tolist() == [2_000, 10_000, 5_000]
    assert fx.payments.tolist() == [1] and fx.payment_original.tolist() == [4_000]
    assert [d.tolist() for d in fx.rate_days] == [
        [day_number("2025-05-03")],
        [day_number("2025-04-01"), day_number("2025-06-30")],
    ]
    assert [v.tolist() for v in fx.rate_values] == [[7.80], [7.10, 7.20]]


def test_rates_in_force_are_the_latest_on_or_before_the_day():
    invoices, payments, rates = _fx_frames()
    fx = ledger_arrays(Ledger.from_frames(invoices=invoices, payments=payments, rates=rates)).fx
    need = np.array([True, True])
    assert fx.rates_at(day_number("2025-06-29"), need).tolist() == [7.80, 7.10]
    assert fx.rates_at(day_number("2025-06-30"), need).tolist() == [7.80, 7.20]
    before_euro = fx.rates_at(day_number("2025-05-01"), np.array([False, True]))
    assert np.isnan(before_euro[0]) and before_euro[1] == 7.10
    with pytest.raises(
        InvalidArgument, match="No exchange rate from EUR to CNY dated on or before 2025-05-01"
    ):
        fx.rates_at(day_number("2025-05-01"), need)


def test_without_original_amounts_every_item_is_in_the_reporting_currency():
    invoices, payments, rates = _fx_frames()
    plain = Ledger.from_frames(
        invoices=invoices.drop(columns="original_cents"),
        payments=payments.drop(columns=["currency", "original_cents"]),
        rates=rates,
    )
    assert "original_cents" not in plain.invoices.columns
    assert ledger_arrays(plain).fx is None and not plain.has_foreign_currency


def test_array_days_are_floored_days_since_1970_and_a_missing_due_date_falls_on_the_invoice_date():
    invoices = pd.DataFrame(
        {
            "invoice_id": ["A", "B", "C"],
            "customer_id": ["C1"] * 3,
            "invoice_date": pd.to_datetime(
                ["1969-12-31 23:00", "2025-03-20 00:00", "1900-02-28 12:00"]
            ),
            "due_date": pd.to_datetime(["1970-01-01", None, "1900-03-30"]),
            "amount_cents": [100, 200, 300],
        }
    )
    arrays = ledger_arrays(Ledger.from_frames(invoices=invoices))
    # sorted by invoice date: C (1900-02-28 -> day -25509), A (-1), B (20167)
    assert arrays.invoice_day.tolist() == [-25509, -1, 20167]
    assert arrays.due_day.tolist() == [-25479, 0, 20167]
    assert [day_number(d) for d in ("1900-02-28", "1969-12-31", "2025-03-20")] == [
        -25509,
        -1,
        20167,
    ]
