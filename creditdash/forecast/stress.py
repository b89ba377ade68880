"""Stress scenarios: the same forecast with customers paying later or not at all.

Kinds of `Scenario`:

    delay_all       every customer pays `days` later (open invoices and new sales)
    delay_largest   the `top` customers with the most outstanding at as_of pay
                    `days` later
    default         customers whose `attribute` (segment, region, salesperson)
                    equals `value`, or those listed in `customers`, pay nothing
                    more (their new sales are not in the new-sales layer either,
                    which is an invoicing forecast for the whole book)

`run_scenarios` re-runs the collections with the base case's fitted payment
timing (one fit) and never-paid chances, so scenarios differ from the base
only by the stress.
Frame (int64 cents): scenario, week, start, end, expected_cents,
new_sales_collections_cents, total_expected_cents, total_p10_cents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from creditdash.errors import InvalidArgument
from creditdash.forecast.collections import CollectionsForecast
from creditdash.forecast.sales import collection_matrix
from creditdash.forecast.weekly import CashForecast
from creditdash.ledger import Ledger, day_to_timestamp, ledger_arrays

KINDS = ("delay_all", "delay_largest", "default")
ATTRIBUTES = ("segment", "region", "salesperson")


BASE_CASE = "Base case"  # the name of run_scenarios' first, unstressed part


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str
    days: int = 0
    top: int = 0
    attribute: str | None = None
    value: str | None = None
    customers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidArgument.coded(
                "forecast.err.scenario_kind",
                "`kind` must be one of {kinds}. Got {kind!r}.",
                kinds=", ".join(KINDS),
                kind=self.kind,
            )
        if self.kind != "default" and not 0 <= self.days <= 365:
            raise InvalidArgument.coded(
                "forecast.err.scenario_days",
                "`days` must be from 0 to 365. Got {days}.",
                days=self.days,
            )
        if self.kind == "delay_largest" and self.top < 1:
            raise InvalidArgument.coded(
                "forecast.err.scenario_top",
                "`top` must be at least 1 customer. Got {top}.",
                top=self.top,
            )
        if self.kind == "default" and not self.customers and self.attribute not in ATTRIBUTES:
            raise InvalidArgument.coded(
                "forecast.err.scenario_attribute",
                "`attribute` must be one of {attributes}. Got {attribute!r}.",
                attributes=", ".join(ATTRIBUTES),
                attribute=self.attribute,
            )


def run_scenarios(ledger: Ledger, base: CashForecast, scenarios: list[Scenario]) -> pd.DataFrame:
    """The base case and each scenario, week by week (frame in the module doc)."""
    arrays = ledger_arrays(ledger)
    fitted = base.collections
    day = fitted.as_of_
    as_of = day_to_timestamp(day)
    parts = [_frame(BASE_CASE, base.weekly)]
    n_cust = len(arrays.customers)
    for sc in scenarios:
        shift = np.zeros(n_cust, dtype=np.int64)
        collectible = np.ones(n_cust)
        if sc.kind == "delay_all":
            shift[:] = sc.days
        elif sc.kind == "delay_largest":
            items = fitted.items_
            owed = np.bincount(items.customer, weights=items.outstanding, minlength=n_cust)
            top = np.argsort(-owed, kind="stable")[: sc.top]
            shift[top[owed[top] > 0]] = sc.days
        else:
            collectible[_members(arrays, sc)] = 0.0
        model = CollectionsForecast(
            weeks=fitted.weeks,
            n_sims=fitted.n_sims,
            correlation=fitted.correlation,
            max_simulated=fitted.max_simulated,
            seed=fitted.seed,
        ).fit(
            ledger,
            as_of,
            shift_days=shift,
            collectible=collectible,
            never_paid=fitted.never_paid_,
            timing=fitted.timing_,
        )
        weekly = model.weekly_.copy()
        new, new_samples = _new_sales(base, sc)
        weekly["new_sales_collections_cents"] = np.rint(new).astype(np.int64)
        weekly["total_expected_cents"] = (
            weekly["expected_cents"] + weekly["new_sales_collections_cents"]
        )
        total = model.samples_[: len(new_samples)] + new_samples[: len(model.samples_)]
        weekly["total_p10_cents"] = np.rint(np.quantile(total, 0.1, axis=0)).astype(np.int64)
        parts.append(_frame(sc.name, weekly))
    return pd.concat(parts, ignore_index=True)


def _members(arrays, sc: Scenario) -> np.ndarray:
    if sc.customers:
        return np.flatnonzero(arrays.customers["customer_id"].isin(list(sc.customers)).to_numpy())
    return np.flatnonzero((arrays.attributes[sc.attribute] == sc.value).to_numpy())


def _new_sales(base: CashForecast, sc: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """New-sales collections (expected, samples) under the scenario."""
    weeks = base.collections.weeks
    sales = base.sales
    if sales is None:
        return np.zeros(weeks), np.zeros((base.collections.n_sims, weeks))
    if sc.kind != "delay_all" or sc.days == 0:
        return sales.forecast_["collections_cents"].to_numpy(dtype=np.float64), sales.samples_
    pay = sales.pay_daily_
    shifted = np.concatenate([np.zeros(sc.days), pay])[: len(pay)]
    matrix = collection_matrix(shifted, weeks)
    mean = sales.forecast_["sales_cents"].to_numpy(dtype=np.float64)
    return matrix @ mean, sales.sales_samples_ @ matrix.T


def _frame(name: str, weekly: pd.DataFrame) -> pd.DataFrame:
    cols = ["week", "start", "end", "expected_cents", "new_sales_collections_cents",
            "total_expected_cents", "total_p10_cents"]  # fmt: skip
    out = weekly[cols].copy()
    out.insert(0, "scenario", name)
    return out
