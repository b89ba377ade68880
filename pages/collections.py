"""Collections (催收工作台): the worklist, one customer's account and records, documents, dunning,
and who collects from whom."""

import streamlit as st

import ui
from creditdash.auth import list_roles
from creditdash.collections import collections_inputs, customer_view, dunning_plan, worklist
from creditdash.collections.documents import Letterhead
from creditdash.collections.view import assignments_view
from creditdash.errors import CreditDashError
from creditdash.report import find_chromium
from creditdash.risk.assess import risk_overview
from creditdash.risk.in_force import risk_inputs
from ui import collections as parts

ui.page_guard("pages/collections.py")
st.title(ui.tr("coll.title"))
if ui.empty_state():
    st.stop()

as_of = ui.as_of()
engine = ui.engine()
ledger = ui.ledger()
settings = ui.settings()
letterhead = Letterhead.from_lines(settings.letterhead)
has_pdf = bool(find_chromium())  # PDFs are printed by chromium; XLSX needs nothing
parts.flash()
try:
    risk = risk_inputs(engine)  # grades and PDs as the Customer risk page makes them
    with st.spinner(ui.tr("coll.scoring")):
        overview = ui.computed(risk_overview, as_of, risk.policy, risk.bureau, risk.limits)
    inputs = collections_inputs(engine)
    everyone = worklist(ledger, as_of, inputs, overview.table)
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()
st.caption(ui.tr("coll.caption", as_of=f"{as_of:%Y-%m-%d}", version=risk.version or 1,
                 currency=settings.reporting_currency))  # fmt: skip

# --- the worklist and one customer -----------------------------------------------------------
st.subheader(ui.tr("coll.worklist"), help=ui.tr("coll.worklist.help"))
chosen = parts.filters(everyone)
listed = everyone if not any(chosen.values()) else worklist(
    ledger, as_of, inputs, overview.table, **chosen
)  # fmt: skip
picked = parts.worklist_table(listed, everyone, as_of)
st.subheader(ui.tr("coll.customer"), help=ui.tr("coll.customer.help"))
customer = parts.pick_customer(listed, picked, (as_of, *chosen.values()))
view = None
if customer:
    try:
        view = customer_view(ledger, as_of, inputs, customer, overview.table,
                             letterhead=letterhead)  # fmt: skip
    except CreditDashError as err:
        st.error(ui.error_text(err))
if view is not None:
    parts.customer_header(view)
    parts.customer_tabs(engine, view)
    parts.record_forms(engine, view, as_of, settings.reporting_currency)
    parts.documents(view, inputs.dunning, as_of, has_pdf)


# --- the dunning run -------------------------------------------------------------------------
st.subheader(ui.tr("coll.run"), help=ui.tr("coll.run.help"))
parts.last_send()
if not st.toggle(ui.tr("coll.run.preview"), key="coll_run_preview",
                 help=ui.tr("coll.run.preview.help")):  # fmt: skip
    st.caption(ui.tr("coll.run.off"))
else:
    try:
        with st.spinner(ui.tr("coll.run.planning")):
            plan = dunning_plan(ledger, as_of, inputs, overview.table, letterhead=letterhead)
    except CreditDashError as err:
        st.error(ui.error_text(err))
    else:
        parts.dry_run(engine, plan, settings, has_pdf)
parts.sent_log(engine)


# --- who collects from whom ------------------------------------------------------------------
st.subheader(ui.tr("coll.assign"), help=ui.tr("coll.assign.help"))
with st.expander(ui.tr("coll.assign.open")):
    parts.collectors(engine, assignments_view(ledger.customers, inputs, list_roles(engine)))
