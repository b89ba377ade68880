"""The risk pages' words in the reader's language: names from the `risk.*` families of the
i18n catalogue and the headers of the risk tables' columns."""

from __future__ import annotations

from collections.abc import Iterable

from creditdash.i18n import catalogue, t
from creditdash.presentation import Column

# columns of the risk tables that hold money (in currency units)
MONEY = frozenset({
    "exposure", "overdue", "credit_limit", "recommended_limit", "over_limit", "amount", "paid",
    "outstanding", "current_limit", "requested_limit", "insured_limit", "net_worth",
    "working_capital", "late_interest", "late_fees", "discount_earned", "limit_increase",
    "above_bureau_limit", "above_insured", "outstanding_original", "exchange_difference",
    "figure",
})  # fmt: skip
PERCENT = frozenset({"pd", "utilisation"})  # shares shown as percentages


def named(family: str, name: str, lang: str = "en") -> str:
    """The catalogue's name for `name` in `family` (`risk.flag`, `risk.status`, ...); a name it
    lacks (a rule id the user made up in the policy) shows as it is."""
    key = f"{family}.{name}"
    return t(key, lang) if key in catalogue(lang) or key in catalogue("en") else name


def status_name(status: str, lang: str = "en") -> str:
    """A credit status (`holds.HOLD_ACTIONS`; "" for none) as the reader says it."""
    return t(f"risk.credit.{status or 'none'}", lang)


def column(name: str, lang: str = "en") -> Column:
    """A risk table column's header (`risk.col.<name>`, its tooltip `risk.col.<name>.help`
    where the catalogue has one), money and percentages shown as such."""
    help_key = f"risk.col.{name}.help"
    label = named("risk.col", name, lang)
    help_text = t(help_key, lang) if help_key in catalogue("en") else None
    if name in MONEY:
        return Column(label, "money", help_text)
    return Column(label, "percent" if name in PERCENT else "text", help_text)


def headers(columns: Iterable[str], lang: str = "en", **special: Column) -> dict[str, Column]:
    """Every column's `column`; `special` gives a column a header of its own."""
    return {c: special[c] if c in special else column(c, lang) for c in columns}
