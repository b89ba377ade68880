"""Risk commands: risk (one row per customer), alerts (the watchlist), import-bureau,
hold / release (a customer's credit status) and check-order."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from creditdash.cli.args import header_mapping, iso_date, write_figures, write_rows

EXIT_USAGE = 2
HOLD_CHOICES = ("warn", "hold", "cash_in_advance")
ACTION_ALIASES = {"hold_orders": "hold", "cash": "cash_in_advance", "prepay": "cash_in_advance"}


def _hold_action(text: str) -> str:
    return ACTION_ALIASES.get(text, text)


def _confirm_row(text: str) -> int | tuple[str, int]:
    """`ROW` (that row of every file) or `FILE:ROW`."""
    name, _, number = text.rpartition(":")
    try:
        return (name, int(number)) if name else int(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected ROW or "FILE:ROW", got {text!r}') from None


def _amount(text: str) -> int:
    from creditdash.money import to_cents

    try:
        return to_cents(text.replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an amount such as 12500.00, got {text!r}"
        ) from None


def register(sub) -> None:
    rk = sub.add_parser(
        "risk",
        help="score, grade, PD and recommended limit per customer",
        description="Score, grade, PD and recommended limit per customer. "
        "pd: chance of an invoice 90+ days past due within 12 months "
        "(1 = the customer already has one); empty when no PD model can be fitted.",
    )
    rk.add_argument("--as-of", type=iso_date, required=True)
    rk.add_argument("--format", choices=["csv", "json", "table"], default="table")
    rk.add_argument("--no-pd", action="store_true", help="skip the PD model (scorecard only)")
    rk.add_argument("--out", type=Path)
    rk.set_defaults(handler=cmd_risk)

    al = sub.add_parser("alerts", help="the credit policy's rules evaluated into a watchlist")
    al.add_argument("--as-of", type=iso_date, required=True)
    al.add_argument("--format", choices=["csv", "json", "table"], default="table")
    al.set_defaults(handler=cmd_alerts)

    hd = sub.add_parser("hold", help="apply a credit action to a customer (credit status)")
    hd.add_argument("customer")
    hd.add_argument("--action", type=_hold_action, choices=HOLD_CHOICES, default="hold",
                    help="warn, hold (new orders; also hold_orders) or cash_in_advance")  # fmt: skip
    hd.add_argument("--reason", required=True)
    hd.add_argument("--rule", help="the watchlist rule that prompted the action")
    hd.add_argument("--who", default="cli", help="who decides (kept with the change)")
    hd.set_defaults(handler=cmd_hold)

    rl = sub.add_parser("release", help="clear a customer's credit status")
    rl.add_argument("customer")
    rl.add_argument("--reason", required=True)
    rl.add_argument("--who", default="cli", help="who decides (kept with the change)")
    rl.set_defaults(handler=cmd_release)

    co = sub.add_parser("check-order", help="may a new order go ahead: allow, hold or prepay")
    co.add_argument("customer")
    co.add_argument("--amount", type=_amount, required=True, help="order amount, e.g. 12500.00")
    co.add_argument("--as-of", type=iso_date, required=True)
    co.add_argument("--format", choices=["json", "table"], default="table")
    co.set_defaults(handler=cmd_check_order)

    ib = sub.add_parser("import-bureau", help="import third-party credit report files")
    ib.add_argument("paths", nargs="+", type=Path)
    ib.add_argument("--provider", help="provider name when the file has no provider column")
    ib.add_argument("--report-date", type=iso_date, help="date of reports without a date column")
    ib.add_argument("--scale", help="score scale such as 0-100 or 300-850")
    ib.add_argument(
        "--map", action="append", type=header_mapping, default=[], metavar="HEADER=field"
    )
    ib.add_argument(
        "--confirm-names", action="store_true", help="accept every customer matched by name only"
    )
    ib.add_argument("--confirm-row", action="append", type=_confirm_row, default=[],
                    metavar="[FILE:]ROW", help="accept the name match of one row (repeatable)")  # fmt: skip
    ib.add_argument("--skip-unmatched", action="store_true", help="skip rows with no customer")
    ib.add_argument("--authorisation", default="", help="the customer's authorisation on file")
    ib.add_argument("--who", default="cli", help="who imports (kept with each report)")
    ib.set_defaults(handler=cmd_import_bureau)


def _context(ctx):
    from creditdash.risk.bureau import read_reports
    from creditdash.risk.policy_store import current_policy
    from creditdash.risk.requests import approved_limits

    return current_policy(ctx.engine), read_reports(ctx.engine), approved_limits(ctx.engine)


def _write(rows: list[dict], columns: list[str], args, ctx) -> None:
    out = getattr(args, "out", None)
    if out:
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        with open(out, "w", encoding=encoding, newline="") as fh:
            write_rows(rows, columns, args.format, fh)
        print(f"Wrote {len(rows)} row(s) to {out}", file=ctx.out)
    else:
        write_rows(rows, columns, args.format, ctx.out)


def cmd_risk(args, ctx) -> int:
    from creditdash.risk.assess import OUTPUT_COLUMNS, assess, output_rows
    from creditdash.risk.holds import credit_statuses, with_status

    policy, bureau, limits = _context(ctx)
    result = assess(ctx.ledger, args.as_of, policy.policy, bureau, limits, with_pd=not args.no_pd)
    if result["pd_note"]:
        print(f"note: {result['pd_note']}", file=sys.stderr)
    else:
        from creditdash.risk.pd_model import PD_MEANING

        for note in [PD_MEANING, *result["pd_notes"]]:
            print(f"note: {note}", file=sys.stderr)
    frame = output_rows(with_status(result["table"], credit_statuses(ctx.engine)))
    rows = [
        {k: (None if _missing(v) else v) for k, v in r.items()} for r in frame.to_dict("records")
    ]
    _write(rows, OUTPUT_COLUMNS, args, ctx)
    return 0


def _missing(value: object) -> bool:
    try:
        return bool(value != value) or value is None  # NaN and NA
    except (TypeError, ValueError):
        return value is None


def cmd_alerts(args, ctx) -> int:
    from creditdash.risk.assess import watchlist
    from creditdash.risk.holds import credit_statuses, mark_watchlist
    from creditdash.risk.policy import ACTION_LABELS

    policy, bureau, limits = _context(ctx)
    hits = watchlist(ctx.ledger, args.as_of, policy.policy, bureau, limits)
    if hits.empty and args.format == "table":
        print(f"No alerts at {args.as_of}.", file=ctx.out)
        return 0
    hits = mark_watchlist(hits, credit_statuses(ctx.engine))
    columns = ["customer_id", "customer_name", "rule", "action", "state", "status", "detail",
               "exposure", "new"]  # fmt: skip
    rows = [
        {
            "customer_id": r.customer_id,
            "customer_name": r.customer_name,
            "rule": r.rule,
            "action": ACTION_LABELS[r.action],
            "state": r.state,
            "status": r.credit_status,
            "detail": r.detail,
            "exposure": f"{r.exposure_cents / 100:.2f}",
            "new": "new" if r.new else "",
        }
        for r in hits.itertuples()
    ]
    write_rows(rows, columns, args.format, ctx.out)
    return 0


def cmd_hold(args, ctx) -> int:
    from creditdash.auth import command_line
    from creditdash.risk.holds import apply_action

    hold_id = apply_action(ctx.engine, args.customer, args.action, args.reason,
                           command_line(args.who), rule=args.rule)  # fmt: skip
    print(f"{args.customer}: credit status {args.action} (change #{hold_id}).", file=ctx.out)
    return 0


def cmd_release(args, ctx) -> int:
    from creditdash.auth import command_line
    from creditdash.risk.holds import release

    hold_id = release(ctx.engine, args.customer, args.reason, command_line(args.who))
    print(f"{args.customer}: credit status released (change #{hold_id}).", file=ctx.out)
    return 0


def cmd_check_order(args, ctx) -> int:
    from creditdash.risk.holds import check_order

    decision = check_order(ctx.engine, args.customer, args.amount, args.as_of, ledger=ctx.ledger)
    figures = {
        "customer_id": args.customer,
        "decision": decision.decision,
        "reason": decision.reason,
        "credit_status": decision.status or None,
        "exposure": decision.exposure_cents / 100,
        "order": decision.amount_cents / 100,
        "exposure_after": decision.exposure_after_cents / 100,
        "credit_limit": None if decision.limit_cents is None else decision.limit_cents / 100,
    }
    write_figures(figures, args.format, ctx.out)
    return 0


def cmd_import_bureau(args, ctx) -> int:
    from creditdash.auth import command_line
    from creditdash.ingest import Source
    from creditdash.risk.bureau import FileProvider, import_reports

    missing = [str(p) for p in args.paths if not p.is_file()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    provider = FileProvider(
        [Source.from_path(p) for p in args.paths],
        provider=args.provider,
        report_date=args.report_date,
        scale=args.scale,
        overrides=dict(args.map),
    )
    summary = import_reports(
        ctx.engine,
        provider,
        ctx.ledger.customers,
        actor=command_line(args.who),
        authorisation=args.authorisation,
        confirm_names=True if args.confirm_names else args.confirm_row,
        skip_unmatched=args.skip_unmatched,
    )
    print("\n".join(summary.lines()), file=ctx.out)
    return 0
