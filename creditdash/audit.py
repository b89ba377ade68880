"""The audit trail of credit decisions and data changes (append-only, hash-chained).

Imports, rollbacks, policy versions, limit decisions, role changes and
report generations each add one entry: who, when, what, and the state
before and after. No code path updates or deletes an entry, and the
database refuses it: triggers refuse UPDATE and DELETE (migration
0006_admin), an INSERT that would overwrite an entry (SQLite's
`INSERT OR REPLACE`) or break the chain, and TRUNCATE on PostgreSQL
(migration 0008_audit_chain).

What the database cannot refuse (someone dropping its triggers first) the
chain detects. Entry n carries `seq` = n and

    entry_hash = sha256(previous entry's entry_hash + canonical(entry))

where the first entry's previous hash is GENESIS and `canonical` is the
JSON list [seq, at, who, action, entity, entity_id, before, after, detail]
(`at` as ISO 8601 with microseconds, no spaces after separators, UTF-8).
`audit_chain_head` keeps the newest seq and hash, so entries cut from the
end are missed too. `verify_chain` walks the chain and names the first
entry that was edited, is missing or was moved; `python -m creditdash
audit --verify` runs it.

Appends are serialised inside the writer's transaction: on PostgreSQL by a
transaction-level advisory lock, on SQLite by writing the head row first
(which takes the database's write lock) before reading the chain's end.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.engine import Connection, RowMapping

from creditdash.auth import person
from creditdash.i18n import Text, named
from creditdash.store.admin_models import AuditChainHead, AuditEntry

AUDIT_COLUMNS = [
    "entry_id",
    "at",
    "who",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
    "detail",
]
GENESIS = "0" * 64  # the "previous hash" of the first entry
# the content an entry's hash covers, in this order (entry_id is not: moving rows shows as disorder)
CHAINED = ["seq", "at", "who", "action", "entity", "entity_id", "before", "after", "detail"]
# PostgreSQL advisory lock key serialising appends (any fixed 64-bit number, used only here)
AUDIT_LOCK = int.from_bytes(hashlib.sha256(b"creditdash.audit").digest()[:8], "big", signed=True)
# the database objects that refuse changes: (SQLite triggers, PostgreSQL triggers)
SQLITE_GUARDS = ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_overwrite")
PG_GUARDS = (
    "audit_log_no_update",
    "audit_log_no_delete",
    "audit_log_no_truncate",
    "audit_log_in_order",
)


def _json(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def canonical(entry: Mapping[str, object] | RowMapping) -> bytes:
    """The bytes an entry's hash covers: CHAINED values as a compact JSON list."""
    at = entry["at"]
    stamp = at.isoformat(timespec="microseconds") if isinstance(at, datetime) else str(at)
    values = [stamp if c == "at" else entry[c] for c in CHAINED]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def chain_hash(previous: str, entry: Mapping[str, object] | RowMapping) -> str:
    """sha256 (hex) of the previous entry's hash followed by this entry's canonical form."""
    return hashlib.sha256(previous.encode("ascii") + canonical(entry)).hexdigest()


def _chain_end(conn: Connection) -> tuple[int, str]:
    """(seq, hash) of the newest entry, holding the lock that serialises appends until commit."""
    head = AuditChainHead.__table__
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    else:  # a write before the read: SQLite's write lock, so no other append reads the same end
        conn.execute(update(head).where(head.c.id == 1).values(seq=head.c.seq))
    row = conn.execute(select(head.c.seq, head.c.entry_hash).where(head.c.id == 1)).first()
    if row is not None:
        return int(row.seq), str(row.entry_hash)
    t = AuditEntry.__table__
    last = conn.execute(
        select(t.c.seq, t.c.entry_hash).where(t.c.seq.is_not(None)).order_by(t.c.seq.desc())
    ).first()
    seq, digest = (int(last.seq), str(last.entry_hash)) if last else (0, GENESIS)
    conn.execute(insert(head).values(id=1, seq=seq, entry_hash=digest))
    return seq, digest


def record(
    conn: Connection,
    who: str,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    before: object = None,
    after: object = None,
    detail: str | None = None,
) -> None:
    """Add one entry inside the caller's transaction (so it lands or rolls back with the change)."""
    seq, previous = _chain_end(conn)
    entry = {
        "seq": seq + 1,
        "at": datetime.now(),
        "who": who,
        "action": action,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "before": _json(before),
        "after": _json(after),
        "detail": detail,
    }
    entry["entry_hash"] = chain_hash(previous, entry)
    conn.execute(insert(AuditEntry.__table__).values(**entry))
    head = AuditChainHead.__table__
    conn.execute(
        update(head).where(head.c.id == 1).values(seq=entry["seq"], entry_hash=entry["entry_hash"])
    )


def record_event(
    engine: Engine,
    who: str,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    after: object = None,
    detail: str | None = None,
) -> None:
    """`record` in a transaction of its own, for actions that change no other table."""
    with engine.begin() as conn:
        record(conn, who, action, entity, entity_id, after=after, detail=detail)


def audit_log(
    engine: Engine, *, limit: int | None = None, action: str | None = None
) -> pd.DataFrame:
    """Entries newest first (AUDIT_COLUMNS); `before`/`after` are JSON text."""
    t = AuditEntry.__table__
    query = select(*(t.c[c] for c in AUDIT_COLUMNS)).order_by(t.c.entry_id.desc())
    if action:
        query = query.where(t.c.action == action)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def readable(
    value: object, name: Callable[[str], str] = str, word: Callable[[str], str] = str
) -> str:
    """An entry's `before` / `after` JSON as a line a person reads: `files: a.csv · invoices:
    new 3, changed 0`; `name` turns each key into the reader's words, `word` each text or
    yes/no value (a status such as `rolled_back`; a file name it does not know stays as it
    is). No value (None, a missing cell) is ''."""
    if not isinstance(value, str) or value == "":
        return ""
    try:
        data = json.loads(value)
    except ValueError:
        return str(value)
    return _said(data, name, word)


def audit_name(family: str, code: str, lang: str = "en") -> str:
    """An audit code in `lang`: an `action`, an `entity`, or an entry's `key` or `value`
    (`admin.<family>.<code>`); a code the catalogue does not name stays as it is."""
    return named(f"admin.{family}", code, lang)


def audit_view(log: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """`audit_log`'s frame as a person reads it in `lang`: action and entity named, before
    and after as lines (`readable`) with their keys and known values named, no value ''."""

    def key(k: str) -> str:
        return audit_name("key", k, lang)

    def word(w: str) -> str:
        return audit_name("value", w, lang)

    return log.assign(
        action=[audit_name("action", a, lang) for a in log["action"]],
        entity=[audit_name("entity", e, lang) for e in log["entity"]],
        who=[person(w, lang) for w in log["who"]],
        before=[readable(v, key, word) for v in log["before"]],
        after=[readable(v, key, word) for v in log["after"]],
    ).fillna("")


def _said(data: object, name: Callable, word: Callable, depth: int = 0) -> str:
    if isinstance(data, dict):
        sep = " · " if depth == 0 else ", "
        return sep.join(
            f"{name(str(k))}: {_said(v, name, word, depth + 1)}" for k, v in data.items()
        )
    if isinstance(data, list):
        return ", ".join(_said(v, name, word, depth + 1) for v in data)
    if data is None:
        return "–"
    if isinstance(data, bool | str):
        return word(str(data).lower() if isinstance(data, bool) else data)
    if isinstance(data, float) and data.is_integer():
        return str(int(data))
    return str(data)


# ---------------------------------------------------------------- verification


@dataclass(frozen=True)
class ChainCheck:
    """What `verify_chain` found.

    `entries` counted, `head` the newest entry's hash (GENESIS when empty);
    when the trail is not intact, `kind` says how ("edited", "missing",
    "reordered", "unchained", "guard"), `entry_id` names the first broken
    entry (None for a missing guard or entries cut from the end) and
    `problem` says it in the reader's language.
    """

    entries: int
    head: str
    kind: str | None = None
    entry_id: int | None = None
    problem: Text | None = None

    @property
    def intact(self) -> bool:
        return self.kind is None

    def text(self) -> Text:
        """One sentence: intact with how many entries, or the first break."""
        if self.problem is not None:
            return self.problem
        return Text("audit.chain.intact", {"n": self.entries, "head": self.head[:16]})


def verify_chain(engine: Engine) -> ChainCheck:
    """Walk the audit log in entry order and report the first entry that breaks the chain.

    Then compare the chain's end with `audit_chain_head` and check that the
    database's guards (triggers) are still in place and enabled.
    """
    t = AuditEntry.__table__
    head = AuditChainHead.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.entry_id)).mappings().all()
        marker = conn.execute(select(head.c.seq, head.c.entry_hash).where(head.c.id == 1)).first()
        missing_guards = _missing_guards(conn)
    found = _walk(rows)
    if found is not None:
        return found
    seq = len(rows)
    last = rows[-1]["entry_hash"] if rows else GENESIS
    if marker is not None and marker.seq > seq:
        return ChainCheck(seq, last, "missing", None, Text(
            "audit.chain.missing_end", {"first": seq + 1, "last": marker.seq}))  # fmt: skip
    if marker is not None and marker.seq == seq and marker.entry_hash != last:
        entry = rows[-1]["entry_id"] if rows else None
        return ChainCheck(seq, last, "edited", entry, Text(
            "audit.chain.edited_end", {"entry": entry, "seq": seq}))  # fmt: skip
    if (marker is None and rows) or (marker is not None and marker.seq < seq):
        return ChainCheck(seq, last, "unchained", None, Text(
            "audit.chain.head_behind", {"seq": seq}))  # fmt: skip
    if missing_guards:
        return ChainCheck(seq, last, "guard", None, Text(
            "audit.chain.guard", {"names": ", ".join(missing_guards)}))  # fmt: skip
    return ChainCheck(seq, last)


def _walk(rows: Sequence[RowMapping]) -> ChainCheck | None:
    """The first break of the chain over `rows` (in entry_id order), None when all hold."""
    present = {r["seq"] for r in rows}
    previous, expected = GENESIS, 1
    for r in rows:
        entry, seq = r["entry_id"], r["seq"]
        where = {"entry": entry, "seq": seq}
        if seq is None or r["entry_hash"] is None:
            return ChainCheck(expected - 1, previous, "unchained", entry, Text(
                "audit.chain.unchained", {"entry": entry}))  # fmt: skip
        if seq != expected:
            if seq < expected or expected in present:
                return ChainCheck(expected - 1, previous, "reordered", entry, Text(
                    "audit.chain.reordered", {**where, "expected": expected}))  # fmt: skip
            return ChainCheck(expected - 1, previous, "missing", entry, Text(
                "audit.chain.missing", {**where, "first": expected, "last": seq - 1}))  # fmt: skip
        if chain_hash(previous, r) != r["entry_hash"]:
            return ChainCheck(expected - 1, previous, "edited", entry, Text(
                "audit.chain.edited", where))  # fmt: skip
        previous, expected = r["entry_hash"], expected + 1
    return None


def _missing_guards(conn: Connection) -> list[str]:
    """The names of the triggers that should guard audit_log but are gone or disabled."""
    if conn.dialect.name == "postgresql":
        found = conn.execute(
            text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
        ).scalars()
        return sorted(set(PG_GUARDS) - set(found))
    found = conn.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
    ).scalars()
    return sorted(set(SQLITE_GUARDS) - set(found))
