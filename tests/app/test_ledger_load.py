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
