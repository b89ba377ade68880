"""The review's sections from the other domains: risk grades and watchlist, forecast, provision.

Each section is what that domain's own page shows at the same date: the risk
grades and watchlist come from one `creditdash.risk.assess.assess` call with
the policy in force, the third-party reports and the approved limits
(`creditdash.risk.in_force.RiskInputs`), exactly as the Customer risk page
grades. A section is always a dict:

    {"available": True, "source": "creditdash.risk.assess", "columns": [...],
     "rows": [...records...], "note": ...}           (plus a few derived keys)
    {"available": False, "note": [why, ...]}

A note is an `i18n.Text` in its JSON form (`as_dict()`), or a list of them, so a
stored snapshot says it in the reader's language; `i18n.render` reads it back.
A section is unavailable only when its domain says the history is too thin
(a `CreditDashError`); anything else is a bug and fails loudly. `Section` is
the frozen view the review and its pack read a stored section through.

    grades     per customer: grade, score, PD, exposure... (`grade`: the distribution)
    watchlist  the policy's rule hits, with `new` (did not fire 7 days earlier) and
               `params` (the figures each hit's sentence names, a dict)
    forecast   one row per week with `expected_cents` (forecast vs actual)
    promises   invoice_id and expected_date per open invoice (broken promises)
    provision  the provision matrix, and its `.total`
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date

import numpy as np
import pandas as pd

from creditdash.errors import CreditDashError
from creditdash.forecast.promises import invoice_forecast, weekly_forecast
from creditdash.i18n import Text
from creditdash.ledger import Ledger
from creditdash.provisioning import provision
from creditdash.risk.assess import assess
from creditdash.risk.in_force import RiskInputs

SECTIONS = ("grades", "watchlist", "forecast", "promises", "provision")


@dataclass(frozen=True)
class Section:
    """A section as the review and its pack read it back (the stored form is the dict above).

    `note` is a Text's JSON form, a list of them or None; `total` (provision),
    `distribution` (grades: customers per grade), `week1_expected` (forecast)
    and `policy_version` (grades, watchlist) are None where the section has none.
    """

    available: bool
    note: list[dict] | dict | None = None
    source: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    total: float | None = None
    distribution: dict[str, int] | None = None
    week1_expected: float | None = None
    policy_version: int | None = None

    @classmethod
    def from_dict(cls, stored: dict) -> Section:
        """The section stored as `stored` (keys it does not have keep their defaults)."""
        return cls(**{f.name: stored[f.name] for f in fields(cls) if f.name in stored})

    def frame(self) -> pd.DataFrame:
        """The rows as a frame with the section's columns."""
        return pd.DataFrame(self.rows, columns=self.columns or None)


SOURCES = {
    "grades": "creditdash.risk.assess",
    "watchlist": "creditdash.risk.assess",
    "forecast": "creditdash.forecast.weekly_forecast",
    "promises": "creditdash.forecast.invoice_forecast",
    "provision": "creditdash.provisioning.provision",
}
# Columns kept from wide tables (the risk table has dozens of feature columns).
KEEP_COLUMNS = {
    "grades": ["customer_id", "customer_name", "score", "grade", "pd", "exposure_cents",
               "overdue_cents", "credit_limit_cents", "recommended_limit_cents", "flags"],
    "watchlist": ["customer_id", "customer_name", "rule", "kind", "action", "severity",
                  "params", "detail", "exposure_cents", "grade", "score", "new"],
}  # fmt: skip
MAX_ROWS = 2000


def domain_sections(
    ledger: Ledger, as_of: date | pd.Timestamp, risk: RiskInputs | None = None
) -> dict[str, dict]:
    """Every section at as_of; `risk` is what grading reads (default: the default policy)."""
    when = pd.Timestamp(as_of)
    risk = risk if risk is not None else RiskInputs.default()
    assessed = _risk_sections(ledger, when, risk)
    sections = {
        **assessed,
        "forecast": section("forecast", lambda: weekly_forecast(ledger, when)),
        "promises": section("promises", lambda: invoice_forecast(ledger, when)),
        "provision": section("provision", lambda: provision(ledger, when)),
    }
    grades = sections["grades"]
    if grades["available"]:
        grades["distribution"] = _grade_distribution(grades["rows"])
    forecast = sections["forecast"]
    if forecast["available"]:
        forecast["week1_expected"] = _first_week_expected(forecast["rows"])
    return sections


def _risk_sections(ledger: Ledger, as_of: pd.Timestamp, risk: RiskInputs) -> dict[str, dict]:
    """The grades and watchlist sections from one assessment with `risk`."""
    try:
        result = assess(ledger, as_of, risk.policy, risk.bureau, risk.limits)
    except CreditDashError as err:
        failed = _failed(SOURCES["grades"], err)
        return {"grades": failed, "watchlist": dict(failed)}
    policy = (
        Text("review.note.policy", {"version": risk.version})
        if risk.version is not None
        else Text("review.note.default_policy")
    )
    grades = section("grades", lambda: result["table"], [policy, Text("risk.pd.meaning")])
    watch = section("watchlist", lambda: result["watchlist"], [policy])
    for sec in (grades, watch):
        sec["policy_version"] = risk.version
    if result["pd_error"] is not None:
        grades["note"].append(Text.of_error(result["pd_error"]).as_dict())
    return {"grades": grades, "watchlist": watch}


def section(name: str, compute: Callable[[], object], notes: list[Text] | None = None) -> dict:
    """One section from `compute()` (a frame, or an object with a `.matrix` / `.table` frame
    and maybe a numeric `.total`); {"available": False, "note": [...]} when its domain
    raises a CreditDashError."""
    source = SOURCES[name]
    try:
        result = compute()
    except CreditDashError as err:
        return _failed(source, err)
    frame = _as_frame(result)
    keep = [c for c in KEEP_COLUMNS.get(name, []) if c in frame.columns]
    frame = frame[keep] if keep else frame
    said = [n.as_dict() for n in notes or []]
    if len(frame) > MAX_ROWS:
        said.append(Text("review.why.first_rows", {"limit": MAX_ROWS, "n": len(frame)}).as_dict())
    out = {
        "available": True,
        "source": source,
        "note": said,
        "columns": [str(c) for c in frame.columns],
        "rows": records(frame.head(MAX_ROWS)),
    }
    total = getattr(result, "total", None)
    if isinstance(total, int | float) and not isinstance(total, bool):
        out["total"] = float(total)
    return out


def _failed(source: str, err: CreditDashError) -> dict:
    why = Text("review.why.failed", {"source": source, "error": Text.of_error(err)})
    return {"available": False, "note": [why.as_dict()]}


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of any frame as plain JSON values (dates ISO, NA None)."""
    out = []
    for row in frame.reset_index(drop=True).to_dict("records"):
        out.append({str(k): _plain(v) for k, v in row.items()})
    return out


def _as_frame(result: object) -> pd.DataFrame:
    if isinstance(result, pd.DataFrame):
        return result
    for attr in ("matrix", "table", "frame"):
        value = getattr(result, attr, None)
        if isinstance(value, pd.DataFrame):
            return value
    raise TypeError(f"a review section needs a table; got {type(result).__name__}")


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
    if isinstance(value, dict):  # a watchlist hit's params: the figures its sentence names
        return {str(k): _plain(v) for k, v in value.items()}
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
