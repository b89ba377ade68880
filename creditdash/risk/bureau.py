"""Third-party credit reports: matching to customers, storing with source and date, reading.

Rows are joined to customers by customer id, else by unified social
credit code (统一社会信用代码), else by name: an exact match after
normalising (NFKC, case, spaces, brackets) or a close one (similarity >=
0.9). A name match is only stored when the caller confirms it (all name
matches, or row by row: `name_matches` lists them for the user to tick);
until then it is an error that shows the proposed customer, or a skipped
row with `skip_unmatched`. A file is imported whole or not at all. History is kept: one row per (customer,
provider, report date); importing the same report again updates it.

Providers: `CreditReportProvider` is the interface a live client (an API
of 企查查, 天眼查, D&B, an insurer) implements; `FileProvider` reads
exported files. Nothing here opens a network connection.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from creditdash import audit
from creditdash.auth import Actor, authorise
from creditdash.errors import ImportRejected, Problem
from creditdash.ingest.read import Source
from creditdash.money import cents_to_decimal
from creditdash.risk.bureau_files import REPORT_COLUMNS, read_report_files
from creditdash.store.risk_models import BureauReport

NAME_SIMILARITY = 0.9
STORED_COLUMNS = [
    "report_id", "customer_id", "provider", "report_date", "score", "score_scale",
    "score_normalised", "rating", "recommended_limit_cents", "insured_limit_cents",
    "net_worth_cents", "working_capital_cents", "pd", "legal_events", "source_file",
    "imported_at", "imported_by", "authorisation",
]  # fmt: skip


class CreditReportProvider(ABC):
    """Where reports come from. `fetch` returns a frame in `bureau_files.REPORT_COLUMNS`
    (customer_id may be empty: `match_customers` fills it)."""

    name: str = "provider"

    @abstractmethod
    def fetch(self, customers: pd.DataFrame, as_of: date) -> tuple[pd.DataFrame, list[Problem]]:
        """Reports on `customers` (customer_id, customer_name, credit_code) as of a date."""


@dataclass
class FileProvider(CreditReportProvider):
    """Reports read from exported CSV/XLSX files (see `bureau_files`)."""

    sources: list[Source]
    provider: str | None = None
    report_date: date | None = None
    scale: str | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)
    name: str = "file"

    def fetch(self, customers: pd.DataFrame, as_of: date) -> tuple[pd.DataFrame, list[Problem]]:
        frame, log = read_report_files(
            self.sources,
            provider=self.provider,
            report_date=self.report_date,
            scale=self.scale,
            overrides=self.overrides,
        )
        return frame, log.problems


def normalise_name(name: object) -> str:
    """A company name as compared: NFKC, case-folded, without spaces, brackets and punctuation."""
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    return re.sub(r"[\s()（）\[\]·.,，、\-_'\"]+", "", text)


def match_customers(reports: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """`reports` with customer_id filled where found, `match` (id / credit_code / name / "")
    and `proposed_customer` / `proposed_name` for name matches awaiting confirmation."""
    out = reports.copy()
    ids = set(customers["customer_id"].astype(str))
    by_code = {
        str(c).strip().upper(): str(i)
        for c, i in zip(customers["credit_code"], customers["customer_id"], strict=True)
        if isinstance(c, str) and c.strip()
    }
    names = {normalise_name(n): str(i) for n, i in zip(customers["customer_name"], customers["customer_id"], strict=True) if isinstance(n, str) and n.strip()}  # fmt: skip
    display = dict(
        zip(customers["customer_id"].astype(str), customers["customer_name"], strict=True)
    )
    match: list[str] = []
    found: list[str | None] = []
    proposed: list[str | None] = []
    for cid, code, name in zip(out["customer_id"], out["credit_code"], out["customer_name"], strict=True):  # fmt: skip
        guess = None
        if isinstance(cid, str) and cid in ids:
            match.append("id")
            found.append(cid)
        elif isinstance(code, str) and code.strip().upper() in by_code:
            match.append("credit_code")
            found.append(by_code[code.strip().upper()])
        else:
            guess = _name_guess(name, names)
            match.append("name" if guess else "")
            found.append(None)
        proposed.append(guess)
    out["customer_id"] = pd.Series(found, index=out.index, dtype="str")
    out["match"] = match
    out["proposed_customer"] = pd.Series(proposed, index=out.index, dtype="str")
    out["proposed_name"] = out["proposed_customer"].map(display).astype("str")
    return out


def _name_guess(name: object, names: dict[str, str]) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return None
    key = normalise_name(name)
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=NAME_SIMILARITY)
    return names[close[0]] if close else None


Confirmed = bool | Sequence[int | tuple[str, int]]


def _confirmed(rows: pd.DataFrame, confirm_names: Confirmed) -> np.ndarray:
    """Which rows' name matches the user confirmed: all (True), none (False), or those named
    by row number (any file) or by (file, row)."""
    if confirm_names is True:
        return np.ones(len(rows), dtype=bool)
    picked = list(confirm_names or [])
    numbers = {int(c) for c in picked if not isinstance(c, tuple)}
    pairs = {(str(f), int(r)) for f, r in (c for c in picked if isinstance(c, tuple))}
    by_number = rows["row"].isin(numbers).to_numpy()
    by_pair = np.array(
        [(f, r) in pairs for f, r in zip(rows["file"], rows["row"], strict=True)], dtype=bool
    )
    return by_number | by_pair


def name_matches(provider: CreditReportProvider, customers: pd.DataFrame) -> pd.DataFrame:
    """The rows `provider` gives that match a customer by name only, for the user to confirm
    one by one: file, sheet, row, report_name, proposed_customer, proposed_name (empty when
    there is none or the files cannot be read; `import_reports` then says why)."""
    columns = ["file", "sheet", "row", "report_name", "proposed_customer", "proposed_name"]
    frame, problems = provider.fetch(customers, date.today())
    if frame.empty or any(p.level == "error" for p in problems):
        return pd.DataFrame(columns=columns)
    matched = match_customers(frame, customers)
    names = matched[matched["match"] == "name"].rename(columns={"customer_name": "report_name"})
    return names[columns].reset_index(drop=True)


def resolve_matches(
    matched: pd.DataFrame,
    *,
    confirm_names: Confirmed = False,
    skip_unmatched: bool = False,
) -> tuple[pd.DataFrame, list[Problem]]:
    """The rows to store and the problems. `confirm_names` is True (all name matches) or the
    rows whose name match the user confirmed: Excel row numbers (of any file) or
    (file, row) pairs. With `skip_unmatched` the rows without a customer, and the name
    matches left unconfirmed, are skipped with a warning instead of stopping the import."""
    rows = matched.copy()
    confirmed = _confirmed(rows, confirm_names)
    take_name = (rows["match"] == "name").to_numpy() & confirmed
    rows.loc[take_name, "customer_id"] = rows.loc[take_name, "proposed_customer"]
    problems = []
    level = "warning" if skip_unmatched else "error"
    for r in rows[(rows["match"] == "name").to_numpy() & ~confirmed].itertuples():
        problems.append(Problem(r.file, f"Matches customer {r.proposed_customer} "
                                f"({r.proposed_name}) by name only. Confirm the name match "
                                "(--confirm-names) or add the customer id or credit code"
                                + (" (row skipped)." if skip_unmatched else "."),
                                sheet=r.sheet, row=r.row, column="customer_name",
                                value=r.customer_name, level=level))  # fmt: skip
    for r in rows[(rows["match"] == "").to_numpy()].itertuples():
        who = r.customer_id if isinstance(r.customer_id, str) else r.credit_code
        who = who if isinstance(who, str) else r.customer_name
        problems.append(Problem(r.file, "No customer has this id, credit code or name. Add the "
                                "customer to the customer master or correct the row"
                                + (" (row skipped)." if skip_unmatched else "."),
                                sheet=r.sheet, row=r.row, value=str(who), level=level))  # fmt: skip
    keep = rows["customer_id"].notna().to_numpy() & (rows["match"] != "").to_numpy()
    keep &= ~((rows["match"] == "name").to_numpy() & ~confirmed)
    return rows[keep], problems


@dataclass(frozen=True)
class BureauImport:
    rows_read: int
    new: int
    updated: int
    by_match: dict[str, int]
    problems: list[Problem]

    def lines(self) -> list[str]:
        how = ", ".join(f"{k} {v}" for k, v in sorted(self.by_match.items()))
        out = [f"Read {self.rows_read} report row(s): {self.new} new, {self.updated} updated "
               f"(matched by {how or 'nothing'})."]  # fmt: skip
        out += [str(p) for p in self.problems]
        return out


def import_reports(
    engine: Engine,
    provider: CreditReportProvider,
    customers: pd.DataFrame,
    *,
    actor: Actor,
    authorisation: str = "",
    confirm_names: Confirmed = False,
    skip_unmatched: bool = False,
    as_of: date | None = None,
) -> BureauImport:
    """Fetch, match and store reports in one transaction; ImportRejected lists every error.

    `actor` must be allowed to import bureau reports (creditdash.auth); each stored
    report keeps its name, and the import is audited.
    """
    who = authorise(actor, "import_bureau").who
    frame, problems = provider.fetch(customers, as_of or date.today())
    if any(p.level == "error" for p in problems):
        raise ImportRejected(problems)
    rows, more = resolve_matches(
        match_customers(frame, customers),
        confirm_names=confirm_names,
        skip_unmatched=skip_unmatched,
    )
    problems = [*problems, *more]
    if any(p.level == "error" for p in problems):
        raise ImportRejected(problems)
    rows = rows.drop_duplicates(["customer_id", "provider", "report_date"], keep="last")
    by_match = {str(k): int(v) for k, v in rows["match"].value_counts().items()}
    new, updated = _store(engine, rows, who, authorisation, by_match)
    return BureauImport(len(frame), new, updated, by_match, problems)


def _store(
    engine: Engine, rows: pd.DataFrame, who: str, authorisation: str, by_match: dict[str, int]
) -> tuple[int, int]:
    now = datetime.now().replace(microsecond=0)
    new = updated = 0
    with Session(engine) as s, s.begin():
        for r in rows.to_dict("records"):
            key = (r["customer_id"], r["provider"], pd.Timestamp(r["report_date"]).date())
            row = s.scalars(
                select(BureauReport).where(
                    BureauReport.customer_id == key[0],
                    BureauReport.provider == key[1],
                    BureauReport.report_date == key[2],
                )
            ).first()
            if row is None:
                row = BureauReport(customer_id=key[0], provider=key[1], report_date=key[2])
                s.add(row)
                new += 1
            else:
                updated += 1
            _fill(row, r, now, who, authorisation)
        files = sorted({str(f) for f in rows["file"]})
        audit.record(s.connection(), who, "bureau_imported", "bureau_reports", ", ".join(files)[:200],
                     after={"new": new, "updated": updated, "by_match": by_match},
                     detail=authorisation or None)  # fmt: skip
    return new, updated


_V = TypeVar("_V")


def _value(v: _V) -> _V | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


def _fill(row: BureauReport, r: dict, now: datetime, who: str, authorisation: str) -> None:
    row.score = _value(r["score"])
    row.score_scale = _value(r["score_scale"])
    row.score_normalised = _value(r["score_normalised"])
    row.rating = _value(r["rating"])
    for f in ("recommended_limit", "insured_limit", "net_worth", "working_capital"):
        cents = _value(r[f"{f}_cents"])
        setattr(row, f, None if cents is None else cents_to_decimal(int(cents)))
    row.pd = _value(r["pd"])
    events = _value(r["legal_events"])
    row.legal_events = None if events is None else int(events)
    row.raw = r["raw"] or "{}"
    row.source_file = r["file"] + (f" [{r['sheet']}]" if _value(r["sheet"]) else "") + f" row {r['row']}"  # fmt: skip
    row.imported_at, row.imported_by, row.authorisation = now, who, authorisation


def read_reports(engine: Engine | Connection) -> pd.DataFrame:
    """Every stored report (STORED_COLUMNS), money in cents, report_date datetime64."""
    with Session(engine) as s:
        rows = [
            [getattr(r, c.removesuffix("_cents")) for c in STORED_COLUMNS]
            for r in s.scalars(select(BureauReport).order_by(BureauReport.report_id))
        ]
    frame = pd.DataFrame(rows, columns=STORED_COLUMNS)
    for c in STORED_COLUMNS:
        if c.endswith("_cents"):
            frame[c] = frame[c].map(lambda v: None if v is None else int(v * 100)).astype("Int64")
    frame["report_date"] = pd.to_datetime(frame["report_date"]).astype("datetime64[us]")
    frame["imported_at"] = pd.to_datetime(frame["imported_at"]).astype("datetime64[us]")
    for c in ("score", "score_normalised", "pd"):
        frame[c] = frame[c].astype("float64")
    frame["legal_events"] = frame["legal_events"].astype("Int64")
    return frame


def raw_fields(report_raw: str) -> dict:
    """The original header -> cell text of a stored report."""
    return json.loads(report_raw or "{}")


__all__ = [
    "REPORT_COLUMNS",
    "BureauImport",
    "CreditReportProvider",
    "FileProvider",
    "import_reports",
    "match_customers",
    "name_matches",
    "read_reports",
    "resolve_matches",
]
