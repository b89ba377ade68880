"""Review pack speed: the weekly review and its XLSX / HTML / PDF for the demo company."""

from __future__ import annotations

import time
from datetime import date


def run(report) -> None:
    from creditdash.demo import generate_demo
    from creditdash.ledger import Ledger
    from creditdash.report import find_chromium, html_to_pdf, review_html, review_xlsx
    from creditdash.review import build_review, week_figures

    demo = generate_demo()
    ledger = Ledger.from_frames(demo.customers, demo.invoices, demo.payments)
    as_of = date(2026, 11, 27)
    t0 = time.perf_counter()
    week_figures(ledger, as_of)
    one = time.perf_counter() - t0
    report("review: one week's figures (snapshot payload), demo", one, "(reported)", one, True)
    t0 = time.perf_counter()
    review = build_review(ledger, as_of)
    xlsx = review_xlsx(review)
    page = review_html(review)
    pack = time.perf_counter() - t0
    report("review pack XLSX + HTML, demo (8 weeks computed)", pack, "< 20 s", pack / 20, pack < 20)
    if find_chromium():
        t0 = time.perf_counter()
        pdf = html_to_pdf(page)
        full = pack + time.perf_counter() - t0
        report("review pack XLSX + HTML + PDF, demo", full, "< 20 s", full / 20, full < 20)
        del pdf
    del xlsx
