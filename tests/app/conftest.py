"""AppTest fixtures: the app on a fresh database, empty or with the demo company."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from creditdash.importing import load_demo
from creditdash.store import open_store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 120


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    engine = open_store(f"sqlite:///{path}")
    load_demo(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _app(monkeypatch, url: str, demo: bool) -> AppTest:
    monkeypatch.setenv("CREDITDASH_DB_URL", url)
    monkeypatch.setenv("CREDITDASH_DEMO", "1" if demo else "0")
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


@pytest.fixture
def demo_app(monkeypatch, tmp_path, demo_db_file):
    target = tmp_path / "app.sqlite"
    shutil.copy(demo_db_file, target)
    return _app(monkeypatch, f"sqlite:///{target}", demo=False)


@pytest.fixture
def empty_app(monkeypatch, tmp_path):
    return _app(monkeypatch, f"sqlite:///{tmp_path / 'empty.sqlite'}", demo=False)
