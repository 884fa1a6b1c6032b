"""The examples in the docstrings of the checkpoint modules run, so they stay true."""

import doctest
import importlib
import pkgutil

import pytest

import ember.serializer

MODULES = ["ember.serialization", "ember.cli"] + [
    f"ember.serializer.{m.name}" for m in pkgutil.iter_modules(ember.serializer.__path__)
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
