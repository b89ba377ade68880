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
