"""The app: the Admin page's audit-trail status box, and a store that cannot be opened said plainly."""

from __future__ import annotations

import os

import streamlit as st
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from creditdash.store import open_store
from tests.app.conftest import APP, TIMEOUT
from tests.app.test_pages import run_page


def _tamper(url: str) -> None:
    engine = open_store(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET who = 'mallory@x.cn' WHERE entry_id = 1"))
    engine.dispose()


def test_admin_shows_the_trail_intact(demo_app):
    at = run_page(demo_app, "pages/admin.py")
    assert not at.exception, [e.value for e in at.exception]
    [box] = at.success
    assert box.value.startswith("Audit trail intact: 1 entries")
    assert any("audit --verify" in c.value for c in at.caption)


def test_admin_shows_the_first_broken_entry_in_chinese(demo_app):
    _tamper(os.environ["CREDITDASH_DB_URL"])
    demo_app.query_params["lang"] = "zh"
    at = run_page(demo_app, "pages/admin.py")
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        "审计日志不完整。 记录 #1（链中第 1 位）在写入后被修改：其内容与其哈希不再相符。"
    ]
    assert not at.success


def _app_with(monkeypatch, **env: str) -> AppTest:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def test_a_bad_setting_is_named_not_a_traceback(monkeypatch, tmp_path):
    at = _app_with(
        monkeypatch,
        CREDITDASH_DB_URL=f"sqlite:///{tmp_path / 'x.sqlite'}",
        CREDITDASH_DEMO="0",
        CREDITDASH_MAX_UPLOAD_MB="abc",
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [error] = at.error
    # markdown-escaped as the page shows values literally
    assert "CREDITDASH\\_MAX\\_UPLOAD\\_MB must be a whole number" in error.value


def test_a_database_url_that_cannot_be_used_is_said(monkeypatch):
    at = _app_with(monkeypatch, CREDITDASH_DB_URL="mysql://u@h/db", CREDITDASH_DEMO="0")
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [error] = at.error
    assert "mysql" in error.value and "creditdash 的数据保存在 SQLite" in error.value
