"""The aging command formats a whole money column at once, exactly as `format_cents` does."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.cli.core import _cents_text
from creditdash.money import format_cents


def test_a_column_of_cents_reads_as_format_cents_would_say_each():
    edges = [0, 5, -5, 99, -99, 100, -100, 123_456_789, -123_456_701, 2**62]
    rng = np.random.default_rng(7)
    cents = pd.Series(edges + rng.integers(-(10**14), 10**14, 5_000).tolist(), dtype="int64")
    assert _cents_text(cents) == [format_cents(int(c)) for c in cents]
