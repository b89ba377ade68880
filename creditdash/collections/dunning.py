"""Dunning runs: what is due at an as-of date, and sending it.

`dunning_plan` lists the messages a run would deliver, exactly: one per
customer, stage and channel (`creditdash.collections.stages`), listing the
invoices that reached that stage and have not had it through that channel.
An email goes to the customer master's contact emails with the letter as its
body, in the customer's language (its own setting, else the policy's
`default_language`), and the customer's statement attached (PDF or XLSX);
a letter is written to a folder as a document to print and post; a task
(a call, a hold, hand-over to legal: a stage with nothing to send) is
recorded so that it is not listed again.

`run_dunning` delivers a plan. Each message is first reserved in the sent
log, whose key (invoice, stage, channel) the database keeps unique, so two
runs can never both send it; then delivered; then its outcome is written
(sent with the server's answer, or failed with the reason) and audited. A
failed message frees its invoices again: the next run lists and retries it.
A message whose run stopped between reserving and finishing stays "sending"
and is not sent again by itself (the log shows it; better missing than twice).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import creditdash.collections.records as records
from creditdash import audit
from creditdash.auth import Actor, authorise
from creditdash.collections.documents import (
    NO_LETTERHEAD,
    Letter,
    Letterhead,
    Statement,
    make_letter,
    statements_at,
)
from creditdash.collections.mail import (
    PDF_TYPE,
    XLSX_TYPE,
    SendFailed,
    SmtpServer,
    addresses,
    build_message,
    send,
)
from creditdash.collections.printing import PdfPrinter
from creditdash.collections.render import letter_html, letter_text, statement_html
from creditdash.collections.sheets import documents_xlsx
from creditdash.collections.stages import strategies_of
from creditdash.collections.worklist import CollectionsInputs, staged_items
from creditdash.errors import CreditDashError, InvalidArgument
from creditdash.i18n import t
from creditdash.ledger import DateLike, Ledger
from creditdash.store.collections_models import DunningItem, DunningSend

FORMATS = ("pdf", "xlsx")
STATUSES = ("sending", "sent", "failed")
LOG_COLUMNS = ["send_id", "sent_at", "as_of", "customer_id", "strategy_id", "stage_id",
               "channel", "recipients", "language", "subject", "invoice_ids", "status",
               "server_reply", "sent_by"]  # fmt: skip


@dataclass(frozen=True, eq=False)
class DunningMessage:
    """One message of a run: who, which stage, through which channel, which invoices."""

    customer_id: str
    customer_name: str
    strategy_id: str
    stage_id: str
    channel: str
    language: str
    recipients: tuple[str, ...]
    bad_addresses: tuple[str, ...]
    invoice_ids: tuple[str, ...]
    actions: tuple[str, ...]
    letter: Letter

    @property
    def subject(self) -> str:
        return self.letter.subject

    def line(self) -> dict[str, str]:
        """customer, stage, channel, invoices, to, language, subject: one printed line."""
        return {
            "customer": self.customer_id,
            "name": self.customer_name,
            "stage": self.stage_id,
            "channel": self.channel,
            "invoices": ";".join(self.invoice_ids),
            "to": ",".join(self.recipients) or "-",
            "language": self.language,
            "subject": self.subject,
        }


@dataclass(frozen=True, eq=False)
class DunningPlan:
    """The messages of a run at `as_of`, and the statements they attach (by customer)."""

    as_of: date
    messages: tuple[DunningMessage, ...]
    statements: dict[str, Statement] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """messages, customers, emails, no_address (emails to nobody), letters, tasks."""
        channels = [m.channel for m in self.messages]
        return {
            "messages": len(self.messages),
            "customers": len({m.customer_id for m in self.messages}),
            "emails": channels.count("email"),
            "no_address": sum(m.channel == "email" and not m.recipients for m in self.messages),
            "letters": channels.count("letter"),
            "tasks": channels.count("task"),
        }


@dataclass(frozen=True, eq=False)
class SendResult:
    """What happened to one message: status (sent, failed, skipped), reply, its log id."""

    message: DunningMessage
    status: str
    reply: str
    send_id: int | None = None


def dunning_plan(
    ledger: Ledger,
    as_of: DateLike,
    inputs: CollectionsInputs,
    risk: pd.DataFrame | None = None,
    *,
    letterhead: Letterhead = NO_LETTERHEAD,
    items: pd.DataFrame | None = None,
) -> DunningPlan:
    """Every message due at as_of (see the module docstring), by customer then stage."""
    dunning = inputs.dunning
    staged, _judged = staged_items(ledger, as_of, inputs, risk, items=items)
    due = staged[staged["due"]]
    customers = sorted(set(due["customer_id"]))
    open_now = records.open_disputes_at(inputs.disputes, as_of)
    statements = statements_at(ledger, as_of, inputs.policy, customers,
                               disputed_ids=set(open_now["invoice_id"]), letterhead=letterhead,
                               items=staged)  # fmt: skip
    language = records.languages_of(pd.Series(customers, dtype="str"), inputs.assignments,
                                    dunning.get("default_language", "zh"))  # fmt: skip
    languages = dict(zip(customers, language, strict=True))
    emails = ledger.customers.drop_duplicates("customer_id").set_index("customer_id")["email"]
    by_id = {s.id: s for s in strategies_of(dunning)}
    stage_specs = {(s["id"], st["id"]): st for s in dunning["strategies"] for st in s["stages"]}
    messages = []
    ordered = due.sort_values(["customer_id", "stage_days", "invoice_date", "invoice_id"])
    for (customer, strategy_id, stage_id), rows in ordered.groupby(
        ["customer_id", "strategy_id", "stage"], sort=False
    ):
        stage = by_id[strategy_id].stage(stage_id)
        good, bad = addresses(emails.get(customer))
        for channel in stage.channels:
            wanted = rows[[channel in c for c in rows["channels"]]]
            if wanted.empty:
                continue
            ids = tuple(wanted["invoice_id"])
            letter = make_letter(
                statements[customer],
                ids,
                stage_specs[(strategy_id, stage_id)],
                strategy_id,
                dunning["templates"][stage.template],
                languages[customer],
                dunning.get("pay_within_days", 7),
            )
            messages.append(
                DunningMessage(
                    customer_id=customer,
                    customer_name=statements[customer].customer_name,
                    strategy_id=strategy_id,
                    stage_id=stage_id,
                    channel=channel,
                    language=languages[customer],
                    recipients=tuple(good) if channel == "email" else (),
                    bad_addresses=tuple(bad) if channel == "email" else (),
                    invoice_ids=ids,
                    actions=stage.actions,
                    letter=letter,
                )
            )
    return DunningPlan(pd.Timestamp(as_of).date(), tuple(messages), statements)


def customers_at_stage(staged: pd.DataFrame, stage_id: str) -> list[str]:
    """Customers with an open, undisputed invoice that has reached `stage_id` (sent or not):
    the customers a bulk run of that stage covers. `staged` is `stage_items` output."""
    hit = staged[(staged["stage"] == stage_id) & ~staged["disputed"]
                 & (staged["outstanding_cents"] > 0)]  # fmt: skip
    return sorted(set(hit["customer_id"]))


def file_stem(text: str) -> str:
    """`text` made safe as part of a file name."""
    return re.sub(r"[^\w.-]+", "_", str(text)).strip("._") or "customer"


def run_dunning(
    engine: Engine,
    actor: Actor,
    plan: DunningPlan,
    *,
    server: SmtpServer | None = None,
    sender: str | None = None,
    attach: str = "pdf",
    letters_dir: Path | None = None,
    letter_format: str = "pdf",
    chromium: str | None = None,
) -> list[SendResult]:
    """Deliver every message of `plan` (see the module docstring); one SendResult each.

    Emails need `server` and `sender` (settings CREDITDASH_SMTP_URL / _FROM) and attach
    the statement as `attach` ("pdf" needs chromium, or "xlsx"); letters are written to
    `letters_dir` as `letter_format`. Needs the `send_dunning` permission.
    """
    who = authorise(actor, "send_dunning").who
    for name, value in (("attach", attach), ("letter_format", letter_format)):
        if value not in FORMATS:
            raise InvalidArgument.coded(
                "error.choice", "`{name}` must be one of {options}. Got {value!r}.",
                name=name, options=", ".join(FORMATS), value=value,
            )  # fmt: skip
    channels = {m.channel for m in plan.messages}
    if "email" in channels and (server is None or not sender):
        raise InvalidArgument.coded(
            "collections.error.no_smtp",
            "Sending email needs the mail server and the sender: set CREDITDASH_SMTP_URL "
            "(smtp://user:password@host:587) and CREDITDASH_SMTP_FROM.",
        )
    if "letter" in channels and letters_dir is None:
        raise InvalidArgument.coded(
            "collections.error.no_letters_dir",
            "Letters to post are written to a folder: name one (--letters DIR).",
        )
    needs_pdf = ("email" in channels and attach == "pdf") or (
        "letter" in channels and letter_format == "pdf"
    )
    printer = PdfPrinter(chromium) if needs_pdf else None
    results = []
    if printer is not None:
        printer.__enter__()
    try:
        for message in plan.messages:
            results.append(
                _deliver(
                    engine,
                    who,
                    plan.as_of,
                    message,
                    printer,
                    server,
                    sender,
                    attach,
                    letters_dir,
                    letter_format,
                )  # fmt: skip
            )
    finally:
        if printer is not None:
            printer.__exit__(None, None, None)
    return results


def record_posted(engine: Engine, actor: Actor, plan: DunningPlan) -> list[SendResult]:
    """Record the letters to post of `plan` as posted by hand (printed from `letters_zip`):
    each logged and audited as a delivered message, so its stage is not due again for those
    invoices; a letter another run delivered already is skipped. Needs `send_dunning`."""
    who = authorise(actor, "send_dunning").who
    results = []
    for message in plan.messages:
        if message.channel != "letter":
            continue
        send_id = _reserve(engine, who, plan.as_of, message)
        if send_id is None:
            results.append(SendResult(message, "skipped", "already delivered by another run"))
            continue
        reply = t("collections.send.posted", "en")
        _finish(engine, who, send_id, message, "sent", reply)
        results.append(SendResult(message, "sent", reply, send_id))
    return results


def _deliver(engine, who, as_of, message, printer, server, sender, attach, letters_dir,
             letter_format) -> SendResult:  # fmt: skip
    send_id = _reserve(engine, who, as_of, message)
    if send_id is None:
        return SendResult(message, "skipped", "already delivered by another run")
    try:
        reply = _hand_over(message, printer, server, sender, attach, letters_dir, letter_format)
        status = "sent"
    except CreditDashError as err:
        status = "failed"
        reply = getattr(err, "reply", "") or str(err)
    _finish(engine, who, send_id, message, status, reply)
    return SendResult(message, status, reply, send_id)


def _hand_over(message, printer, server, sender, attach, letters_dir, letter_format) -> str:
    """Deliver one message; returns what the server (or the file system) answered."""
    if message.channel == "task":
        return t("collections.send.task", "en", actions="+".join(message.actions))
    if message.channel == "letter":
        letters_dir.mkdir(parents=True, exist_ok=True)
        name, data = letter_file(message, letter_format, printer)
        path = letters_dir / name
        path.write_bytes(data)
        return t("collections.send.written", "en", path=str(path))
    if not message.recipients:
        raise SendFailed.coded(
            "collections.error.no_address",
            "Customer {customer} has no usable email address on the customer master{bad}.",
            customer=message.customer_id,
            bad=f" ({', '.join(message.bad_addresses)})" if message.bad_addresses else "",
        )
    email = email_of(message, sender, attach, printer)
    return send(server, email)


def letter_file(
    message: DunningMessage, letter_format: str = "pdf", printer: PdfPrinter | None = None
) -> tuple[str, bytes]:
    """A letter to post as a file: its name (CUSTOMER-STAGE-DATE.pdf|xlsx) and its bytes, in
    the customer's language; a PDF is printed by `printer`, an XLSX holds the letter and the
    statement."""
    statement = message.letter.statement
    stem = f"{file_stem(message.customer_id)}-{message.stage_id}-{statement.as_of}"
    if letter_format == "pdf":
        if printer is None:
            raise InvalidArgument.coded(
                "collections.error.printer",
                "A PDF attachment needs the PDF printer (chromium); attach XLSX instead.",
            )
        return f"{stem}.pdf", printer.print_html(letter_html(message.letter))
    return f"{stem}.xlsx", documents_xlsx([message.letter, statement], message.language)


def letters_zip(
    plan: DunningPlan, letter_format: str = "pdf", chromium: str | None = None
) -> bytes:
    """Every letter to post of `plan` (its messages by `letter`), each in its customer's
    language, as one ZIP of the files `run_dunning` writes (see `letter_file`). Nothing is
    recorded: the letters stay in the next run until a run delivers them."""
    if letter_format not in FORMATS:
        raise InvalidArgument.coded(
            "error.choice", "`{name}` must be one of {options}. Got {value!r}.",
            name="letter_format", options=", ".join(FORMATS), value=letter_format,
        )  # fmt: skip
    letters = [m for m in plan.messages if m.channel == "letter"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if letters and letter_format == "pdf":
            with PdfPrinter(chromium) as printer:
                for message in letters:
                    archive.writestr(*letter_file(message, "pdf", printer))
        else:
            for message in letters:
                archive.writestr(*letter_file(message, letter_format))
    return buffer.getvalue()


def email_of(message: DunningMessage, sender: str, attach: str, printer: PdfPrinter | None):
    """The email exactly as a run sends it: the letter as text, the statement attached."""
    statement = message.letter.statement
    name = f"statement-{file_stem(statement.customer_id)}-{statement.as_of}.{attach}"
    if attach == "pdf":
        if printer is None:
            raise InvalidArgument.coded(
                "collections.error.printer",
                "A PDF attachment needs the PDF printer (chromium); attach XLSX instead.",
            )
        data, kind = printer.print_html(statement_html(statement, message.language)), PDF_TYPE
    else:
        data, kind = documents_xlsx([statement], message.language), XLSX_TYPE
    return build_message(sender, message.recipients, message.subject,
                         letter_text(message.letter), [(name, data, kind)])  # fmt: skip


def _reserve(engine: Engine, who: str, as_of: date, message: DunningMessage) -> int | None:
    """Write the message as "sending" and claim its (invoice, stage, channel) keys; None
    when another run holds one of them already."""
    try:
        with Session(engine) as s, s.begin():
            row = DunningSend(
                as_of=as_of, customer_id=message.customer_id, strategy_id=message.strategy_id,
                stage_id=message.stage_id, channel=message.channel,
                recipients=", ".join(message.recipients), language=message.language,
                subject=message.subject, invoice_ids=json.dumps(list(message.invoice_ids)),
                status="sending", server_reply="", sent_by=who, sent_at=datetime.now(),
            )  # fmt: skip
            s.add(row)
            s.flush()
            s.add_all(
                DunningItem(invoice_id=i, stage_id=message.stage_id, channel=message.channel,
                            send_id=row.send_id)
                for i in message.invoice_ids
            )  # fmt: skip
            s.flush()
            return int(row.send_id)
    except IntegrityError:
        return None


def _finish(engine: Engine, who: str, send_id: int, message: DunningMessage, status: str,
            reply: str) -> None:  # fmt: skip
    with Session(engine) as s, s.begin():
        s.execute(
            update(DunningSend)
            .where(DunningSend.send_id == send_id)
            .values(status=status, server_reply=reply[:4000], sent_at=datetime.now())
        )
        if status != "sent":
            s.execute(delete(DunningItem).where(DunningItem.send_id == send_id))
        audit.record(
            s.connection(),
            who,
            "dunning_sent" if status == "sent" else "dunning_failed",
            "customer",
            message.customer_id,
            after={"send_id": send_id, "stage": message.stage_id, "channel": message.channel,
                   "invoices": list(message.invoice_ids), "to": list(message.recipients),
                   "language": message.language, "status": status},
            detail=reply[:4000],
        )  # fmt: skip


def dunning_log(engine: Engine, customer_id: str | None = None) -> pd.DataFrame:
    """Every delivery attempt (LOG_COLUMNS), newest first; one customer's when given."""
    query = select(*(getattr(DunningSend, c) for c in LOG_COLUMNS)).order_by(
        DunningSend.send_id.desc()
    )
    if customer_id is not None:
        query = query.where(DunningSend.customer_id == customer_id)
    with Session(engine) as s:
        rows = s.execute(query).all()
    frame = pd.DataFrame.from_records(rows, columns=LOG_COLUMNS)
    frame["invoice_ids"] = [tuple(json.loads(v)) for v in frame["invoice_ids"]]
    return frame
