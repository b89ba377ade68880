"""The import boundary: what ingest hands over is held to the canonical frames' contracts once."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pandera.pandas as pa
import pytest

from creditdash.importing import import_sources, list_imports, plan
from creditdash.ingest import Source, parse_sources

LEDGER = (
    "Invoice No,Customer ID,Invoice Date,Amount\nX1,C1,2024-01-05,100.00\nX2,C1,2024-01-06,50\n"
)


def test_frames_from_ingest_are_canonical_when_the_import_takes_them(sqlite_engine):
    batch = plan.parse(
        sqlite_engine, [Source("a.csv", LEDGER.encode())],
        reporting_currency="CNY", default_terms_days=30,
    )  # fmt: skip
    assert list(batch.invoices["invoice_id"]) == ["X1", "X2"]
    assert batch.invoices.index.equals(pd.RangeIndex(2))
    assert str(batch.invoices["due_date"].dtype) == "datetime64[us]"


def test_a_frame_that_breaks_its_contract_stops_the_import_before_anything_is_written(
    sqlite_engine, monkeypatch
):
    def duplicated(sources, **options):  # ingest letting a repeated invoice id through
        batch = parse_sources(sources, **options)
        twice = pd.concat([batch.invoices, batch.invoices.head(1)], ignore_index=True)
        return replace(batch, invoices=twice)

    monkeypatch.setattr(plan, "parse_sources", duplicated)
    with pytest.raises(pa.errors.SchemaErrors, match="field_uniqueness"):
        import_sources(sqlite_engine, [Source("a.csv", LEDGER.encode())])
    assert list_imports(sqlite_engine).empty
