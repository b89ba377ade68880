"""Credit policy: grades, scorecard weights, rules with actions and the other settings; versions."""

import streamlit as st

import ui
from creditdash.errors import CreditDashError
from creditdash.exports import to_csv_bytes
from creditdash.risk import policy_tables as tables
from creditdash.risk.policy import ACTIONS, RULE_KINDS
from creditdash.risk.policy_store import (
    current_policy,
    policy_changes,
    policy_version,
    policy_versions,
    save_policy,
)

ui.page_guard("pages/policy.py")
st.title("Credit policy")

engine = ui.engine()
try:
    stored = current_policy(engine)
except CreditDashError as err:
    st.error(str(err))
    st.stop()
policy = stored.policy
st.caption(
    f"Version {stored.version} in force, saved by {stored.author} on "
    f"{stored.created_at:%Y-%m-%d %H:%M}. {stored.note} Saving adds a new version; "
    "the old ones stay below."
)
rev = f"v{stored.version}"  # editors restart from the stored version after a save
grades_tab, card_tab, rules_tab, other_tab, history_tab = st.tabs(
    ["Grades", "Scorecard", "Rules and actions", "Limits and other settings", "Versions"]
)
with grades_tab:
    st.caption("Best grade first; a customer gets the first grade whose minimum score it reaches. "
               "The limit multiplier scales the recommended limit; 0 means cash in advance.")  # fmt: skip
    grades = st.data_editor(tables.grades_frame(policy), hide_index=True, key=f"pol_grades_{rev}")
with card_tab:
    st.caption("Weights sum to 100. A customer loses weight x share for the last band its value "
               "reaches (below the threshold when lower is worse). Score = 100 - points lost.")  # fmt: skip
    card = st.data_editor(
        tables.scorecard_frame(policy), hide_index=True, disabled=["feature", "label"],
        key=f"pol_card_{rev}",
    )  # fmt: skip
    st.caption(f"Sum of weights: {card['weight'].sum():g}")
with rules_tab:
    st.caption(
        "Rules are evaluated at the as-of date into the watchlist on the Customer risk page."
    )
    rules = st.data_editor(
        tables.rules_frame(policy), hide_index=True, num_rows="dynamic", key=f"pol_rules_{rev}",
        column_config={
            "kind": st.column_config.SelectboxColumn("kind", options=list(RULE_KINDS), required=True),
            "action": st.column_config.SelectboxColumn("action", options=list(ACTIONS), required=True),
            "threshold": st.column_config.NumberColumn("threshold", min_value=0),
        },
    )  # fmt: skip
with other_tab:
    st.caption("Limits (grace days, net-worth share, rounding), chronic lateness, grade caps, "
               "penalties (late interest, fees) and rewards (early-payment discount, limit increase).")  # fmt: skip
    other = st.text_area("Other settings (JSON)", tables.other_json(policy), height=420,
                         key=f"pol_other_{rev}")  # fmt: skip
with history_tab:
    versions = policy_versions(engine)
    st.dataframe(versions, hide_index=True, key="pol_versions")
    st.download_button("Download versions (CSV)", to_csv_bytes(versions), "policy_versions.csv",
                       "text/csv", key="pol_dl_versions")  # fmt: skip
    if len(versions) > 1:
        older = st.selectbox("Compare the version in force with", list(versions["version"][1:]),
                             key="pol_compare")  # fmt: skip
        changes = policy_changes(policy_version(engine, int(older)).policy, policy)
        st.dataframe(changes, hide_index=True, key="pol_changes")

with st.form("pol_save"):
    c1, c2 = st.columns([1, 3])
    who = c1.text_input("Your name", key="pol_who")
    note = c2.text_input("What changed and why", key="pol_note")
    if st.form_submit_button("Save as a new version"):
        try:
            edited = tables.policy_from_tables(grades, card, rules, other)
            if edited == policy:
                st.info("Nothing changed.")
            else:
                saved = save_policy(engine, edited, who, note)
                st.success(f"Saved version {saved.version}.")
                st.rerun()
        except CreditDashError as err:
            st.error(str(err))
