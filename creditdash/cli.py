"""The command line: `python -m creditdash COMMAND ...`.

Exit codes: 0 success, 1 a creditdash error (message printed), 2 bad usage,
3 data rejected (every problem printed, nothing written).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date
from pathlib import Path

from creditdash.errors import CreditDashError, ImportRejected
from creditdash.settings import Settings

EXIT_ERROR, EXIT_USAGE, EXIT_REJECTED = 1, 2, 3


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _edges(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected whole numbers of days separated by commas, e.g. 30,60,90; got {text!r}"
        ) from None


def _mapping(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f'expected "HEADER=field", got {text!r}')
    header, field = text.rsplit("=", 1)
    return header.strip(), field.strip()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m creditdash", description=__doc__.splitlines()[0])
    p.add_argument(
        "--db", help="database URL (default: CREDITDASH_DB_URL, else data/creditdash.sqlite)"
    )
    sub = p.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="import ledger, open-items, customer or rate files")
    imp.add_argument("paths", nargs="+", type=Path)
    imp.add_argument("--as-of", type=_date, help="export date of open-items snapshots")
    imp.add_argument(
        "--complete", action="store_true", help="the snapshot lists every open invoice"
    )
    imp.add_argument("--map", action="append", type=_mapping, default=[], metavar="HEADER=field")
    imp.add_argument("--sheet", help="read only this sheet")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    ag = sub.add_parser("aging", help="receivables aging at an as-of date")
    ag.add_argument("--as-of", type=_date, required=True)
    ag.add_argument("--basis", choices=["due", "invoice"], default="due")
    ag.add_argument("--edges", type=_edges, default=(30, 60, 90, 180, 365))
    ag.add_argument(
        "--by", choices=["customer", "segment", "region", "salesperson", "none"], default="customer"
    )
    ag.add_argument("--format", choices=["csv", "json", "table"], default="table")
    ag.add_argument("--out", type=Path)

    kp = sub.add_parser("kpis", help="DSO family and the other ledger KPIs")
    kp.add_argument("--as-of", type=_date, required=True)
    kp.add_argument("--window-days", type=int, default=90)
    kp.add_argument("--format", choices=["json", "table"], default="table")

    sub.add_parser("imports", help="list imports, newest first")
    rb = sub.add_parser("rollback", help="undo one import")
    rb.add_argument("import_id", type=int)

    demo = sub.add_parser("demo", help="load the demo company (writes its files under data/)")
    demo.add_argument("--out", type=Path, help="folder for the demo files (default data/)")
    return p


def main(argv: list[str] | None = None, stdout=None) -> int:
    out = stdout or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    settings = Settings.from_env()
    db_url = args.db or settings.db_url
    try:
        return COMMANDS[args.command](args, db_url, settings, out)
    except ImportRejected as rejected:
        for problem in rejected.problems:
            print(problem, file=out)
        print(f"Rejected: {len(rejected.errors)} error(s); nothing was written.", file=out)
        return EXIT_REJECTED
    except CreditDashError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_ERROR


def _engine(db_url: str):
    from creditdash.store import open_store

    return open_store(db_url)


def _ledger(db_url: str, settings: Settings):
    from creditdash.store import load_ledger

    return load_ledger(_engine(db_url), settings.reporting_currency)


def cmd_import(args, db_url, settings, out) -> int:
    from creditdash.ingest import Source
    from creditdash.store import import_sources

    missing = [str(p) for p in args.paths if not p.is_file()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    summary = import_sources(
        _engine(db_url),
        [Source.from_path(p) for p in args.paths],
        reporting_currency=settings.reporting_currency,
        as_of=args.as_of,
        complete=args.complete,
        overrides=dict(args.map) or None,
        sheet=args.sheet,
        default_terms_days=settings.default_terms_days,
        max_bytes=settings.max_upload_mb * 2**20,
        dry_run=args.dry_run,
    )
    print("\n".join(summary.lines()), file=out)
    return 0


def _money_rows(frame, money_columns) -> list[dict]:
    from creditdash.money import format_cents

    rows = []
    for rec in frame.to_dict("records"):
        rows.append({k: (format_cents(v) if k in money_columns else v) for k, v in rec.items()})
    return rows


def _write_table(rows: list[dict], columns: list[str], fmt: str, out) -> None:
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        return
    if fmt == "csv":
        from creditdash.exports import safe_cell

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([safe_cell(r[c]) for c in columns])
        return
    cells = [[str(r[c]) for c in columns] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)), file=out)
    for row in cells:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)), file=out)


def cmd_aging(args, db_url, settings, out) -> int:
    from creditdash.aging import aging, bucket_labels

    table = aging(
        _ledger(db_url, settings), args.as_of, basis=args.basis, edges=args.edges, by=args.by
    )
    money = [*bucket_labels(args.edges, args.basis), "unapplied", "total"]
    rows = _money_rows(table, set(money))
    columns = list(table.columns)
    if args.out:
        with open(args.out, "w", encoding="utf-8-sig" if args.format == "csv" else "utf-8") as fh:
            _write_table(rows, columns, args.format, fh)
        print(f"Wrote {len(rows)} row(s) to {args.out}", file=out)
    else:
        _write_table(rows, columns, args.format, out)
    return 0


def cmd_kpis(args, db_url, settings, out) -> int:
    from creditdash.kpis import kpis

    figures = kpis(_ledger(db_url, settings), args.as_of, window_days=args.window_days)
    if args.format == "json":
        json.dump(figures, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    else:
        width = max(len(k) for k in figures)
        for k, v in figures.items():
            print(f"{k.ljust(width)}  {'-' if v is None else v}", file=out)
    return 0


def cmd_imports(args, db_url, settings, out) -> int:
    from creditdash.store import list_imports

    table = list_imports(_engine(db_url))
    if table.empty:
        print("No imports yet.", file=out)
        return 0
    for r in table.itertuples():
        when = r.started_at.strftime("%Y-%m-%d %H:%M:%S")
        state = "" if r.status == "applied" else f"  [{r.status}]"
        print(
            f"#{r.import_id}  {when}  {r.file_names}  read {r.rows_read}, new {r.rows_new}, "
            f"changed {r.rows_changed}, unchanged {r.rows_unchanged}{state}",
            file=out,
        )
    return 0


def cmd_rollback(args, db_url, settings, out) -> int:
    from creditdash.store import rollback

    done = rollback(_engine(db_url), args.import_id)
    parts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in done.items())
    print(f"Import #{args.import_id} rolled back: {parts}.", file=out)
    return 0


def cmd_demo(args, db_url, settings, out) -> int:
    from creditdash.store import load_demo

    summary = load_demo(_engine(db_url), args.out, reporting_currency=settings.reporting_currency)
    print("\n".join(summary.lines()), file=out)
    return 0


COMMANDS = {
    "import": cmd_import,
    "aging": cmd_aging,
    "kpis": cmd_kpis,
    "imports": cmd_imports,
    "rollback": cmd_rollback,
    "demo": cmd_demo,
}
