"""What the Weekly review page shows for one week and filter, as one typed result.

`review_view` builds the week's review (`story.build_review`) and the week's
collections section, and puts the frames the page shows in the reader's
language: alert rules and details, the collector "nobody", snapshot triggers.
Money is in currency units, as in the review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from creditdash.collections import collections_inputs
from creditdash.errors import CreditDashError
from creditdash.i18n import t
from creditdash.ledger import Ledger
from creditdash.report import labels
from creditdash.review.collections import CollectionsReview, collections_review, with_amounts
from creditdash.review.story import Review, build_review


@dataclass(frozen=True)
class CollectionsTile:
    """One tile of the week's collections: how many, and beside it their amount (currency
    units) or their mean age in days; neither where there is nothing to average."""

    name: str
    count: int
    amount: float | None = None
    days: float | None = None


@dataclass(frozen=True, eq=False)
class ReviewView:
    """The week's review and what the page draws from it, its words in one language.

    review               the week's story (tiles, trends, movers, scorecards, sections...)
    alerts_new/resolved  the review's alert tables with rule, bucket and detail in words
    collections          the week's promises and disputes (the whole book), None when
                         `collections_error` says why not
    """

    review: Review
    lang: str
    alerts_new: pd.DataFrame
    alerts_resolved: pd.DataFrame
    collections: CollectionsReview | None = None
    collections_error: CreditDashError | None = None

    def collection_tiles(self) -> list[CollectionsTile]:
        """Promises made, kept, broken (partly kept counted in), disputes opened, resolved
        (their mean days to resolve) and open (their mean age)."""
        if self.collections is None:
            return []
        s = self.collections.totals

        def money(*names: str) -> float:
            return sum(s[f"{n}_cents"] for n in names) / 100

        return [
            CollectionsTile("promises_made", int(s["promises_made"]), money("promised")),
            CollectionsTile("kept", int(s["kept"]), money("kept")),
            CollectionsTile("broken", int(s["broken"] + s["partly_kept"]),
                            money("broken", "partly_kept")),
            CollectionsTile("disputes_opened", int(s["disputes_opened"]), money("disputed")),
            CollectionsTile("disputes_resolved", int(s["disputes_resolved"]),
                            days=s["resolution_days"] if s["disputes_resolved"] else None),
            CollectionsTile("disputes_open", int(s["disputes_open"]),
                            days=s["open_age_days"] if s["disputes_open"] else None),
        ]  # fmt: skip

    def collections_table(self, by: str) -> pd.DataFrame:
        """The week's collections by `collector` or `salesperson`: amounts in currency units
        (`*_amount`), customers without a collector under "nobody" in the view's language."""
        if self.collections is None:
            return pd.DataFrame()
        table = with_amounts(getattr(self.collections, f"by_{by}"))
        if by == "collector" and not table.empty:
            table["group"] = table["group"].replace("", t("review.coll.nobody", self.lang))
        return table

    def scorecard_row(self, by: str, group: str | None) -> pd.Series | None:
        """The scorecard row of `group` among the `by` groups; None when it has none."""
        table = self.review.scorecards[by]
        if group is None or table.empty or group not in set(table["group"]):
            return None
        return table.loc[table["group"] == group].iloc[0]


def review_view(
    ledger: Ledger,
    week: date,
    lang: str = "en",
    *,
    engine: Engine | None = None,
    salesperson: str | None = None,
    region: str | None = None,
    compute: Callable[[date, bool], dict] | None = None,
) -> ReviewView:
    """The review of the week ending `week` for one salesperson and / or region (None: all),
    its words in `lang`; `engine`, `compute` as `build_review` takes them. The collections
    section needs `engine` (the promises and disputes). Raises the review's CreditDashError;
    one from the collections section is kept in `collections_error`."""
    review = build_review(ledger, week, engine=engine, salesperson=salesperson, region=region,
                          compute=compute)  # fmt: skip
    collections, error = None, None
    if engine is not None:
        try:
            collections = collections_review(ledger, collections_inputs(engine), week)
        except CreditDashError as err:
            error = err
    return ReviewView(
        review=review,
        lang=lang,
        alerts_new=labels.values(review.alerts_new, lang),
        alerts_resolved=labels.values(review.alerts_resolved, lang),
        collections=collections,
        collections_error=error,
    )


def snapshots_in_words(recorded: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """`snapshots.list_snapshots` with each trigger named in `lang`."""
    return recorded.assign(trigger=[t(f"review.trigger.{x}", lang) for x in recorded["trigger"]])
