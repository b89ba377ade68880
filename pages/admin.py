"""Admin: who has which role, and the audit trail of every change."""

import pandas as pd
import streamlit as st

import ui
from creditdash.audit import audit_log, audit_name, audit_view, verify_chain
from creditdash.auth import ROLES, list_roles, set_role
from creditdash.errors import CreditDashError
from creditdash.exports import XLSX_MIME, to_csv_bytes, to_xlsx_bytes

ui.page_guard("pages/admin.py")
st.title(ui.tr("admin.title"))
engine = ui.engine()
actor = ui.actor()
if not actor.can("manage_roles"):
    st.error(ui.tr("admin.denied"))
    st.stop()

st.subheader(ui.tr("admin.roles"))
if not ui.auth_configured():
    st.info(ui.tr("admin.no_auth"))
roles = list_roles(engine)
ui.table(
    roles.assign(role=roles["role"].map(lambda r: ui.tr(f"role.{r}"))),
    empty=ui.tr("admin.no_roles"),
    key="roles",
    column_config={
        "email": ui.tr("admin.email"),
        "role": ui.tr("admin.role"),
        "granted_by": ui.tr("admin.granted_by"),
        "granted_at": st.column_config.DatetimeColumn(
            ui.tr("admin.granted_at"), format="YYYY-MM-DD HH:mm"
        ),
    },
)
with st.form("grant", clear_on_submit=True):
    c1, c2, c3 = st.columns([3, 2, 1])
    email = c1.text_input(ui.tr("admin.email"), key="grant_email")
    role = c2.selectbox(
        ui.tr("admin.role"),
        [*ROLES, "none"],
        format_func=lambda r: ui.tr(f"role.{r}"),
        key="grant_role",
    )
    if c3.form_submit_button(ui.tr("admin.save"), type="primary"):
        try:
            set_role(engine, actor, email, None if role == "none" else role)
        except CreditDashError as err:
            st.error(ui.error_text(err))
        else:
            st.success(ui.tr_md("admin.saved", email=email.strip().lower()))
            st.rerun()
st.caption(ui.tr("admin.roles_help"))


st.subheader(ui.tr("admin.audit"))
chain = verify_chain(engine)  # whether the trail's hash chain still holds
if chain.intact:
    st.success(ui.said_md(chain.text()), icon=":material/verified_user:")
else:
    broken = f"{ui.tr('admin.audit_chain.broken')} {ui.said_md(chain.text())}"
    st.error(broken, icon=":material/gpp_bad:")
st.caption(ui.tr("admin.audit_chain.help"))
log = audit_log(engine)
actions = sorted(log["action"].unique()) if not log.empty else []
chosen = st.multiselect(
    ui.tr("admin.actions"),
    actions,
    format_func=lambda a: audit_name("action", a, ui.lang()),
    placeholder=ui.tr("admin.actions.placeholder"),
    key="audit_actions",
)
shown = log if not chosen else log[log["action"].isin(chosen)]
if shown.empty:
    st.caption(ui.tr("admin.audit_empty"))
else:
    st.dataframe(
        audit_view(shown, ui.lang()),
        hide_index=True,
        key="audit",
        column_config={
            **{c: ui.tr(f"admin.col.{c}") for c in shown.columns},
            "at": st.column_config.DatetimeColumn(
                ui.tr("admin.col.at"), format="YYYY-MM-DD HH:mm:ss"
            ),
        },
    )
    stamp = f"{pd.Timestamp.now():%Y%m%d_%H%M}"
    d1, d2, _ = st.columns([1, 1, 4])
    d1.download_button(
        ui.tr("download.csv"),
        to_csv_bytes(shown),
        f"audit_{stamp}.csv",
        "text/csv",
        key="dl_audit_csv",
    )
    d2.download_button(
        ui.tr("download.xlsx"),
        to_xlsx_bytes({ui.tr("admin.sheet.audit"): shown}),
        f"audit_{stamp}.xlsx",
        XLSX_MIME,
        key="dl_audit_xlsx",
    )
