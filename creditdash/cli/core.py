"""Ledger commands: import, aging, kpis, imports, rollback, demo."""

from __future__ import annotations

import sys
from pathlib import Path

from creditdash.auth import CLI
from creditdash.cli.args import day_list, header_mapping, iso_date, write_figures, write_rows

EXIT_USAGE = 2


def register(sub) -> None:
    imp = sub.add_parser("import", help="import ledger, open-items, customer or rate files")
    imp.add_argument("paths", nargs="+", type=Path)
    imp.add_argument("--as-of", type=iso_date, help="export date of open-items snapshots")
    imp.add_argument(
        "--complete", action="store_true", help="the snapshot lists every open invoice"
    )
    imp.add_argument(
        "--map", action="append", type=header_mapping, default=[], metavar="HEADER=field"
    )
    imp.add_argument("--sheet", help="read only this sheet")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.set_defaults(handler=cmd_import)

    ag = sub.add_parser("aging", help="receivables aging at an as-of date")
    ag.add_argument("--as-of", type=iso_date, required=True)
    ag.add_argument("--basis", choices=["due", "invoice"], default="due")
    ag.add_argument("--edges", type=day_list, default=(30, 60, 90, 180, 365))
    ag.add_argument(
        "--by", choices=["customer", "segment", "region", "salesperson", "none"], default="customer"
    )
    ag.add_argument("--format", choices=["csv", "json", "table"], default="table")
    ag.add_argument("--out", type=Path)
    ag.set_defaults(handler=cmd_aging)

    kp = sub.add_parser("kpis", help="DSO family and the other ledger KPIs")
    kp.add_argument("--as-of", type=iso_date, required=True)
    kp.add_argument("--window-days", type=int, default=90)
    kp.add_argument("--format", choices=["json", "table"], default="table")
    kp.set_defaults(handler=cmd_kpis)

    sub.add_parser("imports", help="list imports, newest first").set_defaults(handler=cmd_imports)
    rb = sub.add_parser("rollback", help="undo one import")
    rb.add_argument("import_id", type=int)
    rb.set_defaults(handler=cmd_rollback)

    demo = sub.add_parser("demo", help="load the demo company (writes its files under data/)")
    demo.add_argument("--out", type=Path, help="folder for the demo files (default data/)")
    demo.set_defaults(handler=cmd_demo)


def cmd_import(args, ctx) -> int:
    from creditdash.ingest import Source
    from creditdash.store import import_sources

    missing = [str(p) for p in args.paths if not p.is_file()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    s = ctx.settings
    summary = import_sources(
        ctx.engine,
        [Source.from_path(p) for p in args.paths],
        reporting_currency=s.reporting_currency,
        as_of=args.as_of,
        complete=args.complete,
        overrides=dict(args.map) or None,
        sheet=args.sheet,
        default_terms_days=s.default_terms_days,
        max_bytes=s.max_upload_mb * 2**20,
        dry_run=args.dry_run,
        actor=CLI,
    )
    print("\n".join(summary.lines()), file=ctx.out)
    return 0


def cmd_aging(args, ctx) -> int:
    from creditdash.aging import aging, bucket_labels
    from creditdash.money import format_cents

    table = aging(ctx.ledger, args.as_of, basis=args.basis, edges=args.edges, by=args.by)
    money = {*bucket_labels(args.edges, args.basis), "unapplied", "total"}
    rows = [
        {k: (format_cents(v) if k in money else v) for k, v in rec.items()}
        for rec in table.to_dict("records")
    ]
    columns = list(table.columns)
    if args.out:
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        with open(args.out, "w", encoding=encoding, newline="") as fh:
            write_rows(rows, columns, args.format, fh)
        print(f"Wrote {len(rows)} row(s) to {args.out}", file=ctx.out)
    else:
        write_rows(rows, columns, args.format, ctx.out)
    return 0


def cmd_kpis(args, ctx) -> int:
    from creditdash.kpis import kpis

    write_figures(kpis(ctx.ledger, args.as_of, window_days=args.window_days), args.format, ctx.out)
    return 0


def cmd_imports(args, ctx) -> int:
    from creditdash.store import list_imports

    table = list_imports(ctx.engine)
    if table.empty:
        print("No imports yet.", file=ctx.out)
        return 0
    for r in table.itertuples():
        when = r.started_at.strftime("%Y-%m-%d %H:%M:%S")
        state = "" if r.status == "applied" else f"  [{r.status}]"
        print(
            f"#{r.import_id}  {when}  {r.file_names}  read {r.rows_read}, new {r.rows_new}, "
            f"changed {r.rows_changed}, unchanged {r.rows_unchanged}{state}",
            file=ctx.out,
        )
    return 0


def cmd_rollback(args, ctx) -> int:
    from creditdash.store import rollback

    done = rollback(ctx.engine, args.import_id, actor=CLI)
    parts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in done.items())
    print(f"Import #{args.import_id} rolled back: {parts}.", file=ctx.out)
    return 0


def cmd_demo(args, ctx) -> int:
    from creditdash.store import load_demo

    summary = load_demo(ctx.engine, args.out, reporting_currency=ctx.settings.reporting_currency)
    print("\n".join(summary.lines()), file=ctx.out)
    return 0
