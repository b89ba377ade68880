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

from creditdash.i18n import catalogue, t

# sections of the review (story.Review.sections), as `pack.section.<name>` names them
SECTIONS = ("grades", "watchlist", "forecast", "promises", "provision")
# bucket and rule codes the catalogue translates; other values (1-30, >365, ...) stay as they are
BUCKETS = ("current", "unapplied", "total")
RULES = ("over_limit", "over_90", "disputed")
# sentences story.build_review writes into Review.notes, by their catalogue key
_FIXED_NOTES = ("pack.note.no_promises", "pack.note.no_promise_dates")
_OMITTED = " section omitted: "


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


def values(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A copy with the `bucket` and `rule` columns' codes in `lang`; nothing else changes."""
    out = frame.copy()
    if "bucket" in out:
        out["bucket"] = out["bucket"].map(lambda b: bucket(b, lang))
    if "rule" in out:
        out["rule"] = out["rule"].map(lambda r: rule(r, lang))
    return out


def note(text: str, lang: str = "en") -> str:
    """One of `Review.notes` in `lang`.

    The notes are English sentences from `story.build_review`; the fixed ones
    are found by their English text, "<Section> section omitted: <why>" gets
    its lead translated (the why comes from another module and stays as it
    is), anything else is returned unchanged.
    """
    for key in _FIXED_NOTES:
        if text == t(key, "en"):
            return t(key, lang)
    head, sep, why = text.partition(_OMITTED)
    if sep and head.lower() in SECTIONS:
        return t("pack.note.omitted", lang, section=section(head.lower(), lang), why=why)
    return text


def section(name: str, lang: str = "en") -> str:
    """An optional section's name (grades, watchlist, forecast, promises, provision)."""
    return t(f"pack.section.{name}", lang) if name in SECTIONS else name.capitalize()
