"""The canonical frames' contracts: coerced first, then every failing value reported at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from creditdash.contracts import canonical
from creditdash.frames import (
    CUSTOMER_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    RATE_COLUMNS,
    empty_frame,
)


def invoices(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "D1#1"],
            "customer_id": ["C1", "C1", "C2"],
            "invoice_date": ["2025-01-05", "2025-02-01", "2025-02-03"],
            "due_date": ["2025-02-04", "2025-03-03", "2025-03-05"],
            "amount_cents": [10_000, -2_500, 7_000],
            "currency": ["CNY", "CNY", "USD"],
            "disputed": [False, None, True],
            "source": ["invoice", "invoice", "ledger"],
            "document_id": [None, None, "D1"],
            "part": [None, None, "instalment"],
        }
    )
    return frame.assign(**overrides)


def test_a_frame_is_coerced_to_the_canonical_dtypes_before_it_is_checked():
    out = canonical(invoices(), "invoices")
    assert list(out.columns) == INVOICE_COLUMNS
    assert str(out["invoice_date"].dtype) == "datetime64[us]"
    assert out["disputed"].tolist() == [False, False, True]  # missing is not disputed
    assert out["amount_cents"].dtype == "int64"


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("customers", CUSTOMER_COLUMNS),
        ("invoices", INVOICE_COLUMNS),
        ("payments", PAYMENT_COLUMNS),
        ("rates", RATE_COLUMNS),
    ],
)
def test_an_empty_canonical_frame_keeps_its_contract(table, columns):
    assert list(canonical(empty_frame(columns), table).columns) == columns


def test_every_broken_rule_is_reported_at_once():
    broken = invoices(
        invoice_id=["I1", "I1", "D1#1"], customer_id=["C1", None, "C2"],
        part=[None, None, "deposit"],
    )  # fmt: skip
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        canonical(broken, "invoices")
    cases = caught.value.failure_cases
    assert set(zip(cases["column"], cases["check"], strict=True)) == {
        ("invoice_id", "field_uniqueness"),
        ("customer_id", "not_nullable"),
        ("part", "isin(['instalment', 'retention'])"),
    }


def test_a_rate_must_be_positive_and_a_payment_may_be_unapplied():
    rates = pd.DataFrame({"currency": ["USD"], "rate_date": ["2025-01-31"], "rate": [0.0]})
    with pytest.raises(pa.errors.SchemaErrors, match="greater_than"):
        canonical(rates, "rates")
    payments = pd.DataFrame(
        {"payment_id": ["P1"], "customer_id": ["C1"], "invoice_id": [None],
         "payment_date": ["2025-02-01"], "amount_cents": [500], "source": ["payment"]}
    )  # fmt: skip
    assert canonical(payments, "payments")["invoice_id"].isna().all()


def test_reading_the_ledger_back_and_its_figures_never_load_pandera():
    """The app's first page needs the ledger and its figures, not the import's contracts."""
    script = (
        "import sys\n"
        "import creditdash, creditdash.store, creditdash.store.load, creditdash.presentation\n"
        "import creditdash.charts, creditdash.report.labels\n"
        "print('pandera' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "False"
