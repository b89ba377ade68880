"""The review's words in the reader's language: column headers, bucket and rule names, notes.

Shared by the XLSX and HTML packs and the review page, so a figure carries
the same name everywhere. The English catalogue gives a frame's columns
and rules the names the frames use (`overdue_before`, `over_limit`), so
English output reads as it always has; the Chinese one translates them.
Aging buckets are named as every page names them (`presentation.bucket_name`).
Only the words change: frames keep their column names and every figure
stays as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from creditdash.i18n import Text, catalogue, render, t
from creditdash.presentation import NAMED_BUCKETS, bucket_name
from creditdash.provisioning.portfolios import portfolio_name
from creditdash.risk.labels import named
from creditdash.risk.rules import detail_text

# sections of the review (story.Review.sections), as `pack.section.<name>` names them
SECTIONS = ("grades", "watchlist", "forecast", "promises", "provision")
# rule codes the catalogue translates
RULES = ("over_limit", "over_90", "disputed")


def column(name: str, lang: str = "en") -> str:
    """A frame column's header; a column the catalogue does not know keeps its own name."""
    key = f"review.col.{name}"
    return t(key, lang) if key in catalogue(lang) else str(name)


# an aging bucket's name (`current`, `unapplied`, `total` in `lang`, ranges as they are): the
# pages' own, so a bucket is called the same in the app and in the pack
bucket = bucket_name
BUCKETS = NAMED_BUCKETS


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
    return named("risk.flag", code, lang)


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


def action(code: object, lang: str = "en") -> str:
    """A credit action's name as the risk pages give it (`risk.action.<code>`); "" for none."""
    if code is None or code == "":
        return ""
    key = f"risk.action.{code}"
    return t(key, lang) if key in catalogue(lang) else str(code)


def flags(text: object, lang: str = "en") -> str:
    """The risk table's `a;b;c` flags as names: "In default, Over limit" / "违约、超出信用额度"."""
    codes = [f for f in str(text or "").split(";") if f]
    return ("、" if lang == "zh" else ", ").join(_risk_flag(f, lang) for f in codes)


def hit(kind: object, params: object, lang: str = "en", stored: object = "") -> str:
    """A watchlist hit's sentence in `lang` (`risk.hit.<kind>` filled with its `params`), as the
    Customer risk page words it.

    A hit recorded without its params (older snapshots) keeps its `stored` sentence, which is
    English: in another language the rule's name beside it has to say it.
    """
    key = f"risk.hit.{kind}"
    if isinstance(params, Mapping) and key in catalogue(lang):
        figures = {k: math.nan if v is None else v for k, v in params.items()}
        try:
            return detail_text(str(kind), figures, t(key, lang))
        except (KeyError, TypeError, ValueError):  # params of another version of the rule
            pass
    return str(stored or "") if lang == "en" else ""


def portfolio(name: object, lang: str = "en") -> str:
    """A provision portfolio's name: the whole book in `lang`, a segment or grade as it is."""
    return portfolio_name(name, lang)


def source(name: str, lang: str = "en") -> str:
    """Where a section's figures come from, as a reader knows the app (`pack.source.<name>`)."""
    return t(f"pack.source.{name}", lang)


# the library's modules a stored note may name, and the section a reader knows them by
_MODULE_SECTIONS = {
    "creditdash.risk": "grades",
    "creditdash.forecast": "forecast",
    "creditdash.provisioning": "provision",
}


def note(text: object, lang: str = "en") -> str:
    """One of `Review.notes` (an `i18n.Text`, or its stored dict form, or a list of them: one
    sentence after another) in `lang`; a plain string stays as it is. A module a stored note
    names is called by its section's name."""
    if isinstance(text, list | tuple):
        return ("" if lang == "zh" else " ").join(note(n, lang) for n in text if n)
    if isinstance(text, Text):
        text = text.as_dict()
    return render(_without_modules(text), lang)


def alert_rule(code: object, lang: str = "en") -> str:
    """An alert's rule by its name alone: a watchlist rule without the "watchlist:" before it
    (a table of the watchlist's alerts says that once)."""
    head, sep, rest = str(code).partition(": ")
    return rule(rest if sep and head == "watchlist" else str(code), lang)


# reasons older snapshots give for a section they lack, naming the module and function
# the review looked for by name; the pack says only that this version does not provide it
_MODULE_REASONS = ("review.why.no_function", "review.why.not_installed", "review.why.import_failed")


def _without_modules(value: object) -> object:
    if isinstance(value, list):
        return [_without_modules(v) for v in value]
    if isinstance(value, dict):
        if value.get("code") in _MODULE_REASONS:
            return Text("pack.why.unavailable").as_dict()
        return {k: _without_modules(v) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("creditdash."):
        for module, name in _MODULE_SECTIONS.items():
            if value == module or value.startswith(module + "."):
                return Text(f"pack.section.{name}").as_dict()
        return Text("pack.section.other").as_dict()
    return value


def section(name: str, lang: str = "en") -> str:
    """An optional section's name (grades, watchlist, forecast, promises, provision)."""
    return t(f"pack.section.{name}", lang) if name in SECTIONS else name.capitalize()
