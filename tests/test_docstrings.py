"""The `>>>` examples in the docstrings of every ember module run, so they stay true."""

import doctest
import importlib
import pkgutil

import pytest

import ember
from ember.compiler.driver import reset

MODULES = sorted(["ember", *(m.name for m in pkgutil.walk_packages(ember.__path__, "ember."))])
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    reset()  # class names get mangled by what other tests compiled before
    result = doctest.testmod(module, optionflags=OPTIONS, extraglobs={"ember": ember})
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_public_apis_have_examples():
    for obj in (ember.jit.script, ember.jit.ignore, ember.jit.unused, ember.jit.export,
                ember.jit.annotate, ember.jit.is_scripting, ember.jit.ScriptMethod,
                ember.save, ember.load, ember.jit.trace, ember.jit.save,
                ember.jit.load):  # fmt: skip
        assert ">>>" in (obj.__doc__ or ""), obj
