"""`streamlit run serve.py` (what `make run` starts) opens the store before the first visitor."""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager

import pytest

from tests.e2e.conftest import _serve

pytestmark = pytest.mark.e2e


def _stored_imports(path) -> int:
    try:
        with sqlite3.connect(path) as conn:
            return int(conn.execute("SELECT count(*) FROM imports").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet, or locked by the import
        return 0


def test_the_demo_company_is_loaded_before_anyone_opens_the_app(tmp_path):
    with contextmanager(_serve)(tmp_path, demo=True):
        deadline = time.monotonic() + 180
        while _stored_imports(tmp_path / "e2e.sqlite") == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _stored_imports(tmp_path / "e2e.sqlite") > 0
