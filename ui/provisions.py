"""The Provisions page's individual assessments (单项计提): the table, the form to assess a
customer and the button to take one back into the matrix."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

import ui
from creditdash.errors import CreditDashError
from creditdash.presentation import Column
from creditdash.provisioning.individual import (
    INDIVIDUAL_PERMISSION,
    remove_individual,
    set_individual,
)
from creditdash.simulate import selection_options


def individual_section(
    engine: Engine, individual: pd.DataFrame, columns: dict[str, Column]
) -> None:
    """The individually assessed customers and the forms that change them (reruns on a change)."""
    st.subheader(ui.tr("prov.ind"))
    st.caption(ui.tr("prov.ind.caption"))
    if individual.empty:
        st.caption(ui.tr("prov.ind.none"))
    else:
        st.dataframe(individual, hide_index=True, key="prov_individual",
                     column_config=ui.columns(columns))  # fmt: skip
    may_assess = ui.permitted(INDIVIDUAL_PERMISSION)
    with st.form("prov_add_individual"):
        f1, f2, f3 = st.columns([1.2, 1, 2])
        customer = f1.selectbox(ui.tr("prov.ind.customer"),
                                selection_options(ui.ledger(), "customers"), key="prov_customer")  # fmt: skip
        rate = f2.number_input(ui.tr("prov.ind.rate"), 0.0, 100.0, 100.0, 5.0, key="prov_rate")
        reason = f3.text_input(ui.tr("prov.ind.reason"), key="prov_reason",
                               placeholder=ui.tr("prov.ind.reason.placeholder"))  # fmt: skip
        if st.form_submit_button(ui.tr("prov.ind.assess"), disabled=not may_assess):
            _changed(lambda: set_individual(engine, customer, rate / 100, reason, actor=ui.actor()))
    if individual.empty:
        return
    r1, r2 = st.columns([2, 1])
    back = r1.selectbox(ui.tr("prov.ind.back_which"), individual["customer_id"], key="prov_back")
    if r2.button(ui.tr("prov.ind.back"), key="prov_remove", disabled=not may_assess):
        _changed(lambda: remove_individual(engine, back, actor=ui.actor()))


def _changed(change) -> None:
    """Make `change` and run the page again, or say why it was refused."""
    try:
        change()
        st.rerun()
    except CreditDashError as err:
        st.error(ui.error_text(err))
