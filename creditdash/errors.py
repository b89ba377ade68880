"""The exceptions creditdash raises.

    CreditDashError                 base: pages catch it and show its message
     ├── ImportRejected             a file cannot be imported; carries every problem
     ├── InvalidArgument            a caller passed a value outside the rule it names
     ├── InsufficientHistory        too little data for a model or figure
     ├── NotFitted                  a model used before fit()
     ├── NotFound                   an id (import, customer, ...) that does not exist
     ├── PermissionDenied           the signed-in user's role does not allow the action
     └── StoreError                 the database cannot be reached, opened, read or written

Messages name the argument or column, the rule and the value. An error or
`Problem` also carries a `code` (a key of the catalogues in creditdash/i18n/,
`errors.json` for raised errors, `problems.json` for import problems) and the
`params` its text is filled with, so the UI can show it in the user's
language; `message` / `str(err)` stay English. Raise errors through
`coded`, whose template is the English catalogue text (a test holds the two
equal):

    raise InvalidArgument.coded(
        "risk.weights_total", "The weights must add up to 100. Got {total}.", total=total
    )
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self


class CreditDashError(Exception):
    """Base of every error a user may see.

    `code` and `params`, when given, translate the message: the English
    catalogue text of `code` filled with `params` is `str(err)`.
    """

    def __init__(self, *args: object, code: str | None = None, params: dict | None = None):
        super().__init__(*args)
        self.code = code
        self.params = params

    @classmethod
    def coded(cls, code: str, template: str, **params: object) -> Self:
        """The error saying `template` (the English text of `code`) filled in with `params`."""
        return cls(template.format(**params), code=code, params=params)


class InvalidArgument(CreditDashError, ValueError):
    """An argument breaks a rule; the message names it, the rule and the value."""


class InsufficientHistory(CreditDashError):
    """Too little history for the figure or model asked for."""


class NotFitted(CreditDashError):
    """A model was used before `fit`."""


class NotFound(CreditDashError, LookupError):
    """An id that does not exist."""


class PermissionDenied(CreditDashError, PermissionError):
    """The signed-in user's role does not allow the action (creditdash.auth says which role it
    needs)."""


class StoreError(CreditDashError):
    """The database cannot be reached, opened, read or written (creditdash.store.engine says why).

    Raised in place of the driver's error, which chains as `__cause__`.
    """


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    `row` is the row number as the user sees it in Excel (1-based, header
    included) or the line number in a CSV; None when the problem is about
    the whole file or sheet. `code` and `params` translate `message` (see the
    module docstring); `message` is always the English text.
    """

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    level: str = "error"  # "error" stops the import; "warning" is reported only
    code: str | None = None
    params: dict | None = field(default=None, hash=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "level": self.level,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f" [{self.sheet}]"
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        value = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{self.level.upper()}: {where}{value}: {self.message}"


class ImportRejected(CreditDashError):
    """The input cannot be imported. `problems` lists every error and warning."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.level == "error"]
        first = f" First: {errors[0]}" if errors else ""
        super().__init__(f"Import rejected: {len(errors)} problem(s), nothing was written.{first}")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]
