"""What the Provisions page shows, worded in the reader's language (`provision_view`).

Frames keep their column names, money in currency units; buckets and portfolios are named
as the reader says them, and every frame comes with its headers (`presentation.Column`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from creditdash.i18n import Text, t
from creditdash.presentation import Column, Tile, bucket_name
from creditdash.provisioning.history import MIN_EXITS
from creditdash.provisioning.portfolios import WHOLE_BOOK, portfolio_name
from creditdash.provisioning.provision import Provision

MONEY = frozenset({"balance", "ecl", "collective", "individual", "total", "rolled", "exited"})


@dataclass(frozen=True, eq=False)
class ProvisionView:
    """The page for one provision.

    tiles         total, collective, individual, change since the previous month-end,
                  coverage (provision / open invoices)
    caption       the matrix's caption: date, currency, where the rates come from
    matrix        `Provision.matrix`, buckets and portfolios named
    assumed       buckets whose roll rate was taken as 100% for want of history (or None)
    fallback      portfolios on the book's roll rates for want of history (or None)
    flows         the roll-rate table (per portfolio with their own rates), None with
                  rates entered by hand
    individual    the individually assessed customers (单项计提)
    columns       headers of matrix, flows and individual, by frame name
    sheets        the workbook to download
    """

    tiles: list[Tile]
    caption: Text
    matrix: pd.DataFrame
    assumed: Text | None
    fallback: Text | None
    flows: pd.DataFrame | None
    individual: pd.DataFrame
    columns: dict[str, dict[str, Column]]
    sheets: dict[str, pd.DataFrame]


def provision_view(
    result: Provision, trend: pd.DataFrame, as_of: date, lang: str = "en", currency: str = "CNY"
) -> ProvisionView:
    """The page's view of `result` and its `trend` (`provision_trend`, ending at as_of)."""
    own, roll = result.by_portfolio, result.roll
    flows = None if roll is None else _flows(result, lang)
    matrix = _named(result.matrix, lang)
    sheets = {"Matrix": matrix, "ECL by portfolio": result.wide("ecl"),
              "Individual": result.individual, "Trend": trend}  # fmt: skip
    if roll is not None and flows is not None:
        sheets |= {"Roll rates": flows, "Roll rates by month": roll.monthly}
    rates = "prov.rates.history" if roll is not None else "prov.rates.hand"
    thin = "; ".join(
        f"{portfolio_name(name, lang)}: {', '.join(buckets)}"
        for name, buckets in (own.fallback if own is not None else {}).items()
    )
    return ProvisionView(
        tiles=_tiles(result, trend),
        caption=Text(
            "prov.matrix.caption",
            {
                "as_of": f"{as_of:%Y-%m-%d}",
                "currency": currency,
                "rates": Text(rates),
                "write_off": Text("prov.write_off"),
            },
        ),  # fmt: skip
        matrix=matrix,
        assumed=Text("prov.roll.assumed", {"buckets": ", ".join(roll.assumed)})
        if roll is not None and roll.assumed
        else None,
        fallback=Text("prov.roll.fallback", {"n": own.min_exits, "where": thin})
        if own is not None and thin
        else None,
        flows=flows,
        individual=result.individual,
        columns=_columns(lang),
        sheets=sheets,
    )


def _tiles(result: Provision, trend: pd.DataFrame) -> list[Tile]:
    balance = float(result.matrix["balance"].sum() + result.individual["balance"].sum())
    before = pd.Timestamp(trend["date"].iloc[-2])
    change = result.total - float(trend["total"].iloc[-2])
    return [
        Tile(Text("prov.total"), result.total, "compact", Text("prov.total.help")),
        Tile(Text("prov.collective"), result.collective, "compact", Text("prov.collective.help")),
        Tile(Text("prov.individual"), result.individual_total, "compact",
             Text("prov.individual.help")),
        Tile(Text("prov.change"), change, "compact",
             Text("prov.change.help", {"date": f"{before:%Y-%m-%d}"})),
        Tile(Text("prov.coverage"), result.total / balance * 100 if balance else None, "pct",
             Text("prov.coverage.help")),
    ]  # fmt: skip


def _named(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`frame` with its bucket labels and portfolio names as the reader says them."""
    out = frame.assign(bucket=frame["bucket"].astype(str).map(lambda b: bucket_name(b, lang)))
    if "portfolio" in out:
        out["portfolio"] = out["portfolio"].map(lambda p: portfolio_name(p, lang))
    if "source" in out:
        out["source"] = out["source"].map(lambda s: t(f"prov.from.{s}", lang))
    return out


def _flows(result: Provision, lang: str) -> pd.DataFrame:
    """The roll-rate table: the book's with each bucket's loss rate, or each portfolio's."""
    own, roll = result.by_portfolio, result.roll
    assert roll is not None
    if own is not None:
        return _named(own.flows, lang)
    return _named(roll.flows.assign(loss_rate=roll.loss_rates.iloc[:-1].to_numpy()), lang)


def _columns(lang: str) -> dict[str, dict[str, Column]]:
    """Headers of the page's three tables, by frame name."""

    def tr(key: str, **params: object) -> str:
        return t(f"prov.col.{key}", lang, **params)

    roll_help = t("prov.roll_help", lang, write_off=t("prov.write_off", lang))
    common = {"portfolio": Column(tr("portfolio")), "bucket": Column(tr("bucket"))}
    return {
        "matrix": common | {
            "balance": Column(tr("balance"), "money", tr("balance.help")),
            "loss_rate": Column(tr("loss_rate"), "percent", roll_help),
            "ecl": Column(tr("ecl"), "money", tr("ecl.help")),
        },
        "flows": common | {
            "exits": Column(tr("exits"), help=tr("exits.help")),
            "used": Column(tr("used"), "percent", tr("used.help")),
            "source": Column(tr("source"), help=tr("source.help", n=MIN_EXITS)),
            "rolled": Column(tr("rolled"), "money", tr("rolled.help")),
            "exited": Column(tr("exited"), "money", tr("exited.help")),
            "roll_rate": Column(tr("roll_rate"), "percent", roll_help),
            "loss_rate": Column(tr("loss_rate"), "percent", tr("loss_rate.help")),
        },
        "individual": {
            "customer_id": Column(tr("customer_id")),
            "customer_name": Column(tr("customer_name")),
            "balance": Column(tr("open_balance"), "money"),
            "rate": Column(tr("rate"), "percent"),
            "ecl": Column(tr("ecl"), "money", tr("ind_ecl.help")),
            "reason": Column(tr("reason")),
        },
    }  # fmt: skip


def rate_columns(lang: str = "en") -> dict[str, Column]:
    """Headers of the loss rates entered by hand (`Provision.wide("loss_rate")`)."""
    return {
        "bucket": Column(t("prov.col.bucket", lang)),
        WHOLE_BOOK: Column(portfolio_name(WHOLE_BOOK, lang)),
    }
