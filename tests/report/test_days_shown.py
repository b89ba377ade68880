"""Days figures (best possible DSO and friends) read the same on the page and in the review pack."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

import ui
from creditdash.kpis import dso_at, kpis
from creditdash.ledger import Ledger
from creditdash.presentation import shown
from creditdash.report.html import format_value
from creditdash.report.xlsx import review_xlsx
from creditdash.review.story import build_review


def _ledger() -> Ledger:
    """Credit sales ¥9,000.00 in the 90 days to 2026-11-20, ¥6,435.00 of it not yet due."""
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2"],
            "customer_id": ["C1", "C2"],
            "invoice_date": pd.to_datetime(["2026-09-01", "2026-11-01"]),
            "due_date": pd.to_datetime(["2026-10-01", "2026-12-31"]),
            "amount_cents": [256_500, 643_500],
        }
    )
    return Ledger.from_frames(invoices=invoices)


@pytest.mark.parametrize("value", [64.35, 64.25, 0.05, 12.349, 99.95, -3.45, 64.354040146])
def test_rounding_is_once_and_half_away_from_zero(value):
    expected = {64.35: 64.4, 64.25: 64.3, 0.05: 0.1, 12.349: 12.3, 99.95: 100.0, -3.45: -3.5}
    assert shown(value) == expected.get(value, 64.4)
    assert shown(None) is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_best_possible_dso_reads_the_same_on_the_page_and_in_the_pack(monkeypatch, lang):
    monkeypatch.setattr(ui, "lang", lambda: lang)
    ledger = _ledger()
    bpdso = kpis(ledger, "2026-11-20").bpdso
    assert bpdso == 64.35 and dso_at(ledger, "2026-11-20").bpdso == pytest.approx(64.35)
    page = ui.days(bpdso)
    pack = format_value(bpdso, "days", lang)
    assert page.split()[0] == pack.split()[0] == "64.4"
    review = build_review(ledger, "2026-11-20")
    [row] = review.kpis[review.kpis["key"] == "bpdso"].to_dict("records")
    assert format_value(row["value"], "days", lang) == pack
    # The workbook keeps the figure and shows it with one decimal: Excel rounds half away
    # from zero on its decimal digits, as `shown` does.
    book = openpyxl.load_workbook(io.BytesIO(review_xlsx(review, lang=lang)))
    label = "Best possible DSO (90 days)" if lang == "en" else "最佳 DSO（90 天）"
    [cell] = [
        r[1] for r in book.worksheets[0].iter_rows(min_row=6, max_col=2) if r[0].value == label
    ]
    assert (cell.value, cell.number_format) == (bpdso, "0.0")
