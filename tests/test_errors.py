"""One error tree: every error creditdash raises is drawn in creditdash.errors and derives
from CreditDashError."""

from __future__ import annotations

import inspect

import creditdash.auth
from creditdash import errors


def _error_classes() -> dict[str, type]:
    return {
        name: value
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, Exception)
    }


def test_every_error_is_in_the_tree_and_its_drawing():
    drawing = errors.__doc__.split("Messages name")[0]
    for name, cls in _error_classes().items():
        assert issubclass(cls, errors.CreditDashError), name
        assert f" {name} " in drawing, name


def test_permission_denied_is_one_class_whichever_module_names_it():
    assert creditdash.auth.PermissionDenied is errors.PermissionDenied
    assert issubclass(errors.PermissionDenied, PermissionError)
