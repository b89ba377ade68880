"""The weekly management review: snapshots, the week's story, scorecards.

figures     the figures of one week as a JSON-ready document
snapshots   store and read those documents (`take_snapshot`, which the import job calls)
story       week-on-week and 4-week changes, movers, alerts, chronic late payers
scorecards  collection scorecards by salesperson and region
sections    the week's risk, forecast and provision sections (`Section` reads one back)
view        what the Weekly review page shows for one week (`review_view`)
charts      the review's plotly figures
"""

from creditdash.review.figures import week_figures
from creditdash.review.scorecards import scorecards
from creditdash.review.snapshots import (
    backfill_snapshots,
    figures_for_week,
    list_snapshots,
    load_snapshot,
    take_snapshot,
)
from creditdash.review.story import Review, build_review

__all__ = [
    "Review",
    "backfill_snapshots",
    "build_review",
    "figures_for_week",
    "list_snapshots",
    "load_snapshot",
    "scorecards",
    "take_snapshot",
    "week_figures",
]
