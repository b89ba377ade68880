"""A 100k-row SAP FBL5N-style export (subtotal after every account, grand total) against a
plain 100k-row list of the same columns: the report layout may cost at most 1.5x."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HEADER = ["Account", "Assignment", "Document Number", "Document Type", "Document Date",
          "Net due date", "Arrears after net due date", "Amount in local currency",
          "Local Currency", "Clearing Document"]  # fmt: skip


def items(n: int, accounts: int, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    account = np.sort(rng.integers(0, accounts, n))
    doc_date = pd.Timestamp("2025-06-30") - pd.to_timedelta(rng.integers(1, 400, n), unit="D")
    due = doc_date + pd.to_timedelta(rng.choice([30, 45, 60], n), unit="D")
    cents = rng.integers(1_000, 5_000_000, n)
    return pd.DataFrame(
        {
            "Account": [f"1{a:07d}" for a in account],
            "Assignment": "PO",
            "Document Number": [f"{9_000_000_000 + i}" for i in range(n)],
            "Document Type": "RV",
            "Document Date": doc_date.strftime("%Y-%m-%d"),
            "Net due date": due.strftime("%Y-%m-%d"),
            "Arrears after net due date": (pd.Timestamp("2025-06-30") - due).days,
            "Amount in local currency": cents / 100,
            "Local Currency": "EUR",
            "Clearing Document": "",
        }
    )


def with_subtotals(frame: pd.DataFrame) -> pd.DataFrame:
    """A subtotal row (amount and currency only) after each account, the grand total last."""
    parts = []
    cents = (frame["Amount in local currency"] * 100).round().astype("int64")
    for _account, block in frame.groupby("Account", sort=False):
        parts.append(block)
        total = int(cents[block.index].sum())
        parts.append(_total_row(total))
    parts.append(_total_row(int(cents.sum())))
    return pd.concat(parts, ignore_index=True)


def _total_row(cents: int) -> pd.DataFrame:
    row: dict[str, object] = dict.fromkeys(HEADER, "")
    row["Amount in local currency"] = cents / 100
    row["Local Currency"] = "EUR"
    return pd.DataFrame([row])


def run(report) -> None:
    from creditdash.importing import import_sources
    from creditdash.ingest import Source
    from creditdash.store import open_store

    plain = items(100_000, 2_000)
    report_layout = with_subtotals(plain)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = {}
        for name, frame in (("plain", plain), ("fbl5n", report_layout)):
            paths[name] = folder / f"{name}.xlsx"
            frame.to_excel(paths[name], index=False, engine="xlsxwriter")
        seconds = {}
        for name, path in paths.items():
            engine = open_store(f"sqlite:///{folder / (name + '.sqlite')}")
            source = Source.from_path(path)
            t0 = time.perf_counter()
            import_sources(engine, [source], reporting_currency="EUR", as_of=None)
            seconds[name] = time.perf_counter() - t0
            engine.dispose()
    print(f"{'plain 100k-row list of the same columns, import':<58} {seconds['plain']:8.3f} s")
    ratio = seconds["fbl5n"] / seconds["plain"]
    report(
        "FBL5N-style 100k rows with 2,000 subtotals, import",
        seconds["fbl5n"],
        "<= 1.5x the plain list",
        ratio,
        ratio <= 1.5,
    )
