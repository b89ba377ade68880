"""Portfolios of the provision: the whole book, or customers grouped by segment, region or grade."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.errors import InvalidArgument
from creditdash.i18n import t
from creditdash.ledger import LedgerArrays

PORTFOLIOS: tuple[str, ...] = ("none", "segment", "region", "grade")
WHOLE_BOOK = "All customers"
NO_GRADE = "(no grade)"


def portfolio_name(name: object, lang: str = "en") -> str:
    """A portfolio's name: the whole book in `lang`, a segment, region or grade as it is."""
    return t("prov.whole_book", lang) if name == WHOLE_BOOK else str(name)


def check_portfolios(by: str, grades: pd.Series | None) -> None:
    """Raise InvalidArgument unless `by` names a portfolio kind that can be formed."""
    if by not in PORTFOLIOS:
        raise InvalidArgument.coded(
            "terms.err.choice",
            "`{name}` must be one of {options}. Got {value!r}.",
            name="by",
            options=", ".join(map(repr, PORTFOLIOS)),
            value=by,
        )
    if by == "grade" and grades is None:
        raise InvalidArgument.coded(
            "prov.err.no_grades",
            "Portfolios by `grade` need customer risk grades; none are available.",
        )


def portfolio_of_customers(arrays: LedgerArrays, by: str, grades: pd.Series | None) -> np.ndarray:
    """Portfolio label per customer code (the rows of `arrays.customers`)."""
    if by == "none":
        return np.full(len(arrays.customers), WHOLE_BOOK, dtype=object)
    if by == "grade":
        grade = arrays.customers["customer_id"].map(grades).fillna(NO_GRADE)
        return grade.astype("str").to_numpy(dtype=object)
    return arrays.attributes[by].to_numpy(dtype=object)
