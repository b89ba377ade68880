"""Collections: the worklist, dunning by policy, promises to pay, disputes, statements.

records     contacts, promises, disputes and collectors: stored, audited, role-checked
promises    promises judged against the payments that follow; promise-keeping rates
stages      the dunning stage each open invoice has reached, and what is due
worklist    who to call first at an as-of date (`worklist`), what it reads (`collections_inputs`)
view        one customer at an as-of date (`customer_view`); disputed amounts for the aging
documents   statements of account (对账单) and dunning letters as data
render      ... as HTML and PDF (printing: one chromium for many PDFs); sheets: ... as XLSX
mail        SMTP: the server from its URL, messages, sending with the server's answer
dunning     a run's messages (`dunning_plan`) and delivering them (`run_dunning`)

The strategy itself (stages per grade and segment, templates) is policy data:
`creditdash.risk.dunning`.
"""

from creditdash.collections.documents import Letter, Letterhead, Statement, statements_at
from creditdash.collections.dunning import (
    DunningMessage,
    DunningPlan,
    SendResult,
    dunning_log,
    dunning_plan,
    run_dunning,
)
from creditdash.collections.mail import SmtpServer
from creditdash.collections.promises import judge_promises, keeping_rates
from creditdash.collections.records import (
    assign_collector,
    log_contact,
    open_dispute,
    record_promise,
    resolve_dispute,
    set_language,
)
from creditdash.collections.view import CustomerView, customer_view, disputed_amounts
from creditdash.collections.worklist import (
    CollectionsInputs,
    Worklist,
    collections_inputs,
    worklist,
)

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
    "record_promise",
    "resolve_dispute",
    "run_dunning",
    "set_language",
    "statements_at",
    "worklist",
]
