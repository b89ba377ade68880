"""Collections: the worklist, dunning by policy, promises to pay, disputes, statements.

records     contacts, promises, disputes and collectors: stored, audited, role-checked
promises    promises judged against the payments that follow; promise-keeping rates
stages      the dunning stage each open invoice has reached, and what is due
worklist    who to call first at an as-of date (`worklist`), what it reads (`collections_inputs`)
view        one customer at an as-of date (`customer_view`); disputed amounts for the aging
documents   statements of account (对账单) and dunning letters as data
render      ... as HTML and PDF (printing: one chromium for many PDFs); sheets: ... as XLSX
mail        SMTP: the server from its URL, messages, sending with the server's answer
dunning     a run's messages (`dunning_plan`) and delivering them (`run_dunning`; letters
            posted by hand: `record_posted`)

The strategy itself (stages per grade and segment, templates) is policy data:
`creditdash.risk.dunning`.
"""

from importlib import import_module as _import_module

# `worklist` is both a module and its function: imported here, so that the function wins
from creditdash.collections.worklist import (
    CollectionsInputs,
    Worklist,
    collections_inputs,
    worklist,
)

# Each name is imported from its module on first use (PEP 562): a command or page that wants
# one part (the records' choices, say) does not pay for chromium printing, SMTP and the rest.
_HOMES = {
    "CustomerView": "creditdash.collections.view",
    "DunningMessage": "creditdash.collections.dunning",
    "DunningPlan": "creditdash.collections.dunning",
    "Letter": "creditdash.collections.documents",
    "Letterhead": "creditdash.collections.documents",
    "SendResult": "creditdash.collections.dunning",
    "SmtpServer": "creditdash.collections.mail",
    "Statement": "creditdash.collections.documents",
    "assign_collector": "creditdash.collections.records",
    "customer_view": "creditdash.collections.view",
    "disputed_amounts": "creditdash.collections.view",
    "dunning_log": "creditdash.collections.dunning",
    "dunning_plan": "creditdash.collections.dunning",
    "judge_promises": "creditdash.collections.promises",
    "keeping_rates": "creditdash.collections.promises",
    "log_contact": "creditdash.collections.records",
    "open_dispute": "creditdash.collections.records",
    "record_posted": "creditdash.collections.dunning",
    "record_promise": "creditdash.collections.records",
    "resolve_dispute": "creditdash.collections.records",
    "run_dunning": "creditdash.collections.dunning",
    "set_language": "creditdash.collections.records",
    "statements_at": "creditdash.collections.documents",
}

__all__ = [
    "CollectionsInputs",
    "CustomerView",
    "DunningMessage",
    "DunningPlan",
    "Letter",
    "Letterhead",
    "SendResult",
    "SmtpServer",
    "Statement",
    "Worklist",
    "assign_collector",
    "collections_inputs",
    "customer_view",
    "disputed_amounts",
    "dunning_log",
    "dunning_plan",
    "judge_promises",
    "keeping_rates",
    "log_contact",
    "open_dispute",
    "record_posted",
    "record_promise",
    "resolve_dispute",
    "run_dunning",
    "set_language",
    "statements_at",
    "worklist",
]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
