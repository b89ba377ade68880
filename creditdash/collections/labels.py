"""The Collections page's words in the reader's language: names from the `coll.*` families
of the i18n catalogue, the headers of its tables, and its frames as shown (money in
currency units, stages, channels, kinds and statuses by name).

Each `*_shown` function takes a frame of the library (cents, ids) and returns a new one
with the same rows, ready for a table: the page adds nothing but the widget.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import pandas as pd

from creditdash.aging import to_money
from creditdash.auth import person
from creditdash.i18n import catalogue, t
from creditdash.presentation import Column

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
PEOPLE = (
    "recorded_by",
    "opened_by",
    "resolved_by",
    "sent_by",
)  # columns naming a user  # each language by its own name
# what the worklist shows, key columns first
WORKLIST_SHOWN = [
    "priority", "customer_id", "customer_name", "overdue", "days_past_due_max", "expected_loss",
    "next_stage", "next_stage_date", "next_action", "due_now", "promise_status", "disputed",
    "last_contact", "last_contact_kind", "last_contact_outcome", "open_promises", "promised",
    "open_disputes", "credit_status", "collector", "grade", "pd", "exposure", "salesperson",
    "region", "segment",
]  # fmt: skip
WORKLIST_MONEY = ("overdue", "expected_loss", "disputed", "promised", "exposure")
ITEMS_SHOWN = ["invoice_id", "invoice_date", "due_date", "amount", "outstanding", "dpd", "stage",
               "due", "next_stage", "next_stage_date", "disputed", "paused"]  # fmt: skip
CONTACTS_SHOWN = ["contact_date", "kind", "outcome", "note", "recorded_by", "recorded_at"]
PROMISES_SHOWN = ["promise_id", "made_on", "promised_date", "amount", "invoice_ids", "status",
                  "paid", "remaining", "deadline", "fulfilled_on", "slip_days", "note",
                  "recorded_by"]  # fmt: skip
DISPUTES_SHOWN = ["dispute_id", "invoice_id", "reason", "owner", "opened_on", "resolution",
                  "resolved_on", "note", "resolution_note", "opened_by", "resolved_by"]  # fmt: skip
SENT_SHOWN = ["sent_at", "stage_id", "channel", "status", "recipients", "invoice_ids", "subject",
              "server_reply", "sent_by"]  # fmt: skip
PLAN_COLUMNS = ["customer", "name", "stage", "channel", "invoices", "to", "language", "subject"]
ASSIGNED_SHOWN = ["customer_id", "customer_name", "salesperson", "collector", "own_collector",
                  "salesperson_collector", "language"]  # fmt: skip


def named(family: str, name: object, lang: str = "en") -> str:
    """The catalogue's name for `name` in `family` (`coll.stage`, `coll.kind`, ...); a name it
    lacks (a stage the policy made up) shows as it is, an empty one (None, NaN) as empty."""
    if name is None or name == "" or (isinstance(name, float) and name != name):
        return ""
    key = f"{family}.{name}"
    return t(key, lang) if key in catalogue(lang) or key in catalogue("en") else str(name)


def actions(joined: str, lang: str = "en") -> str:
    """`email+call` as the reader says it: E-mail + Call."""
    return " + ".join(named("coll.action", a, lang) for a in str(joined).split("+") if a)


def headers(columns: Iterable[str], lang: str = "en", money: Iterable[str] = ()) -> dict:
    """Every column's header (`coll.col.<name>`, its tooltip `coll.col.<name>.help` where the
    catalogue has one); `money` columns shown as money, `pd` as a percentage."""
    money = set(money)
    out = {}
    for name in columns:
        help_key = f"coll.col.{name}.help"
        tip = t(help_key, lang) if help_key in catalogue("en") else None
        kind: Literal["text", "money", "percent"] = (
            "money" if name in money else "percent" if name == "pd" else "text"
        )
        out[name] = Column(named("coll.col", name, lang) or name, kind, tip)
    return out


def _names(frame: pd.DataFrame, lang: str, **families: str) -> pd.DataFrame:
    """`frame` with each column of `families` (column -> family) said by name, and who
    recorded, opened, resolved or sent a thing named as `auth.person` names them."""
    people = {c: [person(v, lang) for v in frame[c]] for c in PEOPLE if c in frame.columns}
    said = {c: [named(f, v, lang) for v in frame[c]] for c, f in families.items()}
    return frame.assign(**people, **said)


def worklist_shown(rows: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The worklist's rows (`worklist.WORKLIST_COLUMNS`) as the table shows them."""
    shown = _names(to_money(rows), lang, next_stage="coll.stage", promise_status="coll.promise",
                   last_contact_kind="coll.kind", credit_status="risk.credit")  # fmt: skip
    shown["next_action"] = [actions(a, lang) for a in shown["next_action"]]
    return shown


def items_shown(items: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A customer's open items with their stages (`CustomerView.items`), ITEMS_SHOWN."""
    return _names(to_money(items), lang, stage="coll.stage", next_stage="coll.stage")[ITEMS_SHOWN]


def contacts_shown(contacts: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Contacts (`records.CONTACT_COLUMNS`), CONTACTS_SHOWN."""
    return _names(contacts, lang, kind="coll.kind")[CONTACTS_SHOWN]


def promises_shown(promises: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Judged promises (`CustomerView.promises`), PROMISES_SHOWN; a promise naming no invoice
    is for the whole account."""
    shown = _names(to_money(promises), lang, status="coll.promise")
    whole = t("coll.whole_account", lang)
    shown["invoice_ids"] = [", ".join(i) or whole for i in shown["invoice_ids"]]
    return shown[PROMISES_SHOWN]


def disputes_shown(disputes: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Disputes (`records.DISPUTE_COLUMNS`), DISPUTES_SHOWN; an open one says so."""
    shown = _names(disputes, lang, reason="coll.reason")
    still = t("coll.resolution.open", lang)
    shown["resolution"] = [
        named("coll.resolution", r, lang) or still for r in disputes["resolution"]
    ]
    return shown[DISPUTES_SHOWN]


def log_shown(
    log: pd.DataFrame, lang: str = "en", columns: list[str] | None = None
) -> pd.DataFrame:
    """The sent log (`dunning.LOG_COLUMNS`), its `columns` (default: all)."""
    shown = _names(log, lang, stage_id="coll.stage", channel="coll.channel", status="coll.status")
    shown["invoice_ids"] = [", ".join(i) for i in shown["invoice_ids"]]
    return shown[columns or list(log.columns)]


def plan_shown(lines: list[dict], lang: str = "en") -> pd.DataFrame:
    """A dunning plan's lines (`DunningMessage.line()`), PLAN_COLUMNS, by name."""
    frame = pd.DataFrame(lines, columns=PLAN_COLUMNS)
    shown = _names(frame, lang, stage="coll.stage", channel="coll.channel")
    shown["language"] = [LANGUAGE_NAMES.get(x, x) for x in frame["language"]]
    return shown


def results_shown(results: list[dict], lang: str = "en") -> pd.DataFrame:
    """What a send did, per message (a line with its status and the server's reply)."""
    frame = pd.DataFrame(results)
    return _names(frame, lang, status="coll.status", stage="coll.stage", channel="coll.channel")


def assigned_shown(customers: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """`Assignments.customers` as the table shows them: languages by name, "–" for nobody."""
    shown = customers.assign(language=[LANGUAGE_NAMES.get(x, x) for x in customers["language"]])
    return shown[ASSIGNED_SHOWN].replace({"": None})
