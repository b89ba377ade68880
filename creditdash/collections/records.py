"""What collectors record: contacts, promises to pay, disputes, and who collects from whom.

Every write takes the acting user (`creditdash.auth.Actor`), needs the
`record_collection` permission (analyst or above; `assign_collector` for
assignments: credit manager), checks the customer or invoice against the
stored ledger, and is audited in its own transaction. Nothing is deleted: a
dispute is closed by `resolve_dispute` (a credit note, or the invoice upheld),
a promise is judged by the payments that follow it (`creditdash.collections.promises`).

Collectors are users (the roles page): a customer's collector is the email of
its own assignment, else the one assigned to its salesperson, else nobody.

Frames returned (money in int64 cents, dates as datetime64):

contacts     contact_id, customer_id, kind, outcome, note, contact_date, recorded_by,
             recorded_at; newest first
promises     promise_id, customer_id, amount_cents, promised_date, made_on, invoice_ids
             (tuple of ids, empty: any payment of the customer), note, recorded_by,
             recorded_at; in promise_id order
disputes     dispute_id, invoice_id, customer_id, reason, owner, note, opened_on,
             opened_by, resolution (<NA> while open), resolved_on, resolved_by,
             resolution_note; in dispute_id order
assignments  scope ("customer" or "salesperson"), key, collector, language
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from creditdash import audit
from creditdash.auth import Actor, authorise
from creditdash.errors import InvalidArgument, NotFound
from creditdash.ledger import DateLike
from creditdash.money import cents_to_decimal
from creditdash.risk.dunning import LANGUAGES
from creditdash.store.collections_models import Assignment, Contact, Dispute, Promise
from creditdash.store.models import Customer, Invoice

CONTACT_KINDS = ("call", "email", "visit")
DISPUTE_REASONS = ("price", "quantity", "quality", "not_received", "duplicate", "other")
RESOLUTIONS = ("credit", "upheld")
SCOPES = ("customer", "salesperson")
CONTACT_COLUMNS = ["contact_id", "customer_id", "kind", "outcome", "note", "contact_date",
                   "recorded_by", "recorded_at"]  # fmt: skip
PROMISE_COLUMNS = ["promise_id", "customer_id", "amount_cents", "promised_date", "made_on",
                   "invoice_ids", "note", "recorded_by", "recorded_at"]  # fmt: skip
DISPUTE_COLUMNS = ["dispute_id", "invoice_id", "customer_id", "reason", "owner", "note",
                   "opened_on", "opened_by", "resolution", "resolved_on", "resolved_by",
                   "resolution_note"]  # fmt: skip
ASSIGNMENT_COLUMNS = ["scope", "key", "collector", "language"]


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidArgument.coded(
            "error.choice", "`{name}` must be one of {options}. Got {value!r}.",
            name=name, options=", ".join(allowed), value=value,
        )  # fmt: skip
    return str(value)


def _text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument.coded(
            "collections.error.empty",
            "`{name}` must not be empty: the record needs it. Got {value!r}.",
            name=name,
            value=value,
        )
    return value.strip()


def _day(name: str, value: object) -> date:
    if value is None:
        return date.today()
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        raise InvalidArgument.coded(
            "error.ledger.date", "`{name}` must be a date such as '2025-03-20'. Got {value!r}.",
            name=name, value=value,
        ) from None  # fmt: skip


def _customer(s: Session, customer_id: str) -> None:
    if s.get(Customer, customer_id) is None:
        raise NotFound.coded(
            "collections.error.customer_missing",
            "Customer {customer!r} is not in the stored ledger.",
            customer=customer_id,
        )


def _invoice(s: Session, invoice_id: str) -> Invoice:
    found = s.get(Invoice, invoice_id)
    if found is None:
        raise NotFound.coded(
            "collections.error.invoice_missing",
            "Invoice {invoice!r} is not in the stored ledger.",
            invoice=invoice_id,
        )
    return found


def log_contact(
    engine: Engine,
    actor: Actor,
    customer_id: str,
    kind: str,
    outcome: str,
    note: str = "",
    *,
    on: date | str | None = None,
) -> int:
    """`actor` records a contact (CONTACT_KINDS) with its outcome on `on` (default today);
    audited. Returns the contact's id."""
    who = authorise(actor, "record_collection").who
    kind = _choice("kind", kind, CONTACT_KINDS)
    outcome = _text("outcome", outcome)
    day = _day("on", on)
    with Session(engine) as s, s.begin():
        _customer(s, customer_id)
        row = Contact(customer_id=customer_id, kind=kind, outcome=outcome, note=note.strip(),
                      contact_date=day, recorded_by=who, recorded_at=_now())  # fmt: skip
        s.add(row)
        s.flush()
        audit.record(s.connection(), who, "collection_contact", "customer", customer_id,
                     after={"contact_id": row.contact_id, "kind": kind, "outcome": outcome,
                            "date": day.isoformat()}, detail=row.note or None)  # fmt: skip
        return int(row.contact_id)


def record_promise(
    engine: Engine,
    actor: Actor,
    customer_id: str,
    amount_cents: int,
    promised_date: date | str,
    invoice_ids: Iterable[str] = (),
    note: str = "",
    *,
    made_on: date | str | None = None,
) -> int:
    """`actor` records the customer's promise to pay `amount_cents` by `promised_date`,
    for `invoice_ids` (the customer's own; none: the account as a whole); audited."""
    who = authorise(actor, "record_collection").who
    whole = isinstance(amount_cents, int) and not isinstance(amount_cents, bool)
    if not whole or amount_cents <= 0:
        raise InvalidArgument.coded(
            "collections.error.promise_amount",
            "`amount` must be a positive whole number of cents. Got {value!r}.",
            value=amount_cents,
        )
    due, made = _day("date", promised_date), _day("made_on", made_on)
    if due < made:
        raise InvalidArgument.coded(
            "collections.error.promise_date",
            "A promise's date ({date}) cannot be before the day it was made ({made}).",
            date=due.isoformat(),
            made=made.isoformat(),
        )
    ids = list(dict.fromkeys(str(i).strip() for i in invoice_ids if str(i).strip()))
    with Session(engine) as s, s.begin():
        _customer(s, customer_id)
        for invoice_id in ids:
            found = _invoice(s, invoice_id)
            if found.customer_id != customer_id:
                raise InvalidArgument.coded(
                    "collections.error.invoice_customer",
                    "Invoice {invoice!r} belongs to customer {owner!r}, not {customer!r}.",
                    invoice=invoice_id,
                    owner=found.customer_id,
                    customer=customer_id,
                )
        row = Promise(customer_id=customer_id, amount=cents_to_decimal(amount_cents),
                      promised_date=due, made_on=made, invoice_ids=json.dumps(ids),
                      note=note.strip(), recorded_by=who, recorded_at=_now())  # fmt: skip
        s.add(row)
        s.flush()
        audit.record(s.connection(), who, "collection_promise", "customer", customer_id,
                     after={"promise_id": row.promise_id, "amount_cents": amount_cents,
                            "date": due.isoformat(), "made_on": made.isoformat(),
                            "invoices": ids}, detail=row.note or None)  # fmt: skip
        return int(row.promise_id)


def open_dispute(
    engine: Engine,
    actor: Actor,
    invoice_id: str,
    reason: str,
    owner: str = "",
    note: str = "",
    *,
    on: date | str | None = None,
) -> int:
    """`actor` opens a dispute on an invoice (DISPUTE_REASONS), owned by `owner` (default:
    the actor); refused while the invoice has one open. Audited; returns its id."""
    who = authorise(actor, "record_collection").who
    reason = _choice("reason", reason, DISPUTE_REASONS)
    day = _day("on", on)
    with Session(engine) as s, s.begin():
        invoice = _invoice(s, invoice_id)
        if _open_dispute(s, invoice_id) is not None:
            raise InvalidArgument.coded(
                "collections.error.dispute_open",
                "Invoice {invoice!r} already has an open dispute; resolve it first.",
                invoice=invoice_id,
            )
        row = Dispute(invoice_id=invoice_id, customer_id=invoice.customer_id, reason=reason,
                      owner=(owner or who).strip(), note=note.strip(), opened_on=day,
                      opened_by=who, opened_at=_now())  # fmt: skip
        s.add(row)
        s.flush()
        audit.record(s.connection(), who, "collection_dispute_opened", "invoice", invoice_id,
                     after={"dispute_id": row.dispute_id, "reason": reason, "owner": row.owner,
                            "date": day.isoformat()}, detail=row.note or None)  # fmt: skip
        return int(row.dispute_id)


def resolve_dispute(
    engine: Engine,
    actor: Actor,
    invoice_id: str,
    outcome: str,
    note: str = "",
    *,
    on: date | str | None = None,
) -> int:
    """`actor` closes the invoice's open dispute: `credit` (a credit note settles it) or
    `upheld` (the invoice stands and is dunned again). Audited; returns the dispute's id."""
    who = authorise(actor, "record_collection").who
    outcome = _choice("outcome", outcome, RESOLUTIONS)
    day = _day("on", on)
    with Session(engine) as s, s.begin():
        row = _open_dispute(s, invoice_id)
        if row is None:
            raise InvalidArgument.coded(
                "collections.error.no_open_dispute",
                "Invoice {invoice!r} has no open dispute to resolve.",
                invoice=invoice_id,
            )
        if day < row.opened_on:
            raise InvalidArgument.coded(
                "collections.error.resolved_before",
                "A dispute cannot be resolved ({date}) before it was opened ({opened}).",
                date=day.isoformat(),
                opened=row.opened_on.isoformat(),
            )
        row.resolution, row.resolved_on, row.resolved_by = outcome, day, who
        row.resolution_note = note.strip()
        audit.record(s.connection(), who, "collection_dispute_resolved", "invoice", invoice_id,
                     before={"dispute_id": row.dispute_id, "resolution": None},
                     after={"dispute_id": row.dispute_id, "resolution": outcome,
                            "date": day.isoformat()}, detail=row.resolution_note or None)  # fmt: skip
        return int(row.dispute_id)


def _open_dispute(s: Session, invoice_id: str) -> Dispute | None:
    return s.scalars(
        select(Dispute).where(Dispute.invoice_id == invoice_id, Dispute.resolution.is_(None))
    ).first()


def assign_collector(
    engine: Engine,
    actor: Actor,
    key: str,
    collector: str | None,
    *,
    scope: str = "customer",
) -> None:
    """`actor` (credit manager) makes `collector` (a user's email; None: nobody) collect
    from a customer (`scope` "customer", `key` its id) or from every customer of a
    salesperson (`scope` "salesperson", `key` the name); audited."""
    who = authorise(actor, "assign_collector").who
    scope = _choice("scope", scope, SCOPES)
    email = None if collector is None else collector.strip().lower()
    if email is not None and "@" not in email:
        raise InvalidArgument.coded(
            "error.auth.email", "`email` must be an email address. Got {email!r}.", email=email
        )
    _set(engine, who, scope, _text("key", key), {"collector": email})


def set_language(engine: Engine, actor: Actor, customer_id: str, language: str | None) -> None:
    """`actor` (credit manager) sets the language of a customer's letters (None: the
    policy's default); audited."""
    who = authorise(actor, "assign_collector").who
    if language is not None:
        _choice("language", language, LANGUAGES)
    _set(engine, who, "customer", customer_id, {"language": language})


def _set(engine: Engine, who: str, scope: str, key: str, values: dict) -> None:
    with Session(engine) as s, s.begin():
        if scope == "customer":
            _customer(s, key)
        row = s.get(Assignment, (scope, key))
        before = None if row is None else {"collector": row.collector, "language": row.language}
        if row is None:
            row = Assignment(scope=scope, key=key, set_by=who, set_at=_now())
            s.add(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.set_by, row.set_at = who, _now()
        s.flush()
        audit.record(s.connection(), who, "collection_assignment", scope, key, before=before,
                     after={"collector": row.collector, "language": row.language})  # fmt: skip


# ---------------------------------------------------------------- reading


def _frame(engine: Engine, query, columns: list[str]) -> pd.DataFrame:
    with Session(engine) as s:
        rows = s.execute(query).all()
    return pd.DataFrame.from_records(rows, columns=columns)


def _dates(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    return frame


def contacts(engine: Engine, customer_id: str | None = None) -> pd.DataFrame:
    """Contacts (CONTACT_COLUMNS), newest first; one customer's when `customer_id`."""
    query = select(*(getattr(Contact, c) for c in CONTACT_COLUMNS)).order_by(
        Contact.contact_date.desc(), Contact.contact_id.desc()
    )
    if customer_id is not None:
        query = query.where(Contact.customer_id == customer_id)
    frame = _dates(_frame(engine, query, CONTACT_COLUMNS), ["contact_date", "recorded_at"])
    return frame.astype({"contact_id": "int64"})


def promises(engine: Engine) -> pd.DataFrame:
    """Every promise (PROMISE_COLUMNS) in the order recorded."""
    names = [c if c != "amount_cents" else "amount" for c in PROMISE_COLUMNS]
    query = select(*(getattr(Promise, c) for c in names)).order_by(Promise.promise_id)
    frame = _frame(engine, query, PROMISE_COLUMNS)
    frame["amount_cents"] = [int(round(v * 100)) for v in frame["amount_cents"]]
    frame["invoice_ids"] = [tuple(json.loads(v)) for v in frame["invoice_ids"]]
    frame = _dates(frame, ["promised_date", "made_on", "recorded_at"])
    return frame.astype({"promise_id": "int64", "amount_cents": "int64"})


def disputes(engine: Engine) -> pd.DataFrame:
    """Every dispute (DISPUTE_COLUMNS), open and resolved, in the order opened."""
    query = select(*(getattr(Dispute, c) for c in DISPUTE_COLUMNS)).order_by(Dispute.dispute_id)
    frame = _dates(_frame(engine, query, DISPUTE_COLUMNS), ["opened_on", "resolved_on"])
    return frame.astype({"dispute_id": "int64", "resolution": "str"})


def assignments(engine: Engine) -> pd.DataFrame:
    """Every assignment (ASSIGNMENT_COLUMNS)."""
    query = select(*(getattr(Assignment, c) for c in ASSIGNMENT_COLUMNS)).order_by(
        Assignment.scope, Assignment.key
    )
    return _frame(engine, query, ASSIGNMENT_COLUMNS)


def open_disputes_at(disputes_frame: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """The disputes open at `as_of`: opened on or before it, not resolved by then."""
    day = pd.Timestamp(as_of)
    resolved = disputes_frame["resolved_on"]
    still = resolved.isna() | (resolved > day)
    return disputes_frame[(disputes_frame["opened_on"] <= day) & still]


def collectors_of(customers: pd.DataFrame, assigned: pd.DataFrame) -> pd.Series:
    """Each customer's collector ("" for none): its own assignment, else its salesperson's.

    `customers` has customer_id and salesperson; the result has its index.
    """

    def lookup(scope: str) -> dict:
        rows = assigned[(assigned["scope"] == scope) & assigned["collector"].notna()]
        return dict(zip(rows["key"], rows["collector"], strict=True))

    own = customers["customer_id"].map(lookup("customer")).astype("object")
    by_sales = customers["salesperson"].map(lookup("salesperson")).astype("object")
    chosen = own.where(own.notna(), by_sales)
    return chosen.where(chosen.notna(), "").astype("str")


def languages_of(customers: pd.Series, assigned: pd.DataFrame, default: str) -> pd.Series:
    """Each customer id's letter language: its own setting, else `default`."""
    rows = assigned[(assigned["scope"] == "customer") & assigned["language"].notna()]
    found = dict(zip(rows["key"], rows["language"], strict=True))
    chosen = customers.map(found).astype("object")
    return chosen.where(chosen.notna(), default).astype("str")


SENT_COLUMNS = ["invoice_id", "stage_id", "channel", "send_id", "sent_at"]


def sent_items(engine: Engine) -> pd.DataFrame:
    """Every (invoice, stage, channel) delivered, with its send and when (SENT_COLUMNS)."""
    from creditdash.store.collections_models import DunningItem, DunningSend

    query = (
        select(DunningItem.invoice_id, DunningItem.stage_id, DunningItem.channel,
               DunningItem.send_id, DunningSend.sent_at)
        .join(DunningSend, DunningSend.send_id == DunningItem.send_id)
        .order_by(DunningItem.send_id)
    )  # fmt: skip
    return _dates(_frame(engine, query, SENT_COLUMNS), ["sent_at"])
