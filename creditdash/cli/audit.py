"""The audit trail: `audit` lists the newest entries, `audit --verify` checks the hash chain."""

from __future__ import annotations

EXIT_BROKEN = 4  # `audit --verify`: the chain is broken (the first break is printed)


def register(sub) -> None:
    au = sub.add_parser("audit", help="list the audit trail, or check that it is intact (--verify)")
    au.add_argument(
        "--verify",
        action="store_true",
        help=f"check the hash chain: exit 0 when intact, {EXIT_BROKEN} naming the first broken entry",
    )
    au.add_argument("--limit", type=int, default=20, help="entries to list (default 20)")
    au.set_defaults(handler=cmd_audit)


def cmd_audit(args, ctx) -> int:
    from creditdash.audit import audit_log, verify_chain

    if args.verify:
        check = verify_chain(ctx.engine)
        if check.intact:
            print(check.text(), file=ctx.out)
            print(f"Newest hash: {check.head}", file=ctx.out)
            return 0
        print(f"Audit trail broken: {check.text()}", file=ctx.out)
        return EXIT_BROKEN
    log = audit_log(ctx.engine, limit=max(args.limit, 1))
    if log.empty:
        print("Nothing recorded yet.", file=ctx.out)
        return 0
    for r in log.itertuples():
        what = f"{r.action} {r.entity}" + (f" {r.entity_id}" if r.entity_id else "")
        print(f"#{r.entry_id}  {r.at:%Y-%m-%d %H:%M:%S}  {r.who}  {what}", file=ctx.out)
    return 0
