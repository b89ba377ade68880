"""creditdash: receivables aging, the DSO family, customer risk, cash-flow forecast.

The public API for the ledger figures; domains with heavier dependencies
(`creditdash.store`, `creditdash.ingest`, risk, forecast, ...) are imported
from their own packages.
"""

from creditdash.aging import BUCKET_EDGES_DEFAULT, aging, ar_by_month, bucket_labels, open_items
from creditdash.errors import (
    CreditDashError,
    ImportRejected,
    InsufficientHistory,
    InvalidArgument,
    NotFitted,
    NotFound,
    Problem,
)
from creditdash.kpis import kpis
from creditdash.ledger import Ledger

__all__ = [
    "BUCKET_EDGES_DEFAULT",
    "CreditDashError",
    "ImportRejected",
    "InsufficientHistory",
    "InvalidArgument",
    "Ledger",
    "NotFitted",
    "NotFound",
    "Problem",
    "aging",
    "ar_by_month",
    "bucket_labels",
    "kpis",
    "open_items",
]
