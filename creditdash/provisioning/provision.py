"""The bad-debt provision (expected credit loss) at an as-of date.

Collective part: open invoice balances (positive outstanding; credit notes
and unapplied cash are left out) by aging bucket x portfolio (segment,
region, grade or the whole book) times a loss rate, either

- from history: the loss rate per bucket of `history.roll_rates` over the
  last `months` months, times (1 + `overlay`), the forward-looking
  adjustment (e.g. 0.10 when the outlook is 10% worse), capped at 100%;
  the whole book's rates for every portfolio, or with `per_portfolio`
  each portfolio's own (`history.portfolio_roll_rates`: a bucket with
  fewer than `min_exits` invoices leaving it takes the book's roll rate); or
- entered by hand: a frame of rates, one row per bucket label and one
  column per portfolio (`rates`), used as they are (no overlay).

Individual part (单项计提): customers in `individual` (customer_id, rate,
reason) are taken out of the matrix and of the roll-rate history and
provided for at their own rate on their whole open balance.

Frames returned (money in currency units):

matrix      one row per portfolio x bucket: portfolio, bucket, balance,
            loss_rate, ecl
individual  one row per individually assessed customer: customer_id,
            customer_name, balance, rate, ecl, reason
trend       one row per date: date, collective, individual, total, balance
            (gross open invoices), coverage (total / balance)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from creditdash.aging import BUCKET_EDGES_DEFAULT, Basis, bucket_labels, checked_edges
from creditdash.errors import InvalidArgument
from creditdash.ledger import DateLike, Ledger, day_number, day_to_timestamp, ledger_arrays
from creditdash.provisioning.history import (
    MIN_EXITS,
    PortfolioRollRates,
    RollRates,
    SnapshotCache,
    customers_kept,
    month_ends_before,
    portfolio_roll_rates,
    roll_rates,
)
from creditdash.provisioning.matrix import provision_matrix
from creditdash.provisioning.portfolios import (
    WHOLE_BOOK,
    check_portfolios,
    portfolio_of_customers,
)

INDIVIDUAL_COLUMNS = ["customer_id", "rate", "reason"]


@dataclass(frozen=True)
class Provision:
    """The provision at `as_of`; see the module docstring for the frames."""

    as_of: str
    labels: list[str]
    matrix: pd.DataFrame
    individual: pd.DataFrame
    roll: RollRates | None  # the whole book's; None when the rates were entered by hand
    overlay: float
    by_portfolio: PortfolioRollRates | None = None  # with `per_portfolio` rates from history

    @property
    def collective(self) -> float:
        return float(self.matrix["ecl"].sum())

    @property
    def individual_total(self) -> float:
        return float(self.individual["ecl"].sum())

    @property
    def total(self) -> float:
        return self.collective + self.individual_total

    def wide(self, value: str = "ecl") -> pd.DataFrame:
        """`value` (balance, loss_rate or ecl) as bucket rows x portfolio columns."""
        table = self.matrix.pivot(index="bucket", columns="portfolio", values=value)
        return table.reindex(self.labels).rename_axis(columns=None).reset_index()


def provision(
    ledger: Ledger,
    as_of: DateLike,
    *,
    basis: Basis = "due",
    edges: Sequence[int] = BUCKET_EDGES_DEFAULT,
    by: str = "none",
    months: int = 12,
    overlay: float = 0.0,
    rates: pd.DataFrame | None = None,
    individual: pd.DataFrame | None = None,
    grades: pd.Series | None = None,
    per_portfolio: bool = False,
    min_exits: int = MIN_EXITS,
    cache: SnapshotCache | None = None,
) -> Provision:
    """The provision at as_of (collective matrix plus individually assessed customers).

    `per_portfolio` takes each portfolio's own roll rates from history
    (`min_exits` sets how much history a bucket needs); without it every
    portfolio uses the whole book's. Hand-entered `rates` override both.
    """
    edges = checked_edges(edges)
    labels = bucket_labels(edges, basis)
    check_portfolios(by, grades)
    if not -1 < overlay <= 10:
        raise InvalidArgument.coded(
            "prov.err.overlay",
            "`overlay` must be a factor above -1, e.g. 0.1 for +10%. Got {value!r}.",
            value=overlay,
        )
    individual = _checked_individual(individual)
    arrays = ledger_arrays(ledger)
    cache = cache or SnapshotCache(arrays)
    day = day_number(as_of)
    snap = cache.at(day, basis, edges)
    kept = customers_kept(arrays, individual["customer_id"])
    portfolio = portfolio_of_customers(arrays, by, grades)
    balance = _balances(arrays, snap, kept, portfolio, len(labels))
    roll, by_portfolio = None, None
    history = {
        "basis": basis,
        "edges": edges,
        "months": months,
        "exclude": individual["customer_id"],
        "cache": cache,
    }
    if rates is not None:
        rate_table = _checked_rates(rates, labels, list(balance.columns))
    elif per_portfolio:
        by_portfolio = portfolio_roll_rates(
            ledger, day_to_timestamp(day), portfolio, min_exits=min_exits, **history
        )
        roll = by_portfolio.book
        rate_table = by_portfolio.loss_rates.reindex(columns=balance.columns)
        for name in rate_table.columns[rate_table.isna().all()]:  # no customers of its own
            rate_table[name] = roll.loss_rates.to_numpy()
        rate_table = np.minimum(rate_table * (1 + overlay), 1.0)
    else:
        roll = roll_rates(ledger, day_to_timestamp(day), **history)
        loss = np.minimum(roll.loss_rates.to_numpy() * (1 + overlay), 1.0)
        rate_table = pd.DataFrame({p: loss for p in balance.columns}, index=labels)
    matrix = _long_matrix(balance, rate_table)
    provision_matrix(balance.to_numpy(), rate_table.to_numpy())  # validates the rates
    return Provision(
        as_of=day_to_timestamp(day).date().isoformat(),
        labels=labels,
        matrix=matrix,
        individual=_individual_table(arrays, snap, individual),
        roll=roll,
        overlay=overlay,
        by_portfolio=by_portfolio,
    )


def provision_trend(
    ledger: Ledger, as_of: DateLike, *, points: int = 6, **settings
) -> pd.DataFrame:
    """The provision at the `points - 1` month-ends before as_of and at as_of (frame `trend`).

    Each date uses the rates as they stood then (roll rates over the months
    before it); `settings` are those of `provision`.
    """
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise InvalidArgument.coded(
            "prov.err.whole_number",
            "`{name}` must be a whole number >= {minimum}. Got {value!r}.",
            name="points",
            minimum=2,
            value=points,
        )
    day = day_number(as_of)
    days = [d for d in month_ends_before(day - 1, points - 1)] + [day]
    cache = settings.pop("cache", None) or SnapshotCache(ledger_arrays(ledger))
    rows = []
    for d in days:
        result = provision(ledger, day_to_timestamp(d), cache=cache, **settings)
        balance = float(result.matrix["balance"].sum() + result.individual["balance"].sum())
        rows.append(
            {
                "date": day_to_timestamp(d),
                "collective": result.collective,
                "individual": result.individual_total,
                "total": result.total,
                "balance": balance,
                "coverage": result.total / balance if balance else None,
            }
        )
    return pd.DataFrame(rows)


def _checked_individual(individual: pd.DataFrame | None) -> pd.DataFrame:
    if individual is None:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in INDIVIDUAL_COLUMNS})
    missing = [c for c in INDIVIDUAL_COLUMNS if c not in individual.columns]
    if missing:
        raise InvalidArgument.coded(
            "prov.err.individual_columns",
            "`individual` must have columns {columns}; missing {missing}.",
            columns=INDIVIDUAL_COLUMNS,
            missing=missing,
        )
    rate = pd.to_numeric(individual["rate"], errors="coerce")
    bad = individual.loc[rate.isna() | (rate < 0) | (rate > 1), "customer_id"].tolist()
    if bad:
        raise InvalidArgument.coded(
            "prov.err.individual_rates",
            "`individual` rates must be fractions between 0 and 1; check customer(s) {customers}.",
            customers=bad,
        )
    return individual.assign(customer_id=individual["customer_id"].astype("str"), rate=rate)


def _balances(arrays, snap, kept: np.ndarray, portfolio: np.ndarray, width: int) -> pd.DataFrame:
    """Positive open balance (currency units) per bucket (rows, 0..width-1) x portfolio (columns)."""
    n = len(snap.outstanding)
    customer = arrays.invoice_customer[:n]
    live = (snap.outstanding > 0) & kept[customer]
    names, codes = np.unique(portfolio[customer[live]].astype(str), return_inverse=True)
    if not len(names):
        names = np.array([WHOLE_BOOK])
    cells = np.bincount(
        codes * width + snap.bucket[live],
        weights=snap.outstanding[live],
        minlength=len(names) * width,
    ).reshape(len(names), width)
    return pd.DataFrame(cells.T / 100, columns=list(names))


def _checked_rates(rates: pd.DataFrame, labels: list[str], portfolios: list[str]) -> pd.DataFrame:
    """Hand-entered rates (bucket rows x portfolio columns) aligned to the balances."""
    table = rates.set_index("bucket") if "bucket" in rates.columns else rates
    table = table.apply(pd.to_numeric, errors="coerce")
    missing_rows = [b for b in labels if b not in table.index]
    if missing_rows:
        raise InvalidArgument.coded(
            "prov.err.rates_rows",
            "`rates` needs a row per bucket; missing {missing}.",
            missing=missing_rows,
        )
    if list(table.columns) == ["all"] or len(table.columns) == 1:
        column = table.columns[0]
        table = pd.DataFrame({p: table[column] for p in portfolios})
    missing = [p for p in portfolios if p not in table.columns]
    if missing:
        raise InvalidArgument.coded(
            "prov.err.rates_columns",
            "`rates` needs a column per portfolio; missing {missing}.",
            missing=missing,
        )
    table = table.reindex(index=labels, columns=portfolios)
    values = table.to_numpy()
    if np.isnan(values).any() or (values < 0).any() or (values > 1).any():
        raise InvalidArgument.coded(
            "prov.err.rates_values", "`rates` must be fractions between 0 and 1 in every cell."
        )
    return table


def _long_matrix(balance: pd.DataFrame, rate_table: pd.DataFrame) -> pd.DataFrame:
    labels = list(rate_table.index)
    frames = []
    for name in balance.columns:
        frames.append(
            pd.DataFrame(
                {
                    "portfolio": name,
                    "bucket": labels,
                    "balance": balance[name].to_numpy(),
                    "loss_rate": rate_table[name].to_numpy(),
                }
            )
        )
    matrix = pd.concat(frames, ignore_index=True)
    matrix["ecl"] = matrix["balance"] * matrix["loss_rate"]
    matrix["bucket"] = pd.Categorical(matrix["bucket"], categories=labels, ordered=True)
    return matrix


def _individual_table(arrays, snap, individual: pd.DataFrame) -> pd.DataFrame:
    n = len(snap.outstanding)
    ids = arrays.customers["customer_id"]
    per_customer = np.bincount(
        arrays.invoice_customer[:n],
        weights=np.clip(snap.outstanding, 0, None),
        minlength=len(ids),
    )
    balance = pd.Series(per_customer / 100, index=ids.to_numpy())
    names = pd.Series(arrays.customers["customer_name"].to_numpy(), index=ids.to_numpy())
    table = pd.DataFrame(
        {
            "customer_id": individual["customer_id"].to_numpy(),
            "customer_name": individual["customer_id"].map(names).to_numpy(),
            "balance": individual["customer_id"].map(balance).fillna(0.0).to_numpy(dtype=float),
            "rate": individual["rate"].to_numpy(dtype=float),
            "reason": individual["reason"].astype("str").to_numpy(),
        }
    )
    table.insert(4, "ecl", table["balance"] * table["rate"])
    return table
