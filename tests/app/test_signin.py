"""Sign-in and roles in the app: AppTest with `at.user` for each role."""

from __future__ import annotations

import os

import pytest

from creditdash.auth import LOCAL, set_role
from creditdash.store import open_store

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret",
    "client_id": "creditdash",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def signed_in(at, email: str | None):
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    return at


def grant(email: str, role: str) -> None:
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    set_role(engine, LOCAL, email, role)
    engine.dispose()


def test_without_auth_the_app_is_a_local_admin(demo_app):
    at = demo_app.run()
    assert not at.exception
    assert any("Local single-user mode" in c.value for c in at.sidebar.caption)
    at.switch_page("pages/admin.py").run()
    assert not at.exception and at.title[0].value == "Admin"


def test_signed_out_user_sees_only_the_sign_in_button(demo_app):
    at = signed_in(demo_app, None).run()
    assert not at.exception
    assert at.button(key="login").label == "Sign in"
    assert not at.metric


def test_first_signed_in_user_becomes_admin(demo_app):
    at = signed_in(demo_app, "boss@x.cn").run()
    assert not at.exception
    assert any("boss@x.cn (admin)" in c.value for c in at.sidebar.caption)
    at.switch_page("pages/admin.py").run()
    assert at.dataframe[0].value["email"].tolist() == ["boss@x.cn"]


def test_user_without_a_role_is_told_to_ask_an_admin(demo_app):
    grant("boss@x.cn", "admin")
    at = signed_in(demo_app, "stranger@x.cn").run()
    assert any("has no role yet" in w.value for w in at.warning)
    assert not at.metric


@pytest.mark.parametrize(
    ("role", "may_import", "may_admin"),
    [
        ("viewer", False, False),
        ("analyst", True, False),
        ("credit_manager", True, False),
        ("admin", True, True),
    ],
)
def test_each_role_sees_what_it_may_do(demo_app, role, may_import, may_admin):
    grant("boss@x.cn", "admin")
    grant("user@x.cn", role)
    at = signed_in(demo_app, "user@x.cn").run()
    assert not at.exception and at.metric  # everyone sees the figures
    at.switch_page("pages/data.py").run()
    uploader = at.file_uploader(key="uploads")
    assert uploader.disabled is (not may_import)  # a viewer cannot even pick a file
    if may_import:
        uploader.set_value(
            (
                "a.csv",
                b"Invoice No,Customer ID,Invoice Date,Amount\nZ1,C1,2024-01-02,1.00\n",
                "text/csv",
            )
        ).run()
        assert not at.button(key="do_import").disabled
    assert any(b.key == "do_rollback" for b in at.button) is may_import
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    # the page checks the role itself, not only the menu
    denied = any("Only admins can open this page" in e.value for e in at.error)
    assert denied is (not may_admin)
    assert bool(at.dataframe) is may_admin
