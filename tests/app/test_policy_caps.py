"""Credit policy page: the grade caps are a table in the rules tab, saved as a new version."""

from __future__ import annotations

import os

from creditdash.risk.policy_store import current_policy
from creditdash.store import open_store

POLICY = "pages/policy.py"


def test_a_grade_cap_edited_in_its_table_is_saved_as_a_new_version(demo_app):
    at = demo_app
    at.run()
    at.switch_page(POLICY)
    at.run()
    assert not at.exception
    assert any("Grade caps:" in c.value for c in at.caption)
    # row 3 is the third-party score floor (below 20: at best E)
    at.session_state["pol_caps_v1"] = {
        "edited_rows": {3: {"value": "25"}},
        "added_rows": [{"feature": "bureau_rating", "test": "ratings", "value": "CCC, CC",
                        "max_grade": "D"}],
        "deleted_rows": [],
    }  # fmt: skip
    at.text_input(key="pol_note").set_value("Score floor 25; CCC at best D")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    saved = current_policy(engine)
    engine.dispose()
    assert saved.version == 2
    caps = saved.policy["caps"]
    assert caps[3] == {"id": "score_floor", "feature": "bureau_score", "max_grade": "E",
                       "below": 25}  # fmt: skip
    assert caps[5] == {"feature": "bureau_rating", "max_grade": "D", "ratings": ["CCC", "CC"]}
