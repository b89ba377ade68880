"""The Overview made ready before the first visitor (ui/overview.py, serve.py's warm-up)."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pandas as pd
import streamlit as st

import creditdash
import serve
import ui.overview
from creditdash import i18n
from creditdash.importing import import_sources
from creditdash.ingest import Source


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


def test_streamlit_s_first_use_work_runs_beside_the_ledger_load(monkeypatch):
    both = threading.Barrier(2, timeout=10)  # each waits for the other: one after the other fails
    met: list[int] = []
    monkeypatch.setattr(serve, "import_all", lambda: None)
    monkeypatch.setattr(serve, "warm_streamlit", lambda: met.append(both.wait()))
    monkeypatch.setattr(serve, "_warm_up", lambda: met.append(both.wait()))
    monkeypatch.setattr(serve, "stopping", lambda: None)

    async def serve_once() -> None:
        async with serve._lifespan(None):
            pass

    asyncio.run(serve_once())
    for thread in threading.enumerate():
        if thread.name.startswith("creditdash-warm"):
            thread.join(timeout=15)
    assert sorted(met) == [0, 1]


def _record_warm_charts(monkeypatch) -> list:
    drawn: list = []
    monkeypatch.setattr(ui.overview, "warm_charts", drawn.append)
    return drawn


def test_the_warm_up_draws_the_charts_while_no_page_has_run(demo_app, monkeypatch):
    monkeypatch.setattr(ui, "_VISITED", threading.Event())
    drawn = _record_warm_charts(monkeypatch)
    serve._warm_up()
    assert len(drawn) == 1 and drawn[0].now.total_ar > 0


def test_the_warm_up_leaves_the_charts_to_a_page_already_under_way(demo_app, monkeypatch):
    monkeypatch.setattr(ui, "_VISITED", threading.Event())
    demo_app.run()
    assert not demo_app.exception, [e.value for e in demo_app.exception]
    assert ui.visited()  # the app's run said so
    drawn = _record_warm_charts(monkeypatch)
    serve._warm_up()
    assert drawn == []


def test_the_charts_warm_up_draws_in_each_language(demo_app, monkeypatch):
    shown = ui.overview.prepare()
    assert shown is not None
    langs = []
    real = creditdash.charts.localise
    monkeypatch.setattr(
        creditdash.charts, "localise", lambda fig, lang: langs.append(lang) or real(fig, lang)
    )
    ui.overview.warm_charts(shown)
    assert set(langs) == set(i18n.LANGS)


def _restart() -> None:
    """What a new server process starts with: the saved files, nothing in memory."""
    for thread in threading.enumerate():
        if thread.name == "ledger-cache-save":
            thread.join()
    st.cache_resource.clear()
    st.cache_data.clear()


def _same(a: ui.overview.Figures, b: ui.overview.Figures) -> None:
    assert a.now == b.now and a.week_before == b.week_before
    pd.testing.assert_frame_equal(a.monthly, b.monthly, check_exact=True)
    pd.testing.assert_frame_equal(a.by_customer, b.by_customer, check_exact=True)
    # which columns are cents (`to_money` reads it): lost, the charts would be 100x too high
    assert a.monthly.attrs == b.monthly.attrs and a.monthly.attrs["cents_columns"]
    assert a.by_customer.attrs == b.by_customer.attrs


def test_a_restart_on_unchanged_data_reads_the_saved_figures(demo_app, monkeypatch):
    computed = ui.overview.prepare()
    assert computed is not None
    _restart()
    for name in ("kpis", "aging", "ar_by_month"):
        monkeypatch.setattr(creditdash, name, _refuse)
    again = ui.overview.prepare()
    assert again is not None
    _same(again, computed)
    demo_app.run()
    assert not demo_app.exception, [e.value for e in demo_app.exception]
    currency = ui.settings().reporting_currency
    assert demo_app.metric[0].value == i18n.money(
        computed.now.total_ar, currency, "en", compact=True
    )


def test_saved_figures_of_an_earlier_version_are_computed_again(demo_app):
    before = ui.overview.prepare()
    assert before is not None
    last = ui.ledger().last_date.date()
    late = (
        "Invoice No,Customer ID,Invoice Date,Due Date,Amount\n"
        f"LATE-1,{ui.ledger().customers['customer_id'].iloc[0]},{last},{last},1000.00\n"
    )
    import_sources(ui.engine(), [Source("late.csv", late.encode())])
    _restart()
    after = ui.overview.prepare()
    assert after is not None
    assert round(after.now.total_ar - before.now.total_ar, 2) == 1000.00
    _restart()
    _same(ui.overview.prepare(), after)  # and those of the new version were saved


def test_damaged_saved_figures_are_computed_again(demo_app, monkeypatch):
    computed = ui.overview.prepare()
    assert computed is not None
    _restart()
    for path in ui.settings().ledger_cache.glob("*.figures"):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x40
        path.write_bytes(bytes(data))
    calls = []
    real = creditdash.kpis
    monkeypatch.setattr(creditdash, "kpis", lambda *a, **k: calls.append(1) or real(*a, **k))
    _same(ui.overview.prepare(), computed)
    assert calls  # computed, not read


def test_figures_made_while_an_import_came_are_not_kept_for_the_pages(demo_app, monkeypatch):
    loaded = ui.ledger()
    versions = iter([(1, 1, 10), (2, 2, 11)])  # before the figures are made, then after
    monkeypatch.setattr(ui, "version", lambda: next(versions))
    monkeypatch.setattr(ui, "ledger", lambda: loaded)
    assert ui.overview.prepare() is not None
    assert ui.overview._prepared() == {}  # a page computes them at the version it sees


def test_a_page_asking_while_the_warm_up_reads_the_figures_waits_for_them(demo_app, monkeypatch):
    reading, go_on = threading.Event(), threading.Event()
    real = ui.overview._saved

    def slow_saved(*args):  # the warm-up is reading the saved figures when the page asks
        reading.set()
        assert go_on.wait(30)
        return real(*args)

    monkeypatch.setattr(ui.overview, "_saved", slow_saved)
    warm = threading.Thread(target=ui.overview.prepare)
    warm.start()
    assert reading.wait(30)
    version, as_of = ui.version(), ui.ledger().last_date.date()
    got: list = []
    page = threading.Thread(target=lambda: got.append(ui.overview.figures(version, as_of)))
    page.start()
    page.join(0.3)
    assert page.is_alive()  # waiting, not making them beside the warm-up
    go_on.set()
    warm.join(30)
    page.join(30)
    assert got[0] is ui.overview._prepared()[(version, as_of)]  # the warm-up's, not its own


def test_a_page_waits_only_for_the_figures_being_made(demo_app):
    shown = ui.overview.prepare()
    assert shown is not None
    assert ui.overview._MAKING == {}  # nothing left to wait for once they are made
    earlier = ui.ledger().last_date.date() - timedelta(days=30)
    assert ui.overview.figures(ui.version(), earlier).now.as_of != shown.now.as_of
