"""The Overview made ready before the first visitor (ui/overview.py, serve.py's warm-up)."""

from __future__ import annotations

import creditdash
import serve
import ui.overview
from creditdash import i18n


def _refuse(*_args, **_kwargs):
    raise AssertionError("the Overview computed a figure the warm-up had computed")


def test_after_prepare_the_first_overview_draws_from_memory(demo_app, monkeypatch):
    shown = ui.overview.prepare()
    assert shown is not None
    assert shown.now.total_ar > 0 and len(shown.monthly) == 12
    assert not shown.top_overdue().empty
    for name in ("kpis", "aging", "ar_by_month"):
        monkeypatch.setattr(creditdash, name, _refuse)
    demo_app.run()
    assert not demo_app.exception, [e.value for e in demo_app.exception]
    assert len(demo_app.metric) == 6
    currency = ui.settings().reporting_currency
    total = i18n.money(shown.now.total_ar, currency, "en", compact=True)
    assert demo_app.metric[0].value == total  # the figures prepared at the latest date


def test_prepare_on_an_empty_store_has_nothing_to_draw(empty_app):
    assert ui.overview.prepare() is None


def test_the_streamlit_warm_up_finds_what_it_calls():
    serve.warm_streamlit()  # a Streamlit upgrade that moves these fails here, not silently
