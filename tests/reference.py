"""Test ledgers and a plain-Python reference implementation of aging and KPIs.

`hand_ledger` is the small ledger whose figures the tests work out by hand;
`random_ledger` makes seeded ledgers that `aging_cells` and `kpis` check by
walking the rows one by one with datetime.date and Fraction, sharing no code
with creditdash.aging / creditdash.kpis.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from creditdash.ledger import Ledger


@dataclass
class Inv:
    invoice_id: str
    customer_id: str
    invoice_date: dt.date
    due_date: dt.date
    amount: int


@dataclass
class Pay:
    customer_id: str
    invoice_id: str | None
    payment_date: dt.date
    amount: int


def _date(value) -> dt.date:
    return pd.Timestamp(value).date()


def rows(ledger: Ledger) -> tuple[list[Inv], list[Pay], dict[str, dict]]:
    invoices = [
        Inv(
            r.invoice_id,
            r.customer_id,
            _date(r.invoice_date),
            _date(r.due_date),
            int(r.amount_cents),
        )
        for r in ledger.invoices.itertuples()
    ]
    payments = [
        Pay(
            r.customer_id,
            None if pd.isna(r.invoice_id) else r.invoice_id,
            _date(r.payment_date),
            int(r.amount_cents),
        )
        for r in ledger.payments.itertuples()
    ]
    customers = {r.customer_id: r._asdict() for r in ledger.customers.itertuples()}
    return invoices, payments, customers


def labels(edges, basis) -> list[str]:
    out = ["current"] if basis == "due" else []
    low = 1 if basis == "due" else 0
    for e in edges:
        out.append(f"{low}-{e}")
        low = e + 1
    out.append(f">{edges[-1]}")
    return out


def bucket_of(inv: Inv, day: dt.date, edges, basis) -> str:
    names = labels(edges, basis)
    if basis == "due":
        dpd = (day - inv.due_date).days
        if dpd <= 0:
            return "current"
        for i, e in enumerate(edges):
            if dpd <= e:
                return names[i + 1]
        return names[-1]
    age = (day - inv.invoice_date).days
    for i, e in enumerate(edges):
        if age <= e:
            return names[i]
    return names[-1]


def group_of(customer_id: str, customers: dict[str, dict], by: str):
    if by == "customer":
        return (customer_id, customers[customer_id]["customer_name"])
    if by == "none":
        return ()
    value = customers[customer_id][by]
    if value is None or (isinstance(value, float) and np.isnan(value)) or not value.strip():
        return ("(none)",)
    return (value.strip(),)


def outstanding(ledger: Ledger, day: dt.date) -> tuple[dict[str, int], dict[str, int], list[Inv]]:
    """(outstanding per invoice id, unapplied cash per customer (<= 0 for cash), invoices at day)."""
    invoices, payments, _ = rows(ledger)
    existing = [i for i in invoices if i.invoice_date <= day]
    known = {i.invoice_id for i in existing}
    owed = {i.invoice_id: i.amount for i in existing}
    unapplied: dict[str, int] = defaultdict(int)
    for p in payments:
        if p.payment_date > day:
            continue
        if p.invoice_id is not None and p.invoice_id in known:
            owed[p.invoice_id] -= p.amount
        else:
            unapplied[p.customer_id] -= p.amount
    return owed, unapplied, existing


def aging_cells(ledger: Ledger, day: dt.date, edges, basis, by) -> dict[tuple, dict[str, int]]:
    """{group key: {label: cents, "unapplied": cents, "total": cents}}, all-zero groups dropped."""
    _, _, customers = rows(ledger)
    owed, unapplied, existing = outstanding(ledger, day)
    names = labels(edges, basis)
    table: dict[tuple, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys([*names, "unapplied"], 0)
    )
    if by == "none":
        table[()]  # the single totals row exists even when empty
    for inv in existing:
        key = group_of(inv.customer_id, customers, by)
        table[key][bucket_of(inv, day, edges, basis)] += owed[inv.invoice_id]
    for customer_id, cash in unapplied.items():
        table[group_of(customer_id, customers, by)]["unapplied"] += cash
    result = {}
    for key, cells in table.items():
        cells["total"] = sum(cells.values())
        if by == "none" or any(cells.values()):
            result[key] = cells
    return result


def ar(ledger: Ledger, day: dt.date) -> tuple[int, int, int]:
    """(total, current, overdue) AR in cents."""
    owed, unapplied, existing = outstanding(ledger, day)
    current = sum(owed[i.invoice_id] for i in existing if (day - i.due_date).days <= 0)
    overdue = sum(owed[i.invoice_id] for i in existing if (day - i.due_date).days > 0)
    return current + overdue + sum(unapplied.values()), current, overdue


def _sales(invoices: list[Inv], first: dt.date, last: dt.date) -> int:
    return sum(i.amount for i in invoices if first <= i.invoice_date <= last)


def _months_back(day: dt.date, count: int):
    year, month = day.year, day.month
    for k in range(count):
        first = dt.date(year, month, 1)
        last = day if k == 0 else dt.date(year, month, calendar.monthrange(year, month)[1])
        yield first, last
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


def kpis(ledger: Ledger, day: dt.date, window: int) -> dict[str, object]:
    """Exact (Fraction) KPIs; None where undefined."""
    invoices, payments, _ = rows(ledger)
    start = day - dt.timedelta(days=window)
    total, current, overdue = ar(ledger, day)
    begin_total, _, _ = ar(ledger, start)
    sales = _sales(invoices, start + dt.timedelta(days=1), day)

    def ratio(a, b):
        return None if b == 0 else Fraction(a) / Fraction(b)

    dso = ratio(total * window, sales)
    bpdso = ratio(current * window, sales)
    n = Fraction(window, 30)
    collectable = begin_total + Fraction(sales) / n
    cei = ratio((collectable - total) * 100, collectable - current)
    turnover = ratio(Fraction(sales * 365, window), Fraction(begin_total + total, 2))

    # countback, 24 months at most
    left, days, capped = Fraction(total), Fraction(0), True
    if left <= 0:
        capped = False
    else:
        for first, last in _months_back(day, 24):
            month_sales = _sales(invoices, first, last)
            length = (last - first).days + 1
            if month_sales > 0 and left < month_sales:
                days += left / month_sales * length
                capped = False
                break
            days += length
            left -= month_sales
            if left <= 0:
                capped = False
                break

    by_id = {i.invoice_id: i for i in invoices if i.invoice_date <= day}
    paid = [p for p in payments if start < p.payment_date <= day and p.invoice_id in by_id]
    weight = sum(p.amount for p in paid)
    to_pay = ratio(
        sum(p.amount * (p.payment_date - by_id[p.invoice_id].invoice_date).days for p in paid),
        weight,
    )
    late = ratio(
        sum(p.amount * (p.payment_date - by_id[p.invoice_id].due_date).days for p in paid), weight
    )
    return {
        "total_ar": total,
        "current_ar": current,
        "overdue_ar": overdue,
        "credit_sales": sales,
        "overdue_pct": ratio(overdue * 100, total),
        "dso_simple": dso,
        "bpdso": bpdso,
        "add": None if dso is None else dso - bpdso,
        "dso_countback": days,
        "countback_capped": capped,
        "cei": cei,
        "turnover": turnover,
        "avg_days_to_pay": to_pay,
        "avg_days_late": late,
    }


def hand_ledger() -> Ledger:
    """Five customers; dpd / age at 2025-06-30 in the comments.

    A  A1 100000 current (dpd -20, age 10); A2 50000 part-paid 20000 -> 30000, dpd 30,
       age 60; A3 80000 dpd 91, age 121, paid only after as_of; A4 dated after as_of
       (ignored) but 5000 was paid against it before: unapplied at as_of.
    B  B1 40000 overpaid 45000 -> -5000, dpd 46, age 76; B2 credit note -15000, dpd 29,
       age 29; B3 70000 dpd 761, age 791.
    C  C1 25000 dpd 181 age 211; C2 12000 dpd 0 age 30; C3 3000 dpd 60 age 90; C4 4000
       dpd 90 age 120; C5 6000 dpd 180 age 210; C6 7000 dpd 365 age 395; C7 8000 dpd 366
       age 396 paid in full; 1000 paid against an unknown invoice id (unapplied).
    D  no invoice: 2500 unapplied cash, 9999 more after as_of (ignored).
    E  E1 10000 paid in full: every figure 0, so no row.
    """
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E"],
            "customer_name": ["Alpha Ltd", "Beta GmbH", "Gamma Inc", "Delta", "Epsilon"],
            "segment": ["Retail", "Wholesale", "Retail", None, "Wholesale"],
            "region": ["North", "South", None, None, "South"],
            "salesperson": ["Li", "", "Li", None, "Wang"],
        }
    )
    invoices = pd.DataFrame(
        [
            ("A1", "A", "2025-06-20", "2025-07-20", 100000),
            ("A2", "A", "2025-05-01", "2025-05-31", 50000),
            ("A3", "A", "2025-03-01", "2025-03-31", 80000),
            ("A4", "A", "2025-07-05", "2025-08-04", 999900),
            ("B1", "B", "2025-04-15", "2025-05-15", 40000),
            ("B2", "B", "2025-06-01", "2025-06-01", -15000),
            ("B3", "B", "2023-05-01", "2023-05-31", 70000),
            ("C1", "C", "2024-12-01", "2024-12-31", 25000),
            ("C2", "C", "2025-05-31", "2025-06-30", 12000),
            ("C3", "C", "2025-04-01", "2025-05-01", 3000),
            ("C4", "C", "2025-03-02", "2025-04-01", 4000),
            ("C5", "C", "2024-12-02", "2025-01-01", 6000),
            ("C6", "C", "2024-05-31", "2024-06-30", 7000),
            ("C7", "C", "2024-05-30", "2024-06-29", 8000),
            ("E1", "E", "2025-01-01", "2025-01-31", 10000),
        ],
        columns=["invoice_id", "customer_id", "invoice_date", "due_date", "amount_cents"],
    )
    payments = pd.DataFrame(
        [
            ("P1", "A", "A2", "2025-06-10", 20000),
            ("P2", "A", "A3", "2025-07-05", 80000),
            ("P3", "A", "A4", "2025-06-25", 5000),
            ("P4", "B", "B1", "2025-05-20", 45000),
            ("P5", "C", "C7", "2025-01-10", 8000),
            ("P6", "C", "NOPE", "2025-06-01", 1000),
            ("P7", "D", None, "2025-06-15", 2500),
            ("P8", "D", None, "2025-07-01", 9999),
            ("P9", "E", "E1", "2025-02-01", 10000),
        ],
        columns=["payment_id", "customer_id", "invoice_id", "payment_date", "amount_cents"],
    )
    for frame, columns in ((invoices, ["invoice_date", "due_date"]), (payments, ["payment_date"])):
        for column in columns:
            frame[column] = pd.to_datetime(frame[column])
    payments["invoice_id"] = payments["invoice_id"].astype("str")
    return Ledger.from_frames(customers, invoices, payments)


def random_ledger(
    seed: int, n_invoices: int = 500, n_payments: int = 600, scale: int = 1
) -> Ledger:
    """Invoices with credit notes; payments partial, in full, over, refunds, unapplied, unknown."""
    rng = np.random.default_rng(seed)
    n_customers = 25
    customer_ids = [f"C{i:03d}" for i in range(n_customers)]
    customers = pd.DataFrame(
        {
            "customer_id": customer_ids,
            "customer_name": [f"Customer {i}" for i in range(n_customers)],
            "segment": rng.choice(["Retail", "Wholesale", "Export", None, " "], n_customers),
            "region": rng.choice(["North", "South", None], n_customers),
            "salesperson": rng.choice(["Li", "Wang", "Zhao", ""], n_customers),
        }
    )
    base = np.datetime64("2023-01-01")
    inv_day = rng.integers(0, 730, n_invoices)
    inv_dates = base + inv_day.astype("timedelta64[D]")
    terms = rng.choice([0, 15, 30, 45, 60, 90], n_invoices)
    amounts = rng.integers(100, 2_000_000, n_invoices) * scale
    amounts = np.where(rng.random(n_invoices) < 0.08, -amounts // 5, amounts)
    invoices = pd.DataFrame(
        {
            "invoice_id": [f"INV{i:05d}" for i in range(n_invoices)],
            "customer_id": rng.choice(customer_ids[:-2], n_invoices),  # two customers: cash only
            "invoice_date": inv_dates,
            "due_date": inv_dates + terms.astype("timedelta64[D]"),
            "amount_cents": amounts,
        }
    )
    kind = rng.choice(["applied", "unapplied", "unknown"], n_payments, p=[0.75, 0.15, 0.10])
    target = rng.integers(0, n_invoices, n_payments)
    factor = rng.choice([1.0, 0.5, 0.3, 1.2, -0.1], n_payments)
    applied_amount = (invoices["amount_cents"].to_numpy()[target] * factor).astype(np.int64)
    free_amount = rng.integers(-50_000, 500_000, n_payments) * scale
    dates = np.where(
        kind == "applied",
        inv_dates[target] + rng.integers(-10, 200, n_payments).astype("timedelta64[D]"),
        base + rng.integers(0, 800, n_payments).astype("timedelta64[D]"),
    )
    invoice_ref = np.where(
        kind == "applied",
        invoices["invoice_id"].to_numpy()[target],
        np.where(kind == "unknown", "NOPE-" + pd.Series(target).astype(str).to_numpy(), None),
    )
    payments = pd.DataFrame(
        {
            "payment_id": [f"PAY{i:05d}" for i in range(n_payments)],
            "customer_id": np.where(
                kind == "applied",
                invoices["customer_id"].to_numpy()[target],
                rng.choice(customer_ids, n_payments),
            ),
            "invoice_id": pd.array(invoice_ref, dtype="str"),
            "payment_date": dates,
            "amount_cents": np.where(kind == "applied", applied_amount, free_amount),
        }
    )
    return Ledger.from_frames(customers, invoices, payments)
