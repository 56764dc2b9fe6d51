"""Every docstring example in course/ and autograder/ runs, and says what it really returns."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for package in ("course", "autograder") for path in (ROOT / package).rglob("*.py")
    if ">>> " in path.read_text(encoding="utf-8"))


def test_the_examples_are_found():
    assert "course.widgets.sound" in MODULES and len(MODULES) > 10


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} example(s) in {name} fail: see the output above"
