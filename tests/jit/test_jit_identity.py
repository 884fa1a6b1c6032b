"""`a is b` between two values (not None) compiles to aten::__is__, as in TorchScript."""

import torch

import ember


def _same(x: ember.Tensor, y: ember.Tensor):
    return x is y, x is not y


def _torch_same(x: torch.Tensor, y: torch.Tensor):
    return x is y, x is not y


def test_identity_between_tensors_matches_torch():
    ours = ember.jit.script(_same)
    theirs = torch.jit.script(_torch_same)
    a, b = ember.ones(2), ember.ones(2)
    ta, tb = torch.ones(2), torch.ones(2)
    assert ours(a, a) == theirs(ta, ta) == (True, False)
    assert ours(a, b) == theirs(ta, tb) == (False, True)
    assert "aten::__is__" in str(ours.graph)
