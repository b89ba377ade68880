"""Collections on the other pages: disputed amounts apart on the aging page, the dunning stages
edited on the Credit policy page, the week's promises and disputes on the Weekly review page."""

from __future__ import annotations

import os
from datetime import date

from creditdash.aging import open_items
from creditdash.auth import Actor
from creditdash.collections import records
from creditdash.collections.view import disputed_amounts
from creditdash.risk.policy_store import current_policy
from creditdash.store import load_ledger, open_store

ANALYST = Actor("ann@x.cn", "analyst")


def open_page(at, page: str, **params):
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def store():
    return open_store(os.environ["CREDITDASH_DB_URL"])


def test_the_aging_page_shows_disputed_amounts_apart(demo_app):
    engine = store()
    ledger = load_ledger(engine)
    as_of = ledger.last_date
    flagged = set(ledger.invoices.loc[ledger.invoices["disputed"], "invoice_id"])
    before = disputed_amounts(ledger, as_of)
    # a dispute recorded on an open invoice of a customer with nothing flagged yet
    open_now = open_items(ledger, as_of)
    clean = open_now[~open_now["customer_id"].isin(set(before["customer_id"]))
                     & ~open_now["invoice_id"].isin(flagged)].iloc[0]  # fmt: skip
    records.open_dispute(engine, ANALYST, clean["invoice_id"], "price", on=as_of.date())
    engine.dispose()

    at = open_page(demo_app, "pages/aging.py")
    total = (before["disputed_cents"].sum() + clean["outstanding_cents"]) / 100
    [caption] = [c.value for c in at.caption if c.value.startswith("Of which disputed")]
    assert f"¥{total:,.2f} on {len(before) + 1} customer(s)" in caption
    table = next(d.value for d in at.dataframe if "disputed_items" in d.value.columns)
    row = table.set_index("customer_id").loc[clean["customer_id"]]
    assert row["recorded"] == row["disputed"] == clean["outstanding_cents"] / 100


def test_a_dunning_stage_edited_on_the_policy_page_is_a_new_version(demo_app):
    at = open_page(demo_app, "pages/policy.py")
    assert any(c.value.startswith("Dunning stages:") for c in at.caption)
    stages = at.data_editor(key="pol_stages_v1").value
    warning = stages.index[(stages["strategy"] == "standard") & (stages["id"] == "warning")][0]
    at.session_state["pol_stages_v1"] = {
        "edited_rows": {int(warning): {"days": 45}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.text_input(key="pol_note").set_value("Warn at 45 days")
    [save] = [b for b in at.button if (b.key or "").startswith("FormSubmitter:pol_save-")]
    save.click().run()
    assert not at.exception, [e.value for e in at.exception]
    engine = store()
    saved = current_policy(engine)
    engine.dispose()
    assert saved.version == 2 and saved.note == "Warn at 45 days"
    standard = saved.policy["dunning"]["strategies"][1]
    assert [(s["id"], s["days"]) for s in standard["stages"]][3] == ("warning", 45)


def test_a_stage_naming_an_unknown_strategy_is_refused_on_the_page(demo_app):
    at = open_page(demo_app, "pages/policy.py")
    at.session_state["pol_stages_v1"] = {
        "edited_rows": {0: {"strategy": "vip"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    [save] = [b for b in at.button if (b.key or "").startswith("FormSubmitter:pol_save-")]
    save.click().run()
    assert any("names strategy 'vip', which the dunning section does not have" in e.value
               for e in at.error)  # fmt: skip
    engine = store()
    assert current_policy(engine).version == 1
    engine.dispose()


def test_the_weekly_review_counts_the_week_s_promises_and_disputes(demo_app):
    engine = store()
    ledger = load_ledger(engine)
    customer = ledger.customers["customer_id"].iloc[0]
    records.record_promise(engine, ANALYST, customer, 100_000_000, "2026-12-31",
                           made_on="2026-11-25")  # fmt: skip
    invoice = ledger.invoices.loc[ledger.invoices["customer_id"] == customer, "invoice_id"].iloc[0]
    records.open_dispute(engine, ANALYST, invoice, "quantity", on="2026-11-24")
    engine.dispose()
    at = open_page(demo_app, "pages/review.py", week="2026-11-27")
    tiles = {m.label: m for m in at.metric}
    assert tiles["Promises made"].value == "1" and "¥1M promised" in tiles["Promises made"].delta
    assert tiles["Disputes opened"].value == "1" and tiles["Disputes open"].value == "1"
    assert "3.0 d old on average" in tiles["Disputes open"].delta
    by_salesperson = next(d.value for d in at.dataframe if "promises_made" in d.value.columns
                          and ledger.customers["salesperson"].iloc[0] in set(d.value["group"]))  # fmt: skip
    assert by_salesperson["promised_amount"].sum() == 1_000_000.0
    at.selectbox(key="review_week").set_value(date(2026, 11, 20)).run()
    assert {m.label: m.value for m in at.metric}["Promises made"] == "0"
