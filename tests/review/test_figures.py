"""The week's figures: one JSON document whose numbers agree with aging and kpis."""

from __future__ import annotations

import json

import pytest

from creditdash.i18n import render
from creditdash.kpis import kpis
from creditdash.review.figures import week_figures
from creditdash.review.optional import optional_sections, section


def test_figures_are_plain_json_and_reconcile(ledger):
    figures = week_figures(ledger, "2026-11-20", optional=False)
    assert json.loads(json.dumps(figures)) == figures
    assert figures["kpis"] == kpis(ledger, "2026-11-20")
    assert figures["aging"]["total"] == 380_000
    assert figures["aging"]["cents"]["current"] == 130_000
    assert figures["aging"]["cents"]["1-30"] == 50_000
    assert figures["aging"]["cents"]["91-180"] == 200_000
    assert sum(c["total"] for c in figures["customers"]) == figures["aging"]["total"]


def test_alerts_follow_the_ledger_rules(ledger):
    figures = week_figures(ledger, "2026-11-20", optional=False)
    keys = {a["key"] for a in figures["alerts"]}
    # C2: 2,000 against a 1,500 limit, and 100 days past due; C3: a disputed invoice open.
    assert keys == {"over_limit:C2", "over_90:C2", "disputed:C3"}
    over = next(a for a in figures["alerts"] if a["key"] == "over_limit:C2")
    assert over["amount"] == 50_000
    details = {
        a["key"]: (render(a["detail"]), render(a["detail"], "zh")) for a in figures["alerts"]
    }
    assert details == {
        "over_limit:C2": (
            "AR 2,000.00 over limit 1,500.00",
            "应收 2,000.00，超出信用额度 1,500.00",
        ),
        "over_90:C2": ("oldest open item 100 days past due", "最早的未清发票已逾期 100 天"),
        "disputed:C3": ("1 disputed invoice(s) open", "1 张争议发票未结清"),
    }


def test_concentration_top10_is_everything_in_a_small_book(ledger):
    figures = week_figures(ledger, "2026-11-20", optional=False)
    assert figures["concentration"]["top10_pct"] == pytest.approx(100.0)
    top = figures["concentration"]["top"][0]
    assert top["customer_id"] == "C2" and top["share_pct"] == pytest.approx(52.63)


def test_receipts_count_the_last_seven_days():
    import pandas as pd

    from creditdash.ledger import Ledger

    inv = pd.DataFrame({"invoice_id": ["I1"], "customer_id": ["C1"],
                        "invoice_date": pd.to_datetime(["2026-10-01"]),
                        "due_date": pd.to_datetime(["2026-10-31"]), "amount_cents": [10_000],
                        "currency": "CNY", "disputed": [False], "source": "t"})  # fmt: skip
    pay = pd.DataFrame({"payment_id": ["P1", "P2", "P3"], "customer_id": ["C1"] * 3,
                        "invoice_id": ["I1", "I1", None],
                        "payment_date": pd.to_datetime(["2026-11-13", "2026-11-14", "2026-11-20"]),
                        "amount_cents": [1_000, 2_000, 500], "source": "t"})  # fmt: skip
    figures = week_figures(Ledger.from_frames(None, inv, pay), "2026-11-20", optional=False)
    assert figures["receipts_cents"] == 2_500  # (11-13, 11-20]: P2 + unapplied P3


def test_chronic_late_customer_with_a_clean_aging():
    import pandas as pd

    from creditdash.ledger import Ledger
    from creditdash.review.figures import chronic_late, customer_balances

    dates = pd.date_range("2026-01-05", periods=6, freq="30D")
    inv = pd.DataFrame({"invoice_id": [f"I{i}" for i in range(7)], "customer_id": "C1",
                        "invoice_date": [*dates, pd.Timestamp("2026-11-10")],
                        "due_date": [*(dates + pd.Timedelta(days=30)), pd.Timestamp("2026-12-10")],
                        "amount_cents": 10_000, "currency": "CNY", "disputed": False,
                        "source": "t"})  # fmt: skip
    pay = pd.DataFrame({"payment_id": [f"P{i}" for i in range(6)], "customer_id": "C1",
                        "invoice_id": [f"I{i}" for i in range(6)],
                        "payment_date": dates + pd.Timedelta(days=55), "amount_cents": 10_000,
                        "source": "t"})  # fmt: skip
    book = Ledger.from_frames(None, inv, pay)
    late = chronic_late(book, "2026-11-20", customer_balances(book, "2026-11-20"))
    assert list(late["customer_id"]) == ["C1"]
    assert late.loc[0, "avg_days_late"] == 25.0 and late.loc[0, "late_share_pct"] == 100.0


def test_a_missing_module_is_omitted_with_a_note(ledger, monkeypatch):
    from creditdash.review import optional

    monkeypatch.setitem(
        optional.ENTRY_POINTS, "forecast", [("creditdash.no_such_module", "forecast", "ledger")]
    )
    result = section("forecast", ledger, "2026-11-20")
    assert result["available"] is False and set(result) == {"available", "note"}
    assert json.loads(json.dumps(result)) == result  # stored in snapshots as it is
    assert render(result["note"]) == "`creditdash.no_such_module` is not installed in this version"
    assert render(result["note"], "zh") == "此版本没有 `creditdash.no_such_module` 模块"


def test_an_error_of_the_section_is_said_in_either_language(ledger, monkeypatch):
    import sys
    import types

    from creditdash.errors import InvalidArgument
    from creditdash.review import optional

    def refuse(ledger, as_of):
        raise InvalidArgument.coded(
            "error.review.weeks", "`weeks` must be at least 1. Got {weeks!r}.", weeks=0
        )

    fake = types.ModuleType("fake_provision")
    fake.provision = refuse
    fake.table = lambda ledger, as_of: 42  # answers, but with no table
    monkeypatch.setitem(sys.modules, "fake_provision", fake)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: object())
    monkeypatch.setitem(
        optional.ENTRY_POINTS, "provision", [("fake_provision", "provision", "ledger")]
    )
    note = section("provision", ledger, "2026-11-20")["note"]
    assert render(note) == "fake_provision.provision: `weeks` must be at least 1. Got 0."
    assert render(note, "zh") == "fake_provision.provision：`weeks` 必须至少为 1。实际为 0。"
    monkeypatch.setitem(
        optional.ENTRY_POINTS,
        "provision",
        [("fake_provision", "table", "ledger"), ("fake_provision", "nothing", "ledger")],
    )
    note = section("provision", ledger, "2026-11-20")["note"]
    assert render(note) == (
        "fake_provision.table returned no table; `fake_provision` has no `nothing` yet"
    )
    assert render(note, "zh") == (
        "fake_provision.table 没有返回表格；`fake_provision` 尚未提供 `nothing`"
    )


def test_a_module_that_answers_is_included(ledger, monkeypatch):
    import sys
    import types

    import pandas as pd

    from creditdash.review import optional

    fake = types.ModuleType("fake_forecast")
    fake.forecast = lambda ledger, as_of: pd.DataFrame({"week": [1, 2], "expected": [10.0, 20.0]})
    monkeypatch.setitem(sys.modules, "fake_forecast", fake)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: object())
    monkeypatch.setitem(
        optional.ENTRY_POINTS, "forecast", [("fake_forecast", "forecast", "ledger")]
    )
    sections = optional_sections(ledger, "2026-11-20")
    assert sections["forecast"]["available"] and sections["forecast"]["week1_expected"] == 10.0
    assert sections["forecast"]["rows"] == [
        {"week": 1, "expected": 10.0},
        {"week": 2, "expected": 20.0},
    ]
