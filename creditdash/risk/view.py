"""What the Customer risk page shows, worded in the reader's language: `risk_view` for the
page and its portfolio, `watchlist_frame`, `customer_detail` for one customer,
`third_party_frame` and `coefficients_frame`.

Frames keep their column names (money in currency units); `labels.headers` heads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from creditdash.aging import to_money
from creditdash.i18n import Text, money, t
from creditdash.ledger import Ledger
from creditdash.presentation import Column, Tile
from creditdash.risk.assess import PolicyLike, RiskOverview, as_policy, grade_summary
from creditdash.risk.compare import disagreements
from creditdash.risk.detail import customer_open_items, payment_history
from creditdash.risk.holds import STATES, due_action, mark_watchlist, status_history, with_status
from creditdash.risk.labels import headers, named, status_name
from creditdash.risk.limits import limit_methods
from creditdash.risk.policy import (
    ACTIONS,
    FEATURE_LABELS,
    RULE_KINDS,
    grade_names,
    penalty_settings,
)
from creditdash.risk.present import (
    BAND_TEXTS,
    explanation_view,
    portfolio_view,
    watchlist_view,
)
from creditdash.risk.requests import list_requests
from creditdash.risk.scorecard import explain


@dataclass(frozen=True, eq=False)
class RiskView:
    """The page at an as-of date.

    table      the risk table with each customer's credit_status ("" for none)
    watchlist  the rule hits with state (due / applied) and credit_status
    grades     the policy's grade names, best first
    summary    `grade_summary` of the table
    tiles      customers scored, exposure in the two worst grades, over limit, alerts (new)
    portfolio  `present.portfolio_view` in the reader's language; `columns` heads it
    customers  each customer's id and name ("C0001 Name"), by id, highest exposure first
    """

    table: pd.DataFrame
    watchlist: pd.DataFrame
    grades: list[str]
    summary: pd.DataFrame
    tiles: list[Tile]
    portfolio: pd.DataFrame
    columns: dict[str, Column]
    customers: dict[str, str]


def risk_view(
    overview: RiskOverview, statuses: pd.DataFrame, policy: PolicyLike, lang: str = "en"
) -> RiskView:
    """The page's view of `overview` with the credit `statuses` now (`holds.credit_statuses`)."""
    policy = as_policy(policy)
    table = with_status(overview.table, statuses)
    hits = mark_watchlist(overview.watchlist, statuses)
    grades = grade_names(policy)
    worst = grades[-2:]
    new = int(hits["new"].sum()) if len(hits) else 0
    tiles = [
        Tile(Text("risk.scored"), len(table), "count", Text("risk.scored.help")),
        Tile(
            Text("risk.worst", {"grades": "/".join(worst)}),
            int(table.loc[table["grade"].isin(worst), "exposure_cents"].sum()) / 100,
            "compact",
            Text("risk.worst.help"),
        ),
        Tile(
            Text("risk.over_limit"),
            int(table["over_limit_cents"].sum()) / 100,
            "compact",
            Text("risk.over_limit.help"),
        ),
        Tile(Text("risk.alerts"), f"{len(hits):,} ({new})", "text", Text("risk.alerts.help")),
    ]
    portfolio = portfolio_view(
        table,
        flag_label=lambda f: named("risk.flag", f, lang),
        flag_sep=t("risk.flag_sep", lang),
        binding_label=lambda m: t(f"risk.binding.{m}", lang),
        status_label=lambda s: status_name(s, lang),
    )
    return RiskView(
        table=table,
        watchlist=hits,
        grades=grades,
        summary=grade_summary(table, policy),
        tiles=tiles,
        portfolio=portfolio,
        columns=headers(portfolio.columns, lang),
        customers=dict(
            zip(
                table["customer_id"],
                table["customer_id"] + " " + table["customer_name"],
                strict=True,
            )
        ),  # fmt: skip
    )


def watchlist_frame(hits: pd.DataFrame, lang: str = "en", only_new: bool = False) -> pd.DataFrame:
    """`present.watchlist_view` of the marked hits (only this week's new ones with
    `only_new`), every word in `lang`."""
    return watchlist_view(
        hits[hits["new"].astype(bool)] if only_new else hits,
        action_labels={a: t(f"risk.action.{a}", lang) for a in ACTIONS},
        new_label=t("risk.watch.new", lang),
        rule_label=lambda r: named("risk.flag", r, lang),
        detail_texts={k: t(f"risk.hit.{k}", lang) for k in RULE_KINDS},
        state_labels={s: t(f"risk.state.{s}", lang) for s in STATES},
        status_label=lambda s: status_name(s, lang),
    )


@dataclass(frozen=True, eq=False)
class CustomerDetail:
    """One customer on the page's detail tab (frames headed by `labels.headers`).

    tiles         score and grade, PD, exposure, recommended limit; credit status, late
                  interest, late fees; discount earned, discount open, limit increase
    chronic_late  paid late by habit though never far enough to show in the aging
    due           (action, rule) the watchlist asks for and is not applied yet, or None
    due_text      that, as a sentence (None when nothing is due)
    holds         the credit status changes, newest first, actions named; `holds_columns`
                  heads it (the reason is the hold's)
    history       score at month ends (as_of, score)
    payments      `detail.payment_history`
    why           the scorecard's explanation (label, value, band, weight, points_lost)
    limits        the limit methods: method (named), figure (money), binds
    open_items    open invoices, money in currency units
    bureau        third-party reports (bureau_pd: the report's PD)
    requests      limit requests, statuses named
    pending       ids of the requests still pending
    credit_limit  the limit now, in cents (None without one)
    """

    customer_id: str
    tiles: list[Tile]
    chronic_late: bool
    due: tuple[str, str] | None
    due_text: Text | None
    holds: pd.DataFrame
    holds_columns: dict[str, Column]
    history: pd.DataFrame
    payments: pd.DataFrame
    why: pd.DataFrame
    limits: pd.DataFrame
    open_items: pd.DataFrame
    bureau: pd.DataFrame
    requests: pd.DataFrame
    pending: list[int]
    credit_limit: int | None


def customer_detail(
    ledger: Ledger,
    engine: Engine,
    as_of: date,
    view: RiskView,
    policy: PolicyLike,
    *,
    customer: str,
    bureau: pd.DataFrame,
    history: pd.DataFrame,
    lang: str = "en",
    currency: str = "CNY",
) -> CustomerDetail:
    """The detail of `customer` (a row of `view.table`); `history` is `assess.score_history`."""
    policy = as_policy(policy)
    row = view.table.set_index("customer_id").loc[customer]
    due = due_action(view.watchlist, customer)
    changes = status_history(engine, customer).drop(columns=["hold_id", "customer_id"])
    changes["action"] = changes["action"].map(lambda a: t(f"risk.hold.do.{a}", lang))
    requests = list_requests(engine, customer)
    theirs = bureau[bureau["customer_id"] == customer].rename(columns={"pd": "bureau_pd"})
    items = customer_open_items(ledger, as_of, customer)
    methods = limit_methods(view.table, customer)
    limit = row["credit_limit_cents"]
    return CustomerDetail(
        customer_id=customer,
        tiles=_detail_tiles(row, penalty_settings(policy), lang, currency),
        chronic_late=bool(row["chronic_late"]),
        due=due,
        due_text=None
        if due is None
        else Text(
            "risk.hold.due",
            {
                "action": t(f"risk.action.{due[0]}", lang),
                "rule": named("risk.flag", due[1], lang),
            },
        ),
        holds=changes,
        holds_columns=headers(
            changes.columns, lang, reason=Column(t("risk.col.hold_reason", lang))
        ),
        history=history.loc[history["customer_id"] == customer, ["as_of", "score"]],
        payments=payment_history(ledger, as_of, customer),
        why=explanation_view(
            explain(view.table, policy, customer),
            policy,
            feature_labels={f: t(f"risk.feature.{f}", lang) for f in FEATURE_LABELS},
            band_texts={b: t(f"risk.band.{b}", lang) for b in BAND_TEXTS},
        ),
        limits=pd.DataFrame(
            {
                "method": methods["method"].map(lambda m: t(f"risk.method.{m}", lang)),
                "figure": methods["figure_cents"] / 100,
                "binds": methods["binding"],
            }
        ),
        open_items=to_money(items.drop(columns=["segment", "region", "salesperson"])),
        bureau=to_money(theirs.drop(columns=["report_id", "customer_id"])),
        requests=to_money(requests).assign(
            status=requests["status"].map(lambda s: named("risk.status", s, lang))
        ),
        pending=[int(i) for i in requests.loc[requests["status"] == "pending", "request_id"]],
        credit_limit=None if pd.isna(limit) else int(limit),
    )


def _detail_tiles(row: pd.Series, terms: dict[str, float], lang: str, currency: str) -> list[Tile]:
    """Ten tiles: four on the score and limit, three on penalties, three on rewards."""
    binding = t(f"risk.binding.{row['binding']}", lang) if row["binding"] else None
    items = int(row["overdue_items"])
    discount: dict[str, object] = {
        "pct": f"{terms['early_discount_pct']:g}",
        "days": f"{terms['early_discount_days']:g}",
    }
    increase = (
        "risk.detail.increase.help" if row["clean_record"] else "risk.detail.no_increase.help"
    )
    return [
        Tile(Text("risk.detail.score"), f"{row['score']:.0f} / {row['grade']}", "text",
             Text("risk.detail.score.help")),
        Tile(Text("risk.col.pd"), None if pd.isna(row["pd"]) else float(row["pd"]) * 100, "pct",
             Text("risk.detail.pd.help")),
        _money_tile("risk.col.exposure", row["exposure_cents"], Text("risk.detail.exposure.help")),
        _money_tile("risk.col.recommended_limit", row["recommended_limit_cents"],
                    Text("risk.detail.limit.help",
                         {"method": binding or t("risk.detail.no_binding", lang)})),
        Tile(Text("risk.detail.status"), status_name(row["credit_status"], lang), "text",
             Text("risk.detail.status.help")),
        _money_tile("risk.col.late_interest", row["late_interest_cents"],
                    Text("risk.detail.interest.help",
                         {"rate": f"{terms['late_interest_pct_year']:g}", "items": items})),
        _money_tile("risk.col.late_fees", row["late_fees_cents"],
                    Text("risk.detail.fees.help",
                         {"fee": money(terms["late_fee"], currency, lang), "items": items})),
        _money_tile("risk.col.discount_earned", row["discount_earned_cents"],
                    Text("risk.detail.discount.help", discount)),
        _money_tile("risk.detail.discount_open", row["discount_open_cents"],
                    Text("risk.detail.discount_open.help", discount)),
        _money_tile("risk.col.limit_increase", row["limit_increase_cents"],
                    Text(increase, {"pct": f"{terms['limit_increase_pct']:g}"})),
    ]  # fmt: skip


def _money_tile(label: str, cents: float, help_text: Text) -> Tile:
    value = None if pd.isna(cents) else int(cents) / 100
    return Tile(Text(label), value, "money", help_text)


def third_party_frame(table: pd.DataFrame, policy: PolicyLike) -> pd.DataFrame:
    """`compare.disagreements` with money in currency units (exposure, above_bureau_limit,
    above_insured)."""
    found = disagreements(table, as_policy(policy))
    cents = ["exposure_cents", "above_bureau_limit_cents", "above_insured_cents"]
    money = {c.removesuffix("_cents"): found[c] / 100 for c in cents}
    return found.assign(**money).drop(columns=cents)


def coefficients_frame(coef: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The PD model's coefficients to four decimals, each input named (`risk.var.<name>`)."""
    shown = coef.round(4)
    return shown.assign(feature=shown["feature"].map(lambda f: named("risk.var", f, lang)))
