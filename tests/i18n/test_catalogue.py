"""Every UI string exists in both catalogues; numbers and money format per language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from creditdash import i18n
from creditdash.errors import InvalidArgument

ROOT = Path(__file__).resolve().parents[2]
LITERAL_KEY = re.compile(r"""\btr\(\s*["']([a-z_][\w.]*)["']""")
UI_FILES = [ROOT / "app.py", ROOT / "ui.py", *sorted((ROOT / "pages").glob("*.py"))]
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
    "col": ["unapplied", "total"],
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
    assert i18n.money(999.5, "USD", "en", compact=True) == "$999.50"
    assert i18n.money(None) == "–"
    assert i18n.number(1234.567, "en", 1) == "1,234.6"


def test_language_from_browser_locale():
    assert i18n.language_from_locale("zh-CN") == "zh"
    assert i18n.language_from_locale("zh-TW") == "zh"
    assert i18n.language_from_locale("en-GB") == "en"
    assert i18n.language_from_locale(None) == "en"
