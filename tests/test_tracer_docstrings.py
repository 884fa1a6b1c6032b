"""The `>>>` examples in the tracer's docstrings run (pytest collects only docs/*.md)."""

import doctest
import importlib
import pkgutil

import pytest

import ember.tracer

MODULES = ["ember.jit.trace"] + [
    f"ember.tracer.{m.name}" for m in pkgutil.iter_modules(ember.tracer.__path__)
]
MODULES.append("ember.tracer")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, name) if t.examples]
    assert tests, f"{name} has no docstring example"
    for test in tests:
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} failing example(s) in {name}"
