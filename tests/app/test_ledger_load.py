"""The sidebar's ledger load: saved for the next start, read back from it, no bar left behind."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import streamlit as st

from creditdash.store import load as load_module


def test_a_restart_reads_the_saved_ledger_and_leaves_no_progress_bar(demo_app, monkeypatch):
    demo_app.run()
    assert not demo_app.exception
    assert not demo_app.get("progress")  # the bar is gone once the ledger is loaded
    tiles = [m.value for m in demo_app.metric]
    for thread in threading.enumerate():  # the app saves the ledger while it draws the page
        if thread.name == "ledger-cache-save":
            thread.join()
    saved = list(Path(os.environ["CREDITDASH_LEDGER_CACHE"]).glob("*.ledger"))
    assert len(saved) == 1

    def no_database(*_args, **_kwargs):
        raise AssertionError("the ledger was read from the database again")

    monkeypatch.setattr(load_module, "_read_all", no_database)
    st.cache_resource.clear()  # what a restart forgets
    st.cache_data.clear()
    demo_app.run()
    assert not demo_app.exception
    assert [m.value for m in demo_app.metric] == tiles


def test_a_session_waiting_for_a_load_under_way_hears_its_steps(demo_app, monkeypatch):
    import ui
    from creditdash.i18n import Text

    demo_app.run()  # the store opened, the data version known
    st.cache_resource.clear()  # nothing loaded: the next ledger() loads
    real = ui.load_ledger
    started, go_on = threading.Event(), threading.Event()

    def slow_load(*args, progress, **kwargs):
        progress(0.05, Text("load.step.reading"))
        started.set()
        assert go_on.wait(30)
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(ui, "load_ledger", slow_load)
    first: list = []
    warm_up = threading.Thread(target=lambda: first.append(ui.ledger()))  # as the server's
    warm_up.start()
    assert started.wait(30)  # the load is under way, in the other thread
    heard: list = []

    def progress(share, text):
        heard.append((share, text.code))
        go_on.set()  # the waiting session heard the step: let the load finish

    waited = ui.ledger(progress)
    warm_up.join()
    assert heard[0] == (0.05, "load.step.reading")
    assert waited is first[0]  # one load, shared
    assert ui._loading[0] is None  # nothing under way any more


class _PageSlot:
    """Stands for the `st.empty()` where the page is drawn: records what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def plotly_chart(self, fig):
        self.calls.append(("chart", fig))

    def empty(self) -> None:
        self.calls.append(("empty", None))


def test_the_page_shows_an_empty_chart_frame_while_the_ledger_loads_and_not_after(demo_app):
    import ui

    demo_app.run()
    st.cache_resource.clear()  # nothing loaded: the next call loads
    slot = _PageSlot()
    ui.load_ledger_shown(slot)
    assert [what for what, _ in slot.calls] == ["chart", "empty"]  # drawn, then taken away
    fig = slot.calls[0][1]
    assert not fig.data and fig.layout.annotations[0].text == ui.tr("load.placeholder")
    loaded = _PageSlot()
    ui.load_ledger_shown(loaded)
    assert loaded.calls == []  # a ledger in memory draws nothing


def test_no_empty_chart_frame_is_left_on_the_drawn_page(demo_app):
    demo_app.run()  # this run loads the ledger
    assert not demo_app.exception
    texts = [chart.proto.spec for chart in demo_app.get("plotly_chart")]
    assert len(texts) == 2 and not any("ledger is loaded" in t for t in texts)
