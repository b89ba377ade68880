"""The 13-week cash plan: opening cash + receipts - disbursements, against a minimum.

A plan is a name, opening cash, a minimum cash level and weekly lines per
category (money in cents, entered as positive numbers):

    other_receipts    money in besides customer collections
    payroll, suppliers, tax, loan_service, other     money out

`plan_table` rolls it forward with the forecast collections (week 1 opens
with the opening cash; each week closes at opening + collections + other
receipts - disbursements; the next week opens there). The prudent closing
`closing_p10` uses the P10 of collections to date (from the simulations). Plans are saved in the `cash_plans` tables.

The opening cash has no default: a plan without it (`opening_cash_cents`
None) still has its weekly flows, but no balance, so `plan_verdict` says
the opening cash is not given instead of judging the balance against the minimum.

plan_table frame (int64 cents): week, start, end, opening_cents,
collections_cents, other_receipts_cents, payroll_cents, suppliers_cents,
tax_cents, loan_service_cents, other_cents, net_cents, closing_cents,
closing_p10_cents, below_minimum (bool, on the expected closing); without
opening cash the balance columns (opening, closing, closing_p10: Int64;
below_minimum: boolean) are all missing (pd.NA)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from creditdash import audit
from creditdash.auth import Actor, authorise
from creditdash.errors import InvalidArgument, NotFound
from creditdash.store.forecast_models import CashPlanLine, CashPlanRecord

RECEIPTS = ("other_receipts",)
DISBURSEMENTS = ("payroll", "suppliers", "tax", "loan_service", "other")
CATEGORIES = RECEIPTS + DISBURSEMENTS
CATEGORY_LABELS = {
    "other_receipts": "Other receipts",
    "payroll": "Payroll",
    "suppliers": "Suppliers",
    "tax": "Tax",
    "loan_service": "Loan service",
    "other": "Other payments",
}
# headers of Chinese plan files, besides the names and labels above (any case, spaces ignored)
HEADER_ALIASES = {
    "week": ("周", "周次"),
    "other_receipts": ("其他收入", "其他收款"),
    "payroll": ("工资", "薪酬"),
    "suppliers": ("供应商", "供应商付款"),
    "tax": ("税费", "税金"),
    "loan_service": ("还贷", "还本付息"),
    "other": ("其他支出", "其他付款"),
}


@dataclass(frozen=True)
class CashPlan:
    """A named plan; `lines` has `week` (1..weeks) and one cents column per category.

    `opening_cash_cents` None: the opening cash is not given (there is no sensible default).
    """

    name: str
    opening_cash_cents: int | None
    minimum_cash_cents: int
    lines: pd.DataFrame = field(default_factory=lambda: blank_lines(13))


@dataclass(frozen=True)
class PlanVerdict:
    """What a plan table says about cash against the minimum.

    status: "no_opening_cash" (not given: no balance, so no judgement), "short" (the
    expected closing falls below the minimum; `shortfall` is `first_shortfall`'s dict),
    "short_p10" (only the prudent closing does; `shortfall` on closing_p10) or "ok".
    """

    status: str
    shortfall: dict | None = None

    @property
    def opening_given(self) -> bool:
        return self.status != "no_opening_cash"


def blank_lines(weeks: int = 13) -> pd.DataFrame:
    """week 1..weeks and a zero cents column per category."""
    frame = pd.DataFrame({"week": np.arange(1, weeks + 1)})
    for c in CATEGORIES:
        frame[f"{c}_cents"] = np.zeros(weeks, dtype=np.int64)
    return frame


def lines_from_money(frame: pd.DataFrame, weeks: int = 13) -> pd.DataFrame:
    """Lines in cents from a table in money units (edited or uploaded).

    Accepts `week` and the category names, their labels or their Chinese
    headers (`HEADER_ALIASES`: 周, 其他收入, 工资, 供应商, 税费, 还贷, 其他支出),
    any case; missing categories are zero, missing weeks are zero. Amounts
    must be numbers >= 0; a bad cell raises InvalidArgument naming its row
    and its column as the file spells it.
    """
    names = {_norm(c): c for c in ("week", *CATEGORIES)}
    names |= {_norm(v): k for k, v in CATEGORY_LABELS.items()}
    names |= {_norm(a): k for k, aliases in HEADER_ALIASES.items() for a in aliases}
    renamed = {col: names[_norm(str(col))] for col in frame.columns if _norm(str(col)) in names}
    header = {v: str(k) for k, v in renamed.items()}  # category -> the column as given
    data = frame.rename(columns=renamed)
    if "week" not in data:
        raise InvalidArgument.coded(
            "forecast.err.plan_week_column",
            "The cash plan needs a `week` column (1 to 13). Got columns: {columns}.",
            columns=", ".join(map(str, frame.columns)),
        )
    week = pd.to_numeric(data["week"], errors="coerce")
    bad = week.isna() | (week % 1 != 0) | (week < 1) | (week > weeks)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InvalidArgument.coded(
            "forecast.err.plan_week",
            "`week` must be a whole number from 1 to {weeks}. Row {row}: {value!r}.",
            weeks=weeks,
            row=row + 1,
            value=frame.iloc[row][[c for c, v in renamed.items() if v == "week"][0]],
        )
    out = blank_lines(weeks)
    for cat in CATEGORIES:
        if cat not in data:
            continue
        values = pd.to_numeric(data[cat].fillna(0), errors="coerce")
        wrong = values.isna() | (values < 0)
        if wrong.any():
            row = int(np.flatnonzero(wrong.to_numpy())[0])
            raise InvalidArgument.coded(
                "forecast.err.plan_amount",
                "`{column}` must be an amount >= 0 (enter payments as positive numbers). "
                "Row {row}: {value!r}.",
                column=header[cat],
                row=row + 1,
                value=data[cat].iloc[row],
            )
        cents = np.rint(values.to_numpy(dtype=np.float64) * 100).astype(np.int64)
        sums = np.bincount(week.to_numpy(dtype=np.int64) - 1, weights=cents, minlength=weeks)
        out[f"{cat}_cents"] = np.rint(sums[:weeks]).astype(np.int64)
    return out


def lines_to_money(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines for editing: week and one money column per category label."""
    frame = pd.DataFrame({"week": lines["week"].to_numpy()})
    for c in CATEGORIES:
        frame[CATEGORY_LABELS[c]] = lines[f"{c}_cents"].to_numpy() / 100
    return frame


def _norm(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def plan_table(forecast: pd.DataFrame, plan: CashPlan) -> pd.DataFrame:
    """Roll the plan forward on `forecast` (week, start, end, total_expected_cents, cumulative_p10_cents)."""
    weeks = len(forecast)
    lines = plan.lines.set_index("week").reindex(range(1, weeks + 1), fill_value=0)
    frame = forecast[["week", "start", "end"]].copy()
    collections = forecast["total_expected_cents"].to_numpy(dtype=np.int64)
    prudent = forecast["cumulative_p10_cents"].to_numpy(dtype=np.int64)
    frame["collections_cents"] = collections
    for c in CATEGORIES:
        frame[f"{c}_cents"] = lines[f"{c}_cents"].to_numpy(dtype=np.int64)
    outflow = sum(frame[f"{c}_cents"].to_numpy() for c in DISBURSEMENTS)
    other_in = frame["other_receipts_cents"].to_numpy()
    net = collections + other_in - outflow
    if plan.opening_cash_cents is None:  # flows without a balance: nothing to judge
        unknown = pd.array([pd.NA] * weeks, dtype="Int64")
        frame.insert(3, "opening_cents", unknown)
        frame["net_cents"] = net
        frame["closing_cents"] = unknown.copy()
        frame["closing_p10_cents"] = unknown.copy()
        frame["below_minimum"] = pd.array([pd.NA] * weeks, dtype="boolean")
        return frame
    closing = plan.opening_cash_cents + np.cumsum(net)
    frame.insert(3, "opening_cents", np.concatenate([[plan.opening_cash_cents], closing[:-1]]))
    frame["net_cents"] = net
    frame["closing_cents"] = closing
    frame["closing_p10_cents"] = plan.opening_cash_cents + prudent + np.cumsum(other_in - outflow)
    frame["below_minimum"] = closing < plan.minimum_cash_cents
    return frame


def plan_verdict(table: pd.DataFrame, minimum_cents: int) -> PlanVerdict:
    """Judge a `plan_table` against the minimum: the expected closing first, then the prudent.

    A table without opening cash (its closing balances missing) is not judged:
    status "no_opening_cash".
    """
    if table["closing_cents"].isna().any():
        return PlanVerdict("no_opening_cash")
    short = first_shortfall(table, minimum_cents)
    if short:
        return PlanVerdict("short", short)
    prudent = first_shortfall(table, minimum_cents, "closing_p10_cents")
    if prudent:
        return PlanVerdict("short_p10", prudent)
    return PlanVerdict("ok")


def first_shortfall(
    table: pd.DataFrame, minimum_cents: int, column: str = "closing_cents"
) -> dict | None:
    """The first week whose closing balance is below the minimum: week, start, end, closing, shortfall.

    Raises InvalidArgument when the balance is unknown (a plan without opening cash).
    """
    if table[column].isna().any():
        raise InvalidArgument.coded(
            "forecast.err.no_opening_cash",
            "The cash plan has no opening cash, so its balance is unknown and no week can be "
            "said to fall below the minimum. Enter the opening cash.",
        )
    below = np.flatnonzero(table[column].to_numpy(dtype=np.int64) < minimum_cents)
    if not len(below):
        return None
    row = table.iloc[below[0]]
    return {
        "week": int(row["week"]),
        "start": row["start"],
        "end": row["end"],
        "closing_cents": int(row[column]),
        "shortfall_cents": int(minimum_cents - row[column]),
    }


# ------------------------------------------------------------------ storage
def save_plan(engine: Engine, plan: CashPlan, actor: Actor) -> None:
    """Create or replace the plan called `plan.name`.

    `actor` must be allowed to edit cash plans (creditdash.auth); the save is audited.
    A plan without opening cash is refused (the stored plan always has it).
    """
    who = authorise(actor, "edit_cash_plan").who
    name = plan.name.strip()
    if not name:
        raise InvalidArgument.coded(
            "forecast.err.plan_name", "A cash plan needs a name. Got an empty name."
        )
    if plan.opening_cash_cents is None:
        raise InvalidArgument.coded(
            "forecast.err.plan_opening",
            "A cash plan is saved with its opening cash: enter the opening cash of {name!r} first.",
            name=name,
        )
    with Session(engine) as s, s.begin():
        record = s.scalars(select(CashPlanRecord).where(CashPlanRecord.name == name)).first()
        audit.record(s.connection(), who, "cash_plan_saved", "cash_plan", name, after={
            "opening_cash": plan.opening_cash_cents / 100,
            "minimum_cash": plan.minimum_cash_cents / 100,
            "created": record is None,
        })  # fmt: skip
        if record is None:
            record = CashPlanRecord(name=name)
            s.add(record)
        record.opening_cash = _decimal(plan.opening_cash_cents)
        record.minimum_cash = _decimal(plan.minimum_cash_cents)
        record.updated_at = datetime.now()
        s.flush()
        for line in s.scalars(select(CashPlanLine).where(CashPlanLine.plan_id == record.plan_id)):
            s.delete(line)
        s.flush()
        for rec in plan.lines.to_dict("records"):
            for c in CATEGORIES:
                if rec[f"{c}_cents"]:
                    s.add(
                        CashPlanLine(
                            plan_id=record.plan_id,
                            week=int(rec["week"]),
                            category=c,
                            amount=_decimal(rec[f"{c}_cents"]),
                        )
                    )


def load_plan(engine: Engine, name: str, weeks: int = 13) -> CashPlan:
    """The saved plan called `name`, or NotFound."""
    with Session(engine) as s:
        record = s.scalars(select(CashPlanRecord).where(CashPlanRecord.name == name)).first()
        if record is None:
            known = ", ".join(list_plans(engine)) or "none"
            raise NotFound.coded(
                "forecast.err.plan_not_found",
                "No cash plan named {name!r}. Saved plans: {known}.",
                name=name,
                known=known,
            )
        lines = blank_lines(weeks)
        for line in s.scalars(select(CashPlanLine).where(CashPlanLine.plan_id == record.plan_id)):
            if 1 <= line.week <= weeks and line.category in CATEGORIES:
                lines.loc[line.week - 1, f"{line.category}_cents"] = _cents(line.amount)
        return CashPlan(name, _cents(record.opening_cash), _cents(record.minimum_cash), lines)


def list_plans(engine: Engine) -> list[str]:
    """Names of saved plans, alphabetical."""
    with Session(engine) as s:
        return list(s.scalars(select(CashPlanRecord.name).order_by(CashPlanRecord.name)))


def delete_plan(engine: Engine, name: str, actor: Actor) -> None:
    """Remove the plan called `name`; `actor` must be allowed to edit cash plans; audited."""
    who = authorise(actor, "edit_cash_plan").who
    with Session(engine) as s, s.begin():
        record = s.scalars(select(CashPlanRecord).where(CashPlanRecord.name == name)).first()
        if record is None:
            raise NotFound.coded(
                "forecast.err.plan_missing", "No cash plan named {name!r}.", name=name
            )
        for line in s.scalars(select(CashPlanLine).where(CashPlanLine.plan_id == record.plan_id)):
            s.delete(line)
        s.delete(record)
        s.flush()
        audit.record(s.connection(), who, "cash_plan_deleted", "cash_plan", name)


def _decimal(cents: int) -> Decimal:
    return Decimal(int(cents)) / 100


def _cents(value: Decimal) -> int:
    return int((Decimal(value) * 100).to_integral_value())


def read_plan_file(name: str, data: bytes, weeks: int = 13) -> pd.DataFrame:
    """Plan lines (cents) from an uploaded CSV or XLSX: `week` and one column per category."""
    import io

    try:
        if name.lower().endswith((".xlsx", ".xls")):
            frame = pd.read_excel(io.BytesIO(data), engine="calamine")
        else:
            frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    except Exception as err:  # noqa: BLE001 - any unreadable file gets the same message
        raise InvalidArgument.coded(
            "forecast.err.plan_file",
            "{file}: not a readable CSV or XLSX file ({reason}).",
            file=name,
            reason=str(err),
        ) from None
    return lines_from_money(frame, weeks)


def scenario_plans(stress: pd.DataFrame, plan: CashPlan) -> dict[str, pd.DataFrame]:
    """The plan rolled forward on each stressed scenario of `run_scenarios` (base case left out).

    Keys are the scenario names in their order; values are `plan_table` frames.
    """
    from creditdash.forecast.stress import BASE_CASE

    tables = {}
    for name, part in stress.groupby("scenario", sort=False):
        if name == BASE_CASE:
            continue
        frame = part.reset_index(drop=True)
        frame["cumulative_p10_cents"] = frame["total_p10_cents"].cumsum()
        tables[name] = plan_table(frame, plan)
    return tables
