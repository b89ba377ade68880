"""Collecting problems while a batch is parsed.

A `SheetContext` knows where a sheet came from and which original header
stands for each field, so a problem found on a canonical column can be
reported with the file, sheet, Excel row, header and raw cell text the user
sees. `ProblemLog` gathers every problem; a rule that fails on very many
rows of one sheet reports the first `cap` of them and one summary line, so a
million bad rows do not become a million messages.

Messages are `Message`s: the English text with the catalogue code and the
parameters that render it in another language (creditdash/i18n/*/problems.json).
`message(code, template, **params)` builds one from the English template,
which is the code's text in en/problems.json; a plain string is still taken
and becomes a problem without a code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

import pandas as pd

from creditdash.errors import Problem

DEFAULT_CAP = 1000


class Where(TypedDict, total=False):
    """The fields of a `Problem` besides what it says: where it is and how grave."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    level: str


@dataclass(frozen=True)
class Message:
    """A problem's English `text`, and the catalogue `code` and `params` that render it."""

    code: str
    text: str
    params: dict[str, object] = field(default_factory=dict, hash=False)

    def problem(self, **where: Unpack[Where]) -> Problem:
        """A `Problem` saying this; `where` holds its other fields (file, row, level, ...)."""
        return Problem(message=self.text, code=self.code, params=self.params, **where)


def message(code: str, template: str, /, **params: object) -> Message:
    """`template` (the text of `code` in i18n/en/problems.json) filled in with `params`.

    Params are plain values (text, numbers) and never named `key` or `lang`,
    which are `i18n.t`'s own arguments.
    """
    return Message(code, template.format(**params), params)


def _problem(message: str | Message, **where: Unpack[Where]) -> Problem:
    """A `Problem` saying `message`; a plain string makes one without a code."""
    if isinstance(message, Message):
        return message.problem(**where)
    return Problem(message=message, **where)


@dataclass(eq=False)
class SheetContext:
    """Where rows come from.

    `body` holds the stripped text of every mapped field (columns are field
    names), indexed by Excel row number (CSV line number).
    """

    file: str
    sheet: str | None
    kind: str
    headers: dict[str, str] = field(default_factory=dict)  # field -> original header text
    body: pd.DataFrame | None = None
    title: list[str] = field(default_factory=list)  # text of the lines above the header
    footer: list[str] = field(default_factory=list)  # text of the lines below the last row
    decimal_mark: str | None = None  # what the file's format says marks decimals (RawSheet)

    def header(self, name: str | None) -> str | None:
        return None if name is None else self.headers.get(name, name)

    def raw(self, name: str | None, row: int) -> str | None:
        """The text the user typed in `name`'s column on Excel row `row`."""
        if name is None or self.body is None or name not in self.body.columns:
            return None
        value = self.body.at[row, name]
        return None if pd.isna(value) else str(value)


@dataclass
class ProblemLog:
    """Every problem of a batch, in the order found."""

    cap: int = DEFAULT_CAP
    problems: list[Problem] = field(default_factory=list)

    def file(
        self, file: str, message: str | Message, *, sheet: str | None = None, level: str = "error"
    ) -> None:
        self.problems.append(_problem(message, file=file, sheet=sheet, level=level))

    def sheet(
        self,
        ctx: SheetContext,
        message: str | Message,
        *,
        level: str = "error",
        column: str | None = None,
        row: int | None = None,
        value: str | None = None,
    ) -> None:
        """A problem about a whole sheet or column (`column` is a field name)."""
        self.problems.append(
            _problem(
                message,
                file=ctx.file,
                sheet=ctx.sheet,
                row=row,
                column=ctx.header(column),
                value=value,
                level=level,
            )
        )

    def rows(
        self,
        ctx: SheetContext,
        rows: Iterable[int],
        column: str | None,
        message: str | Message | Callable[[int, str | None], str | Message],
        *,
        level: str = "error",
    ) -> None:
        """One problem per Excel row in `rows`; `message` may be built from (row, value)."""
        rows = list(rows)
        for row in rows[: self.cap]:
            value = ctx.raw(column, int(row))
            text = message(int(row), value) if callable(message) else message
            self.sheet(ctx, text, level=level, column=column, row=int(row), value=value)
        if len(rows) > self.cap:
            more = _more_rows(len(rows) - self.cap, self.cap)
            self.sheet(ctx, more, level=level, column=column)

    @property
    def has_errors(self) -> bool:
        return any(p.level == "error" for p in self.problems)


def _more_rows(n: int, cap: int) -> Message:
    return message(
        "ingest.more_rows",
        "{n:,} more rows have the same problem in this column (only the first {cap:,} are listed).",
        n=n,
        cap=cap,
    )
