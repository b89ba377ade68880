"""Credit policy: grades, scorecard weights, rules with actions and the other settings; versions."""

import streamlit as st

import ui
from creditdash.errors import CreditDashError
from creditdash.exports import to_csv_bytes
from creditdash.risk import policy_tables as tables
from creditdash.risk.dunning import STAGE_ACTIONS, dunning_of
from creditdash.risk.policy import ACTIONS, CAP_FEATURES, CAP_TESTS, RULE_KINDS
from creditdash.risk.policy_store import (
    DEFAULT_NOTE,
    SYSTEM_AUTHOR,
    current_policy,
    policy_changes,
    policy_version,
    policy_versions,
    save_policy,
)

ui.page_guard("pages/policy.py")
st.title(ui.tr("policy.title"))
lang = ui.lang()


engine = ui.engine()
try:
    stored = current_policy(engine)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()


def stored_words(text: str) -> str:
    """The words the store keeps for the first version, in the reader's language."""
    known = {SYSTEM_AUTHOR: "policy.author.system", DEFAULT_NOTE: "policy.note.default"}
    return ui.tr(known[text]) if text in known else text


policy = stored.policy
st.caption(
    ui.tr_md(
        "policy.caption",
        version=stored.version,
        author=stored_words(stored.author),
        when=f"{stored.created_at:%Y-%m-%d %H:%M}",
        note=stored_words(stored.note),
    )
)
rev = f"v{stored.version}"  # editors restart from the stored version after a save
may_edit = ui.permitted("edit_policy")  # else the tables are shown read-only, with a note
grades_tab, card_tab, rules_tab, other_tab, history_tab = st.tabs(
    [ui.tr(f"policy.tab.{t}") for t in ("grades", "scorecard", "rules", "other", "versions")]
)
with grades_tab:
    st.caption(ui.tr("policy.grades.caption"))
    grade_table = tables.grades_frame(policy)
    grades = st.data_editor(
        grade_table,
        hide_index=True,
        disabled=not may_edit,
        key=f"pol_grades_{rev}",
        column_config=tables.headers(grade_table.columns, lang),
    )
with card_tab:
    st.caption(ui.tr("policy.card.caption"))
    card_table = tables.scorecard_frame(policy)
    # the label column is read-only and ignored on saving: shown in the user's language
    card_table["label"] = card_table["feature"].map(lambda f: ui.tr(f"risk.feature.{f}"))
    card = st.data_editor(
        card_table, hide_index=True, disabled=["feature", "label"] if may_edit else True,
        key=f"pol_card_{rev}",
        column_config=tables.headers(card_table.columns, lang),
    )  # fmt: skip
    st.caption(ui.tr("policy.card.sum", total=f"{card['weight'].sum():g}"))
with rules_tab:
    st.caption(ui.tr("policy.rules.caption"))
    rule_table = tables.rules_frame(policy)
    rules = st.data_editor(
        rule_table, hide_index=True, num_rows="dynamic" if may_edit else "fixed",
        disabled=not may_edit, key=f"pol_rules_{rev}",
        column_config=tables.headers(
            rule_table.columns,
            lang,
            kind=st.column_config.SelectboxColumn(
                ui.tr("policy.col.kind"), options=list(RULE_KINDS), required=True,
                format_func=lambda k: ui.tr(f"policy.kind.{k}"),
            ),
            action=st.column_config.SelectboxColumn(
                ui.tr("policy.col.action"), options=list(ACTIONS), required=True,
                format_func=lambda a: ui.tr(f"risk.action.{a}"),
            ),
            threshold=st.column_config.NumberColumn(ui.tr("policy.col.threshold"), min_value=0),
        ),
    )  # fmt: skip
    st.caption(ui.tr("policy.caps.caption"))
    cap_table = tables.caps_frame(policy)
    caps = st.data_editor(
        cap_table, hide_index=True, num_rows="dynamic" if may_edit else "fixed",
        disabled=not may_edit, key=f"pol_caps_{rev}", placeholder=ui.MISSING,
        column_config=tables.headers(
            cap_table.columns,
            lang,
            feature=st.column_config.SelectboxColumn(
                ui.tr("policy.col.feature"), options=list(CAP_FEATURES), required=True,
                format_func=lambda f: ui.tr(f"risk.feature.{f}"),
            ),
            test=st.column_config.SelectboxColumn(
                ui.tr("policy.col.test"), options=list(CAP_TESTS), required=True,
                format_func=lambda t: ui.tr(f"policy.test.{t}"),
            ),
            max_grade=st.column_config.SelectboxColumn(
                ui.tr("policy.col.max_grade"), options=[g["grade"] for g in policy["grades"]],
                required=True,
            ),
            within_months=st.column_config.NumberColumn(
                ui.tr("policy.col.within_months"), min_value=1,
                help=ui.tr("policy.col.within_months.help"),
            ),
        ),
    )  # fmt: skip
    st.caption(ui.tr("policy.stages.caption"))  # the dunning stages; the rest of `dunning` below
    stage_table = tables.stages_frame(policy)
    stages = st.data_editor(
        stage_table, hide_index=True, num_rows="dynamic" if may_edit else "fixed",
        disabled=not may_edit, key=f"pol_stages_{rev}",
        column_config=tables.headers(
            stage_table.columns,
            lang,
            strategy=st.column_config.TextColumn(
                ui.tr("policy.col.strategy"), required=True, help=ui.tr("policy.col.strategy.help"),
            ),
            id=st.column_config.TextColumn(ui.tr("policy.col.stage"), required=True),
            days=st.column_config.NumberColumn(
                ui.tr("policy.col.days"), step=1, required=True, help=ui.tr("policy.col.days.help"),
            ),
            actions=st.column_config.MultiselectColumn(
                ui.tr("policy.col.actions"), options=list(STAGE_ACTIONS), required=True,
                format_func=lambda a: ui.tr(f"coll.action.{a}"),
                help=ui.tr("policy.col.actions.help"),
            ),
            template=st.column_config.SelectboxColumn(
                ui.tr("policy.col.template"), options=sorted(dunning_of(policy)["templates"]),
                required=True,
            ),
            interest=st.column_config.CheckboxColumn(
                ui.tr("policy.col.interest"), help=ui.tr("policy.col.interest.help"),
            ),
            fee=st.column_config.CheckboxColumn(
                ui.tr("policy.col.fee"), help=ui.tr("policy.col.fee.help"),
            ),
        ),
    )  # fmt: skip
with other_tab:
    st.caption(ui.tr("policy.other.caption"))
    other = st.text_area(ui.tr("policy.other.label"), tables.other_json(policy, stages_apart=True),
                         height=420, disabled=not may_edit, key=f"pol_other_{rev}")  # fmt: skip
with history_tab:
    versions = policy_versions(engine)
    versions["author"] = versions["author"].map(stored_words)
    versions["note"] = versions["note"].map(stored_words)
    st.dataframe(
        versions,
        hide_index=True,
        key="pol_versions",
        column_config=tables.headers(versions.columns, lang),
    )
    st.download_button(ui.tr("policy.download"), to_csv_bytes(versions), "policy_versions.csv",
                       "text/csv", key="pol_dl_versions")  # fmt: skip
    if len(versions) > 1:
        older = st.selectbox(ui.tr("policy.compare"), list(versions["version"][1:]),
                             key="pol_compare")  # fmt: skip
        changes = policy_changes(policy_version(engine, int(older)).policy, policy)
        st.dataframe(
            changes,
            hide_index=True,
            key="pol_changes",
            column_config=tables.headers(changes.columns, lang),
        )

if may_edit:
    with st.form("pol_save"):
        note = st.text_input(ui.tr("policy.note"), key="pol_note")
        if st.form_submit_button(ui.tr("policy.save")):
            try:
                edited = tables.policy_from_tables(grades, card, rules, other, caps, stages)
                if edited == policy:
                    st.info(ui.tr("policy.unchanged"))
                else:
                    saved = save_policy(engine, edited, ui.actor(), note)
                    st.success(ui.tr("policy.saved", version=saved.version))
                    st.rerun()
            except CreditDashError as err:
                st.error(ui.error_text(err))
