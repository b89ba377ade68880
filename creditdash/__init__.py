"""creditdash: receivables aging, the DSO family, customer risk, cash-flow forecast.

The public API for the ledger figures is here: `aging()` and `kpis()` with
the `Ledger` they read, and the errors every part raises. `creditdash.aging`
and `creditdash.kpis` are these functions, not their modules: reach the
modules' other names by their full path (`from creditdash.aging import
to_money`), never as attributes of the package (`import creditdash.aging as
m` binds the function; tests/test_api.py checks that no code does). Domains
with heavier dependencies (`creditdash.store`, `creditdash.importing`, risk,
forecast, ...) are imported from their own packages.

The library is built in floors. A module imports only from its own floor
and the floors below it, never from above (tests/test_floors.py checks; the
domains may use each other, never in a circle):

    cli                         the command line (the app's pages/ and ui/ sit beside it)
    importing                   the import job: files into the store and back out, demo seeding
    ingest risk forecast provisioning simulate collections review report working_capital
                                the domains, each with its own persistence
    auth audit                  who may do what; the trail of what was done
    store                       engine, models, migrations, reading the ledger back
    ledger documents aging kpis presentation charts exports demo
                                the ledger in memory and its figures
    errors money frames contracts i18n settings calendar arrowmem
                                what every floor uses
"""

from creditdash.aging import BUCKET_EDGES_DEFAULT, aging, ar_by_month, bucket_labels, open_items
from creditdash.errors import (
    CreditDashError,
    ImportRejected,
    InsufficientHistory,
    InvalidArgument,
    NotFitted,
    NotFound,
    PermissionDenied,
    Problem,
    StoreError,
)
from creditdash.kpis import Kpis, kpis
from creditdash.ledger import Ledger

__all__ = [
    "BUCKET_EDGES_DEFAULT",
    "CreditDashError",
    "ImportRejected",
    "InsufficientHistory",
    "InvalidArgument",
    "Kpis",
    "Ledger",
    "NotFitted",
    "NotFound",
    "PermissionDenied",
    "Problem",
    "StoreError",
    "aging",
    "ar_by_month",
    "bucket_labels",
    "kpis",
    "open_items",
]
