"""Collections commands: worklist, statement, dunning, contact, promise, dispute, resolve.

    python -m creditdash worklist --as-of DATE [--collector EMAIL] [--format csv|json|table]
    python -m creditdash statement CUSTOMER_ID --as-of DATE --out FILE.pdf|FILE.xlsx [--lang zh|en]
    python -m creditdash statement --stage final --as-of DATE --out all.pdf   (every customer
                                                                              at that stage)
    python -m creditdash dunning --as-of DATE [--send]   # a dry run unless --send; exit 0
    python -m creditdash contact CUSTOMER_ID --kind call --outcome "..." [--note ...]
    python -m creditdash promise CUSTOMER_ID --amount 120000 --date 2026-12-15 [--invoice ID]...
    python -m creditdash dispute INVOICE_ID --reason quality [--note ...]
    python -m creditdash resolve INVOICE_ID --outcome credit|upheld [--note ...]

Email goes through CREDITDASH_SMTP_URL from CREDITDASH_SMTP_FROM; the letterhead
is CREDITDASH_LETTERHEAD (lines separated by `|`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from creditdash.cli.args import iso_date, write_rows

FORMATS = ["csv", "json", "table"]
WORKLIST_SHOWN = ["priority", "customer_id", "customer_name", "overdue", "days_past_due_max",
                  "expected_loss", "next_stage", "next_action", "promise_status", "disputed",
                  "last_contact", "open_promises", "open_disputes", "credit_status", "collector",
                  "grade", "salesperson", "region"]  # fmt: skip
LINE_COLUMNS = ["customer", "stage", "channel", "invoices", "to", "language", "subject"]


def _amount(text: str) -> int:
    from creditdash.money import to_cents

    try:
        return to_cents(text.replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an amount such as 120000 or 12500.50, got {text!r}"
        ) from None


def register(sub) -> None:
    from creditdash.collections.records import CONTACT_KINDS, DISPUTE_REASONS, RESOLUTIONS

    wl = sub.add_parser("worklist", help="the collections worklist: who to call first")
    wl.add_argument("--as-of", type=iso_date, required=True)
    wl.add_argument("--collector", help="only this collector's customers (email)")
    wl.add_argument("--salesperson")
    wl.add_argument("--region")
    wl.add_argument("--grade")
    wl.add_argument("--format", choices=FORMATS, default="table")
    wl.add_argument("--no-pd", action="store_true", help="skip the PD model (no expected loss)")
    wl.add_argument("--out", type=Path)
    wl.set_defaults(handler=cmd_worklist)

    st = sub.add_parser("statement", help="a statement of account (对账单) as PDF or XLSX")
    st.add_argument("customer", nargs="?", help="customer id (or --stage for many)")
    st.add_argument("--stage", help="every customer with an invoice at this dunning stage")
    st.add_argument("--as-of", type=iso_date, required=True)
    st.add_argument("--out", type=Path, required=True, help="FILE.pdf or FILE.xlsx")
    st.add_argument("--lang", choices=["zh", "en"], help="default: the customer's language")
    st.set_defaults(handler=cmd_statement)

    dn = sub.add_parser("dunning", help="the dunning run: what is due, and with --send, send it")
    dn.add_argument("--as-of", type=iso_date, required=True)
    dn.add_argument("--send", action="store_true", help="send (without it: a dry run)")
    dn.add_argument("--attach", choices=["pdf", "xlsx"],
                    help="the statement attached to emails (default: pdf with chromium, "
                         "else xlsx)")  # fmt: skip
    dn.add_argument("--letters", type=Path, help="folder for letters to post")
    dn.add_argument("--letter-format", choices=["pdf", "xlsx"], default=None)
    dn.add_argument("--preview", type=Path, help="write each email as it would go (.eml)")
    dn.add_argument("--format", choices=FORMATS, default="table")
    dn.add_argument("--who", default="", help="who runs it (kept in the log and the audit)")
    dn.set_defaults(handler=cmd_dunning)

    ct = sub.add_parser("contact", help="record a contact with a customer")
    ct.add_argument("customer")
    ct.add_argument("--kind", choices=CONTACT_KINDS, required=True)
    ct.add_argument("--outcome", required=True)
    ct.add_argument("--note", default="")
    ct.add_argument("--date", type=iso_date, help="the contact's date (default: today)")
    ct.add_argument("--who", default="", help="who made the contact (kept in the audit)")
    ct.set_defaults(handler=cmd_contact)

    pr = sub.add_parser("promise", help="record a promise to pay")
    pr.add_argument("customer")
    pr.add_argument("--amount", type=_amount, required=True, help="e.g. 120000 or 12500.50")
    pr.add_argument("--date", type=iso_date, required=True, help="the promised payment date")
    pr.add_argument("--invoice", action="append", default=[], help="an invoice it covers")
    pr.add_argument("--made-on", type=iso_date, help="the day it was made (default: today)")
    pr.add_argument("--note", default="")
    pr.add_argument("--who", default="")
    pr.set_defaults(handler=cmd_promise)

    dp = sub.add_parser("dispute", help="open a dispute on an invoice (no dunning while open)")
    dp.add_argument("invoice")
    dp.add_argument("--reason", choices=DISPUTE_REASONS, required=True)
    dp.add_argument("--owner", default="", help="who handles it (default: --who)")
    dp.add_argument("--note", default="")
    dp.add_argument("--date", type=iso_date, help="the day it was raised (default: today)")
    dp.add_argument("--who", default="")
    dp.set_defaults(handler=cmd_dispute)

    rs = sub.add_parser("resolve", help="resolve an invoice's open dispute")
    rs.add_argument("invoice")
    rs.add_argument("--outcome", choices=RESOLUTIONS, required=True)
    rs.add_argument("--note", default="")
    rs.add_argument("--date", type=iso_date, help="the day it was resolved (default: today)")
    rs.add_argument("--who", default="")
    rs.set_defaults(handler=cmd_resolve)


def _risk(ctx, as_of, policy, with_pd: bool):
    from creditdash.risk.assess import assess, risk_table
    from creditdash.risk.in_force import risk_inputs

    inputs = risk_inputs(ctx.engine)
    if not with_pd:
        return risk_table(ctx.ledger, as_of, policy, inputs.bureau, inputs.limits)
    result = assess(ctx.ledger, as_of, policy, inputs.bureau, inputs.limits)
    if result["pd_note"]:
        print(f"note: {result['pd_note']}", file=sys.stderr)
    return result["table"]


def _no_data(ctx) -> None:
    from creditdash.errors import InvalidArgument

    if ctx.ledger.is_empty:
        raise InvalidArgument.coded(
            "collections.error.no_data", "There are no invoices yet: import a ledger first."
        )


def cmd_worklist(args, ctx) -> int:
    from creditdash.collections.worklist import collections_inputs, worklist, worklist_rows

    _no_data(ctx)
    inputs = collections_inputs(ctx.engine)
    risk = _risk(ctx, args.as_of, inputs.policy, with_pd=not args.no_pd)
    result = worklist(ctx.ledger, args.as_of, inputs, risk, collector=args.collector,
                      salesperson=args.salesperson, region=args.region,
                      grade=args.grade)  # fmt: skip
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    rows = worklist_rows(result.rows)
    if args.out:
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        with open(args.out, "w", encoding=encoding, newline="") as fh:
            write_rows(rows, WORKLIST_SHOWN, args.format, fh)
        print(f"Wrote {len(rows)} row(s) to {args.out}", file=ctx.out)
    elif not rows and args.format == "table":
        print(f"Nothing to do at {args.as_of}.", file=ctx.out)
    else:
        write_rows(rows, WORKLIST_SHOWN, args.format, ctx.out)
    return 0


def _letterhead(ctx):
    from creditdash.collections.documents import Letterhead

    return Letterhead.from_lines(ctx.settings.letterhead)


def cmd_statement(args, ctx) -> int:
    from creditdash.collections import records
    from creditdash.collections.dunning import customers_at_stage
    from creditdash.collections.printing import PdfPrinter
    from creditdash.collections.render import bulk_html, statement_html
    from creditdash.collections.sheets import documents_xlsx
    from creditdash.collections.worklist import collections_inputs, staged_items
    from creditdash.errors import InvalidArgument

    suffix = args.out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise InvalidArgument.coded(
            "collections.error.out_suffix",
            "`--out` must name a .pdf or .xlsx file. Got {path!r}.",
            path=str(args.out),
        )
    if bool(args.customer) == bool(args.stage):
        raise InvalidArgument.coded(
            "collections.error.statement_whom",
            "Name one customer, or a dunning stage with --stage for every customer at it.",
        )
    _no_data(ctx)
    inputs = collections_inputs(ctx.engine)
    if args.stage:
        risk = _risk(ctx, args.as_of, inputs.policy, with_pd=False)
        staged, _ = staged_items(ctx.ledger, args.as_of, inputs, risk)
        customers = customers_at_stage(staged, args.stage)
    else:
        customers = [args.customer]
    from creditdash.collections.documents import statements_at

    open_now = records.open_disputes_at(inputs.disputes, args.as_of)
    statements = statements_at(ctx.ledger, args.as_of, inputs.policy, customers,
                               disputed_ids=set(open_now["invoice_id"]),
                               letterhead=_letterhead(ctx))  # fmt: skip
    default = inputs.dunning.get("default_language", "zh")
    import pandas as pd

    langs = records.languages_of(pd.Series(customers, dtype="str"), inputs.assignments, default)
    lang = args.lang or (langs.iloc[0] if len(langs) == 1 else default)
    documents = [statements[c] for c in customers]
    if suffix == ".xlsx":
        data = documents_xlsx(documents, lang)
    else:
        html = (
            statement_html(documents[0], lang)
            if len(documents) == 1
            else bulk_html(documents, lang)
        )
        with PdfPrinter() as printer:
            data = printer.print_html(html)
    args.out.write_bytes(data)
    print(f"Wrote {len(documents)} statement(s) ({lang}) to {args.out}", file=ctx.out)
    return 0


def cmd_dunning(args, ctx) -> int:
    from creditdash.auth import command_line
    from creditdash.collections.dunning import dunning_plan, email_of, file_stem, run_dunning
    from creditdash.collections.mail import SmtpServer
    from creditdash.collections.printing import PdfPrinter
    from creditdash.collections.worklist import collections_inputs
    from creditdash.report.pdf import find_chromium

    _no_data(ctx)
    inputs = collections_inputs(ctx.engine)
    risk = _risk(ctx, args.as_of, inputs.policy, with_pd=False)
    plan = dunning_plan(ctx.ledger, args.as_of, inputs, risk, letterhead=_letterhead(ctx))
    pdf = "pdf" if find_chromium() else "xlsx"
    attach, letter_format = args.attach or pdf, args.letter_format or pdf
    rows = [m.line() for m in plan.messages]
    if args.preview:
        args.preview.mkdir(parents=True, exist_ok=True)
        sender = ctx.settings.smtp_from or "credit@localhost"
        emails = [m for m in plan.messages if m.channel == "email"]
        printer = PdfPrinter() if emails and attach == "pdf" else None
        if printer is not None:
            printer.__enter__()
        try:
            for m in emails:
                message = email_of(m, sender, attach, printer)
                name = f"{file_stem(m.customer_id)}-{m.stage_id}.eml"
                (args.preview / name).write_bytes(message.as_bytes())
        finally:
            if printer is not None:
                printer.__exit__(None, None, None)
        print(f"Wrote {len(emails)} email(s) to {args.preview}", file=ctx.out)
    if not args.send:
        write_rows(rows, LINE_COLUMNS, args.format, ctx.out)
        print(f"Dry run: {len(rows)} message(s) would go out at {args.as_of} "
              f"(statements attached as {attach}); nothing was sent.", file=ctx.out)  # fmt: skip
        return 0
    server = SmtpServer.from_url(ctx.settings.smtp_url) if ctx.settings.smtp_url else None
    results = run_dunning(ctx.engine, command_line(args.who), plan, server=server,
                          sender=ctx.settings.smtp_from, attach=attach,
                          letters_dir=args.letters, letter_format=letter_format)  # fmt: skip
    out = [{**r.message.line(), "status": r.status, "reply": r.reply} for r in results]
    write_rows(out, [*LINE_COLUMNS, "status", "reply"], args.format, ctx.out)
    sent = sum(r.status == "sent" for r in results)
    failed = sum(r.status == "failed" for r in results)
    print(f"Sent {sent}, failed {failed} (failures are listed again by the next run).",
          file=ctx.out)  # fmt: skip
    return 0


def cmd_contact(args, ctx) -> int:
    from creditdash.auth import command_line
    from creditdash.collections.records import log_contact

    contact_id = log_contact(ctx.engine, command_line(args.who), args.customer, args.kind,
                             args.outcome, args.note, on=args.date)  # fmt: skip
    print(f"{args.customer}: contact #{contact_id} recorded.", file=ctx.out)
    return 0


def cmd_promise(args, ctx) -> int:
    from creditdash.auth import command_line
    from creditdash.collections.records import record_promise

    promise_id = record_promise(ctx.engine, command_line(args.who), args.customer, args.amount,
                                args.date, args.invoice, args.note,
                                made_on=args.made_on)  # fmt: skip
    print(f"{args.customer}: promise #{promise_id} of {args.amount / 100:,.2f} by {args.date} "
          "recorded.", file=ctx.out)  # fmt: skip
    return 0


def cmd_dispute(args, ctx) -> int:
    from creditdash.auth import command_line
    from creditdash.collections.records import open_dispute

    dispute_id = open_dispute(ctx.engine, command_line(args.who), args.invoice, args.reason,
                              args.owner, args.note, on=args.date)  # fmt: skip
    print(f"{args.invoice}: dispute #{dispute_id} opened ({args.reason}); no dunning while it "
          "is open.", file=ctx.out)  # fmt: skip
    return 0


def cmd_resolve(args, ctx) -> int:
    from creditdash.auth import command_line
    from creditdash.collections.records import resolve_dispute

    dispute_id = resolve_dispute(ctx.engine, command_line(args.who), args.invoice, args.outcome,
                                 args.note, on=args.date)  # fmt: skip
    print(f"{args.invoice}: dispute #{dispute_id} resolved ({args.outcome}).", file=ctx.out)
    return 0
