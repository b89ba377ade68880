"""Working capital: WCR, the cash conversion cycle and what receivables cost to carry.

AR, overdue AR and credit sales are measured from the ledger; inventory,
accounts payable and the cost of goods sold are figures the user enters
or uploads (the ledger does not hold them). Money in currency units, a
year = 365 days.

    WCR (operating working capital) = AR + inventory - AP
    DSO (365 days) = AR / credit sales in the 365 days to D x 365
                     (`kpis.dso_at` over a 365-day window, as the 90-day tile)
    DIO = inventory / annual cost of goods sold x 365
    DPO = AP / annual cost of goods sold x 365
    CCC = DSO + DIO - DPO
    cash released per day of DSO = annual credit sales / 365
    financing cost of the overdue balance = overdue AR x cost of capital (a year)

An upload (`read_figures`, a CSV or XLSX like `figures_template`) holds
one row per balance-sheet date: date, inventory, accounts payable and the
cost of goods sold over the 12 months to that date (optional). Every
problem is listed with its row and column and the file is rejected whole
(ImportRejected); `figures_at` picks the row in force at an as-of date.
"""

from __future__ import annotations

import pandas as pd

from creditdash.errors import ImportRejected, InvalidArgument, Problem
from creditdash.ingest.parse import parse_dates, parse_money
from creditdash.ingest.problems import ProblemLog, message
from creditdash.ingest.read import RawSheet, Source, read_source
from creditdash.kpis import dso_at
from creditdash.ledger import DateLike, Ledger, day_number, day_to_timestamp
from creditdash.simulate.formulas import cash_per_dso_day

Number = int | float
YEAR_DAYS = 365

WORKING_CAPITAL_DEFINITIONS: dict[str, str] = {
    "ar": "Total AR at the as-of date (open invoices net of unapplied cash).",
    "overdue_ar": "AR past its due date at the as-of date.",
    "credit_sales": "Credit sales in the 365 days to the as-of date.",
    "inventory": "Inventory, as entered.",
    "ap": "Accounts payable, as entered.",
    "cogs": "Cost of goods sold over a year, as entered.",
    "wcr": "Working capital requirement = AR + inventory - AP.",
    "dso": "DSO (365 days) = total AR / credit sales in the 365 days to the as-of date x 365: the simple DSO of the overview, over a year.",
    "dio": "DIO = inventory / annual cost of goods sold x 365.",
    "dpo": "DPO = AP / annual cost of goods sold x 365.",
    "ccc": "Cash conversion cycle = DSO + DIO - DPO (days).",
    "cash_per_dso_day": "Cash released by one day less DSO = annual credit sales / 365.",
    "overdue_financing_cost": "Financing cost of today's overdue AR = overdue AR x cost of capital, a year.",
    "overdue_financing_cost_daily": "The same cost per day = overdue AR x cost of capital / 365.",
}


def wcr(ar: Number, inventory: Number, ap: Number) -> float:
    """Operating working capital requirement: AR + inventory - AP."""
    return float(ar + inventory - ap)


def ccc(dso: Number, dio: Number, dpo: Number) -> float:
    """Cash conversion cycle in days: DSO + DIO - DPO."""
    return float(dso + dio - dpo)


def days_of(balance: Number, annual_flow: Number) -> float | None:
    """Days of a yearly flow a balance represents: balance / annual flow x 365 (None if flow is 0)."""
    return None if annual_flow == 0 else balance / annual_flow * YEAR_DAYS


def overdue_financing_cost(overdue_ar: Number, cost_of_capital: Number) -> float:
    """A year's financing cost of an overdue balance: overdue AR x cost of capital."""
    if cost_of_capital < 0:
        raise InvalidArgument.coded(
            "terms.err.nonnegative",
            "`{name}` must be >= 0. Got {value!r}.",
            name="cost_of_capital",
            value=cost_of_capital,
        )
    return float(overdue_ar * cost_of_capital)


def working_capital(
    ledger: Ledger,
    as_of: DateLike,
    *,
    inventory: Number = 0.0,
    ap: Number = 0.0,
    cogs: Number | None = None,
    cost_of_capital: Number = 0.08,
) -> dict[str, float | None]:
    """Every figure of WORKING_CAPITAL_DEFINITIONS at as_of (None where undefined).

    DIO and DPO (and so CCC) need `cogs`; without it they are None.
    """
    for name, value in (("inventory", inventory), ("ap", ap)):
        if value < 0:
            raise InvalidArgument.coded(
                "terms.err.nonnegative",
                "`{name}` must be >= 0. Got {value!r}.",
                name=name,
                value=value,
            )
    if cogs is not None and cogs <= 0:
        raise InvalidArgument.coded(
            "terms.err.cogs",
            "`cogs` must be > 0 (a year's cost of goods sold). Got {value!r}.",
            value=cogs,
        )
    figures = dso_at(ledger, as_of, YEAR_DAYS)
    ar, overdue = figures.total_ar / 100, figures.overdue_ar / 100
    sales, dso = figures.credit_sales / 100, figures.dso
    dio = days_of(inventory, cogs) if cogs else None
    dpo = days_of(ap, cogs) if cogs else None
    cost = overdue_financing_cost(overdue, cost_of_capital)
    return {
        "ar": ar,
        "overdue_ar": overdue,
        "credit_sales": sales,
        "inventory": float(inventory),
        "ap": float(ap),
        "cogs": None if cogs is None else float(cogs),
        "wcr": wcr(ar, inventory, ap),
        "dso": dso,
        "dio": dio,
        "dpo": dpo,
        "ccc": None if dso is None or dio is None or dpo is None else ccc(dso, dio, dpo),
        "cash_per_dso_day": cash_per_dso_day(sales),
        "overdue_financing_cost": cost,
        "overdue_financing_cost_daily": cost / YEAR_DAYS,
    }


# --- uploaded figures ------------------------------------------------------------

FIGURE_FIELDS = ("date", "inventory", "ap", "cogs")
REQUIRED_FIELDS = ("date", "inventory", "ap")
# headers each field is known by (compared without case, spaces or punctuation);
# an amount's header starting with one of its longer names counts too ("COGS, 12 months")
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "period",
        "periodend",
        "asof",
        "month",
        "日期",
        "期间",
        "期末",
        "月份",
        "截止日期",
    ),
    "inventory": ("inventory", "inventories", "stock", "存货", "库存"),
    "ap": ("ap", "accountspayable", "payables", "tradepayables", "应付账款", "应付"),
    "cogs": ("cogs", "costofgoodssold", "costofsales", "营业成本", "销售成本", "主营业务成本"),
}
TEMPLATE_HEADERS: dict[str, tuple[str, ...]] = {
    "en": ("Date", "Inventory", "Accounts payable", "COGS (12 months)"),
    "zh": ("日期", "存货", "应付账款", "营业成本（近12个月）"),
}
HEADER_ROWS_SEARCHED = 10


def figures_template(lang: str = "en") -> bytes:
    """A CSV to fill in: the headers `read_figures` knows and two example rows to replace."""
    headers = TEMPLATE_HEADERS.get(lang, TEMPLATE_HEADERS["en"])
    rows = [
        ("2026-09-30", "12,500,000.00", "8,200,000.00", "96,000,000.00"),
        ("2026-10-31", "13,100,000.00", "8,650,000.00", "97,400,000.00"),
    ]
    lines = [",".join(headers), *(",".join(f'"{c}"' for c in row) for row in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def read_figures(name: str, data: bytes) -> pd.DataFrame:
    """Inventory, AP and COGS by date from an uploaded CSV or XLSX (the first sheet with data).

    Returns one row per date, oldest first: date (datetime64), inventory_cents,
    ap_cents (int64), cogs_cents (Int64, <NA> where not given). Raises
    ImportRejected listing every problem (file, sheet, row, column, value).
    """
    log = ProblemLog()
    sheets = [sheet for sheet in read_source(Source(name, data), log) if not sheet.is_empty]
    if log.has_errors:
        raise ImportRejected(log.problems)
    if not sheets:
        raise ImportRejected([_no_rows(name, None)])
    sheet = sheets[0]
    header_row, columns = _header(sheet)
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if header_row is None or missing:
        raise ImportRejected([_missing_columns(sheet, missing or list(REQUIRED_FIELDS))])
    body = sheet.cells.iloc[header_row + 1 :]
    body = body[(body.fillna("").apply(lambda c: c.str.strip()) != "").any(axis=1)]
    if body.empty:
        raise ImportRejected([_no_rows(name, sheet.sheet)])
    body.index = body.index + 1  # Excel row numbers (CSV line numbers)
    headers = {f: str(sheet.cells.iat[header_row, c]).strip() for f, c in columns.items()}
    problems: list[Problem] = []
    text = {f: body[c].fillna("").str.strip() for f, c in columns.items()}
    dates = _checked_dates(text["date"], sheet, headers["date"], problems)
    amounts = {
        f: _checked_money(text[f], sheet, headers[f], f != "cogs", problems)
        for f in columns
        if f != "date"
    }
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.row or 0))  # row by row
    frame = pd.DataFrame(
        {
            "date": dates,
            "inventory_cents": amounts["inventory"].astype("int64"),
            "ap_cents": amounts["ap"].astype("int64"),
            "cogs_cents": amounts.get("cogs", pd.Series(pd.NA, index=body.index, dtype="Int64")),
        }
    )
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def figures_at(figures: pd.DataFrame, as_of: DateLike) -> dict[str, object]:
    """The uploaded row in force at as_of (the latest dated on or before it), in currency units.

    Keys: date (Timestamp), inventory, ap, cogs (None where the file gives none).
    """
    day = day_to_timestamp(day_number(as_of))
    earlier = figures[figures["date"] <= day]
    if earlier.empty:
        raise InvalidArgument.coded(
            "terms.err.wc_no_figures",
            "The uploaded figures start on {first}, after the as-of date {as_of}: "
            "add a row dated on or before it.",
            first=f"{figures['date'].min():%Y-%m-%d}",
            as_of=f"{day:%Y-%m-%d}",
        )
    row = earlier.iloc[-1]
    cogs = row["cogs_cents"]
    return {
        "date": row["date"],
        "inventory": int(row["inventory_cents"]) / 100,
        "ap": int(row["ap_cents"]) / 100,
        "cogs": None if pd.isna(cogs) else int(cogs) / 100,
    }


def _norm(text: str) -> str:
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


def _field_of(header: str) -> str | None:
    name = _norm(header)
    for field, known in HEADER_NAMES.items():
        prefix = field != "date" and any(len(k) >= 4 and name.startswith(k) for k in known)
        if name in known or prefix:
            return field
    return None


def _header(sheet: RawSheet) -> tuple[int | None, dict[str, int]]:
    """(header row index, field -> column): the first of the top rows naming the most fields."""
    best: tuple[int | None, dict[str, int]] = (None, {})
    for i in range(min(HEADER_ROWS_SEARCHED, len(sheet.cells))):
        columns: dict[str, int] = {}
        for c, cell in enumerate(sheet.cells.iloc[i].fillna("")):
            field = _field_of(cell)
            if field is not None and field not in columns:
                columns[field] = c
        if len(columns) > len(best[1]):
            best = (i, columns)
    return best


def _checked_dates(
    text: pd.Series, sheet: RawSheet, header: str, problems: list[Problem]
) -> pd.Series:
    parsed = parse_dates(text)
    assert parsed.void is not None  # parse_dates always marks the cells it voids
    for row in text.index[text == ""]:
        problems.append(_cell(sheet, row, header, "", _EMPTY_DATE))
    for row in text.index[parsed.bad.to_numpy() | parsed.void.to_numpy()]:
        problems.append(_cell(sheet, row, header, text[row], _bad_date(text[row])))
    dates = pd.to_datetime(parsed.values)
    repeated = dates.notna() & dates.duplicated(keep=False)
    for row in text.index[repeated.to_numpy()]:
        problems.append(_cell(sheet, row, header, text[row], _repeated_date(text[row])))
    return dates


def _checked_money(
    text: pd.Series, sheet: RawSheet, header: str, required: bool, problems: list[Problem]
) -> pd.Series:
    parsed = parse_money(text)
    values = parsed.values
    for row in text.index:
        cell, value = text[row], values[row]
        if cell == "":
            if required:
                problems.append(_cell(sheet, row, header, "", _empty_amount(header)))
        elif pd.isna(value):
            problems.append(_cell(sheet, row, header, cell, _bad_amount(cell)))
        elif value < 0 or (not required and value == 0):
            problems.append(_cell(sheet, row, header, cell, _not_positive(header, required)))
    return values


def _cell(sheet: RawSheet, row: int, header: str, value: str, text) -> Problem:
    return text.problem(
        file=sheet.file, sheet=sheet.sheet, row=int(row), column=header, value=value or None
    )


_EMPTY_DATE = message("terms.wc.problem.empty_date", "The date is empty: every row needs one.")


def _bad_date(value: str):
    return message(
        "terms.wc.problem.bad_date",
        "'{value}' is not a date: write it as 2026-10-31, 2026/10/31 or 2026年10月31日.",
        value=value,
    )


def _repeated_date(value: str):
    return message(
        "terms.wc.problem.repeated_date",
        "The date {value} appears on more than one row: keep one row per date.",
        value=value,
    )


def _empty_amount(header: str):
    return message(
        "terms.wc.problem.empty_amount",
        "'{column}' is empty: enter the amount (0 if there is none).",
        column=header,
    )


def _bad_amount(value: str):
    return message(
        "terms.wc.problem.bad_amount",
        "'{value}' is not an amount: write it as 1234567.89 or 1,234,567.89.",
        value=value,
    )


def _not_positive(header: str, zero_allowed: bool):
    if zero_allowed:
        return message(
            "terms.wc.problem.negative", "'{column}' must not be negative.", column=header
        )
    return message(
        "terms.wc.problem.cogs_not_positive",
        "'{column}' must be above 0 (a year's cost of goods sold), or left empty.",
        column=header,
    )


def _missing_columns(sheet: RawSheet, missing: list[str]) -> Problem:
    return message(
        "terms.wc.problem.missing_columns",
        "The file needs a header row with columns for the date, inventory and accounts "
        "payable (and optionally the cost of goods sold over 12 months); missing: {missing}. "
        "Start from the template.",
        missing=", ".join(TEMPLATE_HEADERS["en"][FIGURE_FIELDS.index(f)] for f in missing),
    ).problem(file=sheet.file, sheet=sheet.sheet)


def _no_rows(name: str, sheet: str | None) -> Problem:
    return message(
        "terms.wc.problem.no_rows", "The file has no rows of figures under its header."
    ).problem(file=name, sheet=sheet)
