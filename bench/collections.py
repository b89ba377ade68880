"""Collections speed: the worklist for 100k customers / 10M invoices (target < 5 s warm) and
statements for 1,000 customers as PDF (target < 2 minutes).

Warm is the worklist once the ledger's arrays and the risk table (grades and PDs, which the
app computes once per as-of date and shares with the risk page) exist: the open items, the
judged promises, the stages, the priority and the records. `BENCH_COLLECTIONS_INVOICES`
sets a smaller ledger (e.g. 1000000) for a quick run. Statements: one PDF holding all
1,000 (what a bulk run prints and posts), printed by one chromium; then single files for
the first 50, which is how a dunning run attaches them to emails (`PdfPrinter.print_all`:
several in flight in tabs of the same chromium).
"""

from __future__ import annotations

import os
import time
from datetime import date

import numpy as np
import pandas as pd


def _inputs(ledger, policy, n_customers: int):
    """Records a busy team would have: a promise, a dispute, contacts and sends for 1% each."""
    from dataclasses import replace

    from creditdash.collections.worklist import CollectionsInputs

    rng = np.random.default_rng(5)
    ids = ledger.customers["customer_id"].to_numpy()
    some = rng.choice(ids, n_customers // 100, replace=False)
    day = pd.Timestamp("2023-06-20")
    promises = pd.DataFrame({
        "promise_id": np.arange(len(some)), "customer_id": some,
        "amount_cents": rng.integers(10_000, 1_000_000, len(some)),
        "promised_date": day, "made_on": day - pd.Timedelta(days=10),
        "invoice_ids": [()] * len(some), "note": "", "recorded_by": "b", "recorded_at": day,
    })  # fmt: skip
    invoices = ledger.invoices["invoice_id"].to_numpy()
    disputed = rng.choice(invoices, len(some), replace=False)
    owners = ledger.invoices.set_index("invoice_id").loc[disputed, "customer_id"].to_numpy()
    disputes = pd.DataFrame({
        "dispute_id": np.arange(len(some)), "invoice_id": disputed, "customer_id": owners,
        "reason": "price", "owner": "b", "note": "", "opened_on": day, "opened_by": "b",
        "resolution": None, "resolved_on": pd.NaT, "resolved_by": None, "resolution_note": None,
    })  # fmt: skip
    contacts = pd.DataFrame({
        "contact_id": np.arange(len(some)), "customer_id": some, "kind": "call",
        "outcome": "ok", "note": "", "contact_date": day, "recorded_by": "b", "recorded_at": day,
    })  # fmt: skip
    base = CollectionsInputs.empty(policy)
    return replace(base, promises=promises, disputes=disputes, contacts=contacts)


def bench_worklist(report) -> None:
    from bench.synthetic import synthetic_frames
    from creditdash.collections.worklist import worklist
    from creditdash.ledger import Ledger, ledger_arrays
    from creditdash.risk.assess import risk_table
    from creditdash.risk.policy import default_policy

    n_invoices = int(os.environ.get("BENCH_COLLECTIONS_INVOICES", 10_000_000))
    n_customers = 100_000
    label = f"{n_customers // 1000}k customers / {n_invoices / 1e6:g}M invoices"
    ledger = Ledger.from_frames(*synthetic_frames(n_invoices, n_customers))
    ledger_arrays(ledger)
    policy = default_policy()
    as_of = date(2023, 6, 30)
    t0 = time.perf_counter()
    risk = risk_table(ledger, as_of, policy)
    risk["pd"] = np.clip(risk["score"].rsub(100) / 200, 0, 1)  # a PD per customer, as a model's
    print(f"{'risk table for the worklist (cached in the app, not timed)':<58} "
          f"{time.perf_counter() - t0:8.3f} s")  # fmt: skip
    inputs = _inputs(ledger, policy, n_customers)
    t0 = time.perf_counter()
    first = worklist(ledger, as_of, inputs, risk)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = worklist(ledger, date(2023, 6, 29), inputs, risk)
    warm = time.perf_counter() - t0
    assert len(first.rows) > 1000 and len(again.rows) > 1000
    report(f"worklist {label}, first call", cold, "(reported)", cold / 5, True)
    report(f"worklist {label}, warm", warm, "< 5 s", warm / 5, warm < 5)


def bench_statements(report) -> None:
    from bench.synthetic import synthetic_frames
    from creditdash.collections.documents import Letterhead, statements_at
    from creditdash.collections.printing import PdfPrinter
    from creditdash.collections.render import bulk_html, statement_html
    from creditdash.ledger import Ledger
    from creditdash.report.pdf import find_chromium
    from creditdash.risk.policy import default_policy

    if find_chromium() is None:
        print(f"{'statements as PDF: skipped, chromium is not installed':<58}")
        return
    ledger = Ledger.from_frames(*synthetic_frames(100_000, 1_000, seed=3))
    head = Letterhead("上海某某科技有限公司", ("上海市浦东新区 1 号", "开户行 工商银行 账号 1001"))
    t0 = time.perf_counter()
    statements = statements_at(ledger, date(2023, 6, 30), default_policy(), letterhead=head)
    documents = list(statements.values())[:1000]
    with PdfPrinter() as printer:
        pdf = printer.print_html(bulk_html(documents, "zh"))
        bulk = time.perf_counter() - t0
        assert pdf.startswith(b"%PDF")
        t0 = time.perf_counter()
        singles = printer.print_all([statement_html(s, "zh") for s in documents[:50]])
        single = time.perf_counter() - t0
        assert len(singles) == 50 and all(one.startswith(b"%PDF") for one in singles)
    report(f"{len(documents)} statements as one PDF (zh), from the ledger", bulk, "< 120 s",
           bulk / 120, bulk < 120)  # fmt: skip
    report("50 statements as single PDFs (email attachments)", single, "(reported)",
           single / 50, True)  # fmt: skip


def run(report) -> None:
    bench_worklist(report)
    bench_statements(report)
