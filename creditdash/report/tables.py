"""The pack's tables in the reader's words: alerts and watchlist hits as sentences, grades with
their flags named, the largest rows first, and the unit each column is shown in.

The printed pack shows the top rows of a long list (`top`) and says how many there are;
the workbook carries every row of the same frames. Money is in currency units, PD and loss
rates are fractions, `*_pct` columns are already percentages.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from creditdash.i18n import render, t
from creditdash.report import labels
from creditdash.review.sections import Section

TOP_N = 15
MONEY, PCT, SHARE, PP, DAYS, SCORE, INT = "money", "pct", "share", "pp", "days", "score", "int"
# the unit of each column the pack shows: SHARE is a fraction shown as %, PCT a percentage,
# PP a change of a percentage (percentage points)
UNITS: dict[str, str] = {
    **dict.fromkeys(
        ["amount", "exposure", "overdue", "credit_limit", "recommended_limit", "total", "current",
         "now", "week_ago", "four_weeks_ago", "wow", "four_week", "overdue_before", "overdue_now",
         "change", "total_now", "ar", "sales", "write_offs", "expected", "actual", "variance",
         "outstanding", "p10", "p50", "p90", "balance", "ecl"],
        MONEY,
    ),
    **dict.fromkeys(["pd", "mean_pd", "loss_rate"], SHARE),
    **dict.fromkeys(["cei", "overdue_pct", "share_pct", "late_share_pct", "variance_pct",
                     "exposure_share_pct"], PCT),
    **dict.fromkeys(["cei_4w", "overdue_pct_4w"], PP),
    **dict.fromkeys(["avg_days_late", "dso"], DAYS),
    "score": SCORE,
    **dict.fromkeys(["customers", "alerts", "new_alerts", "invoices_paid", "rank", "rank_4w",
                     "week"], INT),
}  # fmt: skip
ALERT_COLUMNS = ["rule", "customer_id", "customer_name", "amount", "action", "why"]
WATCH_COLUMNS = ["new", "customer_id", "customer_name", "grade", "rule", "action", "why",
                 "exposure"]  # fmt: skip
GRADE_COLUMNS = ["customer_id", "customer_name", "grade", "score", "pd", "exposure", "overdue",
                 "credit_limit", "recommended_limit", "flags"]  # fmt: skip


def top(frame: pd.DataFrame, by: str, n: int = TOP_N) -> pd.DataFrame:
    """The `n` rows largest in `by` (missing last), in that order."""
    if frame.empty or by not in frame:
        return frame.head(n)
    order = pd.to_numeric(frame[by], errors="coerce").abs()
    return frame.loc[order.sort_values(ascending=False, na_position="last").index].head(n)


def alerts_in_words(alerts: pd.DataFrame, week: dict, lang: str = "en") -> pd.DataFrame:
    """New, resolved or open alerts as a reader reads them.

    Columns: rule (its name, without "watchlist:"), customer_id, customer_name, amount, action (its name) and why
    (the hit's sentence). `week` is the figures the alerts were found in: a watchlist alert's
    sentence comes from that week's hit (`risk.hit.<kind>` with its params), a ledger rule's
    from its own `detail`.
    """
    hits = {(r.get("rule"), r.get("customer_id")): r for r in _watch_rows(week)}
    rows = []
    for alert in alerts.itertuples(index=False):
        head, sep, rule = str(alert.rule).partition(": ")
        watched = hits.get((rule, alert.customer_id)) if sep and head == "watchlist" else None
        if watched is not None:
            action = labels.action(watched.get("action"), lang)
            why = labels.hit(watched.get("kind"), watched.get("params"), lang,
                             watched.get("detail"))  # fmt: skip
        elif sep and head == "watchlist":  # the hit's row is gone: its action code only
            action, why = labels.action(alert.detail, lang), ""
        else:
            action, why = "", render(alert.detail, lang)
        rows.append((labels.alert_rule(alert.rule, lang), alert.customer_id, alert.customer_name,
                     alert.amount, action, why))  # fmt: skip
    return pd.DataFrame(rows, columns=ALERT_COLUMNS)


def watchlist_in_words(week: dict, lang: str = "en") -> pd.DataFrame:
    """The week's watchlist hits, most severe and largest exposure first.

    Columns: new (the pack's "yes" or ""), customer_id, customer_name, grade, rule, action,
    why, exposure; `severity` is kept for ordering only.
    """
    hits = pd.DataFrame(_watch_rows(week))
    if hits.empty:
        return pd.DataFrame(columns=WATCH_COLUMNS)
    hits["exposure"] = pd.to_numeric(hits.get("exposure_cents"), errors="coerce") / 100
    hits["severity"] = pd.to_numeric(hits.get("severity", 0), errors="coerce").fillna(0)
    hits = hits.sort_values(["severity", "exposure"], ascending=False, kind="stable")
    params = hits["params"] if "params" in hits else pd.Series(None, index=hits.index)
    new = hits["new"] if "new" in hits else pd.Series(False, index=hits.index)
    return pd.DataFrame(
        {
            "new": [t("pack.yes", lang) if v is True else "" for v in new],
            "customer_id": hits["customer_id"],
            "customer_name": hits["customer_name"],
            "grade": hits.get("grade"),
            "rule": [labels.rule(r, lang) for r in hits["rule"]],
            "action": [labels.action(a, lang) for a in hits["action"]],
            "why": [
                labels.hit(k, p, lang, d)
                for k, p, d in zip(hits["kind"], params, hits["detail"], strict=True)
            ],
            "exposure": hits["exposure"],
        },
        columns=WATCH_COLUMNS,
    ).reset_index(drop=True)


def watchlist_summary(words: pd.DataFrame) -> pd.DataFrame:
    """`watchlist_in_words` by rule: rule, action, alerts, new_alerts, exposure (largest first)."""
    if words.empty:
        return pd.DataFrame(columns=["rule", "action", "alerts", "new_alerts", "exposure"])
    grouped = words.assign(is_new=words["new"] != "").groupby(["rule", "action"], sort=False)
    summary = grouped.agg(
        alerts=("customer_id", "size"), new_alerts=("is_new", "sum"), exposure=("exposure", "sum")
    ).reset_index()
    summary[["alerts", "new_alerts"]] = summary[["alerts", "new_alerts"]].astype(int)
    return summary.sort_values("exposure", ascending=False, kind="stable").reset_index(drop=True)


def grades_in_words(section: Section, lang: str = "en") -> pd.DataFrame:
    """The grades section per customer, largest exposure first; flags named, money in units.

    Columns: `GRADE_COLUMNS` (those the section has).
    """
    frame = section.frame()
    for column in [c for c in frame.columns if c.endswith("_cents")]:
        frame[column.removesuffix("_cents")] = pd.to_numeric(frame[column], errors="coerce") / 100
    if "flags" in frame:
        frame["flags"] = [labels.flags(f, lang) for f in frame["flags"]]
    frame = frame[[c for c in GRADE_COLUMNS if c in frame.columns]]
    return top(frame, "exposure", len(frame)).reset_index(drop=True)


def grade_mix(grades: pd.DataFrame) -> pd.DataFrame:
    """Customers per grade: grade, customers, exposure, exposure_share_pct, mean_pd, overdue."""
    columns = ["grade", "customers", "exposure", "exposure_share_pct", "mean_pd", "overdue"]
    if grades.empty or "grade" not in grades:
        return pd.DataFrame(columns=columns)
    frame = grades.assign(pd=pd.to_numeric(grades.get("pd"), errors="coerce"))
    mix = (
        frame.groupby("grade", sort=True)
        .agg(
            customers=("customer_id", "size"),
            exposure=("exposure", "sum"),
            mean_pd=("pd", "mean"),
            overdue=("overdue", "sum"),
        )
        .reset_index()
    )
    total = mix["exposure"].sum()
    mix["exposure_share_pct"] = mix["exposure"] / total * 100 if total else float("nan")
    mix["customers"] = mix["customers"].astype(int)
    return mix[columns]


def units(columns: Iterable[str], extra: dict[str, str] | None = None) -> dict[str, str]:
    """The unit of each of `columns` the pack knows (`UNITS`, then `extra`)."""
    known = {**UNITS, **(extra or {})}
    return {c: known[c] for c in columns if c in known}


def _watch_rows(week: dict) -> list[dict]:
    watch = week.get("sections", {}).get("watchlist", {})
    return list(watch.get("rows", [])) if watch.get("available") else []
