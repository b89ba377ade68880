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
    imp.add_argument(
        "--header-row", type=int, metavar="N", help="the header is on Excel row N (1 = first)"
    )
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.add_argument(
        "--profile",
        metavar="NAME",
        help="read the files with this saved import profile; with --map or --header-row, "
        "save the corrected mapping under NAME",
    )
    imp.set_defaults(handler=cmd_import)
    pr = sub.add_parser("profiles", help="list the saved import profiles")
    pr.add_argument("--delete", metavar="NAME", help="delete this profile")
    pr.add_argument("--rename", nargs=2, metavar=("NAME", "NEW_NAME"), help="rename a profile")
    pr.set_defaults(handler=cmd_profiles)

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
    from creditdash.importing import import_sources
    from creditdash.importing.profiles import load_profiles, save_profile
    from creditdash.ingest import Source, propose_mappings
    from creditdash.ingest.profiles import apply_profiles, corrected, profile_of

    missing = [str(p) for p in args.paths if not p.is_file()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    s = ctx.settings
    sources = [Source.from_path(p) for p in args.paths]
    proposals = propose_mappings(sources, sheet=args.sheet)
    profiles = load_profiles(ctx.engine)
    corrects = bool(args.map or args.header_row)
    named = args.profile if args.profile in {p.name for p in profiles} or not corrects else None
    mappings = None
    if named is not None or (profiles and args.header_row is None):
        mappings = apply_profiles(proposals, sources, profiles, only=named)
    summary = import_sources(
        ctx.engine,
        sources,
        reporting_currency=s.reporting_currency,
        as_of=args.as_of,
        complete=args.complete,
        overrides=dict(args.map) or None,
        mappings=mappings,
        sheet=args.sheet,
        default_terms_days=s.default_terms_days,
        max_bytes=s.max_upload_mb * 2**20,
        header_row=args.header_row,
        dry_run=args.dry_run,
        actor=CLI,
    )
    print("\n".join(summary.lines()), file=ctx.out)
    if not args.dry_run:
        for used in corrected(proposals, summary.mappings):
            profile = profile_of(used, args.profile or used.profile)
            if save_profile(ctx.engine, CLI, profile):
                print(f"Saved how this file is read as the import profile {profile.name!r}.",
                      file=ctx.out)  # fmt: skip
    return 0


def cmd_profiles(args, ctx) -> int:
    from creditdash.importing.profiles import (
        PROFILE_COLUMNS,
        delete_profile,
        list_profiles,
        rename_profile,
    )

    if args.delete:
        delete_profile(ctx.engine, CLI, args.delete)
    if args.rename:
        rename_profile(ctx.engine, CLI, *args.rename)
    rows = list_profiles(ctx.engine).astype({"saved_at": "str"}).to_dict("records")
    write_rows(rows, PROFILE_COLUMNS, "table", ctx.out)
    return 0


def cmd_aging(args, ctx) -> int:
    from creditdash.aging import aging, bucket_labels

    table = aging(ctx.ledger, args.as_of, basis=args.basis, edges=args.edges, by=args.by)
    money = {*bucket_labels(args.edges, args.basis), "unapplied", "total", "retention"}
    shown = table.assign(**{c: _cents_text(table[c]) for c in table.columns if c in money})
    rows = shown.to_dict("records")
    columns = list(table.columns)
    if args.out:
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        with open(args.out, "w", encoding=encoding, newline="") as fh:
            write_rows(rows, columns, args.format, fh)
        print(f"Wrote {len(rows)} row(s) to {args.out}", file=ctx.out)
    else:
        write_rows(rows, columns, args.format, ctx.out)
    return 0


def _cents_text(cents) -> list[str]:
    """`money.format_cents` of a whole column at once (a big book has 100,000 figures)."""
    import numpy as np

    values = cents.to_numpy(dtype=np.int64)
    units, rest = np.divmod(np.abs(values), 100)
    text = np.char.add(np.where(values < 0, "-", ""), units.astype(str))
    return np.char.add(np.char.add(text, "."), np.char.zfill(rest.astype(str), 2)).tolist()


def cmd_kpis(args, ctx) -> int:
    from creditdash.kpis import kpis

    figures = kpis(ctx.ledger, args.as_of, window_days=args.window_days)
    write_figures(figures.as_dict(), args.format, ctx.out)
    return 0


def cmd_imports(args, ctx) -> int:
    from creditdash.store.load import list_imports

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
    from creditdash.importing import rollback

    done = rollback(ctx.engine, args.import_id, actor=CLI)
    parts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in done.items())
    print(f"Import #{args.import_id} rolled back: {parts}.", file=ctx.out)
    return 0


def cmd_demo(args, ctx) -> int:
    from creditdash.importing import load_demo

    summary = load_demo(ctx.engine, args.out, reporting_currency=ctx.settings.reporting_currency)
    print("\n".join(summary.lines()), file=ctx.out)
    return 0
