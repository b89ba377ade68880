"""The public sample ledger imports as-is and its aging matches a plain recomputation."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal

from creditdash.aging import aging
from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.store import load_ledger


def _plain_outstanding(path, as_of: date) -> Decimal:
    total = Decimal(0)
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            inv = datetime.strptime(row["InvoiceDate"], "%m/%d/%Y").date()
            settled = datetime.strptime(row["SettledDate"], "%m/%d/%Y").date()
            if inv <= as_of < settled:
                total += Decimal(row["InvoiceAmount"])
    return total


def test_sample_ledger_imports_as_is_and_ages_right(sqlite_engine, sample_path):
    summary = import_sources(sqlite_engine, [Source.from_path(sample_path)])
    assert summary.counts["invoices"].new == 2466
    assert summary.counts["payments"].new == 2466
    assert summary.counts["customers"].new == 100
    ledger = load_ledger(sqlite_engine)
    assert int(ledger.invoices["amount_cents"].sum()) == 14_770_318
    assert int(ledger.invoices["disputed"].sum()) == 561
    for as_of in (date(2012, 6, 30), date(2013, 3, 15), date(2013, 12, 31)):
        table = aging(ledger, as_of, by="customer")
        assert Decimal(int(table["total"].sum())) / 100 == _plain_outstanding(sample_path, as_of)
