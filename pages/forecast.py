"""Cash-flow forecast: 13-week collections, cash plan, stress scenarios and the track record."""

import streamlit as st

import ui
from creditdash.errors import CreditDashError
from creditdash.forecast.promises import with_promises
from creditdash.forecast.view import stored_promises
from creditdash.forecast.weekly import cash_forecast
from ui import forecast as parts

ui.page_guard("pages/forecast.py")
st.title(ui.tr("forecast.title"))
if ui.empty_state():
    st.stop()

as_of = ui.as_of()
engine = ui.engine()
currency = ui.settings().reporting_currency
weeks = 13
st.caption(ui.tr("forecast.caption", as_of=f"{as_of:%Y-%m-%d}", currency=currency))
try:
    with st.spinner(ui.tr("forecast.spinner")):
        forecast = ui.shared(cash_forecast, as_of, weeks)
    promised = stored_promises(engine, ui.ledger(), as_of)  # promises change without an import
except CreditDashError as err:
    st.error(ui.error_text(err))
    st.stop()
weekly = with_promises(forecast, promised)  # the plan below rolls on the total with promises
st.caption(ui.tr(f"forecast.never_paid.{forecast.never_paid_from}"))
parts.headline(forecast, weekly, len(promised), as_of, currency)

st.subheader(ui.tr("forecast.plan.title", weeks=weeks))
table, plan = parts.cash_plan(engine, weekly)

st.subheader(ui.tr("forecast.stress.title"))
parts.stress(engine, forecast, table, plan, as_of, currency)

st.subheader(ui.tr("forecast.bt.title"))
parts.backtest(as_of, currency)
