"""The canonical frames' helpers: `conform` and `text_in`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.frames import INVOICE_COLUMNS, conform, empty_frame, text_in


def test_text_in_answers_as_isin_does_and_a_missing_id_is_never_found():
    ids = pd.Series(["I1", "I2", None, "I4", "D1"], dtype="str")
    allowed = pd.Index(["I2", "D1", "X9"])
    assert text_in(ids, allowed).tolist() == [False, True, False, False, True]
    assert text_in(ids, pd.Series(["I1", None], dtype=object)).tolist() == [
        True, False, False, False, False,
    ]  # fmt: skip
    assert text_in(pd.Index(["D1", "Z"]), ids).tolist() == [True, False]
    assert text_in(ids, pd.Series([], dtype="str")).tolist() == [False] * 5
    assert text_in(pd.Series([], dtype="str"), allowed).dtype == np.bool_


def test_text_in_matches_pandas_on_a_seeded_random_book():
    rng = np.random.default_rng(7)
    ids = pd.Series([f"INV{n}" for n in rng.integers(0, 5_000, 20_000)], dtype="str")
    allowed = pd.Series([f"INV{n}" for n in rng.integers(0, 5_000, 3_000)], dtype="str")
    assert (text_in(ids, allowed) == ids.isin(allowed).to_numpy()).all()


def test_conform_adds_missing_columns_in_canonical_dtypes():
    out = conform(pd.DataFrame({"invoice_id": ["I1"], "amount_cents": [500]}), INVOICE_COLUMNS)
    assert list(out.columns) == INVOICE_COLUMNS
    assert out.dtypes.equals(empty_frame(INVOICE_COLUMNS).dtypes)
    assert out.loc[0, "disputed"] is np.False_
