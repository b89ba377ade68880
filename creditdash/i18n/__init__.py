"""Chinese and English: the UI's string catalogues and number formats.

Every UI string lives under the same key in `en/*.json` and `zh/*.json`
(one file per area, e.g. `core.json`, `risk.json`; keys are unique across files);
`t(key, lang, **params)` returns it with `{param}` filled in. A sentence the
library builds for a page or a report is a `Text` (a key and its params,
rendered in the reader's language later); its params may be Texts too.
Numbers and money go through Babel: `¥1,234,567.89`, and compact figures
as 123.46M in English or 1.23亿 / 1.23万 in Chinese.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel import Locale
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
        raise InvalidArgument.coded(
            "error.choice",
            "`{name}` must be one of {options}. Got {value!r}.",
            name="lang",
            options=", ".join(LANGS),
            value=lang,
        )
    merged: dict[str, str] = {}
    for path in sorted((_HERE / lang).glob("*.json")):
        part = json.loads(path.read_text(encoding="utf-8"))
        clash = sorted(set(part) & set(merged))
        if clash:
            raise InvalidArgument.coded(
                "error.i18n.repeated_keys",
                "{file} repeats keys already defined: {keys}",
                file=path.name,
                keys=", ".join(clash[:5]),
            )
        merged.update(part)
    return merged


def t(key: str, lang: str = "en", **params: object) -> str:
    """The text for `key` in `lang`; a key missing from the catalogue comes back as itself.

    A param that is a `Text` (or its dict form, or a list of them) is rendered in `lang` first.
    """
    text = catalogue(lang).get(key) or catalogue("en").get(key) or key
    if not params:
        return text
    return text.format(**{name: _filled(value, lang) for name, value in params.items()})


def named(family: str, code: object, lang: str = "en") -> str:
    """`code` by its name in `lang` (the catalogue's `family.code`); a code the catalogue does
    not name stays as it is: `named("kind", "rates", "zh")` is 汇率, `named("kind", "x")` x."""
    key = f"{family}.{code}"
    return t(key, lang) if key in catalogue(lang) or key in catalogue("en") else str(code)


def coded(code: str | None, params: Mapping[str, object] | None, english: str, lang: str) -> str:
    """A coded message (an error's or a `Problem`'s `code` and `params`) in `lang`; `english`,
    its own text, where the catalogue lacks the code or the params do not fit it."""
    text = catalogue(lang).get(code) if code and lang != "en" else None
    if code is None or text is None:
        return english
    try:
        # t renders Text params in `lang`; with no params, a placeholder left is an error
        return t(code, lang, **params) if params else text.format()
    except (KeyError, IndexError, TypeError, ValueError):  # params that do not fit the text
        return english


@dataclass(frozen=True)
class Text:
    """A sentence to show in the reader's language: the catalogue key `code` and its `params`.

    `str(text)` is the English sentence. `default`, when given, is said instead
    when the catalogue lacks `code` or its params do not fit (an error raised
    with an English message only). `as_dict()` is its JSON form, which
    `render` reads back (the review snapshots store notes that way).
    """

    code: str
    params: dict[str, object] = field(default_factory=dict, hash=False)
    default: str | None = None

    def render(self, lang: str = "en") -> str:
        if self.code not in catalogue("en") and self.default is not None:
            return self.default
        try:
            return t(self.code, lang, **self.params)
        except (KeyError, IndexError, ValueError):
            if self.default is None:
                raise
            return self.default

    def __str__(self) -> str:
        return self.render("en")

    def as_dict(self) -> dict[str, object]:
        """{"code", "params"[, "default"]} with plain JSON values (nested Texts as dicts)."""
        out: dict[str, object] = {
            "code": self.code,
            "params": {name: _plain(value) for name, value in self.params.items()},
        }
        if self.default is not None:
            out["default"] = self.default
        return out

    @classmethod
    def from_dict(cls, form: dict) -> Text:
        """The Text whose `as_dict()` is `form` (nested params stay dicts; `render` reads them)."""
        return cls(str(form["code"]), dict(form.get("params") or {}), form.get("default"))

    @classmethod
    def of_error(cls, err: Exception) -> Text:
        """An error's message as a Text: its code and params, its English message as default."""
        return cls(getattr(err, "code", None) or "", getattr(err, "params", None) or {}, str(err))


def render(value: object, lang: str = "en") -> str:
    """A `Text`, its dict form or a list of them in `lang`; any other value as `str(value)`.

    A list is joined with semicolons; None is an empty string.
    """
    if isinstance(value, Text):
        return value.render(lang)
    if isinstance(value, dict) and "code" in value:  # a Text's dict form
        return Text.from_dict(value).render(lang)
    if isinstance(value, list | tuple):
        return ("；" if lang == "zh" else "; ").join(render(v, lang) for v in value)
    return "" if value is None else str(value)


def _is_text(value: object) -> bool:
    return isinstance(value, Text) or (isinstance(value, dict) and "code" in value)


def _filled(value: object, lang: str) -> object:
    """A param as it fills a template: Texts (and lists of them) rendered, other values as
    they are, so that `{x:.2f}` and `{x!r}` still apply to numbers and tuples."""
    if _is_text(value) or (isinstance(value, list) and value and all(map(_is_text, value))):
        return render(value, lang)
    return value


def _plain(value: object) -> object:
    if isinstance(value, Text):
        return value.as_dict()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return value
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        plain = item()
        if isinstance(plain, bool | int | float | str):
            return plain
    return str(value)


def missing_keys() -> dict[str, set[str]]:
    """Keys present in one catalogue but not in the other, per language that lacks them."""
    en, zh = set(catalogue("en")), set(catalogue("zh"))
    return {"en": zh - en, "zh": en - zh}


def language_from_locale(locale: str | None) -> str:
    """`zh` for any Chinese browser locale (zh-CN, zh-TW, zh), else `en`."""
    return "zh" if (locale or "").lower().startswith("zh") else "en"


@cache
def babel_locale(lang: str) -> Locale:
    """The Babel locale of `lang`, parsed once: given a locale by its name, Babel looks it up
    among every locale it knows on each call, which dominates formatting many figures."""
    return Locale.parse(LOCALES[lang])


def money(
    value: float | None, currency: str = "CNY", lang: str = "en", compact: bool = False
) -> str:
    """`¥1,234,567.89`; with compact, `¥123.46M` (en) or `¥1.23亿` (zh). None prints as a dash."""
    if value is None:
        return "–"
    locale = babel_locale(lang)
    symbol = _SYMBOLS.get(currency) or get_currency_symbol(currency, locale=locale)
    sign = "-" if value < 0 else ""
    if compact and abs(value) >= 10_000 and lang == "zh":
        body = _wan(abs(value), locale)
    elif compact and abs(value) >= 10_000:
        body = format_compact_decimal(abs(value), locale=locale, fraction_digits=2)
    else:
        body = format_decimal(abs(value), format="#,##0.00", locale=locale)
    return f"{sign}{symbol}{body}"


def _wan(value: float, locale: Locale) -> str:
    """`2,349.77万`, `1.23亿`: Chinese units with grouping (Babel leaves the digits ungrouped)."""
    scale, unit = (1e8, "亿") if round(value / 1e4, 2) >= 1e4 else (1e4, "万")
    return format_decimal(value / scale, format="#,##0.##", locale=locale) + unit


def number(value: float | None, lang: str = "en", digits: int = 1) -> str:
    """A plain figure with grouping and `digits` decimals; None prints as a dash."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=babel_locale(lang))
