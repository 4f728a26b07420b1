"""Every example in baeum's docstrings runs and prints what it says (the `>>>` lines)."""

import doctest
import importlib
import pkgutil

import pytest

import baeum

MODULES = sorted(name for _, name, _ in pkgutil.walk_packages(baeum.__path__, "baeum."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) in {name} failed"
