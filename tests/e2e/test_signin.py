"""Sign-in in a real browser: the app's [auth] against a local oidc-provider-mock, two roles.

The provider runs on 127.0.0.1 (`oidc_provider` fixture), the app on localhost
with a secrets file outside the repo (`signin_app`). The provider's login form
takes any subject; its `email` claim is the subject.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from creditdash.auth import LOCAL, role_of, set_role
from creditdash.store import open_store
from tests.e2e.conftest import ACTION_MS, SCREENSHOTS, full_page_screenshot
from tests.e2e.test_browser import no_exception, open_page, settle

pytestmark = pytest.mark.e2e

ADMIN_LINK = "[data-testid='stSidebarNav'] a[href$='/admin']"
DATA_LINK = "[data-testid='stSidebarNav'] a[href$='/data']"
TEST = "test_sign_in_as_admin_then_as_viewer"  # the `shot` fixture's file prefix


def sign_in_as(page, app_url: str, email: str) -> None:
    """Open the app, click Sign in, type `email` into the provider's form, come back."""
    open_page(page, app_url)
    page.locator(".st-key-login button").click()
    # st.login opens the provider in the same tab: its form has one `sub` field
    page.wait_for_url("**/oauth2/authorize**", timeout=ACTION_MS)
    page.locator("input[name='sub']").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app_url}/**", timeout=ACTION_MS)
    page.wait_for_selector("[data-testid='stSidebarNav']", state="attached", timeout=ACTION_MS)
    settle(page)


def test_sign_in_as_admin_then_as_viewer(signin_app, browser, page, shot):
    # the first user of an empty roles table becomes admin
    open_page(page, signin_app.url)
    expect(page.locator(".st-key-login button")).to_have_text("Sign in")
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.locator("[data-testid='stSidebarNav'] a")).to_have_count(0)  # no menu yet
    no_exception(page)
    shot("1-signed-out")

    sign_in_as(page, signin_app.url, "boss@example.com")
    expect(page.get_by_test_id("stSidebar")).to_contain_text(
        "Signed in as boss@example.com (admin)"
    )
    expect(page.locator(ADMIN_LINK)).to_have_count(1)
    no_exception(page)
    shot("2-admin")

    # the admin grants viewer@example.com the viewer role
    engine = open_store(signin_app.db_url)
    try:
        assert role_of(engine, "boss@example.com") == "admin"
        set_role(engine, LOCAL, "viewer@example.com", "viewer")
    finally:
        engine.dispose()

    # a new browser context: no cookie from the admin's session
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="en-US")
    try:
        viewer = context.new_page()
        viewer.set_default_timeout(ACTION_MS)
        sign_in_as(viewer, signin_app.url, "viewer@example.com")
        expect(viewer.get_by_test_id("stSidebar")).to_contain_text(
            "Signed in as viewer@example.com (viewer)"
        )
        expect(viewer.locator(DATA_LINK)).to_have_count(1)
        expect(viewer.locator(ADMIN_LINK)).to_have_count(0)
        no_exception(viewer)
        full_page_screenshot(viewer, SCREENSHOTS / f"{TEST}-3-viewer.png")

        viewer.locator(DATA_LINK).click()
        settle(viewer)
        # a viewer cannot even choose a file: the uploader is disabled, and says why
        expect(viewer.locator("[data-testid='stFileUploaderDropzone'] button")).to_be_disabled()
        no_exception(viewer)
        full_page_screenshot(viewer, SCREENSHOTS / f"{TEST}-4-viewer-import-disabled.png")
    finally:
        context.close()
