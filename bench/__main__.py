"""Prints each speed figure beside its target. Run with `make bench`.

`python -m bench SECTION...` runs only some sections: aging, import, load, pg,
risk, forecast, terms, report, layouts, hostile, collections, app. `--invoices N`
sets the size of `load` (default 1,000,000) and `pg` (default 10,000,000).
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

from bench.synthetic import synthetic_frames, synthetic_ledger

ROWS: list[tuple[str, str, str, str]] = []


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def report(name: str, seconds: float, target: str, ratio: float, ok: bool, unit: str = "s") -> None:
    """Print a figure (seconds, or another `unit`) beside its target and their ratio."""
    verdict = f"{ratio:6.2f} {'ok' if ok else 'MISSED'}"
    ROWS.append((name, f"{seconds:8.3f} {unit}", target, verdict))
    print(f"{name:<58} {seconds:8.3f} {unit:<2}  target {target:<28} ratio {verdict}", flush=True)


def bench_aging_kpis() -> None:
    from creditdash.aging import aging
    from creditdash.kpis import kpis

    ledger = synthetic_ledger(1_000_000, 10_000)
    as_of = date(2023, 6, 30)
    inv = ledger.invoices
    floor = timed(lambda: inv.groupby("customer_id")["amount_cents"].sum(), repeat=5)
    first = timed(lambda: aging(ledger, as_of, by="customer"))
    warm = timed(lambda: aging(ledger, date(2023, 5, 31), by="customer"), repeat=5)
    print(f"{'pandas groupby-sum floor (1M invoices)':<58} {floor:8.3f} s")
    report(
        "aging 1M invoices / 1M payments, first call (builds arrays)",
        first,
        "(reported)",
        first / floor,
        True,
    )
    report(
        "aging 1M invoices / 1M payments, warm",
        warm,
        "<= 2x groupby floor",
        warm / floor,
        warm <= 2 * floor,
    )
    all_kpis = timed(lambda: kpis(ledger, as_of), repeat=3)
    report("all KPIs, 1M invoices", all_kpis, "< 1 s", all_kpis / 1.0, all_kpis < 1.0)


def bench_imports(workdir: Path) -> None:
    from creditdash.importing import import_sources
    from creditdash.ingest import Source, parse_sources
    from creditdash.store import open_store

    _customers, invoices, payments = synthetic_frames(1_000_000, 10_000, seed=2)
    settled = payments.dropna(subset=["invoice_id"]).set_index("invoice_id")["payment_date"]
    csv = pd.DataFrame(
        {
            "Invoice No": invoices["invoice_id"],
            "Customer ID": invoices["customer_id"],
            "Invoice Date": invoices["invoice_date"].dt.strftime("%Y-%m-%d"),
            "Due Date": invoices["due_date"].dt.strftime("%Y-%m-%d"),
            "Amount": (invoices["amount_cents"] / 100).map("{:.2f}".format),
            "Settled Date": invoices["invoice_id"].map(settled).dt.strftime("%Y-%m-%d"),
        }
    )
    csv_path = workdir / "ledger_1m.csv"
    csv.to_csv(csv_path, index=False)
    engine = open_store(f"sqlite:///{workdir / 'bench.sqlite'}")
    seconds = timed(lambda: import_sources(engine, [Source.from_path(csv_path)]))
    report(
        "CSV import 1M invoice rows into SQLite, end to end",
        seconds,
        "< 60 s",
        seconds / 60,
        seconds < 60,
    )
    engine.dispose()

    head = csv.head(100_000)
    xlsx_path = workdir / "ledger_100k.xlsx"
    head.to_excel(xlsx_path, index=False, engine="xlsxwriter")
    floor = timed(lambda: pd.read_excel(xlsx_path, engine="calamine", dtype=str), repeat=2)
    print(f"{'pandas calamine read of the same 100k-row xlsx':<58} {floor:8.3f} s")
    source = Source.from_path(xlsx_path)
    parse = timed(lambda: parse_sources([source]), repeat=2)
    report(
        "XLSX 100k rows read and parsed (no database)",
        parse,
        "<= 1.5x calamine read",
        parse / floor,
        parse <= 1.5 * floor,
    )
    engine = open_store(f"sqlite:///{workdir / 'bench_xlsx.sqlite'}")
    seconds = timed(lambda: import_sources(engine, [Source.from_path(xlsx_path)]))
    report(
        "XLSX import 100k rows, end to end into SQLite",
        seconds,
        "(reported)",
        seconds / floor,
        True,
    )
    engine.dispose()


def _invoices(args: list[str]) -> tuple[list[str], int | None]:
    """The arguments without `--invoices N`, and N (None when not given)."""
    if "--invoices" not in args:
        return args, None
    at = args.index("--invoices")
    return args[:at] + args[at + 2 :], int(args[at + 1].replace("_", "").replace(",", ""))


def compiled() -> None:
    """Write the bytecode of the project's modules, as Python does when it first imports them:
    every process the bench starts then reads it, as the app does from its second start on.
    (Where PYTHONDONTWRITEBYTECODE is set, each process would compile them from source.)"""
    import compileall

    root = Path(__file__).resolve().parent.parent
    t0 = time.perf_counter()
    for folder in ("creditdash", "ui", "bench"):
        compileall.compile_dir(root / folder, quiet=1)
    print(f"{'the bytecode of the modules, written (not timed below)':<58} "
          f"{time.perf_counter() - t0:8.3f} s")  # fmt: skip


def main() -> int:
    args, invoices = _invoices(sys.argv[1:])
    compiled()
    only = set(args)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        if not only or "aging" in only:
            bench_aging_kpis()
        if not only or "import" in only:
            bench_imports(Path(tmp))
        if not only or "load" in only:
            from bench.bigload import run_sqlite

            run_sqlite(report, Path(tmp), invoices or 1_000_000)
        if not only or "pg" in only:
            from bench.bigload import run_pg

            run_pg(report, Path(tmp), invoices or 10_000_000)
        for section in (
            "risk",
            "forecast",
            "terms",
            "report",
            "layouts",
            "hostile",
            "collections",
        ):
            if not only or section in only:
                importlib.import_module(f"bench.{section}").run(report)
        if not only or "app" in only:
            from bench.app import bench_app

            bench_app(Path(tmp), report)
    print("\nsummary")
    for row in ROWS:
        print("  " + " | ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
