"""The review's optional sections: risk grades and watchlist, forecast, provision.

Those domains are separate packages that may be missing or unfinished, so
nothing here imports them at module level: each section looks its module up
at call time (`importlib.util.find_spec`) and uses the first entry point it
finds from a short list. A section is always a dict:

    {"available": True, "source": "creditdash.risk.watchlist", "columns": [...],
     "rows": [...records...], "note": ""}           (plus a few derived keys)
    {"available": False, "note": [why, ...]}

A note is an `i18n.Text` in its JSON form (`as_dict()`), so a stored snapshot
says it in the reader's language; `i18n.render` reads it back.

The recipes in ENTRY_POINTS are tried in order; each returns a DataFrame
(or an object with a `.frame`/`.table`/`.matrix` DataFrame, and maybe a
numeric `.total`). What each section uses:

    grades     a `grade` column per customer_id (the grade distribution)
    watchlist  customer_id, rule, action, exposure_cents (new / resolved alerts)
    forecast   one row per week with `expected` (forecast vs actual)
    promises   invoice_id and expected_date per open invoice (broken promises)
    provision  the provision table, and its `.total`
"""

from __future__ import annotations

import importlib
import importlib.util
from datetime import date

import numpy as np
import pandas as pd

from creditdash.errors import CreditDashError
from creditdash.i18n import Text
from creditdash.ledger import Ledger

# section -> recipes tried in order: (module, function, how it is called)
#   "ledger"  func(ledger, as_of)
#   "policy"  func(ledger, as_of, default_policy()) with creditdash.risk.policy.default_policy
ENTRY_POINTS: dict[str, list[tuple[str, str, str]]] = {
    "grades": [
        ("creditdash.risk", "grades", "ledger"),
        ("creditdash.risk.assess", "risk_table", "policy"),
    ],
    "watchlist": [
        ("creditdash.risk", "watchlist", "ledger"),
        ("creditdash.risk.assess", "watchlist", "policy"),
    ],
    "forecast": [
        ("creditdash.forecast", "forecast", "ledger"),
        ("creditdash.forecast", "weekly_forecast", "ledger"),
        ("creditdash.forecast", "collections_forecast", "ledger"),
    ],
    "promises": [
        ("creditdash.forecast", "invoice_forecast", "ledger"),
        ("creditdash.forecast", "expected_payments", "ledger"),
    ],
    "provision": [
        ("creditdash.provisioning", "provision", "ledger"),
        ("creditdash.provisioning", "provisions", "ledger"),
    ],
}
# Columns kept from wide tables (the risk table has dozens of feature columns).
KEEP_COLUMNS = {
    "grades": ["customer_id", "customer_name", "score", "grade", "pd", "exposure_cents",
               "overdue_cents", "credit_limit_cents", "recommended_limit_cents", "flags"],
}  # fmt: skip
MAX_ROWS = 2000


def optional_sections(ledger: Ledger, as_of: date | pd.Timestamp) -> dict[str, dict]:
    """Every optional section at as_of (see the module docstring)."""
    sections = {name: section(name, ledger, as_of) for name in ENTRY_POINTS}
    grades = sections["grades"]
    if grades["available"]:
        grades["distribution"] = _grade_distribution(grades["rows"])
    forecast = sections["forecast"]
    if forecast["available"]:
        forecast["week1_expected"] = _first_week_expected(forecast["rows"])
    return sections


def section(name: str, ledger: Ledger, as_of) -> dict:
    """One optional section, or {"available": False, "note": [...]} saying why it is omitted."""
    notes: list[Text] = []
    for module_name, func_name, call in ENTRY_POINTS[name]:
        func, note = _lookup(module_name, func_name)
        if func is None:
            notes.append(note)
            continue
        source = f"{module_name}.{func_name}"
        try:
            result = _call(func, call, ledger, pd.Timestamp(as_of))
        except CreditDashError as err:
            why = Text("review.why.failed", {"source": source, "error": Text.of_error(err)})
            return {"available": False, "note": [why.as_dict()]}
        except (TypeError, AttributeError, KeyError, ValueError, ImportError) as err:
            # Another domain's interface may differ from what this adapter expects.
            error = f"{type(err).__name__}: {err}"
            notes.append(Text("review.why.unexpected", {"source": source, "error": error}))
            continue
        frame = _as_frame(result)
        if frame is None:
            notes.append(Text("review.why.no_table", {"source": source}))
            continue
        keep = [c for c in KEEP_COLUMNS.get(name, []) if c in frame.columns]
        frame = frame[keep] if keep else frame
        out = {
            "available": True,
            "source": source,
            "note": ""
            if len(frame) <= MAX_ROWS
            else Text("review.why.first_rows", {"limit": MAX_ROWS, "n": len(frame)}).as_dict(),
            "columns": [str(c) for c in frame.columns],
            "rows": records(frame.head(MAX_ROWS)),
        }
        total = getattr(result, "total", None)
        if isinstance(total, int | float) and not isinstance(total, bool):
            out["total"] = float(total)
        return out
    return {"available": False, "note": [n.as_dict() for n in dict.fromkeys(notes)]}


def _lookup(module_name: str, func_name: str) -> tuple[object, Text | None]:
    """(the function, None), or (None, why it cannot be used)."""
    try:
        found = importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        return None, Text("review.why.not_installed", {"module": module_name})
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        return None, Text("review.why.import_failed", {"module": module_name, "error": str(err)})
    func = getattr(module, func_name, None)
    if not callable(func):
        return None, Text("review.why.no_function", {"module": module_name, "function": func_name})
    return func, None


def _call(func, call: str, ledger: Ledger, as_of: pd.Timestamp):
    if call == "policy":
        from creditdash.risk.policy import default_policy

        return func(ledger, as_of, default_policy())
    return func(ledger, as_of)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of any frame as plain JSON values (dates ISO, NA None)."""
    out = []
    for row in frame.reset_index(drop=True).to_dict("records"):
        out.append({str(k): _plain(v) for k, v in row.items()})
    return out


def _as_frame(result) -> pd.DataFrame | None:
    if isinstance(result, pd.DataFrame):
        return result
    for attr in ("frame", "table", "matrix", "weekly", "weeks"):
        value = getattr(result, attr, None)
        if isinstance(value, pd.DataFrame):
            return value
    if isinstance(result, pd.Series):
        return result.reset_index()
    return None


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | date):
        return value.isoformat()[:10]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _grade_distribution(rows: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in rows:
        grade = r.get("grade")
        if grade is not None:
            counts[str(grade)] = counts.get(str(grade), 0) + 1
    return dict(sorted(counts.items()))


def _first_week_expected(rows: list[dict]) -> float | None:
    """Expected receipts of forecast week 1 (currency units), when the table says so."""
    if not rows:
        return None
    first = rows[0]
    for key in ("expected", "expected_cents", "expected_total"):
        value = first.get(key)
        if isinstance(value, int | float):
            return value / 100 if key.endswith("_cents") else float(value)
    return None
