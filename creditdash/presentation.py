"""Shaping computed frames for display: labels, money, drill-downs (no streamlit).

`Column` and `Tile` say how a page shows a table's column and a metric tile, so a
view function in the library can decide the words and the UI layer only draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import pandas as pd

from creditdash.aging import to_money
from creditdash.i18n import Text, t
from creditdash.ledger import NO_ATTRIBUTE

# bucket labels the catalogue names (`bucket.<label>`); ranges (1-30, >365) stay as they are
NAMED_BUCKETS = ("current", "unapplied", "total")


def bucket_name(label: str, lang: str = "en") -> str:
    """An aging bucket's label as the reader says it ("current" is 未到期 in Chinese)."""
    return t(f"bucket.{label}", lang) if label in NAMED_BUCKETS else label


@dataclass(frozen=True)
class Column:
    """A table column's header in the reader's language and how its values show: `text` as
    they are, `money` with thousands separators and two decimals, `percent` a share as a
    percentage; `help` is the header's tooltip."""

    label: str
    kind: Literal["text", "money", "percent"] = "text"
    help: str | None = None


@dataclass(frozen=True)
class Tile:
    """A metric tile: `label` and `help` are sentences said in the reader's language; `value`
    shows by `kind`: `money` exact, `compact` money the reader may shorten (¥1.23亿),
    `pct` a percentage (its figure in percent), `count` a whole number with separators,
    `text` as it is."""

    label: Text
    value: float | int | str | None
    kind: Literal["money", "compact", "pct", "count", "text"] = "text"
    help: Text | None = None


def shown(value: float | None, digits: int = 1) -> float | None:
    """A figure as every page and the review pack show it: `digits` decimals, rounded once.

    Half away from zero on the figure's decimal digits (64.35 -> 64.4, as a reader
    rounds), not on its binary approximation (which `format(64.35, ".1f")`
    takes down to 64.3). None stays None.
    """
    if value is None:
        return None
    exact = Decimal(repr(float(value)))
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def top_overdue(table: pd.DataFrame, labels: list[str], n: int = 10) -> pd.DataFrame:
    """The `n` customers with the most overdue money.

    `table` is `aging(..., by="customer")` (cents). Returns columns customer,
    overdue, total (money) and oldest_bucket, largest overdue first.
    """
    overdue_labels = labels[1:]
    overdue = table[overdue_labels].sum(axis=1)
    chosen = table.assign(overdue_cents=overdue).loc[overdue > 0]
    chosen = chosen.sort_values("overdue_cents", ascending=False).head(n)
    if chosen.empty:
        return pd.DataFrame(columns=["customer", "overdue", "total", "oldest_bucket"])
    name = chosen["customer_name"].fillna(chosen["customer_id"]).astype(str)
    oldest = chosen[overdue_labels].gt(0).iloc[:, ::-1].idxmax(axis=1)
    money = to_money(chosen[["total"]], ["total"])
    return pd.DataFrame(
        {
            "customer": (chosen["customer_id"].astype(str) + " " + name).where(
                name != chosen["customer_id"], name
            ),
            "overdue": chosen["overdue_cents"].to_numpy() / 100,
            "total": money["total"].to_numpy(),
            "oldest_bucket": oldest.to_numpy(),
        }
    ).reset_index(drop=True)


GROUP_KEYS = {
    "customer": ["customer_id", "customer_name"],
    "segment": ["segment"],
    "region": ["region"],
    "salesperson": ["salesperson"],
    "none": [],
}


def labelled_aging(
    table: pd.DataFrame,
    by: str,
    all_label: str = "All customers",
    missing_label: str = NO_ATTRIBUTE,
) -> pd.DataFrame:
    """The aging table in money with a leading `group` label column for charts and tables.

    `all_label` names the one row of `by="none"`; `missing_label` the group of customers
    without a segment, region or salesperson.
    """
    keys = [k for k in GROUP_KEYS[by] if k in table.columns]
    money = to_money(table, [c for c in table.columns if c not in keys])
    if by == "customer":
        name = table["customer_name"].fillna("").astype(str)
        label = (
            table["customer_id"].astype(str).where(name == "", table["customer_id"] + " " + name)
        )
    elif keys:
        label = table[keys[0]].astype(str).replace(NO_ATTRIBUTE, missing_label)
    else:
        label = pd.Series(all_label, index=table.index)
    return pd.concat([label.rename("group"), money], axis=1)


def items_of_group(items: pd.DataFrame, by: str, row: pd.Series) -> pd.DataFrame:
    """The open items (from `aging.open_items`) that make up one row of the aging table."""
    keys = [k for k in GROUP_KEYS[by] if k != "customer_name"]
    mask = pd.Series(True, index=items.index)
    for k in keys:
        if k in items.columns:
            mask &= items[k].astype(str) == str(row[k])
    return items.loc[mask]


def parse_edges(text: str) -> tuple[int, ...]:
    """Bucket edges typed by a user ("30, 60, 90"); raises InvalidArgument when not whole days."""
    from creditdash.errors import InvalidArgument

    parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    try:
        edges = tuple(int(p) for p in parts)
    except ValueError:
        raise InvalidArgument.coded(
            "error.aging.edges_text",
            "Bucket edges must be whole numbers of days separated by commas, e.g. 30, 60, 90. "
            "Got {text!r}.",
            text=text,
        ) from None
    if not edges or any(b <= a for a, b in zip(edges, edges[1:], strict=False)) or edges[0] <= 0:
        raise InvalidArgument.coded(
            "error.aging.edges_text_order",
            "Bucket edges must be positive and strictly increasing, e.g. 30, 60, 90. Got {text!r}.",
            text=text,
        )
    return edges
