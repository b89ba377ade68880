"""Forecast commands: forecast (13-week collections) and backtest (its track record)."""

from __future__ import annotations

from creditdash.cli.args import iso_date, write_figures, write_rows

FORECAST_COLUMNS = [
    "week", "start", "end", "expected", "p10", "p50", "p90",
    "new_sales", "new_sales_collections", "new_sales_p10", "new_sales_p90",
    "total_expected", "total_p10", "total_p90", "promised", "expected_with_promises",
]  # fmt: skip
BACKTEST_COLUMNS = [
    "origin", "actual", "wape", "coverage_p10_p90", "baseline_due_date", "baseline_avg_delay",
    "approximate_weeks",
]  # fmt: skip

NO_RISK_HELP = (
    "take the chance of never being paid from each customer's own history, "
    "not from the risk model's PD"
)


def register(sub) -> None:
    fc = sub.add_parser("forecast", help="13-week collections forecast with P10/P50/P90 bands")
    fc.add_argument("--as-of", type=iso_date, required=True)
    fc.add_argument("--weeks", type=int, default=13)
    fc.add_argument("--no-new-sales", action="store_true", help="only invoices open at as-of")
    fc.add_argument("--no-risk", action="store_true", help=NO_RISK_HELP)
    fc.add_argument(
        "--no-promises",
        action="store_true",
        help="leave out the customers' open promises to pay (by default each enters on its "
        "date, weighted by how often the customer keeps its promises)",
    )
    fc.add_argument("--format", choices=["csv", "json", "table"], default="table")
    fc.set_defaults(handler=cmd_forecast)

    bt = sub.add_parser("backtest", help="rolling-origin back-test of the collections forecast")
    bt.add_argument("--from", dest="start", type=iso_date, required=True)
    bt.add_argument("--to", dest="end", type=iso_date, required=True)
    bt.add_argument("--step-days", type=int, default=7)
    bt.add_argument("--horizon-weeks", type=int, default=13)
    bt.add_argument("--no-risk", action="store_true", help=NO_RISK_HELP)
    bt.add_argument("--format", choices=["json", "table"], default="table")
    bt.set_defaults(handler=cmd_backtest)


def _money(cents) -> float:
    return round(int(cents) / 100, 2)


def cmd_forecast(args, ctx) -> int:
    from creditdash.forecast.promises import with_promises
    from creditdash.forecast.view import stored_promises
    from creditdash.forecast.weekly import cash_forecast

    result = cash_forecast(
        ctx.ledger, args.as_of, args.weeks, new_sales=not args.no_new_sales, risk=not args.no_risk
    )
    promised = stored_promises(ctx.engine, ctx.ledger, args.as_of)
    if args.no_promises:
        promised = promised.iloc[:0]
    rows = []
    for rec in with_promises(result, promised).to_dict("records"):
        row = {"week": rec["week"], "start": rec["start"].date(), "end": rec["end"].date()}
        for col in FORECAST_COLUMNS[3:]:
            row[col] = _money(rec[f"{col}_cents"])
        rows.append(row)
    write_rows(rows, FORECAST_COLUMNS, args.format, ctx.out)
    return 0


def cmd_backtest(args, ctx) -> int:
    from creditdash.forecast.backtest import collections_backtest

    result = collections_backtest(
        ctx.ledger,
        args.start,
        args.end,
        step_days=args.step_days,
        horizon_weeks=args.horizon_weeks,
        risk=not args.no_risk,
    )
    origins = []
    for rec in result.origins.to_dict("records"):
        row = {c: rec.get(c) for c in BACKTEST_COLUMNS if c != "actual"}
        row["origin"] = rec["origin"].date().isoformat()
        row["actual"] = _money(rec["actual_cents"])
        for c in ("wape", "coverage_p10_p90", "baseline_due_date", "baseline_avg_delay"):
            row[c] = None if row[c] is None else round(float(row[c]), 2)
        origins.append(row)
    if args.format == "json":
        write_figures({"overall": result.summary, "origins": origins}, "json", ctx.out)
    else:
        write_rows(origins, BACKTEST_COLUMNS, "table", ctx.out)
        print("", file=ctx.out)
        write_figures(result.summary, "table", ctx.out)
    return 0
