"""The week's figures: one JSON document whose numbers agree with aging and kpis."""

from __future__ import annotations

import json

import pytest

from creditdash.i18n import render
from creditdash.kpis import kpis
from creditdash.review.figures import week_figures
from creditdash.review.sections import domain_sections


def test_figures_are_plain_json_and_reconcile(ledger):
    figures = week_figures(ledger, "2026-11-20", optional=False)
    assert json.loads(json.dumps(figures)) == figures
    assert figures["kpis"] == kpis(ledger, "2026-11-20").as_dict()
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


def test_a_disputed_invoice_of_a_customer_without_a_name_is_still_an_alert(ledger):
    from creditdash.ledger import Ledger

    customers = ledger.customers.copy()
    customers.loc[customers["customer_id"] == "C3", "customer_name"] = None
    nameless = Ledger.from_frames(customers, ledger.invoices, ledger.payments)
    figures = week_figures(nameless, "2026-11-20", optional=False)
    disputed = [a for a in figures["alerts"] if a["key"] == "disputed:C3"]
    assert len(disputed) == 1 and disputed[0]["amount"] == 30_000


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


def test_a_section_its_domain_cannot_make_is_omitted_with_a_note(ledger, monkeypatch):
    from creditdash.errors import InvalidArgument
    from creditdash.review import sections

    def refuse(ledger, as_of):
        raise InvalidArgument.coded(
            "error.review.weeks", "`weeks` must be at least 1. Got {weeks!r}.", weeks=0
        )

    monkeypatch.setattr(sections, "provision", refuse)
    result = domain_sections(ledger, "2026-11-20")["provision"]
    assert result["available"] is False and set(result) == {"available", "note"}
    assert json.loads(json.dumps(result)) == result  # stored in snapshots as it is
    assert render(result["note"]) == (
        "creditdash.provisioning.provision: `weeks` must be at least 1. Got 0."
    )
    assert render(result["note"], "zh") == (
        "creditdash.provisioning.provision：`weeks` 必须至少为 1。实际为 0。"
    )


def test_a_domain_that_breaks_its_interface_fails_loudly(ledger, monkeypatch):
    from creditdash.review import sections

    monkeypatch.setattr(sections, "weekly_forecast", lambda ledger, as_of: 42)
    with pytest.raises(TypeError, match="a review section needs a table; got int"):
        domain_sections(ledger, "2026-11-20")
    monkeypatch.setattr(sections, "weekly_forecast", lambda ledger: None)  # wrong signature
    with pytest.raises(TypeError):
        domain_sections(ledger, "2026-11-20")


def test_every_section_is_there_and_the_forecast_gives_week_one(ledger, monkeypatch):
    import pandas as pd

    from creditdash.review import sections

    weeks = pd.DataFrame({"week": [1, 2], "expected_cents": [1_000, 2_000]})
    monkeypatch.setattr(sections, "weekly_forecast", lambda ledger, as_of: weeks)
    found = domain_sections(ledger, "2026-11-20")
    assert set(found) == set(sections.SECTIONS)
    assert found["forecast"]["available"] and found["forecast"]["week1_expected"] == 10.0
    assert found["forecast"]["rows"] == [
        {"week": 1, "expected_cents": 1_000},
        {"week": 2, "expected_cents": 2_000},
    ]
    assert found["provision"]["available"] and "total" in found["provision"]
    grades = found["grades"]
    assert grades["distribution"] == {"A": 1, "C": 1, "E": 1}
    assert grades["policy_version"] is None
    assert render(grades["note"]).startswith(
        "Grades and alerts under the default credit policy (no policy store).; PD = chance of"
    )


def test_grades_and_watchlist_read_the_policy_reports_and_limits_given(ledger):
    import pandas as pd

    from creditdash.risk.in_force import RiskInputs
    from creditdash.risk.policy import default_policy

    policy = default_policy()
    policy["grades"][0]["min_score"] = 99  # nobody is an A any more
    policy["rules"] = [r for r in policy["rules"] if r["id"] != "over_limit"]
    report = pd.DataFrame(
        {
            "customer_id": ["C3"], "provider": ["x"],
            "report_date": pd.to_datetime(["2026-11-01"]).astype("datetime64[us]"),
            "imported_at": pd.to_datetime(["2026-11-02"]), "score_normalised": [5.0],
            "rating": ["B"], "recommended_limit_cents": pd.array([None], dtype="Int64"),
            "insured_limit_cents": pd.array([None], dtype="Int64"),
            "net_worth_cents": pd.array([None], dtype="Int64"),
            "working_capital_cents": pd.array([None], dtype="Int64"), "pd": [None],
            "legal_events": pd.array([0], dtype="Int64"),
        }
    )  # fmt: skip
    risk = RiskInputs(json.dumps(policy), 7, report, (("C2", 300_000),))
    sections = domain_sections(ledger, "2026-11-20", risk)
    grades = {r["customer_id"]: r for r in sections["grades"]["rows"]}
    assert sections["grades"]["distribution"] == {"C": 1, "D": 1, "E": 1}  # C3 was an A
    assert grades["C3"]["score"] == 77.5 and grades["C3"]["grade"] == "E"  # score under 20
    assert grades["C2"]["credit_limit_cents"] == 300_000  # the approved request
    rules = {(r["customer_id"], r["rule"]) for r in sections["watchlist"]["rows"]}
    assert ("C2", "over_limit") not in rules and ("C2", "oldest_90") in rules
    assert render(sections["watchlist"]["note"]) == (
        "Grades and alerts under credit policy version 7, with the third-party reports "
        "and approved limits on file."
    )
