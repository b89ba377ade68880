"""Every UI string exists in both catalogues; numbers and money format per language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from creditdash import i18n
from creditdash.audit import AUDIT_COLUMNS
from creditdash.auth import PERMISSIONS
from creditdash.errors import InvalidArgument
from creditdash.forecast.cashplan import CATEGORIES as CASH_CATEGORIES
from creditdash.ingest.synonyms import FIELDS
from creditdash.report.labels import RULES as LEDGER_RULES
from creditdash.report.labels import SECTIONS
from creditdash.review.story import TILES
from creditdash.risk.holds import HOLD_ACTIONS, ORDER_TEXTS, STATES
from creditdash.risk.limits import METHODS
from creditdash.risk.pd_model import MODEL_INPUTS
from creditdash.risk.policy import ACTIONS, DEFAULT_POLICY, FEATURE_LABELS, RULE_KINDS
from creditdash.risk.present import BAND_TEXTS
from creditdash.risk.requests import STATUSES
from creditdash.simulate.simulator import ASSUMPTIONS, COMPONENTS

ROOT = Path(__file__).resolve().parents[2]
LITERAL_KEY = re.compile(r"""\btr\(\s*["']([a-z_][\w.]*)["']""")
UI_FILES = [
    ROOT / "app.py",
    *sorted((ROOT / "ui").rglob("*.py")),
    *sorted((ROOT / "pages").glob("*.py")),
]
TERMS_OUT = ["cash_released", "net", "npv"]
TERMS_LEVELS = ["credit_sales", "dso", "ar", "bad_debt", "carrying_cost", "discount_cost"]
TERMS_WC = ["wcr", "dso", "dio", "dpo", "ccc", "cash_per_dso_day", "overdue_financing_cost"]
# column headers of the risk and policy pages' tables
RISK_COLUMNS = [
    "customer_id", "customer_name", "score", "grade", "pd", "exposure", "overdue",
    "credit_limit", "recommended_limit", "binding", "utilisation", "over_limit",
    "worst_dpd_open", "days_late_recent", "flags", "new", "action", "rule", "detail", "label",
    "value", "band", "weight", "points_lost", "method", "figure", "binds", "invoice_id",
    "invoice_date", "due_date", "amount", "paid", "outstanding", "dpd",
    "age_days", "bucket", "disputed", "outstanding", "provider", "report_date", "score_scale",
    "score_normalised", "rating", "recommended_limit", "insured_limit",
    "net_worth", "working_capital", "bureau_pd", "legal_events", "source_file",
    "imported_at", "imported_by", "authorisation", "request_id", "current_limit",
    "requested_limit", "reason", "requested_by", "requested_at", "status", "decided_by",
    "decided_at", "decision_reason", "bureau_provider", "bureau_score", "bureau_grade",
    "grade_gap", "above_bureau_limit", "above_insured", "disagree", "feature", "coef",
    "std_err", "ci_low", "ci_high", "p_value", "odds_ratio", "credit_status", "state",
    "late_interest", "late_fees", "discount_earned", "limit_increase", "file", "sheet", "row",
    "report_name", "proposed_customer", "proposed_name",
]  # fmt: skip
POLICY_COLUMNS = [
    "grade", "min_score", "max_terms_days", "limit_multiplier", "review_months", "feature",
    "label", "weight", "lower_is_worse", "bands", "id", "kind", "threshold", "action",
    "version", "author", "created_at", "note", "path", "before", "after",
]  # fmt: skip
REVIEW_TILES = [key for key, *_ in TILES]  # the review page's KPI tiles
# column headers of the forecast page's tables: the weekly forecast, then the scenario summary
FORECAST_COLUMNS = [
    "week", "start", "end", "expected", "p10", "p50", "p90", "promised", "expected_with_promises",
    "new_sales", "new_sales_collections", "new_sales_p10", "new_sales_p90", "total_expected", "total_p10",
    "total_p90", "cumulative_p10", "scenario", "collections_13w", "closing_week_13",
    "first_week_below_minimum", "shortfall",
]  # fmt: skip
# keys built at run time: family -> the members the code asks for
DYNAMIC = {
    "nav": ["overview", "aging", "data", "admin"],
    "role": ["viewer", "analyst", "credit_manager", "admin", "none"],
    "kpi": ["total_ar", "overdue_pct", "dso_countback", "bpdso", "add", "cei"],
    "kpi.help": ["total_ar", "overdue_pct", "dso_countback", "bpdso", "add", "cei"],
    "group": ["customer", "segment", "region", "salesperson", "none"],
    "aging.basis": ["due", "invoice"],
    "kind": ["ledger", "invoices", "payments", "open_items", "customers", "rates", "unknown"],
    "problem": ["level", "file", "sheet", "row", "column", "value", "message"],
    "problem.level": ["error", "warning"],
    "hist.status": ["applied", "rolled_back"],
    "field": FIELDS,  # the Data page's mapping editor
    "admin.col": AUDIT_COLUMNS,
    "col": ["unapplied", "total"],
    "bucket": ["current", "unapplied", "total"],  # presentation.bucket_name
    "review.unknown": ["salesperson", "region"],
    "review.weekday": ["0", "1", "2", "3", "4", "5", "6"],
    "review.trigger": ["import", "manual", "cli", "backfill"],
    "review.tile": REVIEW_TILES,
    "review.def": REVIEW_TILES,
    "review.chart.score": ["salesperson", "region"],
    "review.detail": list(LEDGER_RULES),  # alert details the library writes
    "review.why": [
        "not_installed",
        "import_failed",
        "no_function",
        "failed",
        "unexpected",
        "no_table",
        "first_rows",
    ],  # why an optional section is left out
    "pack.section": list(SECTIONS),
    "auth.action": list(PERMISSIONS),  # named in PermissionDenied's message
    "review.download_scores": ["salesperson", "region"],
    "review.snap": [
        "snapshot_id",
        "week_ending",
        "created_at",
        "import_id",
        "data_version",
        "trigger",
        "current",
    ],
    "terms.kind": ["all", "grade", "segment", "region", "customers"],
    "terms.values": ["segment", "region", "customers"],
    "terms.selection": ["all", "grade", "segment", "region", "customers"],
    "terms.tile": ["credit_sales", "ar", "dso", "terms_days", "days_late", "bad_debt_rate"],
    "terms.def": ["credit_sales", "ar", "dso", "terms_days", "days_late", "bad_debt_rate"],
    "terms.out": TERMS_OUT,
    "terms.out.help": TERMS_OUT,
    "terms.level": TERMS_LEVELS,  # before -> after tiles
    "terms.level.help": TERMS_LEVELS,
    "terms.component": [*COMPONENTS, "net"],  # components() rows
    "terms.assumption": list(ASSUMPTIONS),  # tornado() rows
    "terms.wc": TERMS_WC,
    "terms.wc.help": TERMS_WC,
    "terms.weekly.tile": ["base", "scenario", "shift"],  # the 13-week receipts tiles
    "terms.weekly.def": ["base", "scenario", "shift"],
    "terms.chart.weekly": ["base", "scenario", "cumulative"],
    "prov.basis": ["due", "invoice"],
    "prov.portfolio": ["none", "segment", "region", "grade"],
    "prov.source": ["history", "hand"],
    "risk.tab": ["portfolio", "watchlist", "detail", "outside", "model"],
    "risk.col": RISK_COLUMNS,
    "risk.flag": [rule["id"] for rule in DEFAULT_POLICY["rules"]] + ["in_default"],
    "risk.action": list(ACTIONS),
    "risk.feature": list(FEATURE_LABELS),
    "risk.var": ["const", *MODEL_INPUTS, "log_tenure_months"],  # PD model coefficients
    "risk.binding": list(METHODS),
    "risk.method": list(METHODS),
    "risk.status": list(STATUSES),
    "risk.band": list(BAND_TEXTS),
    "risk.hit": list(RULE_KINDS),  # watchlist details
    "risk.state": list(STATES),
    "risk.credit": ["none", *HOLD_ACTIONS],
    "risk.hold.do": [*HOLD_ACTIONS, "release"],
    "risk.order": list(ORDER_TEXTS),  # check_order's reasons
    "policy.tab": ["grades", "scorecard", "rules", "other", "versions"],
    "policy.kind": list(RULE_KINDS),
    "policy.col": POLICY_COLUMNS,
    "forecast.category": list(CASH_CATEGORIES),  # cash-plan editor headers
    "forecast.col": FORECAST_COLUMNS,
    "forecast.never_paid": ["risk", "history"],  # where the never-paid chance came from
}


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in UI_FILES:
        keys |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    for family, members in DYNAMIC.items():
        keys |= {f"{family}.{m}" for m in members}
    return keys


def test_both_catalogues_have_the_same_keys():
    assert i18n.missing_keys() == {"en": set(), "zh": set()}


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_key_the_ui_uses_is_in_the_catalogue(lang):
    missing = sorted(used_keys() - set(i18n.catalogue(lang)))
    assert missing == [], f"missing from {lang}.json: {missing}"


def test_every_page_in_the_menu_has_a_title():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    stems = re.findall(r'"pages/(\w+)\.py"', app)
    for lang in i18n.LANGS:
        assert all(f"nav.{s}" in i18n.catalogue(lang) for s in stems), lang


def test_placeholders_match_between_languages():
    field = re.compile(r"\{(\w+)\}")
    for key, text in i18n.catalogue("en").items():
        assert set(field.findall(text)) == set(field.findall(i18n.catalogue("zh")[key])), key


def test_t_fills_parameters_and_falls_back_to_the_key():
    assert i18n.t("aging.totals", "zh", totals="x") == "合计：x"
    assert i18n.t("no.such.key", "en") == "no.such.key"
    with pytest.raises(InvalidArgument, match="`lang` must be one of en, zh"):
        i18n.t("nav.data", "fr")


def test_money_and_compact_figures():
    assert i18n.money(1234567.891, "CNY", "en") == "¥1,234,567.89"
    assert i18n.money(1234567.89, "CNY", "zh") == "¥1,234,567.89"
    assert i18n.money(-123456789, "CNY", "zh", compact=True) == "-¥1.23亿"
    assert i18n.money(123456789, "CNY", "en", compact=True) == "¥123.46M"
    assert i18n.money(12345, "CNY", "zh", compact=True) == "¥1.23万"
    assert i18n.money(23497700, "CNY", "zh", compact=True) == "¥2,349.77万"  # grouped
    assert i18n.money(234977000000, "CNY", "zh", compact=True) == "¥2,349.77亿"
    assert i18n.money(99999999, "CNY", "zh", compact=True) == "¥1亿"  # not ¥10,000万
    assert i18n.money(999.5, "USD", "en", compact=True) == "$999.50"
    assert i18n.money(None) == "–"
    assert i18n.number(1234.567, "en", 1) == "1,234.6"


def test_language_from_browser_locale():
    assert i18n.language_from_locale("zh-CN") == "zh"
    assert i18n.language_from_locale("zh-TW") == "zh"
    assert i18n.language_from_locale("en-GB") == "en"
    assert i18n.language_from_locale(None) == "en"
