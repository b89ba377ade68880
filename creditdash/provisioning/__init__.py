"""Bad-debt provisions (expected credit loss): the matrix, roll rates from history, the provision.

matrix      `provision_matrix(balances, loss_rates)`, the pure sum of balance x rate
history     roll rates between aging buckets month to month and the loss rates
            they imply (write-off = the last, open-ended bucket), for the whole
            book or per portfolio (falling back to the book where history is thin)
portfolios  the portfolios: whole book, segment, region or risk grade
provision   the provision at an as-of date by bucket and portfolio, individually
            assessed customers (单项计提), the trend over month-ends
charts      plotly figures of the trend and the roll rates
"""

from creditdash.provisioning.history import (
    MIN_EXITS,
    PortfolioRollRates,
    RollRates,
    SnapshotCache,
    month_ends_before,
    portfolio_roll_rates,
    roll_rates,
)
from creditdash.provisioning.matrix import provision_matrix
from creditdash.provisioning.portfolios import PORTFOLIOS, WHOLE_BOOK
from creditdash.provisioning.provision import Provision, provision, provision_trend

__all__ = [
    "MIN_EXITS",
    "PORTFOLIOS",
    "WHOLE_BOOK",
    "PortfolioRollRates",
    "Provision",
    "RollRates",
    "SnapshotCache",
    "month_ends_before",
    "portfolio_roll_rates",
    "provision",
    "provision_matrix",
    "provision_trend",
    "roll_rates",
]
