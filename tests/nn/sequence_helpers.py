"""Shared by the sequence-layer tests: torch/ember twins of MultiheadAttention, transformer
encoders and LSTMs with torch's weights copied across, and float32 comparisons."""

import numpy as np
import torch

import ember
from compare import from_torch

RTOL, ATOL = 1e-5, 1e-6


def twins(factory, scale: float = 0.2, seed: int = 0):
    """(ember module, torch module) from `factory(nn)`, both in eval mode, with torch's
    parameters redrawn from N(0, scale) (every bias and norm weight non-trivial) and copied."""
    torch.manual_seed(seed)
    theirs = factory(torch.nn).eval()
    ours = factory(ember.nn).eval()
    with torch.no_grad():
        for p in theirs.parameters():
            p.normal_(0.0, scale)
    state = {k: from_torch(v) for k, v in theirs.state_dict().items()}
    assert list(state) == list(ours.state_dict())
    ours.load_state_dict(state)
    return ours, theirs


def ember_args(args):
    return tuple(from_torch(a) if isinstance(a, torch.Tensor) else a for a in args)


def ember_kwargs(kwargs):
    return {k: from_torch(v) if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()}


def assert_close(ours, theirs, rtol=RTOL, atol=ATOL):
    """Nested outputs equal within float32 tolerance (None where torch has None)."""
    if theirs is None:
        assert ours is None
        return
    if isinstance(theirs, tuple | list):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            assert_close(o, t, rtol, atol)
        return
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)
