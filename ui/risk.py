"""The Customer risk page's forms: credit status, limit requests, third-party reports.

Each takes what it needs and writes through the library; the words and frames come from
`creditdash.risk.view` and `creditdash.risk.labels`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

import ui
from creditdash.errors import CreditDashError, ImportRejected
from creditdash.ingest import Source
from creditdash.money import to_cents
from creditdash.risk.bureau import FileProvider, import_reports, name_matches
from creditdash.risk.holds import HOLD_ACTIONS, apply_action, release
from creditdash.risk.labels import headers, named, status_name
from creditdash.risk.requests import decide_request, submit_request
from creditdash.risk.view import CustomerDetail


def credit_status_form(engine: Engine, detail: CustomerDetail) -> None:
    """The form that holds, warns, asks cash in advance or releases; the due action first."""
    customer, due = detail.customer_id, detail.due
    with st.form("credit_action", clear_on_submit=True):
        choices = [*HOLD_ACTIONS, "release"]
        action = st.selectbox(ui.tr("risk.hold.action"), choices,
                              index=choices.index(due[0]) if due else 0,
                              format_func=lambda a: ui.tr(f"risk.hold.do.{a}"), key=f"hold_action_{customer}")  # fmt: skip
        reason = st.text_input(ui.tr("risk.hold.reason"), key="hold_reason")
        if not st.form_submit_button(
            ui.tr("risk.hold.submit"), disabled=not ui.permitted("set_credit_status")
        ):
            return
        try:
            if action == "release":
                release(engine, customer, reason, ui.actor())
            else:
                rule = due[1] if due and due[0] == action else None
                apply_action(engine, customer, action, reason, ui.actor(), rule=rule)
            new = "" if action == "release" else action
            st.session_state["risk_hold_done"] = ui.tr_md(
                "risk.hold.done", customer=customer, status=status_name(new, ui.lang())
            )
            st.rerun()
        except CreditDashError as err:
            st.error(ui.error_text(err))


def limit_request_forms(engine: Engine, detail: CustomerDetail) -> None:
    """The form to ask for a new limit and, while requests are pending, the one to decide."""
    may_request = ui.permitted("request_limit")
    with st.form("limit_request", clear_on_submit=True):
        amount = st.number_input(
            ui.tr("risk.req.amount"), min_value=0.0, step=10_000.0, key="req_amount"
        )
        reason = st.text_input(ui.tr("risk.req.reason"), key="req_reason")
        if st.form_submit_button(ui.tr("risk.req.submit"), disabled=not may_request):
            try:
                rid = submit_request(engine, detail.customer_id, to_cents(amount), reason,
                                     ui.actor(), detail.credit_limit)  # fmt: skip
                st.success(ui.tr("risk.req.recorded", id=rid))
            except CreditDashError as err:
                st.error(ui.error_text(err))
    if not detail.pending:
        return
    may_decide = ui.permitted("decide_limit")
    with st.form("decide_request"):
        rid = st.selectbox(ui.tr("risk.req.pending"), detail.pending,
                           format_func=lambda i: f"#{i}", key="dec_id")  # fmt: skip
        reason = st.text_input(ui.tr("risk.req.decision_reason"), key="dec_reason")
        approve, reject = st.columns(2)
        go_ok = approve.form_submit_button(ui.tr("risk.req.approve"), disabled=not may_decide)
        go_no = reject.form_submit_button(ui.tr("risk.req.reject"), disabled=not may_decide)
        if go_ok or go_no:
            try:
                status = decide_request(engine, int(rid), go_ok, reason, ui.actor())
                word = named("risk.status", status, ui.lang())
                st.success(ui.tr("risk.req.decided", id=rid, status=word))
            except CreditDashError as err:
                st.error(ui.error_text(err))


def bureau_import(engine: Engine, customers: pd.DataFrame) -> None:
    """Upload third-party reports, tick the rows matched by name only, import them."""
    st.subheader(ui.tr("risk.import.title"))
    may_import = ui.permitted("import_bureau")
    files = st.file_uploader(ui.tr("risk.import.files"), type=["csv", "xlsx", "xls"],
                             accept_multiple_files=True, key="bureau_files",
                             disabled=not may_import)  # fmt: skip
    ui.localise_uploader("bureau_files", ["csv", "xlsx", "xls"])
    c1, c2, c3 = st.columns(3)
    provider = c1.text_input(ui.tr("risk.import.provider"), key="bureau_provider")
    scale = c2.text_input(ui.tr("risk.import.scale"), key="bureau_scale")
    auth = c3.text_input(ui.tr("risk.import.auth"), key="bureau_auth")
    skip = st.checkbox(ui.tr("risk.import.skip"), key="bureau_skip")
    if not files:
        return
    sources = [Source(f.name, f.getvalue()) for f in files]
    fp = FileProvider(sources, provider=provider or None, scale=scale or None)
    accepted = _ticked_matches(fp, customers, "_".join(f.file_id for f in files))
    if not st.button(ui.tr("risk.import.go"), key="bureau_import", disabled=not may_import):
        return
    try:
        done = import_reports(engine, fp, customers, actor=ui.actor(), authorisation=auth,
                              confirm_names=accepted, skip_unmatched=skip)  # fmt: skip
        st.success(" ".join(done.lines()[:1]))
        if done.problems:
            _problems([p.as_dict() for p in done.problems], "bureau_warnings")
    except ImportRejected as rejected:
        st.error(ui.error_text(rejected))
        _problems([p.as_dict() for p in rejected.problems], "bureau_problems")
    except CreditDashError as err:
        st.error(ui.error_text(err))


def _ticked_matches(fp: FileProvider, customers: pd.DataFrame, upload: str) -> list:
    """(file, row) of the rows matched by name that the user accepts (none ticked at first)."""
    try:
        matches = name_matches(fp, customers)
    except CreditDashError:
        return []  # the import says what is wrong with the files
    if matches.empty:
        return []
    st.caption(ui.tr("risk.import.matches"))
    config = ui.columns(headers(matches.columns, ui.lang()))
    config["accept"] = st.column_config.CheckboxColumn(ui.tr("risk.col.accept"))
    ticked = st.data_editor(matches.assign(accept=False), hide_index=True,
                            key="bureau_matches_" + upload, disabled=list(matches.columns),
                            column_config=config)  # fmt: skip
    rows = zip(ticked["file"], ticked["row"], ticked["accept"], strict=True)
    return [(f, int(r)) for f, r, a in rows if a]


def _problems(problems: list[dict], key: str) -> None:
    st.dataframe(problems, key=key,
                 column_config={c: ui.tr(f"problem.{c}") for c in (problems or [{}])[0]})  # fmt: skip
