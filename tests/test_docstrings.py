"""The examples in the docstrings of the compiler, IR, runtime and jit modules run."""

import doctest
import importlib
import pkgutil

import pytest

import ember
from ember.compiler.driver import reset_context

PACKAGES = ["ember.compiler", "ember.ir", "ember.runtime", "ember.jit"]
OTHERS = {"ember.jit.trace"}  # the tracer's own tests cover its examples


def _modules():
    out = []
    for pkg in PACKAGES:
        out.append(pkg)
        path = importlib.import_module(pkg).__path__
        out += [f"{pkg}.{m.name}" for m in pkgutil.iter_modules(path)]
    return sorted(set(out) - OTHERS)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    reset_context()  # class names get mangled by what other tests compiled before
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, extraglobs={"ember": ember})
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_public_apis_have_examples():
    for obj in (ember.jit.script, ember.jit.ignore, ember.jit.unused, ember.jit.export,
                ember.jit.annotate, ember.jit.is_scripting, ember.jit.ScriptMethod):  # fmt: skip
        assert ">>>" in (obj.__doc__ or ""), obj
