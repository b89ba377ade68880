"""Chinese and English: the UI's string catalogues and number formats.

Every UI string lives under the same key in `en/*.json` and `zh/*.json`
(one file per area, e.g. `core.json`, `risk.json`; keys are unique across files);
`t(key, lang, **params)` returns it with `{param}` filled in. Numbers and
money go through Babel: `¥1,234,567.89`, and compact figures as 123.46M
in English or 1.23亿 / 1.23万 in Chinese.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from babel.numbers import format_compact_decimal, format_decimal, get_currency_symbol

from creditdash.errors import InvalidArgument

LANGS = ("en", "zh")
LOCALES = {"en": "en_US", "zh": "zh_CN"}
_HERE = Path(__file__).parent
_SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "¥", "GBP": "£"}


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The strings of one language (key -> text with `{param}` placeholders)."""
    if lang not in LANGS:
        raise InvalidArgument(f"`lang` must be one of {', '.join(LANGS)}. Got {lang!r}.")
    merged: dict[str, str] = {}
    for path in sorted((_HERE / lang).glob("*.json")):
        part = json.loads(path.read_text(encoding="utf-8"))
        clash = sorted(set(part) & set(merged))
        if clash:
            raise InvalidArgument(f"{path.name} repeats keys already defined: {clash[:5]}")
        merged.update(part)
    return merged


def t(key: str, lang: str = "en", **params: object) -> str:
    """The text for `key` in `lang`; a key missing from the catalogue comes back as itself."""
    text = catalogue(lang).get(key) or catalogue("en").get(key) or key
    return text.format(**params) if params else text


def missing_keys() -> dict[str, set[str]]:
    """Keys present in one catalogue but not in the other, per language that lacks them."""
    en, zh = set(catalogue("en")), set(catalogue("zh"))
    return {"en": zh - en, "zh": en - zh}


def language_from_locale(locale: str | None) -> str:
    """`zh` for any Chinese browser locale (zh-CN, zh-TW, zh), else `en`."""
    return "zh" if (locale or "").lower().startswith("zh") else "en"


def money(
    value: float | None, currency: str = "CNY", lang: str = "en", compact: bool = False
) -> str:
    """`¥1,234,567.89`; with compact, `¥123.46M` (en) or `¥1.23亿` (zh). None prints as a dash."""
    if value is None:
        return "–"
    locale = LOCALES[lang]
    symbol = _SYMBOLS.get(currency) or get_currency_symbol(currency, locale=locale)
    sign = "-" if value < 0 else ""
    if compact and abs(value) >= 10_000:
        body = format_compact_decimal(abs(value), locale=locale, fraction_digits=2)
    else:
        body = format_decimal(abs(value), format="#,##0.00", locale=locale)
    return f"{sign}{symbol}{body}"


def number(value: float | None, lang: str = "en", digits: int = 1) -> str:
    """A plain figure with grouping and `digits` decimals; None prints as a dash."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])
