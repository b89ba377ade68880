"""Review commands: `report` (the weekly review pack) and `snapshot` (record a week's figures).

    python -m creditdash report --as-of 2026-11-27 --out review.xlsx \\
        [--html review.html] [--pdf review.pdf] [--salesperson NAME] [--region NAME] \\
        [--lang en|zh]
    python -m creditdash snapshot --as-of 2026-11-27 [--weeks 8] [--replace]
"""

from __future__ import annotations

from pathlib import Path

from creditdash.cli.args import iso_date
from creditdash.i18n import LANGS


def register(sub) -> None:
    rp = sub.add_parser("report", help="the weekly review pack: XLSX, and HTML / PDF if asked")
    rp.add_argument("--as-of", type=iso_date, required=True, help="week-ending date")
    rp.add_argument("--out", type=Path, required=True, help="the XLSX workbook to write")
    rp.add_argument("--html", type=Path, help="also write the self-contained HTML report")
    rp.add_argument("--pdf", type=Path, help="also write the PDF (needs chromium)")
    rp.add_argument("--salesperson", help="filter the customer lists to one salesperson")
    rp.add_argument("--region", help="filter the customer lists to one region")
    rp.add_argument("--weeks", type=int, default=8, help="weeks of history for the trends")
    rp.add_argument(
        "--lang", choices=LANGS, default="en", help="language of the pack's texts (default: en)"
    )
    rp.add_argument(
        "--snapshot", action="store_true", help="record the week's snapshot first (if missing)"
    )
    rp.set_defaults(handler=cmd_report)

    sp = sub.add_parser("snapshot", help="record the weekly review snapshot of a date")
    sp.add_argument("--as-of", type=iso_date, help="week-ending date (default: the newest data)")
    sp.add_argument("--weeks", type=int, default=1, help="also record the weeks before (backfill)")
    sp.add_argument(
        "--replace", action="store_true", help="re-record a week already recorded from older data"
    )
    sp.set_defaults(handler=cmd_snapshot)


def cmd_report(args, ctx) -> int:
    from creditdash.audit import record_event
    from creditdash.auth import CLI
    from creditdash.collections import collections_inputs
    from creditdash.errors import InvalidArgument
    from creditdash.report import html_to_pdf, review_html, review_xlsx
    from creditdash.review import build_review, take_snapshot
    from creditdash.review.collections import collections_review

    if args.out.suffix.lower() != ".xlsx":
        raise InvalidArgument.coded(
            "error.cli.out_xlsx",
            "`--out` must name an .xlsx file. Got {path!r}.",
            path=str(args.out),
        )
    ledger = ctx.ledger
    if ledger.is_empty:
        raise InvalidArgument.coded(
            "error.cli.no_data_report", "There is no data to report on: import a ledger first."
        )
    if args.snapshot:
        take_snapshot(ctx.engine, ledger, args.as_of, trigger="cli")
    review = build_review(
        ledger,
        args.as_of,
        engine=ctx.engine,
        weeks=args.weeks,
        salesperson=args.salesperson,
        region=args.region,
    )
    section = collections_review(ledger, collections_inputs(ctx.engine), args.as_of)
    args.out.write_bytes(review_xlsx(review, lang=args.lang, collections=section))
    print(f"Wrote {args.out}", file=ctx.out)
    if args.html or args.pdf:
        page = review_html(review, lang=args.lang)
        if args.html:
            args.html.write_text(page, encoding="utf-8")
            print(f"Wrote {args.html}", file=ctx.out)
        if args.pdf:
            args.pdf.write_bytes(html_to_pdf(page))
            print(f"Wrote {args.pdf}", file=ctx.out)
    written = [str(p) for p in (args.out, args.html, args.pdf) if p]
    record_event(ctx.engine, CLI.who, "report_generated", "review_pack", args.as_of.isoformat(),
                 after={"files": written, "lang": args.lang})  # fmt: skip
    for note in review.notes:
        print(f"note: {note.render(args.lang)}", file=ctx.out)
    return 0


def cmd_snapshot(args, ctx) -> int:
    from creditdash.errors import InvalidArgument
    from creditdash.review import backfill_snapshots, take_snapshot

    ledger = ctx.ledger
    if ledger.is_empty:
        raise InvalidArgument.coded(
            "error.cli.no_data_snapshot", "There is no data to snapshot: import a ledger first."
        )
    as_of = args.as_of or ledger.last_date.date()
    if args.weeks > 1:
        infos = backfill_snapshots(ctx.engine, ledger, as_of, args.weeks)
    else:
        infos = [take_snapshot(ctx.engine, ledger, as_of, trigger="cli", replace=args.replace)]
    for info in infos:
        state = "recorded" if info.created else "already recorded"
        print(
            f"Week ending {info.week_ending:%Y-%m-%d}: {state} (snapshot #{info.snapshot_id}, "
            f"import #{info.import_id})",
            file=ctx.out,
        )
    return 0
