"""creditdash: the app's entry point (navigation and the global sidebar)."""

from __future__ import annotations

import streamlit as st

import ui
from creditdash.errors import CreditDashError
from creditdash.i18n import LANGS, language_from_locale

st.set_page_config(page_title="creditdash", page_icon=":material/account_balance:", layout="wide")

# The language: ?lang= in the URL, else the browser's locale; kept in the URL.
if "lang" not in st.session_state:
    asked = st.query_params.get("lang")
    st.session_state["lang"] = asked if asked in LANGS else language_from_locale(st.context.locale)
# The run that switches the language sends the widgets' values again under the new labels.
if st.session_state.get("_lang_shown", st.session_state["lang"]) != st.session_state["lang"]:
    ui.resend_widget_values()
st.session_state["_lang_shown"] = st.session_state["lang"]

try:  # with sign-in, the role is read from the store: a store that cannot be opened says why
    actor = ui.sign_in()
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()

# (script, icon) in menu order; a page joins the menu once its script exists.
PAGES = [
    ("pages/overview.py", ":material/dashboard:"),
    ("pages/review.py", ":material/event_note:"),
    ("pages/aging.py", ":material/stacked_bar_chart:"),
    ("pages/risk.py", ":material/shield:"),
    ("pages/collections.py", ":material/contact_phone:"),
    ("pages/forecast.py", ":material/waterfall_chart:"),
    ("pages/terms.py", ":material/tune:"),
    ("pages/provisions.py", ":material/savings:"),
    ("pages/policy.py", ":material/policy:"),
    ("pages/data.py", ":material/upload_file:"),
    ("pages/admin.py", ":material/admin_panel_settings:"),
]
ADMIN_ONLY = {"pages/admin.py"}
pages = [
    st.Page(path, title=ui.tr(f"nav.{path[6:-3]}"), icon=icon, default=(i == 0))
    for i, (path, icon) in enumerate(PAGES)
    if (ui.ROOT / path).is_file() and (path not in ADMIN_ONLY or actor.can("manage_roles"))
]
page = st.navigation(pages)
st.session_state["_shell"] = True
deep_link = st.session_state.pop("_deep_link", None)
if deep_link:
    st.switch_page(deep_link, query_params=st.query_params.to_dict())

page_slot = st.empty()  # where the page is drawn: an empty chart frame while the ledger loads
with st.sidebar:
    st.segmented_control(
        ui.tr("sidebar.language"),
        list(LANGS),
        format_func={"en": "English", "zh": "中文"}.__getitem__,
        key="lang",
        label_visibility="collapsed",
    )
    st.query_params["lang"] = ui.lang()
    try:
        with st.spinner(ui.tr("sidebar.opening")):
            ui.engine()
        ledger = ui.load_ledger_shown(page_slot)
    except CreditDashError as err:
        st.error(ui.error_text(err))
        st.stop()
    if ui.AS_OF_NEXT in st.session_state:  # the data changed under it (ui.move_as_of)
        st.session_state["as_of"] = st.session_state.pop(ui.AS_OF_NEXT)
    first_date, last_date = ledger.first_date, ledger.last_date  # None when there is no data
    if first_date is None or last_date is None:
        st.caption(ui.tr("sidebar.no_data"))
    else:
        first, last = first_date.date(), last_date.date()
        if st.session_state.get("as_of") is None:
            st.session_state["as_of"] = last
        st.date_input(
            ui.tr("sidebar.as_of"), key="as_of", min_value=first, help=ui.tr("sidebar.as_of.help")
        )
    st.toggle(ui.tr("sidebar.compact"), value=True, key="compact")
    st.divider()
    counts = ui.stored_rows()
    backend = "sqlite" if ui.settings().db_url.startswith("sqlite") else "postgres"
    st.caption(ui.tr("sidebar.source", backend=ui.tr(f"sidebar.{backend}")))
    st.caption(
        ui.tr(
            "sidebar.counts",
            customers=f"{counts['customers']:,}",
            invoices=f"{counts['invoices']:,}",
            payments=f"{counts['payments']:,}",
        )
    )
    last_import = ui.last_import()
    if last_import:
        st.caption(ui.tr_md("sidebar.last_import", what=last_import))
    st.caption(ui.tr("sidebar.currency", currency=ui.settings().reporting_currency))
    if ui.auth_configured():
        st.caption(ui.tr_md("auth.signed_in", who=actor.who, role=ui.tr(f"role.{actor.role}")))
        st.button(ui.tr("auth.logout"), on_click=st.logout, key="logout")
    else:
        st.caption(ui.tr("sidebar.local_user"))

# A figure the data cannot give (e.g. no exchange rate at the as-of date) is said, not raised.
try:
    page.run()
except CreditDashError as err:
    st.error(ui.error_text(err))
