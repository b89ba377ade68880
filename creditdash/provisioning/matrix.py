"""The provision matrix as a pure function: ECL = sum of balance x loss rate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd

from creditdash.errors import InvalidArgument

Cells: TypeAlias = Sequence[float] | np.ndarray | pd.Series | pd.DataFrame | Mapping[str, float]


def provision_matrix(balances: Cells, loss_rates: Cells) -> float:
    """Expected credit loss: the sum over cells of balance x loss rate.

    `balances` and `loss_rates` are sequences of the same length (one entry
    per aging bucket), Series/mappings with the same labels (aligned by
    label), or DataFrames of the same bucket x portfolio shape and labels.
    Rates are fractions in [0, 1]. 2,000,000 @ 0.5%, 600,000 @ 2%,
    250,000 @ 8%, 100,000 @ 20%, 50,000 @ 60% gives 92,000.
    """
    values, rates = _aligned(balances, loss_rates)
    if np.isnan(values).any():
        raise InvalidArgument.coded(
            "prov.err.balances_missing", "`balances` must not contain missing values."
        )
    if np.isnan(rates).any() or (rates < 0).any() or (rates > 1).any():
        raise InvalidArgument.coded(
            "prov.err.loss_rates",
            "`loss_rates` must be fractions between 0 and 1. Got {rates!r}.",
            rates=rates.ravel().tolist(),
        )
    return float((values * rates).sum())


def _aligned(balances: Cells, loss_rates: Cells) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(balances, Mapping):
        balances = pd.Series(balances, dtype="float64")
    if isinstance(loss_rates, Mapping):
        loss_rates = pd.Series(loss_rates, dtype="float64")
    labelled = (pd.Series, pd.DataFrame)
    if isinstance(balances, labelled) and isinstance(loss_rates, labelled):
        if type(balances) is not type(loss_rates):
            raise InvalidArgument.coded(
                "prov.err.cell_types",
                "`balances` and `loss_rates` must both be Series or both frames.",
            )
        missing = _labels(balances) ^ _labels(loss_rates)
        if missing:
            raise InvalidArgument.coded(
                "prov.err.cell_labels",
                "`balances` and `loss_rates` must have the same labels; "
                "only in one of them: {labels}.",
                labels=sorted(map(str, missing)),
            )
        loss_rates = loss_rates.reindex_like(balances)
    values = np.asarray(balances, dtype=np.float64)
    rates = np.asarray(loss_rates, dtype=np.float64)
    if values.shape != rates.shape:
        raise InvalidArgument.coded(
            "prov.err.cell_shape",
            "`balances` and `loss_rates` must have the same shape. Got {balances} and {rates}.",
            balances=values.shape,
            rates=rates.shape,
        )
    return values, rates


def _labels(cells: pd.Series | pd.DataFrame) -> set:
    if isinstance(cells, pd.Series):
        return set(cells.index)
    return {(i, c) for i in cells.index for c in cells.columns}
