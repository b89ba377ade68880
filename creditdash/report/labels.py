"""The review's words in the reader's language: column headers, bucket and rule names, notes.

Shared by the XLSX and HTML packs and the review page, so a figure carries
the same name everywhere. The English catalogue gives a frame's columns,
buckets and rules the names the frames use (`overdue_before`, `current`,
`over_limit`), so English output reads as it always has; the Chinese one
translates them. Only the words change: frames keep their column names and
every figure stays as it is.
"""

from __future__ import annotations

import pandas as pd

from creditdash.i18n import catalogue, render, t

# sections of the review (story.Review.sections), as `pack.section.<name>` names them
SECTIONS = ("grades", "watchlist", "forecast", "promises", "provision")
# bucket and rule codes the catalogue translates; other values (1-30, >365, ...) stay as they are
BUCKETS = ("current", "unapplied", "total")
RULES = ("over_limit", "over_90", "disputed")


def column(name: str, lang: str = "en") -> str:
    """A frame column's header; a column the catalogue does not know keeps its own name."""
    key = f"review.col.{name}"
    return t(key, lang) if key in catalogue(lang) else str(name)


def bucket(name: str, lang: str = "en") -> str:
    """An aging bucket's name: `current`, `unapplied` and `total` in `lang`, ranges as they are."""
    return t(f"review.bucket.{name}", lang) if name in BUCKETS else str(name)


def rule(code: str, lang: str = "en") -> str:
    """An alert rule's name: the ledger rules, and `watchlist: <rule>` from the risk watchlist.

    A risk rule is named as the risk pages name it (`risk.flag.<rule>`) where the
    catalogue has it, else by its code.
    """
    if code in RULES:
        return t(f"review.rule.{code}", lang)
    head, sep, rest = str(code).partition(": ")
    if sep and head == "watchlist":
        return t("review.rule.watchlist", lang, rule=_risk_flag(rest, lang))
    return _risk_flag(str(code), lang)


def _risk_flag(code: str, lang: str) -> str:
    key = f"risk.flag.{code}"
    return t(key, lang) if key in catalogue(lang) else code


def detail(value: object, lang: str = "en") -> str:
    """An alert's detail: a ledger rule's `Text` in `lang`; a risk action's code as the risk
    pages name it (`risk.action.<code>`) where the catalogue has it, else as it is."""
    if isinstance(value, str):
        key = f"risk.action.{value}"
        return t(key, lang) if key in catalogue(lang) else value
    return render(value, lang)


def values(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A copy with the `bucket`, `rule` and `detail` columns in `lang`; nothing else changes."""
    out = frame.copy()
    if "bucket" in out:
        out["bucket"] = out["bucket"].map(lambda b: bucket(b, lang))
    if "rule" in out:
        out["rule"] = out["rule"].map(lambda r: rule(r, lang))
    if "detail" in out:
        out["detail"] = [detail(d, lang) for d in out["detail"]]
    return out


def note(text: object, lang: str = "en") -> str:
    """One of `Review.notes` (an `i18n.Text`) in `lang`; a plain string stays as it is."""
    return render(text, lang)


def section(name: str, lang: str = "en") -> str:
    """An optional section's name (grades, watchlist, forecast, promises, provision)."""
    return t(f"pack.section.{name}", lang) if name in SECTIONS else name.capitalize()
