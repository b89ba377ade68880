"""The imports made, and undoing one (`rollback`).

A rollback takes the import lock like an import (`write.serialised`): the
import's new rows go, rows it changed or removed get their stored state
back from `row_changes`. It is refused while a later import still builds on
what it wrote. Audited.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import NoReturn

import pandas as pd
from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import Connection

from creditdash import audit
from creditdash.auth import LOCAL, Actor, authorise
from creditdash.errors import CreditDashError, InvalidArgument, NotFound
from creditdash.importing.diff import DB_NAMES, TABLES
from creditdash.importing.write import serialised
from creditdash.ingest.problems import message
from creditdash.store.models import Customer, Import, Invoice, Payment, RowChange, SnapshotRecord


def latest_date(engine: Engine, import_id: int) -> date | None:
    """The latest date the data of import `import_id` runs to: the newest invoice or payment
    date among the rows it wrote or changed, or the report date of an open-items export it
    brought, whichever is later. None when its rows carry no date (customers or rates only)
    or it was rolled back."""
    inv, pay, snap = Invoice.__table__, Payment.__table__, SnapshotRecord.__table__
    with engine.connect() as conn:
        days = [
            conn.execute(select(func.max(column)).where(table.c.import_id == import_id)).scalar()
            for table, column in (
                (inv, inv.c.invoice_date),
                (pay, pay.c.payment_date),
                (snap, snap.c.as_of),
            )
        ]
    found = [pd.Timestamp(d).date() for d in days if d is not None]
    return max(found) if found else None


def rollback(engine: Engine, import_id: int, actor: Actor = LOCAL) -> dict[str, int]:
    """Undo one import: its new rows go, rows it changed get their earlier state back.

    Refused while a later import still builds on what it wrote. Audited.
    """
    authorise(actor, "rollback")
    with serialised(engine) as conn:
        imp = (
            conn.execute(select(Import.__table__).where(Import.import_id == import_id))
            .mappings()
            .first()
        )
        if imp is None:
            _refuse(
                NotFound,
                "import.not_found",
                "`import_id` {import_id} does not exist; `imports` lists the imports.",
                import_id=import_id,
            )
        if imp["status"] != "applied":
            _refuse(
                InvalidArgument,
                "import.already_rolled_back",
                "Import #{import_id} was already rolled back on {when}.",
                import_id=import_id,
                when=f"{imp['rolled_back_at']:%Y-%m-%d %H:%M}",
            )
        later = conn.execute(
            select(RowChange.import_id)
            .where((RowChange.before_import_id == import_id) & (RowChange.import_id != import_id))
            .join(Import.__table__, Import.import_id == RowChange.import_id)
            .where(Import.status == "applied")
            .limit(1)
        ).scalar()
        if later is not None:
            _refuse(
                InvalidArgument,
                "import.rollback_blocked.changed",
                "Import #{later} changed rows that import #{import_id} wrote: "
                "roll back #{later} first.",
                later=later,
                import_id=import_id,
            )
        _refuse_if_overwritten(conn, import_id)
        _refuse_if_referenced(conn, import_id)
        changes = conn.execute(
            select(
                RowChange.table_name,
                RowChange.row_key,
                RowChange.before,
                RowChange.before_import_id,
            ).where(RowChange.import_id == import_id)
        ).all()
        restored = _restore(conn, changes)
        removed = {}
        for table in ("payments", "invoices", "rates", "customers"):
            model = TABLES[table][0]
            t = model.__table__
            removed[table] = conn.execute(t.delete().where(t.c.import_id == import_id)).rowcount
        conn.execute(SnapshotRecord.__table__.delete().where(SnapshotRecord.import_id == import_id))
        conn.execute(
            update(Import.__table__)
            .where(Import.__table__.c.import_id == import_id)
            .values(status="rolled_back", rolled_back_at=datetime.now())
        )
        done = {"restored": restored, **{f"removed_{k}": v for k, v in removed.items()}}
        audit.record(
            conn,
            actor.who,
            "rollback",
            "import",
            import_id,
            before={"status": "applied", "files": imp["file_names"]},
            after={"status": "rolled_back", **done},
        )
    return done


def _refuse_if_overwritten(conn: Connection, import_id: int) -> None:
    """A row this import changed whose stored version a later, applied import wrote blocks.

    Undoing the change would restore the row as it was before this import and
    silently drop the later import's version of it.
    """
    changed = RowChange.__table__
    for table in ("customers", "invoices", "payments"):
        model, key, _columns = TABLES[table]
        t = model.__table__
        mine = select(changed.c.row_key).where(
            (changed.c.import_id == import_id) & (changed.c.table_name == table)
        )
        later = conn.execute(
            select(t.c.import_id)
            .join(Import.__table__, Import.import_id == t.c.import_id)
            .where(t.c[key].in_(mine) & (t.c.import_id != import_id))
            .where(Import.status == "applied")
            .order_by(t.c.import_id.desc())
            .limit(1)
        ).scalar()
        if later is not None:
            _refuse(
                InvalidArgument,
                "import.rollback_blocked.changed",
                "Import #{later} changed rows that import #{import_id} wrote: "
                "roll back #{later} first.",
                later=later,
                import_id=import_id,
            )


def _refuse_if_referenced(conn: Connection, import_id: int) -> None:
    """A customer that this import created but a later import uses blocks the rollback."""
    inv, pay, cust = Invoice.__table__, Payment.__table__, Customer.__table__
    changed = select(RowChange.row_key).where(
        (RowChange.import_id == import_id) & (RowChange.table_name == "customers")
    )
    created = select(cust.c.customer_id).where(
        (cust.c.import_id == import_id) & cust.c.customer_id.not_in(changed)
    )
    for table in (inv, pay):
        other = conn.execute(
            select(table.c.import_id)
            .where(table.c.customer_id.in_(created) & (table.c.import_id != import_id))
            .limit(1)
        ).scalar()
        if other is not None:
            _refuse(
                InvalidArgument,
                "import.rollback_blocked.customers",
                "Import #{later} has rows for customers that import #{import_id} created: "
                "roll back #{later} first.",
                later=other,
                import_id=import_id,
            )
    inv_changed = select(RowChange.row_key).where(
        (RowChange.import_id == import_id) & (RowChange.table_name == "invoices")
    )
    created_invoices = select(inv.c.invoice_id).where(
        (inv.c.import_id == import_id) & inv.c.invoice_id.not_in(inv_changed)
    )
    other = conn.execute(
        select(pay.c.import_id)
        .where(pay.c.invoice_id.in_(created_invoices) & (pay.c.import_id != import_id))
        .limit(1)
    ).scalar()
    if other is not None:
        _refuse(
            InvalidArgument,
            "import.rollback_blocked.invoices",
            "Import #{later} has payments for invoices that import #{import_id} created: "
            "roll back #{later} first.",
            later=other,
            import_id=import_id,
        )


def _refuse(error: type[CreditDashError], code: str, template: str, **params: object) -> NoReturn:
    """Raise `error` with `template` (the English text of `code`) filled in with `params`."""
    said = message(code, template, **params)
    raise error(said.text, code=said.code, params=said.params)


def _restore(conn: Connection, changes) -> int:
    count = 0
    for table, key_value, before_json, writer in changes:
        model, key, columns = TABLES[table]
        before = json.loads(before_json)
        if table == "rates":
            ccy, day = key_value.split("@")
            t = model.__table__
            conn.execute(
                update(t)
                .where((t.c.currency == ccy) & (t.c.rate_date == date.fromisoformat(day)))
                .values(rate=Decimal(str(before["rate"])), import_id=writer)
            )
            count += 1
            continue
        values = {"import_id": writer}
        for c in columns:
            v = before.get(c)
            if v is not None and c.endswith("_cents"):
                v = Decimal(int(v)).scaleb(-2)
            elif v is not None and c.endswith("_date"):
                v = date.fromisoformat(v)
            values[DB_NAMES.get(c, c)] = v
        t = model.__table__
        done = conn.execute(update(t).where(t.c[key] == key_value).values(**values))
        if done.rowcount == 0:  # a row the import removed (an invoice replaced by its items)
            conn.execute(t.insert().values(**{key: key_value}, **values))
        count += 1
    return count
