"""New sales: weekly series, Spring Festival regressors, model choice, collections layer."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InvalidArgument, NotFitted
from creditdash.forecast.sales import (
    NAIVE,
    SalesForecast,
    collection_matrix,
    festival_regressors,
    fit_predict,
    seasonal_naive,
    weekly_sales,
)
from creditdash.forecast.weekly import cash_forecast
from creditdash.ledger import day_number


def test_weekly_sales_end_on_as_of(ledger):
    series = weekly_sales(ledger, "2023-06-30")
    assert series["week_end"].iloc[-1] == pd.Timestamp("2023-06-30")
    inv = ledger.invoices
    last_week = inv[(inv["invoice_date"] > "2023-06-23") & (inv["invoice_date"] <= "2023-06-30")]
    assert series["sales_cents"].iloc[-1] == last_week["amount_cents"].sum()


def test_festival_regressors_by_hand():
    # Spring Festival 2024-02-10: the week ending 2024-02-16 holds 7 core days (10..16)
    reg = festival_regressors(np.array([day_number("2024-02-16"), day_number("2024-02-09")]))
    assert reg[0].tolist() == [1.0, 0.0]
    assert reg[1].tolist() == [0.0, 1.0]  # 02-03..02-09: the week before


def test_seasonal_naive_repeats_last_year():
    y = np.arange(60, dtype=float)
    assert seasonal_naive(y, 3).tolist() == [8.0, 9.0, 10.0]
    assert seasonal_naive(np.array([2.0, 4.0]), 2).tolist() == [3.0, 3.0]


def test_collection_matrix_moves_each_weeks_sales_by_the_curve():
    pay = np.zeros(7 * 4 + 1)
    pay[7] = 1.0  # everything paid exactly 7 days after invoicing
    m = collection_matrix(pay, 4)
    assert m[1, 0] == pytest.approx(1.0)  # week 1 sales come in week 2
    assert m[:, 3].sum() == 0  # week 4 sales land after the horizon


def test_sales_forecast_chooses_a_model_by_backtest(ledger):
    model = SalesForecast(weeks=13, n_sims=200).fit(ledger, "2023-12-29")
    assert model.model_ in (NAIVE, "ets", "sarimax", "uc")
    assert set(model.scores_) == {NAIVE, "ets", "sarimax", "uc"}
    assert len(model.forecast_) == 13
    assert (model.forecast_["sales_p10_cents"] <= model.forecast_["sales_p90_cents"]).all()


def test_cash_forecast_has_both_layers(ledger):
    result = cash_forecast(ledger, "2023-12-29", 13, n_sims=200)
    w = result.weekly
    assert (
        w["total_expected_cents"] == w["expected_cents"] + w["new_sales_collections_cents"]
    ).all()
    assert w["new_sales_cents"].sum() > 0
    assert (w["total_p10_cents"] <= w["total_p90_cents"]).all()


def test_errors():
    with pytest.raises(InvalidArgument, match="`models` must be among"):
        SalesForecast(models=("prophet",))
    with pytest.raises(NotFitted, match="SalesForecast is not fitted"):
        _ = SalesForecast().weekly_
    ends = 19_000 + 7 * np.arange(81)
    with pytest.raises(InvalidArgument, match="`models` must be among .* Got 'prophet'"):
        fit_predict("prophet", np.ones(81), ends, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the series is broken on purpose
        with pytest.raises(InvalidArgument, match="model 'ets' produced no finite forecast"):
            fit_predict("ets", np.r_[np.full(80, 100.0), np.inf], ends, 3)
