"""Cash-flow forecast: payment timing, collections, new sales, cash plan, stress, back-test.

timing.py       PaymentTiming: per-customer payment-delay curves (shrunk, censored)
collections.py  CollectionsForecast: open invoices -> weekly totals, P10/P50/P90
nonpayment.py   DefaultRisk, never_paid_chance: the never-paid chance from the risk PD
sales.py        SalesForecast: weekly invoicing (statsmodels) -> new-sales collections
weekly.py       cash_forecast: both layers in one weekly frame
cashplan.py     the 13-week cash plan, first shortfall, saved plans
stress.py       scenarios: pay later, largest customers delay, a group defaults
backtest.py     rolling-origin back-test against the two baselines
promises.py     weekly_forecast / invoice_forecast: what the weekly review records
charts.py       plotly figures
"""

from creditdash.forecast.backtest import BacktestResult, collections_backtest, wape
from creditdash.forecast.cashplan import (
    CashPlan,
    PlanVerdict,
    first_shortfall,
    plan_table,
    plan_verdict,
)
from creditdash.forecast.collections import CollectionsForecast
from creditdash.forecast.nonpayment import DefaultRisk, never_paid_chance
from creditdash.forecast.promises import invoice_forecast, weekly_forecast
from creditdash.forecast.sales import SalesForecast
from creditdash.forecast.stress import Scenario, run_scenarios
from creditdash.forecast.timing import PaymentTiming
from creditdash.forecast.weekly import CashForecast, cash_forecast

__all__ = [
    "BacktestResult",
    "CashForecast",
    "CashPlan",
    "CollectionsForecast",
    "DefaultRisk",
    "PaymentTiming",
    "PlanVerdict",
    "SalesForecast",
    "Scenario",
    "cash_forecast",
    "collections_backtest",
    "first_shortfall",
    "invoice_forecast",
    "never_paid_chance",
    "plan_table",
    "plan_verdict",
    "run_scenarios",
    "wape",
    "weekly_forecast",
]
