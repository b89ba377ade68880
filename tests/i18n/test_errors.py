"""Every error the library raises for a user is coded, and its code renders its message.

The check reads the source: a `raise` of a creditdash error must go through
`Error.coded(code, template, ...)`, the code must exist in both catalogues,
the English text must be the template, and the Chinese text must use the
same placeholders (so `t(code, "zh", **params)` fills in).
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from creditdash import i18n
from creditdash.errors import CreditDashError, InvalidArgument

ROOT = Path(__file__).resolve().parents[2]
ERRORS = {"CreditDashError", "InvalidArgument", "InsufficientHistory", "NotFitted", "NotFound",
          "PermissionDenied", "StoreError"}  # fmt: skip
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _raises() -> list[tuple[str, ast.Call]]:
    """(where, call) for every `raise SomeError(...)` / `raise SomeError.coded(...)`."""
    found = []
    for path in sorted((ROOT / "creditdash").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                name = func.value if isinstance(func, ast.Attribute) else func
                if isinstance(name, ast.Name) and name.id in ERRORS:
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    found.append((where, node.exc))
    return found


RAISES = _raises()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_source_has_raises_to_check():
    assert len(RAISES) > 50


@pytest.mark.parametrize("where,call", RAISES, ids=[w for w, _ in RAISES])
def test_every_raised_error_is_coded_and_in_both_catalogues(where, call):
    func = call.func
    assert isinstance(func, ast.Attribute) and func.attr == "coded", (
        f"{where}: raise errors with Error.coded(code, template, **params)"
    )
    code, template = call.args[:2]
    assert isinstance(code, ast.Constant) and isinstance(template, ast.Constant), where
    en, zh = i18n.catalogue("en"), i18n.catalogue("zh")
    assert code.value in en and code.value in zh, f"{where}: {code.value} missing"
    assert en[code.value] == template.value, f"{where}: en text differs from the template"
    assert CHINESE.search(zh[code.value]), f"{where}: {code.value} is not Chinese"
    assert _fields(zh[code.value]) == _fields(template.value), where
    passed = {kw.arg for kw in call.keywords}
    assert _fields(template.value) <= passed, f"{where}: params missing"
    # `coded` and `i18n.t` take these themselves
    assert not passed & {"code", "template", "key", "lang"}, f"{where}: rename the param"


def test_coded_fills_the_template_and_keeps_code_and_params():
    err = InvalidArgument.coded(
        "demo.code", "`{name}` must be positive. Got {value}.", name="x", value=-1
    )
    assert str(err) == "`x` must be positive. Got -1."
    assert err.code == "demo.code" and err.params == {"name": "x", "value": -1}
    assert isinstance(err, CreditDashError)
