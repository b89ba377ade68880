"""A signed-in viewer sees no control that writes on any page, and nothing a viewer clicks writes.

Every button, form submit button, file uploader, data editor and text area of every page is
walked: each one that leads to a write is absent or disabled, with a note naming the role that
may. The few controls that change nothing stored (what-if figures, a back-test) are listed in
READS with the reason; clicking them as a viewer leaves the database as it was.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, table

from creditdash.auth import LOCAL, set_role
from creditdash.store import open_store

ROOT = Path(__file__).resolve().parents[2]
# the menu's pages, in app.py's order
PAGES = list(dict.fromkeys(re.findall(r'"(pages/\w+\.py)"', (ROOT / "app.py").read_text("utf-8"))))
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret",
    "client_id": "creditdash",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
# key (or key prefix) -> why the control writes nothing
READS = {
    "logout": "signs the user out",
    "risk_backtest": "back-tests the PD model and shows the result",
    "fc_plan_upload": "fills the cash-plan editor; only fc_plan_save stores a plan",
    "fc_plan_editor_": "what-if cash-plan figures; only fc_plan_save stores a plan",
    "prov_rates_": "what-if loss rates for the provision shown, never stored",
    "wc_upload": "fills the working-capital inputs, never stored",
}
# controls that write and that each page shows on the demo data: found, and disabled for a viewer
WRITES = {
    "pages/collections.py": {
        "submit:coll_contact",
        "submit:coll_promise",
        "submit:coll_dispute",
        "coll_assign_save",
        "coll_contact_note",
        "coll_promise_note",
        "coll_dispute_note",
    },
    "pages/data.py": {"uploads", "remove_demo"},
    "pages/forecast.py": {"fc_plan_save"},
    "pages/policy.py": {
        "pol_grades_v1",
        "pol_card_v1",
        "pol_rules_v1",
        "pol_stages_v1",
        "pol_other_v1",
    },
    "pages/provisions.py": {"submit:prov_add_individual"},
    "pages/review.py": {"rv_snapshot"},
    "pages/risk.py": {"bureau_files", "submit:credit_action", "submit:limit_request"},
    "pages/terms.py": {"terms_save"},
}
NOTE = "you are signed in as a viewer"


def signed_in_as_viewer(at):
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    set_role(engine, LOCAL, "boss@x.cn", "admin")  # else the first user to sign in is admin
    set_role(engine, LOCAL, "vic@x.cn", "viewer")
    engine.dispose()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "vic@x.cn"}
    return at


def rows() -> dict[str, int]:
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    with engine.connect() as conn:
        counts = {
            name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in inspect(engine).get_table_names()
        }
    engine.dispose()
    return counts


def name_of(control) -> str:
    """A control's key; a form's submit button (no key of its own) as `submit:<form key>`."""
    if (control.key or "").startswith("FormSubmitter:"):  # the key Streamlit makes up for it
        return f"submit:{control.proto.form_id}"
    return control.key or f"{control.type}:{getattr(control, 'label', '')}"


def reads(name: str) -> bool:
    return any(name == key or (key.endswith("_") and name.startswith(key)) for key in READS)


def controls(at) -> list:
    """Every control on the page that could lead to a write."""
    return [*at.button, *at.file_uploader, *at.data_editor, *at.text_area]


def disabled(control) -> bool:
    return bool(getattr(control.proto, "disabled", False))


def open_page(at, page: str):
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_a_viewer_sees_no_write_control_enabled(demo_app, page):
    if page == "pages/admin.py":  # not in a viewer's menu (the page also checks the role)
        at = signed_in_as_viewer(demo_app).run()
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
        return
    at = open_page(signed_in_as_viewer(demo_app), page)
    found = {name_of(c): c for c in controls(at)}
    enabled = sorted(name for name, c in found.items() if not disabled(c) and not reads(name))
    assert enabled == [], f"{page}: a viewer can use {enabled}"
    writes = WRITES.get(page, set())  # the overview and aging pages only show figures
    assert writes <= set(found), f"{page}: {writes - set(found)} not found"
    if writes:
        assert any(NOTE in c.value for c in at.caption), f"{page}: no note says which role may"


@pytest.mark.parametrize("page", [p for p in PAGES if p != "pages/admin.py"])
def test_what_a_viewer_may_click_writes_nothing(demo_app, page):
    at = open_page(signed_in_as_viewer(demo_app), page)
    before = rows()
    clickable = [name_of(b) for b in at.button if not disabled(b) and b.key != "logout"]
    assert all(reads(name) for name in clickable), clickable
    for name in clickable:
        at.button(key=name).click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert not any("needs the" in e.value for e in at.error)
    assert rows() == before


def test_a_viewer_cannot_load_the_demo_into_an_empty_database(empty_app):
    at = open_page(signed_in_as_viewer(empty_app), "pages/data.py")
    assert at.button(key="load_demo").disabled
    assert at.file_uploader(key="uploads").disabled
    assert any("To import you need the analyst role or higher" in c.value for c in at.caption)


def test_an_analyst_may_save_a_cash_plan_but_not_edit_the_policy(demo_app):
    at = signed_in_as_viewer(demo_app)
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    set_role(engine, LOCAL, "vic@x.cn", "analyst")
    engine.dispose()
    at = open_page(at, "pages/forecast.py")
    assert not at.button(key="fc_plan_save").disabled
    at.switch_page("pages/policy.py").run()
    assert at.data_editor(key="pol_grades_v1").proto.disabled
    assert not at.form_submit_button  # the save form is not shown at all
    assert any("you need the credit manager role" in c.value for c in at.caption)
