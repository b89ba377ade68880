"""Rules into a watchlist with actions; chronic lateness; new since last week; disagreements."""

from __future__ import annotations

import pandas as pd

from creditdash.risk.assess import assess, chronic_late, grade_summary, risk_table, watchlist
from creditdash.risk.compare import disagreements
from creditdash.risk.policy import default_policy
from creditdash.risk.rules import bureau_drops, evaluate_rules
from tests.risk.conftest import AS_OF


def test_rules_fire_with_their_actions(tiny):
    policy = default_policy()
    table = risk_table(tiny, AS_OF, policy, limits={"C1": 20_000})
    hits = evaluate_rules(table, policy, score_before=pd.Series({"C1": 90.0, "C2": 90.0}))
    fired = set(zip(hits["customer_id"], hits["rule"], strict=True))
    assert ("C1", "over_limit") in fired and ("C1", "score_drop") in fired
    assert ("C1", "concentration") in fired and ("C2", "concentration") in fired
    assert ("C1", "oldest_60") not in fired  # 30 dpd only
    assert hits.iloc[0]["action"] == "hold"  # most severe first
    drop = hits[(hits["customer_id"] == "C1") & (hits["rule"] == "score_drop")].iloc[0]
    assert drop["detail"] == "Score 90 -> 52 in 90 days"  # the 200 limit is 250% used
    assert drop["kind"] == "score_drop" and drop["params"]["before"] == 90.0
    over = hits[(hits["customer_id"] == "C1") & (hits["rule"] == "over_limit")].iloc[0]
    assert over["params"] == {"exposure_cents": 50_000.0, "limit_cents": 20_000.0}
    assert over["detail"] == "Exposure 500 over limit 200"


def test_hits_are_worded_from_their_params_in_each_language(tiny):
    from creditdash import i18n
    from creditdash.risk.present import watchlist_view
    from creditdash.risk.rules import DETAIL_TEXTS, detail_text

    assert all(i18n.t(f"risk.hit.{k}", "en") == text for k, text in DETAIL_TEXTS.items())
    hits = watchlist(tiny, AS_OF, default_policy(), limits={"C1": 20_000})
    zh = {k: i18n.t(f"risk.hit.{k}", "zh") for k in DETAIL_TEXTS}
    view = watchlist_view(hits, detail_texts=zh).set_index(["customer_id", "rule"])
    assert view.loc[("C1", "over_limit"), "detail"] == "风险敞口 500 超过信用额度 200"
    assert view.loc[("C2", "concentration"), "detail"] == "占应收账款总额的 37.5%"
    english = watchlist_view(hits).set_index(["customer_id", "rule"])
    assert english.loc[("C2", "concentration"), "detail"] == "37.5% of total receivables"
    params = {"utilisation": 85.0, "pct": 7.5}
    assert detail_text("clean_record", params) == (
        "Clean record, 85% of limit used: consider +7.5%"
    )
    assert detail_text("oldest_dpd", {"days": float("nan")}) == ("Oldest open item - days past due")


def test_watchlist_marks_what_is_new_since_last_week(tiny):
    hits = watchlist(tiny, "2025-06-03", default_policy())
    concentration = hits[(hits["rule"] == "concentration") & (hits["customer_id"] == "C2")]
    assert bool(concentration["new"].iloc[0])  # C2's first invoice is dated 2025-06-01
    c1 = hits[(hits["rule"] == "concentration") & (hits["customer_id"] == "C1")]
    assert not bool(c1["new"].iloc[0])  # C1 held all AR a week earlier too


def test_chronic_late_customers_of_the_demo_are_flagged(demo, demo_ledger):
    table = risk_table(demo_ledger, demo.as_of, default_policy()).merge(demo.truth)
    flagged = table[table["chronic_late"]]
    chronic = table[table["behaviour"] == "chronic_late_current"]
    assert chronic["chronic_late"].all()  # every one of them, although current in the aging
    assert (flagged["behaviour"] == "chronic_late_current").mean() > 0.8
    assert (chronic_late(table, default_policy()) == table["chronic_late"]).all()


def test_assess_fills_flags_and_pd(demo, demo_ledger):
    result = assess(demo_ledger, demo.as_of, default_policy())
    table = result["table"]
    assert result["pd_note"] == "" and table["pd"].between(0, 1).all()
    assert table.loc[table["in_default"], "pd"].eq(1.0).all()
    assert table["flags"].str.contains("chronic_late").sum() == table["chronic_late"].sum()
    summary = grade_summary(table, default_policy())
    assert list(summary["grade"]) == ["A", "B", "C", "D", "E"]
    assert summary["exposure_cents"].sum() == table["exposure_cents"].sum()


def test_bureau_downgrade_and_disagreement(tiny):
    bureau = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C2"],
            "provider": ["p", "p", "p"],
            "report_date": pd.to_datetime(["2025-01-01", "2025-06-01", "2025-06-01"]),
            "imported_at": pd.to_datetime(["2025-06-02"] * 3),
            "score_normalised": [80.0, 55.0, 30.0],
            "rating": ["A", "B", "C"],
            "recommended_limit_cents": pd.array([None, 30_000, None], dtype="Int64"),
            "insured_limit_cents": pd.array([None, None, None], dtype="Int64"),
            "net_worth_cents": pd.array([None, None, None], dtype="Int64"),
            "working_capital_cents": pd.array([None, None, None], dtype="Int64"),
            "pd": [None, None, None],
            "legal_events": pd.array([None, None, None], dtype="Int64"),
        }
    ).astype({"report_date": "datetime64[us]"})
    assert bureau_drops(bureau, 20240).to_dict() == {"C1": 25.0}  # day 20240 = 2025-06-01
    policy = default_policy()
    hits = watchlist(tiny, AS_OF, policy, bureau)
    assert ((hits["customer_id"] == "C1") & (hits["rule"] == "bureau_down")).any()
    view = disagreements(risk_table(tiny, AS_OF, policy, bureau), policy).set_index("customer_id")
    assert view.loc["C2", "bureau_grade"] == "E" and view.loc["C2", "disagree"]
    assert view.loc["C2", "grade"] == "A"  # 30 of 100 costs points but caps nothing
    assert view.loc["C1", "above_bureau_limit_cents"] == 20_000
    # a score under the policy's floor caps the internal grade too: no disagreement left
    floor = bureau.assign(score_normalised=[80.0, 55.0, 10.0])
    view = disagreements(risk_table(tiny, AS_OF, policy, floor), policy).set_index("customer_id")
    assert view.loc["C2", "grade"] == "E" and not view.loc["C2", "disagree"]
