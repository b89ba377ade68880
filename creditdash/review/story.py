"""The week's story: what changed since last week and four weeks ago, and what needs a decision.

`build_review(ledger, as_of, engine=...)` gathers the figures of the week
ending at as_of, a week before and four weeks before (stored snapshots where
recorded, else computed from the ledger), the weekly history for the trends,
and derives every table the page and the review pack show. The pure
functions (`kpi_changes`, `movers`, `alert_changes`, ...) take the
`week_figures` documents, so they work the same on stored and fresh figures.

Money in the frames returned here is in currency units (float, exact to
the cent), ready for display and export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from creditdash.aging import open_items
from creditdash.i18n import Text
from creditdash.ledger import DateLike, Ledger, day_number, day_to_timestamp
from creditdash.review.sections import Section
from creditdash.review.snapshots import SnapshotInfo, figures_for_week
from creditdash.risk.in_force import RiskInputs, risk_inputs

# (key, label, unit, better): unit "money" | "pct" | "days" | "index"; better "up" | "down" | ""
TILES: list[tuple[str, str, str, str]] = [
    ("total_ar", "Total AR", "money", ""),
    ("overdue_ar", "Overdue AR", "money", "down"),
    ("overdue_pct", "Overdue %", "pct", "down"),
    ("dso_countback", "DSO countback", "days", "down"),
    ("bpdso", "Best possible DSO (90 days)", "days", "down"),  # the review's window: 90 days
    ("add", "ADD (90 days)", "days", "down"),
    ("cei", "CEI", "pct", "up"),
    ("receipts", "Received (7 days)", "money", "up"),
    ("top10_pct", "Top-10 share", "pct", "down"),
]
extra_definitions: dict[str, str] = {
    "receipts": "Cash received in the 7 days up to the as-of date: every payment, applied or not.",
    "top10_pct": "Share of total AR owed by the 10 customers with the largest balances.",
    "movers": "Customers whose overdue AR (past due date) changed most since a week earlier.",
    "chronic_late": "Customers with no item over 30 days past due who, over the last year, paid "
    "at least 60% of the amount late, on average at least 5 days late (4+ invoices paid).",
    "broken_promises": "Invoices last week's forecast expected in the week just ended that are "
    "still open.",
    "forecast_vs_actual": "Receipts last week's forecast expected for week 1 against the cash "
    "actually received in the week.",
}
MOVERS_N = 10
CHRONIC_COLUMNS = ["customer_id", "customer_name", "salesperson", "total", "current",
                   "late_share_pct", "avg_days_late", "invoices_paid"]  # fmt: skip


@dataclass
class Review:
    """Everything the review page and pack show for one week."""

    as_of: date
    current: dict
    week_ago: dict
    four_weeks_ago: dict
    recorded: dict[str, SnapshotInfo | None]
    history: list[dict]  # oldest week first, current last
    salesperson: str | None = None
    region: str | None = None
    kpis: pd.DataFrame = field(default_factory=pd.DataFrame)
    movers_up: pd.DataFrame = field(default_factory=pd.DataFrame)
    movers_down: pd.DataFrame = field(default_factory=pd.DataFrame)
    alerts_new: pd.DataFrame = field(default_factory=pd.DataFrame)
    alerts_resolved: pd.DataFrame = field(default_factory=pd.DataFrame)
    alerts_open: pd.DataFrame = field(default_factory=pd.DataFrame)
    chronic_late: pd.DataFrame = field(default_factory=pd.DataFrame)
    top_customers: pd.DataFrame = field(default_factory=pd.DataFrame)
    aging: pd.DataFrame = field(default_factory=pd.DataFrame)
    scorecards: dict[str, pd.DataFrame] = field(default_factory=dict)
    trends: pd.DataFrame = field(default_factory=pd.DataFrame)
    broken_promises: pd.DataFrame | None = None
    forecast_vs_actual: dict | None = None
    notes: list[Text] = field(default_factory=list)  # what was left out and why

    @property
    def sections(self) -> dict[str, Section]:
        """This week's risk, forecast and provision sections (creditdash.review.sections)."""
        return {n: Section.from_dict(s) for n, s in self.current.get("sections", {}).items()}

    @property
    def currency(self) -> str:
        return self.current.get("currency", "CNY")


def build_review(
    ledger: Ledger,
    as_of: DateLike,
    *,
    engine=None,
    weeks: int = 8,
    salesperson: str | None = None,
    region: str | None = None,
    compute: Callable[[date, bool], dict] | None = None,
    risk: RiskInputs | None = None,
) -> Review:
    """The review of the week ending at as_of; `weeks` of history for the trends (>= 5).

    Each week is its stored snapshot (when `engine` is given and one exists),
    else computed by `compute(week, optional)` (default `week_figures` grading with
    `risk`, by default the policy in force in `engine`'s store); the risk / forecast /
    provision sections only for this week and the last.
    """
    end = day_to_timestamp(day_number(as_of)).date()
    weeks = max(5, int(weeks))
    if risk is None and engine is not None and compute is None:
        risk = risk_inputs(engine)
    history, recorded = [], []
    for k in range(weeks - 1, -1, -1):
        week = end - timedelta(days=7 * k)
        figures, info = figures_for_week(
            engine, ledger, week, optional=k <= 1, compute=compute, risk=risk
        )
        history.append(figures)
        recorded.append(info)
    current, week_ago, four = history[-1], history[-2], history[-5]
    review = Review(
        as_of=end,
        current=current,
        week_ago=week_ago,
        four_weeks_ago=four,
        recorded={
            "current": recorded[-1],
            "week_ago": recorded[-2],
            "four_weeks_ago": recorded[-5],
        },
        history=history,
        salesperson=salesperson or None,
        region=region or None,
    )
    keep = _customer_filter(current, salesperson, region)
    before = _customer_filter(week_ago, salesperson, region)
    either = None if keep is None else keep | (before or set())
    review.kpis = kpi_changes(current, week_ago, four)
    review.movers_up, review.movers_down = movers(current, week_ago, either)
    review.alerts_new, review.alerts_resolved, review.alerts_open = alert_changes(
        current, week_ago, either
    )
    review.chronic_late = _money(
        _frame(current["chronic_late"], keep, CHRONIC_COLUMNS), ["total", "current"]
    )
    review.top_customers = top_customers(current, keep)
    review.aging = aging_changes(current, week_ago, four)
    review.scorecards = {by: scorecard_table(history, by) for by in ("salesperson", "region")}
    review.trends = kpi_trends(history)
    review.forecast_vs_actual = forecast_vs_actual(current, week_ago)
    review.broken_promises, note = broken_promises(ledger, current, week_ago)
    if note is not None:
        review.notes.append(note)
    for name, sec in current.get("sections", {}).items():
        if not sec.get("available"):
            why = sec.get("note", "")  # a Text's dict form (or, in older snapshots, English)
            section = Text(f"pack.section.{name}")
            review.notes.append(Text("pack.note.omitted", {"section": section, "why": why}))
    return review


def kpi_changes(current: dict, week_ago: dict, four_weeks_ago: dict) -> pd.DataFrame:
    """One row per tile: key, label, unit, better, value, week_ago, four_weeks_ago, wow, four_week."""
    rows = []
    for key, label, unit, better in TILES:
        now, prev, old = (tile_value(f, key) for f in (current, week_ago, four_weeks_ago))
        rows.append(
            {
                "key": key,
                "label": label,
                "unit": unit,
                "better": better,
                "value": now,
                "week_ago": prev,
                "four_weeks_ago": old,
                "wow": _diff(now, prev),
                "four_week": _diff(now, old),
            }
        )
    return pd.DataFrame(rows)


def tile_value(figures: dict, key: str) -> float | None:
    """A tile's figure from a week's figures (money in currency units)."""
    if key == "receipts":
        return figures["receipts_cents"] / 100
    if key == "top10_pct":
        return figures["concentration"]["top10_pct"]
    return figures["kpis"][key]


def movers(
    current: dict, week_ago: dict, keep: set[str] | None = None, n: int = MOVERS_N
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customers whose overdue AR grew most and shrank most since a week earlier.

    Columns: customer_id, customer_name, salesperson, region, overdue_before,
    overdue_now, change, total_now (currency units).
    """
    now = _customer_frame(current)
    before = _customer_frame(week_ago)
    merged = now.merge(before, on="customer_id", how="outer", suffixes=("", "_before"))
    for column in ("customer_name", "salesperson", "region"):
        merged[column] = merged[column].fillna(merged[f"{column}_before"])
    for column in ("overdue", "overdue_before", "total"):
        merged[column] = merged[column].fillna(0).astype("int64")
    frame = pd.DataFrame(
        {
            "customer_id": merged["customer_id"],
            "customer_name": merged["customer_name"],
            "salesperson": merged["salesperson"],
            "region": merged["region"],
            "overdue_before": merged["overdue_before"] / 100,
            "overdue_now": merged["overdue"] / 100,
            "change": (merged["overdue"] - merged["overdue_before"]) / 100,
            "total_now": merged["total"] / 100,
        }
    )
    if keep is not None:
        frame = frame.loc[frame["customer_id"].isin(keep)]
    up = frame.loc[frame["change"] > 0].nlargest(n, "change").reset_index(drop=True)
    down = frame.loc[frame["change"] < 0].nsmallest(n, "change").reset_index(drop=True)
    return up, down


def alert_changes(
    current: dict, week_ago: dict, keep: set[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(new, resolved, open) alerts: the credit policy's watchlist, as the Customer risk page
    shows it, when both weeks have one; else the ledger's own rules.

    Columns: key, rule, customer_id, customer_name, amount (currency units), detail (a
    `Text` for the ledger rules, the risk action's code for the watchlist).
    """
    # The watchlist counts only when both weeks have it: else every hit would look new (or
    # resolved) merely because one week was recorded before the risk module existed. The
    # ledger rules (over limit, 90+ days, disputed) then stand in for it; alongside the
    # watchlist they would repeat its over-limit and 90-day rules with other thresholds.
    both = all(
        f.get("sections", {}).get("watchlist", {}).get("available") for f in (current, week_ago)
    )
    now, before = _alerts(current, both), _alerts(week_ago, both)
    if keep is not None:
        now = now.loc[now["customer_id"].isin(keep)]
        before = before.loc[before["customer_id"].isin(keep)]
    new = now.loc[~now["key"].isin(before["key"])].reset_index(drop=True)
    resolved = before.loc[~before["key"].isin(now["key"])].reset_index(drop=True)
    return new, resolved, now.reset_index(drop=True)


def top_customers(current: dict, keep: set[str] | None = None, n: int = 10) -> pd.DataFrame:
    """The largest balances: customer_id, customer_name, salesperson, total, overdue, share_pct."""
    frame = _customer_frame(current)
    total = current["aging"]["total"]
    if keep is not None:
        frame = frame.loc[frame["customer_id"].isin(keep)]
    frame = frame.loc[frame["total"] > 0].nlargest(n, "total")
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"],
            "customer_name": frame["customer_name"],
            "salesperson": frame["salesperson"],
            "total": frame["total"] / 100,
            "overdue": frame["overdue"] / 100,
            "share_pct": (frame["total"] / total * 100).round(2) if total > 0 else None,
        }
    ).reset_index(drop=True)


def aging_changes(current: dict, week_ago: dict, four_weeks_ago: dict) -> pd.DataFrame:
    """AR by bucket now, a week and four weeks before: bucket, now, week_ago, four_weeks_ago, wow."""
    labels = [*current["aging"]["labels"], "unapplied", "total"]

    def cents(figures: dict, label: str) -> int:
        aging = figures["aging"]
        return aging[label] if label in ("unapplied", "total") else aging["cents"].get(label, 0)

    frame = pd.DataFrame(
        {
            "bucket": labels,
            "now": [cents(current, b) / 100 for b in labels],
            "week_ago": [cents(week_ago, b) / 100 for b in labels],
            "four_weeks_ago": [cents(four_weeks_ago, b) / 100 for b in labels],
        }
    )
    frame["wow"] = frame["now"] - frame["week_ago"]
    frame["four_week"] = frame["now"] - frame["four_weeks_ago"]
    return frame


def scorecard_table(history: list[dict], by: str) -> pd.DataFrame:
    """The current scorecards with their 4-week changes and weekly trends.

    Columns: rank, group, customers, ar, overdue, overdue_pct, sales, dso,
    cei, write_offs (currency units), cei_4w, overdue_pct_4w (changes over
    four weeks), rank_4w (the rank four weeks before), overdue_pct_trend and
    cei_trend (one value per history week, oldest first).
    """
    now = pd.DataFrame(history[-1]["scorecards"][by])
    if now.empty:
        return now
    old = pd.DataFrame(history[-5]["scorecards"][by])
    if old.empty:
        old = pd.DataFrame(columns=["group", "cei", "overdue_pct", "rank"])
    table = now.merge(
        old[["group", "cei", "overdue_pct", "rank"]], on="group", how="left", suffixes=("", "_old")
    )
    out = pd.DataFrame(
        {
            "rank": table["rank"],
            "group": table["group"],
            "customers": table["customers"],
            "ar": table["ar_cents"] / 100,
            "overdue": table["overdue_cents"] / 100,
            "overdue_pct": table["overdue_pct"],
            "sales": table["sales_cents"] / 100,
            "dso": table["dso"],
            "cei": table["cei"],
            "write_offs": table["write_offs_cents"] / 100,
            "cei_4w": (table["cei"].astype(float) - table["cei_old"].astype(float)).round(2),
            "overdue_pct_4w": (
                table["overdue_pct"].astype(float) - table["overdue_pct_old"].astype(float)
            ).round(2),
            "rank_4w": table["rank_old"].astype("Int64"),
        }
    )
    series: dict[str, list[list]] = {name: [] for name in ("overdue_pct", "cei")}
    for group in out["group"]:
        for name in series:
            series[name].append([_group_value(w, by, group, name) for w in history])
    out["overdue_pct_trend"] = series["overdue_pct"]
    out["cei_trend"] = series["cei"]
    return out


def kpi_trends(history: list[dict]) -> pd.DataFrame:
    """One row per history week: week_ending and every tile's value."""
    rows = []
    for figures in history:
        row = {"week_ending": pd.Timestamp(figures["as_of"])}
        row.update({key: tile_value(figures, key) for key, *_ in TILES})
        rows.append(row)
    return pd.DataFrame(rows)


def forecast_vs_actual(current: dict, week_ago: dict) -> dict | None:
    """Last week's forecast of this week's receipts against the cash received; None without one."""
    forecast = week_ago.get("sections", {}).get("forecast", {})
    expected = forecast.get("week1_expected") if forecast.get("available") else None
    if expected is None:
        return None
    actual = current["receipts_cents"] / 100
    return {
        "expected": expected,
        "actual": actual,
        "variance": actual - expected,
        "variance_pct": None if not expected else round((actual - expected) / expected * 100, 2),
    }


def broken_promises(
    ledger: Ledger, current: dict, week_ago: dict
) -> tuple[pd.DataFrame | None, Text | None]:
    """Invoices last week's invoice-level forecast expected in the week just ended, still open.

    Needs last week's figures to hold the forecast's per-invoice expected dates
    (`sections.promises`). Columns: invoice_id, customer_id, expected_date,
    outstanding (currency units). Returns (None, why) when there is none, else (frame, None).
    """
    promises = week_ago.get("sections", {}).get("promises", {})
    if not promises.get("available"):
        return None, Text("pack.note.no_promises")
    rows = pd.DataFrame(promises["rows"])
    date_column = next(
        (c for c in ("expected_date", "p50_date", "median_date") if c in rows.columns), None
    )
    if "invoice_id" not in rows.columns or date_column is None:
        return None, Text("pack.note.no_promise_dates")
    start = pd.Timestamp(week_ago["as_of"])
    end = pd.Timestamp(current["as_of"])
    expected_on = pd.to_datetime(rows[date_column], errors="coerce")
    due = rows.loc[(expected_on > start) & (expected_on <= end)]
    items = open_items(ledger, end)
    still_open = items.loc[items["outstanding_cents"] > 0].set_index("invoice_id")
    broken = due.loc[due["invoice_id"].astype(str).isin(still_open.index)]
    return (
        pd.DataFrame(
            {
                "invoice_id": broken["invoice_id"].astype(str),
                "customer_id": broken["invoice_id"].astype(str).map(still_open["customer_id"]),
                "expected_date": pd.to_datetime(broken[date_column]).dt.date,
                "outstanding": broken["invoice_id"]
                .astype(str)
                .map(still_open["outstanding_cents"])
                .astype("float64")
                / 100,
            }
        ).reset_index(drop=True),
        None,
    )


def filter_options(ledger: Ledger) -> dict[str, list[str]]:
    """The salespeople and regions of the customers, sorted, for the page's filters."""
    customers = ledger.customers
    return {
        by: sorted({str(v).strip() for v in customers[by].dropna() if str(v).strip()})
        for by in ("salesperson", "region")
    }


def section_frame(section: Section) -> pd.DataFrame:
    """A section's table for display: `*_cents` columns in currency units, named without
    the suffix."""
    frame = section.frame()
    cents = [c for c in frame.columns if c.endswith("_cents")]
    for column in cents:
        frame[column] = pd.to_numeric(frame[column], errors="coerce") / 100
    return frame.rename(columns={c: c.removesuffix("_cents") for c in cents})


# --- helpers ------------------------------------------------------------------------------


def _customer_frame(figures: dict) -> pd.DataFrame:
    columns = ["customer_id", "customer_name", "salesperson", "region", "total", "overdue"]
    frame = pd.DataFrame(figures["customers"])
    return frame[columns] if not frame.empty else pd.DataFrame(columns=columns)


def _customer_filter(figures: dict, salesperson: str | None, region: str | None) -> set[str] | None:
    """Customer ids of the chosen salesperson / region, None when no filter is set."""
    if not salesperson and not region:
        return None
    frame = pd.DataFrame(figures["customers"])
    if frame.empty:
        return set()
    mask = pd.Series(True, index=frame.index)
    if salesperson:
        mask &= frame["salesperson"] == salesperson
    if region:
        mask &= frame["region"] == region
    return set(frame.loc[mask, "customer_id"])


def _alerts(figures: dict, watchlist: bool = True) -> pd.DataFrame:
    """The week's alerts: its watchlist when `watchlist` (and it has one), else its ledger
    rules."""
    columns = ["key", "rule", "customer_id", "customer_name", "amount", "detail"]
    watch = figures.get("sections", {}).get("watchlist", {})
    if watchlist and watch.get("available"):
        rows = pd.DataFrame(watch["rows"], columns=watch.get("columns"))
        if "customer_id" not in rows.columns:
            return pd.DataFrame(columns=columns)
        rule = next((c for c in ("rule", "reason", "alert") if c in rows.columns), None)
        label = rows[rule].astype(str) if rule else pd.Series("watchlist", index=rows.index)
        frame = pd.DataFrame(
            {
                "key": "watchlist:" + label + ":" + rows["customer_id"].astype(str),
                "rule": "watchlist: " + label,
                "customer_id": rows["customer_id"].astype(str),
                "customer_name": rows.get("customer_name", rows["customer_id"]).astype(str),
                "amount": _exposure(rows),
                "detail": rows["action"].astype(str) if "action" in rows else "",
            },
            columns=columns,
        )
        return frame.drop_duplicates("key")
    frame = pd.DataFrame(figures["alerts"], columns=columns)
    frame["amount"] = frame["amount"].astype("float64") / 100
    frame["detail"] = [Text.from_dict(d) if isinstance(d, dict) else d for d in frame["detail"]]
    return frame.drop_duplicates("key")


def _exposure(rows: pd.DataFrame) -> pd.Series:
    if "exposure_cents" in rows:
        return pd.to_numeric(rows["exposure_cents"], errors="coerce") / 100
    if "exposure" in rows:
        return pd.to_numeric(rows["exposure"], errors="coerce")
    return pd.Series(float("nan"), index=rows.index)


def _frame(records: list[dict], keep: set[str] | None, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=columns)  # stored documents keep keys sorted
    if keep is not None and not frame.empty:
        frame = frame.loc[frame["customer_id"].isin(keep)]
    return frame.reset_index(drop=True)


def _money(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = out[c] / 100
    return out


def _group_value(figures: dict, by: str, group: str, name: str) -> float | None:
    for row in figures["scorecards"][by]:
        if row["group"] == group:
            value = row[name]
            return None if value is None else float(value)
    return None


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, 2)
