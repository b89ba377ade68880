"""creditdash: receivables aging, the DSO family, customer risk, cash-flow forecast.

The public API for the ledger figures (the modules `creditdash.aging` and
`creditdash.kpis` hold `aging()` and `kpis()`); domains with heavier dependencies
(`creditdash.store`, `creditdash.ingest`, risk, forecast, ...) are imported
from their own packages.
"""

from creditdash.aging import BUCKET_EDGES_DEFAULT, ar_by_month, bucket_labels, open_items
from creditdash.errors import (
    CreditDashError,
    ImportRejected,
    InsufficientHistory,
    InvalidArgument,
    NotFitted,
    NotFound,
    Problem,
)
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
    "ar_by_month",
    "bucket_labels",
    "open_items",
]
