"""Each test of the `ember` command scripts its modules with a fresh compiler, so their class
names (``__torch__.Net``) do not depend on what other tests compiled first."""

import pytest

import ember


@pytest.fixture(autouse=True)
def fresh_compiler():
    ember.compiler.reset()
