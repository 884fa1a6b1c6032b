"""The IR graphs of tests/ir_graphs.py, shaped like TorchScript's own, all verify."""

import pytest

from ember.ir import verify
from ir_graphs import CORPUS


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_verifies(name):
    verify(CORPUS[name]())
