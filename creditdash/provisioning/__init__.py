"""Bad-debt provisions (expected credit loss): the matrix, roll rates from history, the provision.

matrix      `provision_matrix(balances, loss_rates)`, the pure sum of balance x rate
history     roll rates between aging buckets month to month and the loss rates
            they imply (write-off = the last, open-ended bucket)
provision   the provision at an as-of date by bucket and portfolio, individually
            assessed customers (单项计提), the trend over month-ends
charts      plotly figures of the trend and the roll rates
"""

from creditdash.provisioning.history import RollRates, SnapshotCache, month_ends_before, roll_rates
from creditdash.provisioning.matrix import provision_matrix
from creditdash.provisioning.provision import (
    PORTFOLIOS,
    WHOLE_BOOK,
    Provision,
    provision,
    provision_trend,
)

__all__ = [
    "PORTFOLIOS",
    "WHOLE_BOOK",
    "Provision",
    "RollRates",
    "SnapshotCache",
    "month_ends_before",
    "provision",
    "provision_matrix",
    "provision_trend",
    "roll_rates",
]
