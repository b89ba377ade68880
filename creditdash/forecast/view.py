"""What the Forecast page and the forecast command read besides the ledger's forecast.

`open_promises` is the open promises to pay among collectors' records, judged at
as_of and weighted by each customer's keeping rate, ready for
`creditdash.forecast.promises.with_promises`; `stored_promises` reads them from the
store under the credit policy in force.

The rest is what the page shows, in the reader's language: the headline tiles, the
tables' headers, the stress scenarios it offers and their summary.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine

from creditdash.forecast.cashplan import plan_verdict
from creditdash.forecast.stress import Scenario
from creditdash.forecast.weekly import CashForecast
from creditdash.i18n import Text, money, t
from creditdash.ledger import DateLike, Ledger
from creditdash.presentation import Column, Tile


def open_promises(
    ledger: Ledger, promises: pd.DataFrame, as_of: DateLike, grace_days: int = 3
) -> pd.DataFrame:
    """What the open promises (`collections.records.promises` rows) still bring at as_of:
    `collections.promises.promised_payments` of them judged with `grace_days`."""
    from creditdash.collections.promises import judge_promises, promised_payments

    return promised_payments(judge_promises(ledger, promises, as_of, grace_days))


def stored_promises(engine: Engine, ledger: Ledger, as_of: DateLike) -> pd.DataFrame:
    """The open promises in the store at as_of (`collections.promises.open_promises`: one row
    per promise: customer_id, promised_date, remaining_cents, invoice_ids, keeping_rate),
    judged with the grace days of the credit policy in force."""
    from creditdash.collections import records
    from creditdash.risk.dunning import dunning_of
    from creditdash.risk.policy_store import current_policy

    grace = int(dunning_of(current_policy(engine).policy).get("promise_grace_days", 3))
    return open_promises(ledger, records.promises(engine), as_of, grace)


SUMMARY_MONEY = ("collections_13w", "closing_week_13", "shortfall")


def forecast_tiles(
    forecast: CashForecast, weekly: pd.DataFrame, promises: int, currency: str, lang: str = "en"
) -> list[Tile]:
    """The page's headline tiles over the horizon: open invoices (the forecast alone), the
    weighted promises (`promises` of them open), new sales, what open invoices will not bring
    in the horizon, and the total. `weekly` is `promises.with_promises(forecast, ...)`."""
    weeks = len(weekly)
    invoices = forecast.invoices
    later = invoices["outstanding_cents"] - invoices["expected_in_horizon_cents"]
    p10 = money(weekly["cumulative_p10_cents"].iloc[-1] / 100, currency, lang)
    sums = {
        "open": weekly["expected_cents"].sum(),
        "promised": weekly["promised_cents"].sum(),
        "new": weekly["new_sales_collections_cents"].sum(),
        "later": later.sum(),
        "total": weekly["total_expected_cents"].sum(),
    }
    helps = {
        "open": {"weeks": weeks},
        "promised": {"count": promises},
        "new": {"model": weekly.attrs.get("sales_model")},
        "later": {"weeks": weeks},
        "total": {"p10": p10},
    }
    return [
        Tile(
            Text(f"forecast.metric.{name}", {"weeks": weeks}),
            float(cents) / 100,
            "compact",
            Text(f"forecast.metric.{name}.help", helps[name]),
        )
        for name, cents in sums.items()
    ]


def headers(
    columns: Iterable[str], lang: str = "en", money: Iterable[str] | None = None
) -> dict[str, Column]:
    """The forecast tables' headers (`forecast.col.<name>`); `money` columns shown as money
    (default: every column after week, start and end, as in the weekly table)."""
    names = list(columns)
    wanted = set(names[3:] if money is None else money)
    return {c: Column(t(f"forecast.col.{c}", lang), "money" if c in wanted else "text")
            for c in names}  # fmt: skip


def stress_groups(
    segments: Iterable[str], grades: pd.Series | None, lang: str = "en"
) -> dict[str, tuple[str, str]]:
    """What a stress scenario may let default, by the label the reader picks: each segment
    (label: its name) and each risk grade (`grades`: per customer_id; label "Grade X") ->
    ("segment" or "grade", its value)."""
    groups = {s: ("segment", s) for s in sorted(set(segments) - {""})}
    if grades is not None:
        for grade in sorted(set(grades)):
            groups[t("forecast.stress.grade", lang, grade=grade)] = ("grade", grade)
    return groups


def stress_scenarios(
    chosen: str,
    groups: dict[str, tuple[str, str]],
    grades: pd.Series | None,
    *,
    late: int,
    top: int,
    top_days: int,
    lang: str = "en",
) -> list[Scenario]:
    """The page's three scenarios, named in `lang`: everyone pays `late` days later, the `top`
    largest customers pay `top_days` later, and the group `chosen` (a label of `groups`; one
    it lacks is a segment of that name) defaults."""
    kind, value = groups.get(chosen, ("segment", chosen))
    if kind == "grade" and grades is not None:
        in_grade = tuple(grades.index[grades == value])
        defaults = Scenario(t("forecast.scenario.default", lang, group=chosen), "default",
                            customers=in_grade)  # fmt: skip
    else:
        defaults = Scenario(t("forecast.scenario.default", lang, group=value), "default",
                            attribute="segment", value=value)  # fmt: skip
    return [
        Scenario(t("forecast.scenario.delay_all", lang, days=late), "delay_all", days=int(late)),
        Scenario(
            t("forecast.scenario.delay_largest", lang, top=top, days=top_days),
            "delay_largest",
            days=int(top_days),
            top=int(top),
        ),  # fmt: skip
        defaults,
    ]


def stress_summary(tables: dict[str, pd.DataFrame], minimum_cents: int) -> pd.DataFrame:
    """One row per scenario's plan table (`cashplan.plan_table`): scenario, collections_13w,
    closing_week_13, first_week_below_minimum and shortfall (money in currency units; the
    shortfall judged on the expected closing, None without an opening balance); the money
    columns are in SUMMARY_MONEY."""
    rows = []
    for name, table in tables.items():
        judged = plan_verdict(table, minimum_cents)
        short = judged.shortfall if judged.status == "short" else None
        rows.append({
            "scenario": name,
            "collections_13w": table["collections_cents"].sum() / 100,
            "closing_week_13": table["closing_cents"].iloc[-1] / 100,
            "first_week_below_minimum": short["week"] if short else None,
            "shortfall": short["shortfall_cents"] / 100 if short
            else (0.0 if judged.opening_given else None),
        })  # fmt: skip
    return pd.DataFrame(rows)
