"""The Overview's figures and charts, made ready by the server (`serve.py`) before the first
visitor asks: the first page of a session then draws from memory.

The figures at the latest date are also saved beside the saved ledger
(`creditdash.store.ledger_cache.save_figures`), so a restart on unchanged data
reads them instead of computing them again."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import creditdash
import ui
from creditdash import charts, i18n
from creditdash.aging import BUCKET_EDGES_DEFAULT, bucket_labels, to_money
from creditdash.presentation import top_overdue
from creditdash.report.labels import bucket
from creditdash.store import ledger_cache

WEEK = timedelta(days=7)  # the tiles' changes are against the same figures a week before
TOP = 10  # customers in the most-overdue chart and table
LABELS = bucket_labels(BUCKET_EDGES_DEFAULT, "due")  # the Overview ages by due date


@dataclass(frozen=True)
class Figures:
    """What the Overview draws at one as-of date (money in int64 cents)."""

    now: creditdash.Kpis
    week_before: creditdash.Kpis
    monthly: pd.DataFrame  # AR at each of the last 12 month-ends by bucket (`ar_by_month`)
    by_customer: pd.DataFrame  # aging by customer on the due-date basis (`aging`)

    def top_overdue(self) -> pd.DataFrame:
        """The customers most overdue (`presentation.top_overdue`): customer, overdue (money),
        total, oldest_bucket; empty when nobody is overdue."""
        return top_overdue(self.by_customer, LABELS, n=TOP)


@st.cache_resource(show_spinner=False)
def _prepared() -> dict:
    """The figures `prepare` made, by (data version, as-of date): the latest only."""
    return {}


# (data version, as-of date) -> set once `prepare` has made the figures it is making now
_MAKING: dict[tuple, threading.Event] = {}
_WAIT_SECONDS = 60.0  # for a `prepare` under way; past that the page makes its own


def figures(version_key: tuple, as_of: date) -> Figures:
    """The Overview's figures at `as_of`: those `prepare` made, else each from the app's
    per-version caches. While `prepare` is making these very figures, it waits for them
    rather than make them a second time beside it, on the cores the page and the browser
    draw with (after a restart `prepare` reads them saved, in hundredths of a second, where
    making them takes tenths)."""
    making = _MAKING.get((version_key, as_of))
    if making is not None:
        making.wait(_WAIT_SECONDS)
    found = _prepared().get((version_key, as_of))
    return found if found is not None else _made(version_key, as_of)


def _made(version_key: tuple, as_of: date) -> Figures:
    """The figures at `as_of`, each from the app's per-version caches."""
    return Figures(
        now=ui.kpis_at(version_key, as_of),
        week_before=ui.kpis_at(version_key, as_of - WEEK),
        monthly=ui.ar_by_month(version_key, as_of),
        by_customer=ui.aging_table(version_key, as_of, "due", BUCKET_EDGES_DEFAULT, "customer"),
    )


def ar_by_month_chart(shown: Figures, currency: str, lang: str) -> go.Figure:
    """AR at each month-end, stacked by due-date bucket, in `lang` (not yet `charts.localise`d)."""
    return charts.ar_by_month_chart(
        to_money(shown.monthly),
        LABELS,
        currency=currency,
        title=i18n.t("chart.ar_by_month", lang),
        y_title=i18n.t("chart.outstanding", lang),
        names={b: bucket(b, lang) for b in LABELS},
    )


def top_overdue_chart(top: pd.DataFrame, currency: str, lang: str) -> go.Figure:
    """`top` (`Figures.top_overdue`) as bars, in `lang` (not yet `charts.localise`d)."""
    return charts.top_overdue_chart(
        top,
        currency=currency,
        title=i18n.t("chart.top_overdue", lang),
        x_title=i18n.t("chart.overdue", lang),
    )


def prepare() -> Figures | None:
    """Load the ledger and compute the Overview at the as-of date a new session starts on (the
    ledger's latest date). None when there is no data."""
    version_key, loaded = ui.version(), ui.ledger()
    last = loaded.last_date
    if last is None:
        return None
    as_of = last.date()
    made = _MAKING[(version_key, as_of)] = threading.Event()
    try:
        shown = _saved(loaded, as_of)
        fresh = shown is None
        if shown is None:
            shown = _made(version_key, as_of)
        prepared = _prepared()
        prepared.clear()
        if ui.version() == version_key:  # no import or rollback came while they were made
            prepared[(version_key, as_of)] = shown
    finally:
        _MAKING.pop((version_key, as_of), None)
        made.set()
    if fresh:  # saved beside the ledger for the next start, once a page waiting has them
        _save(loaded, as_of, shown)
    return shown


def warm_charts(shown: Figures) -> None:
    """Draw the Overview's charts of `shown` and format a figure once in each language, which
    loads the number formats and the chart library's parts (a few tenths of a second that
    the first page would otherwise spend)."""
    currency = ui.settings().reporting_currency
    top = shown.top_overdue()
    for lang in i18n.LANGS:
        charts.localise(ar_by_month_chart(shown, currency, lang), lang).to_json()
        if not top.empty:
            charts.localise(top_overdue_chart(top, currency, lang), lang).to_json()
        i18n.money(shown.now.total_ar, currency, lang, compact=True)
        i18n.money(shown.now.total_ar, currency, lang)
        i18n.number(shown.now.overdue_pct, lang, 1)


_SAVED_AS = "overview"


def _beside(loaded: creditdash.Ledger) -> tuple[Path, ledger_cache.CacheKey] | None:
    """The cache folder and the key `loaded` was saved or found under; None without one."""
    folder, key = ui.settings().ledger_cache, ledger_cache.key_of(loaded)
    return None if folder is None or key is None else (folder, key)


def _saved(loaded: creditdash.Ledger, as_of: date) -> Figures | None:
    """The figures at `as_of` saved beside `loaded`'s saved ledger, if they are current."""
    where = _beside(loaded)
    if where is None:
        return None
    found = ledger_cache.load_figures(*where, _SAVED_AS, {"as_of": as_of.isoformat()})
    if found is None:
        return None
    frames, values = found
    try:
        return Figures(
            now=creditdash.Kpis(**values["now"]),
            week_before=creditdash.Kpis(**values["week_before"]),
            monthly=frames["monthly"],
            by_customer=frames["by_customer"],
        )
    except (KeyError, TypeError):  # saved by a Kpis of other fields: computed again
        return None


def _save(loaded: creditdash.Ledger, as_of: date, shown: Figures) -> None:
    where = _beside(loaded)
    if where is None:
        return
    frames = {"monthly": shown.monthly, "by_customer": shown.by_customer}
    values = {"now": asdict(shown.now), "week_before": asdict(shown.week_before)}
    ledger_cache.save_figures(*where, _SAVED_AS, {"as_of": as_of.isoformat()}, frames, values)
