"""Credit-term and provision commands: simulate, provision."""

from __future__ import annotations

import json
import sys
from typing import Any

from creditdash.cli.args import day_list, iso_date, write_figures, write_rows


def register(sub) -> None:
    sim = sub.add_parser(
        "simulate", help="what new credit terms do to DSO, cash, bad debt and profit"
    )
    sim.add_argument("--as-of", type=iso_date, required=True)
    sim.add_argument("--terms", type=float, help="new net days (default: today's measured terms)")
    sim.add_argument("--discount", type=float, default=0.0, help="cash discount, e.g. 0.02")
    sim.add_argument("--discount-days", type=float, default=10.0)
    sim.add_argument("--take-up", type=float, default=0.0, help="share of sales taking it")
    sim.add_argument("--late-interest", type=float, default=0.0, help="yearly rate on late days")
    sim.add_argument("--sales-change", type=float, default=0.0, help="sales response, e.g. 0.08")
    sim.add_argument("--bad-debt-rate", type=float, help="new bad-debt rate (default: measured)")
    sim.add_argument("--variable-cost", type=float, default=0.7, help="variable cost ratio")
    sim.add_argument("--cost-of-capital", type=float, default=0.08)
    who = sim.add_mutually_exclusive_group()
    who.add_argument("--segment")
    who.add_argument("--region")
    who.add_argument("--grade")
    who.add_argument("--customers", help="customer ids separated by commas")
    sim.add_argument(
        "--no-collections",
        action="store_true",
        help="leave out the 13-week collections shift (it fits the cash forecast first)",
    )
    sim.add_argument("--format", choices=["json", "table"], default="table")
    sim.set_defaults(handler=cmd_simulate)

    prov = sub.add_parser("provision", help="bad-debt provision (expected credit loss)")
    prov.add_argument("--as-of", type=iso_date, required=True)
    prov.add_argument("--basis", choices=["due", "invoice"], default="due")
    prov.add_argument("--edges", type=day_list, default=(30, 60, 90, 180, 365))
    prov.add_argument("--by", choices=["none", "segment", "region", "grade"], default="none")
    prov.add_argument("--months", type=int, default=12, help="months of roll-rate history")
    prov.add_argument("--overlay", type=float, default=0.0, help="forward-looking factor, e.g. 0.1")
    prov.add_argument(
        "--per-portfolio",
        action="store_true",
        help="each portfolio's own roll rates (the book's where a bucket has little history)",
    )
    prov.add_argument(
        "--min-exits",
        type=int,
        default=None,
        help="invoices that must leave a bucket before a portfolio's own roll rate is used",
    )
    prov.add_argument("--format", choices=["csv", "json", "table"], default="table")
    prov.set_defaults(handler=cmd_provision)


def _selection(args):
    from creditdash.simulate import Selection

    for kind in ("segment", "region", "grade"):
        value = getattr(args, kind)
        if value:
            return Selection(kind, (value,))
    if args.customers:
        return Selection(
            "customers", tuple(c.strip() for c in args.customers.split(",") if c.strip())
        )
    return Selection()


def cmd_simulate(args, ctx) -> int:
    from creditdash.simulate import (
        Scenario,
        break_even,
        measure_baseline,
        simulate,
    )

    selection = _selection(args)
    grades = _grades(ctx, args.as_of) if selection.kind == "grade" else None
    baseline = measure_baseline(ctx.ledger, args.as_of, selection, grades)
    change = 0.0 if args.bad_debt_rate is None else args.bad_debt_rate - baseline.bad_debt_rate
    scenario = Scenario(
        net_days=args.terms,
        discount=args.discount,
        discount_days=args.discount_days,
        late_interest=args.late_interest,
        take_up=args.take_up,
        sales_change=args.sales_change,
        bad_debt_change=change,
        variable_cost_ratio=args.variable_cost,
        cost_of_capital=args.cost_of_capital,
    )
    result = simulate(baseline, scenario)
    components = {r.component: r.amount for r in result.components().itertuples()}
    report: dict[str, Any] = {
        "baseline": baseline.as_dict(),
        "scenario": {
            "net_days": scenario.net_days if scenario.net_days is not None else baseline.terms_days,
            "discount": scenario.discount,
            "discount_days": scenario.discount_days,
            "take_up": scenario.effective_take_up,
            "late_interest": scenario.late_interest,
            "sales_change": scenario.sales_change,
            "bad_debt_rate": result.bad_debt_rate_new,
            "variable_cost_ratio": scenario.variable_cost_ratio,
            "cost_of_capital": scenario.cost_of_capital,
        },
        "result": {
            "credit_sales": result.sales_new,
            "dso": result.dso_new,
            "ar": result.ar_new,
            "cash_released": result.cash_released,
            "carrying_cost": scenario.cost_of_capital
            * scenario.variable_cost_ratio
            * result.ar_new,
            "bad_debt": result.bad_debt_rate_new * result.sales_new,
            "discount_cost": result.effect.discount_cost,
        },
        "components": components,
        "npv": result.npv,
        "break_even": {
            "sales_change": break_even(baseline, scenario, "sales_change"),
            "take_up": break_even(baseline, scenario, "take_up"),
        },
    }
    weekly = None if args.no_collections else _collections(ctx, args.as_of, baseline, scenario)
    if weekly is not None:
        report["collections_13w"] = {
            "base": weekly["base"].sum(),
            "scenario": weekly["scenario"].sum(),
            "shift": weekly["shift"].sum(),
            "weeks": weekly.to_dict("records"),
        }
    if args.format == "json":
        json.dump(report, ctx.out, ensure_ascii=False, indent=2, default=str)
        ctx.out.write("\n")
        return 0
    for section, figures in report.items():
        print(f"[{section}]", file=ctx.out)
        if section == "collections_13w" and weekly is not None:
            write_rows(figures["weeks"], list(weekly.columns), "table", ctx.out)
        elif isinstance(figures, dict):
            write_figures({k: _shown(v) for k, v in figures.items()}, "table", ctx.out)
        else:
            print(_shown(figures), file=ctx.out)
    return 0


def _collections(ctx, as_of, baseline, scenario):
    """The 13-week collections shift (money in currency units), or None when the forecast
    cannot be made (too little history); then says why on stderr.
    """
    from creditdash.aging import to_money
    from creditdash.errors import CreditDashError
    from creditdash.forecast import cash_forecast
    from creditdash.simulate import book_payment_curve, collections_basis, collections_shift

    try:
        forecast = cash_forecast(ctx.ledger, as_of, 13)
        basis = collections_basis(forecast, book_payment_curve(ctx.ledger, as_of))
    except CreditDashError as err:
        print(f"note: no 13-week collections shift: {err}", file=sys.stderr)
        return None
    weekly = to_money(collections_shift(basis, baseline, scenario))
    return weekly.assign(
        start=weekly["start"].dt.date.astype(str), end=weekly["end"].dt.date.astype(str)
    )


def cmd_provision(args, ctx) -> int:
    from creditdash.provisioning import MIN_EXITS, provision
    from creditdash.provisioning.individual import list_individual

    grades = _grades(ctx, args.as_of) if args.by == "grade" else None
    result = provision(
        ctx.ledger,
        args.as_of,
        basis=args.basis,
        edges=args.edges,
        by=args.by,
        months=args.months,
        overlay=args.overlay,
        individual=list_individual(ctx.engine)[["customer_id", "rate", "reason"]],
        grades=grades,
        per_portfolio=args.per_portfolio,
        min_exits=MIN_EXITS if args.min_exits is None else args.min_exits,
    )
    matrix = result.matrix.assign(bucket=result.matrix["bucket"].astype(str))
    rows = [
        {k: (round(v, 2) if k in ("balance", "ecl") else v) for k, v in r.items()}
        for r in matrix.to_dict("records")
    ]
    for r in result.individual.itertuples(index=False):
        rows.append(
            {
                "portfolio": f"individual: {r.customer_id}",
                "bucket": "(all)",
                "balance": round(r.balance, 2),
                "loss_rate": r.rate,
                "ecl": round(r.ecl, 2),
            }
        )
    if args.format == "json":
        report = {
            "as_of": result.as_of,
            "rows": rows,
            "roll_rates": _roll_records(result),
            "fallback": result.by_portfolio.fallback if result.by_portfolio else None,
            "collective": round(result.collective, 2),
            "individual": round(result.individual_total, 2),
            "total": round(result.total, 2),
        }
        json.dump(report, ctx.out, ensure_ascii=False, indent=2, default=str)
        ctx.out.write("\n")
        return 0
    columns = ["portfolio", "bucket", "balance", "loss_rate", "ecl"]
    if args.format == "table":
        rows = [{**r, "loss_rate": f"{r['loss_rate']:.4%}"} for r in rows]
    write_rows(rows, columns, args.format, ctx.out)
    if args.format == "table":
        print(
            f"Provision at {result.as_of}: collective {result.collective:,.2f} + individual "
            f"{result.individual_total:,.2f} = {result.total:,.2f}",
            file=ctx.out,
        )
    return 0


def _roll_records(result) -> list[dict] | None:
    """The roll-rate table behind the provision: per portfolio when asked, else the book's.

    A bucket nothing left has no roll rate: null, not NaN (which is not JSON).
    """
    if result.roll is None:
        return None
    flows = result.by_portfolio.flows if result.by_portfolio is not None else result.roll.flows
    return flows.astype(object).where(flows.notna(), None).to_dict("records")


def _grades(ctx, as_of):
    """Grades as the Customer risk page makes them (the policy in force, reports, limits)."""
    from creditdash.risk.in_force import risk_inputs
    from creditdash.simulate import customer_grades

    return customer_grades(ctx.ledger, as_of, risk_inputs(ctx.engine))


def _shown(value):
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.2f}"
    return value
