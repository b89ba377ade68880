"""The Data page's tables and outcomes, in the reader's language.

`run_import` runs one import as the page does (the demo company taken out
first when the user asked, the user's corrections of the proposed mappings
saved as profiles) and returns an `ImportRun` saying what happened, an error
included, so the page only shows it. The tables: `problems_table` (every
problem of a rejected or warned file), `history_table` (the imports), and
`mapping_table` / `edited_mapping` (a sheet's column mapping as the page's
editor shows it, and back).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from creditdash.auth import Actor, person
from creditdash.errors import CreditDashError, ImportRejected, Problem
from creditdash.i18n import Text, coded, named, t
from creditdash.importing.job import import_sources
from creditdash.importing.plan import ImportSummary
from creditdash.importing.profiles import save_profile
from creditdash.importing.rollback import latest_date
from creditdash.importing.seed import remove_demo
from creditdash.ingest import Source
from creditdash.ingest.mapping import SheetMapping
from creditdash.ingest.profiles import corrected, profile_of

# the files a new user may download to try the app or fill in (`data.example.<what>`)
EXAMPLES = {
    "data.example.ledger": "demo_ledger.xlsx",
    "data.example.customers": "demo_customers.xlsx",
    "data.example.template": "template.xlsx",
}
PROBLEM_COLUMNS = ("level", "message", "row", "column", "value", "file", "sheet")
# the import log's columns the page shows, and each one's header (`hist.<word>`)
HISTORY_COLUMNS = {
    "import_id": "#",
    "started_at": "when",
    "file_names": "files",
    "kind": "kind",
    "rows_read": "read",
    "rows_new": "new",
    "rows_changed": "changed",
    "rows_unchanged": "unchanged",
    "who": "by",
    "status": "status",
}


@dataclass(frozen=True)
class ImportRun:
    """What one run of the page's import did. `summary` is None when the files were refused:
    `problems` then lists why (`ImportRejected`), or `error` is the one error raised. `removed`
    holds the demo company's counts when it was taken out first; `moved_to` is where the
    written data ends; `profiles` the names of the mappings saved for next time."""

    summary: ImportSummary | None = None
    problems: tuple[Problem, ...] = ()
    error: CreditDashError | None = None
    removed: Mapping[str, int] | None = None
    moved_to: date | None = None
    profiles: tuple[str, ...] = ()

    @property
    def written(self) -> bool:
        """Rows were written (not a check, not a file already imported)."""
        return self.summary is not None and not (
            self.summary.dry_run or self.summary.nothing_changed
        )

    @property
    def changed_data(self) -> bool:
        """The store holds other data than before: rows written or the demo taken out."""
        return self.written or bool(self.removed)

    @property
    def errors(self) -> int:
        """How many of `problems` are errors (the rest are warnings)."""
        return sum(p.level == "error" for p in self.problems)


def run_import(
    engine: Engine,
    sources: list[Source],
    actor: Actor,
    *,
    mappings: list[SheetMapping],
    proposed: list[SheetMapping],
    dry_run: bool = False,
    replace_demo: bool = False,
    progress: Callable[[float, Text], object] | None = None,
    **options: Any,
) -> ImportRun:
    """Import (or with `dry_run` only check) `sources` read by `mappings`; `options` go to
    `import_sources` (reporting_currency, as_of, complete, max_bytes, ...).

    With `replace_demo` the demo company is removed first (not for a check). The mappings the
    user changed from `proposed` are saved as profiles after an import (not after a check).
    """

    def report(share: float, step: Text) -> None:
        if progress is not None:
            progress(share, step)

    removed = None
    try:
        if replace_demo and not dry_run:
            report(0.0, Text("data.demo.removing"))
            removed = remove_demo(engine, actor)
        summary = import_sources(engine, sources, mappings=mappings, dry_run=dry_run, actor=actor,
                                 progress=report, **options)  # fmt: skip
    except ImportRejected as rejected:
        return ImportRun(problems=tuple(rejected.problems), removed=removed)
    except CreditDashError as err:
        return ImportRun(error=err, removed=removed)
    run = ImportRun(summary=summary, removed=removed)
    moved_to = None
    if run.written and summary.import_id is not None:
        moved_to = latest_date(engine, summary.import_id)
    profiles = () if dry_run else save_corrections(engine, actor, proposed, summary.mappings)
    return replace(run, moved_to=moved_to, profiles=tuple(profiles))


def save_corrections(
    engine: Engine, actor: Actor, proposed: list[SheetMapping], used: list[SheetMapping]
) -> list[str]:
    """Save the mappings in `used` that differ from `proposed` as profiles; the names saved
    (a profile already saved as it is is left out)."""
    saved = []
    for mapping in corrected(proposed, used):
        profile = profile_of(mapping, mapping.profile)
        if save_profile(engine, actor, profile):
            saved.append(profile.name)
    return saved


def removed_text(counts: Mapping[str, int]) -> Text:
    """What taking the demo company out removed (`remove_demo`'s counts), as a sentence."""
    return Text(
        "data.demo.removed",
        {k: f"{counts.get(f'removed_{k}', 0):,}" for k in ("customers", "invoices", "payments")},
    )


def rolled_back_text(import_id: int, undone: Mapping[str, int]) -> Text:
    """What `rollback` of `import_id` did (its counts), as a sentence."""
    removed = sum(v for k, v in undone.items() if k.startswith("removed_"))
    return Text(
        "data.rolled_back", {"id": import_id, "n": undone["restored"], "removed": f"{removed:,}"}
    )


def problems_table(problems: Iterable[Problem], lang: str = "en") -> pd.DataFrame:
    """One row per problem: level, message, row, column, value, file, sheet, headed in `lang`
    (`problem.<column>`); level and message in `lang`, row a whole number, no value ''."""
    problems = list(problems)
    frame = pd.DataFrame([p.as_dict() for p in problems])
    frame["message"] = [coded(p.code, p.params, p.message, lang) for p in problems]
    frame["level"] = [t(f"problem.level.{p.level}", lang) for p in problems]
    frame = frame.reindex(columns=list(PROBLEM_COLUMNS))
    frame["row"] = pd.to_numeric(frame["row"], errors="coerce").astype("Int64")
    frame = frame.astype(object).where(frame.notna(), "")
    return frame.rename(columns={c: t(f"problem.{c}", lang) for c in PROBLEM_COLUMNS})


def history_table(history: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The import log (`list_imports`) as the page shows it: `HISTORY_COLUMNS`, newest
    first, each file's kinds ("ledger,rates"), the status and who named in `lang`."""
    shown = history[list(HISTORY_COLUMNS)]
    return shown.assign(
        kind=[", ".join(named("kind", k, lang) for k in str(v).split(",") if k)
              for v in shown["kind"]],
        status=[t(f"hist.status.{s}", lang) for s in shown["status"]],
        who=[person(w, lang) for w in shown["who"]],
    )  # fmt: skip


def history_headers(lang: str = "en") -> dict[str, str]:
    """The header of each of `HISTORY_COLUMNS` in `lang`."""
    return {c: w if w == "#" else t(f"hist.{w}", lang) for c, w in HISTORY_COLUMNS.items()}


def changed_header_rows(
    proposed: Sequence[SheetMapping], chosen: Iterable[int | None]
) -> tuple[tuple[str, str | None, int], ...]:
    """(file, sheet, row) of each sheet whose header row the user set (`chosen`, one per
    sheet of `proposed`; None: not set) to another row than proposed."""
    return tuple(
        (m.file, m.sheet, int(row))
        for m, row in zip(proposed, chosen, strict=True)
        if row is not None and int(row) != m.header_row
    )


def mapping_table(mapping: SheetMapping, lang: str = "en") -> pd.DataFrame:
    """A sheet's columns and the field each maps to (`data.ignore` in `lang` for none)."""
    ignore = t("data.ignore", lang)
    fields = [f or ignore for f in mapping.mapping.values()]
    return pd.DataFrame({"column": list(mapping.mapping), "field": fields})


def edited_mapping(mapping: SheetMapping, edited: pd.DataFrame, lang: str = "en") -> SheetMapping:
    """`mapping` read the way the user's edit of its `mapping_table` says."""
    ignore = t("data.ignore", lang)
    pairs = zip(edited["column"], edited["field"], strict=True)
    return replace(mapping, mapping={h: None if f == ignore else f for h, f in pairs})


def field_label(field: str, lang: str = "en") -> str:
    """A canonical field as the mapping editor offers it: "Invoice number (invoice_id)"; the
    word for ignoring a column as it is."""
    return field if field == t("data.ignore", lang) else f"{t(f'field.{field}', lang)} ({field})"
