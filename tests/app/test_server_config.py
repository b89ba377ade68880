"""Server settings that keep the app closed by default: loopback without sign-in, no table export.

Without `[auth]` every visitor is the local admin, so the server listens on 127.0.0.1 and the
app refuses to run when started on any other address. The tables' own toolbar export (CSV
download, copy) is off: it writes text cells such as `=HYPERLINK(...)` as live formulas.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit import config

import ui

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret",
    "client_id": "creditdash",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def test_the_config_listens_on_loopback_and_turns_table_export_off():
    settings = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert settings["server"]["address"] == "127.0.0.1"
    assert settings["client"]["disableDataExport"] is True
    # options Streamlit knows: a misspelt one would be ignored, leaving the defaults open
    assert {"server.address", "client.disableDataExport"} <= set(config.get_config_options())


@pytest.mark.parametrize(
    ("address", "local"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("", False), ("0.0.0.0", False), ("::", False),
     ("192.168.1.5", False), ("credit.example.com", False)],
)  # fmt: skip
def test_listens_locally(monkeypatch, address, local):
    monkeypatch.setattr(ui, "server_address", lambda: address)
    assert ui.listens_locally() is local


@pytest.fixture
def open_network():
    """The server started on every interface (`--server.address 0.0.0.0`)."""
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", before)


def test_without_sign_in_on_the_network_the_app_refuses_to_run(demo_app, open_network):
    at = demo_app.run()
    assert not at.exception
    [error] = at.error
    assert "No sign-in is configured, yet the server listens on 0.0.0.0" in error.value
    assert not at.metric and not at.sidebar.caption  # no figures, no data source
    with pytest.raises(ValueError, match=r"Known pages: \['creditdash'\]"):
        at.switch_page("pages/data.py")  # the menu holds no page to open


def test_with_sign_in_the_app_may_listen_on_the_network(demo_app, open_network):
    demo_app.secrets["auth"] = AUTH
    demo_app.user = {"is_logged_in": False}
    at = demo_app.run()
    assert not at.exception and not at.error
    assert at.button(key="login").label == "Sign in"


def test_on_loopback_without_sign_in_the_app_is_the_local_admin(demo_app):
    assert ui.listens_locally()  # the project's config, read from the folder pytest runs in
    at = demo_app.run()
    assert not at.error and at.metric
    assert any("Local single-user mode" in c.value for c in at.sidebar.caption)
