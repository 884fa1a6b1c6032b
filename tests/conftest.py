"""Shared test fixtures: torch 2.13 is the oracle (imported lazily, tests only)."""

import sys
from pathlib import Path

import pytest

import ember.ir.pipeline

sys.path.insert(0, str(Path(__file__).parent))
ember.ir.pipeline.VERIFY_EACH_PASS = True  # the verifier runs after lowering and every pass


@pytest.fixture(scope="session")
def torch():
    import torch as torch_module

    torch_module.set_num_threads(1)
    return torch_module
