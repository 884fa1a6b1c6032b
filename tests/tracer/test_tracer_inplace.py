"""In-place ops and views while tracing: writes through views, into inputs, into buffers.

Each function uses only tensor methods, so the same code is traced by ember and by
torch.jit.trace. Traced on a (4, 3) input, run on fresh (6, 3) inputs: the traced outputs and
the inputs it wrote into must equal eager ember and torch's trace.
"""

import warnings

import numpy as np
import pytest

import ember
import ember.jit
import ember.nn as nn
from compare import to_torch


def add_into_input(x):
    x.add_(1)
    return x * 2


def chained_inplace(x):
    y = x * 2
    y.mul_(3).add_(1)
    return y


def write_through_view(x):
    y = x.clone()
    y.view(-1).add_(1)
    return y


def zero_a_column(x):
    y = x.clone()
    y[:, 0].zero_()
    return y


def setitem_row(x):
    y = x.clone()
    y[1] = 5.0
    return y


def setitem_by_size(x):
    y = x.clone()
    y[: x.size(0) // 2] = 0.0
    return y


def setitem_tensor_by_size(x):
    y = x.clone()
    y[x.size(0) - 1] = x[0]
    return y


def setitem_mask(x):
    y = x.clone()
    y[y > 0] = 0.0
    return y


def transpose_then_write(x):
    y = x.clone()
    y.t()[0].fill_(7.0)
    return y


def copy_into_new(x):
    out = x.new_zeros(x.size(0), x.size(1))
    out.copy_(x.flip(0))
    return out


def relu_in_place(x):
    return (x * 1).relu_()


def returns_a_view_of_the_input(x):
    return x[1:].t()


CASES = [
    add_into_input,
    chained_inplace,
    write_through_view,
    zero_a_column,
    setitem_row,
    setitem_by_size,
    setitem_tensor_by_size,
    setitem_mask,
    transpose_then_write,
    copy_into_new,
    relu_in_place,
    returns_a_view_of_the_input,
]


def _fresh(rows, seed):
    return np.random.default_rng(seed).standard_normal((rows, 3)).astype(np.float32)


@pytest.mark.filterwarnings("error::ember.jit.TracerWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("fn", CASES, ids=lambda f: f.__name__)
def test_in_place_traces_equal_eager_and_torch(fn, torch):
    ours = ember.jit.trace(fn, ember.from_numpy(_fresh(4, 0)))
    theirs = torch.jit.trace(fn, torch.from_numpy(_fresh(4, 0)))
    data = _fresh(6, 1)
    eager_in, traced_in = ember.from_numpy(data.copy()), ember.from_numpy(data.copy())
    torch_in = torch.from_numpy(data.copy())
    eager_out, traced_out, torch_out = fn(eager_in), ours(traced_in), theirs(torch_in)
    np.testing.assert_array_equal(traced_out.numpy(), eager_out.numpy())
    np.testing.assert_array_equal(traced_in.numpy(), eager_in.numpy())  # the same writes
    np.testing.assert_allclose(traced_out.numpy(), torch_out.numpy(), rtol=1e-6)
    np.testing.assert_allclose(traced_in.numpy(), torch_in.numpy(), rtol=1e-6)


def test_check_trace_runs_each_side_on_its_own_copy_of_the_inputs():
    # add_into_input writes into its argument: eager and traced runs on one tensor would see
    # each other's writes and differ, so check_trace must clone (as PyTorch's does).
    x = ember.ones(2)
    ember.jit.trace(add_into_input, x, check_inputs=[(ember.zeros(3),)])
    np.testing.assert_array_equal(x.numpy(), [2.0, 2.0])  # written once, by the trace itself


def test_a_view_output_of_a_traced_function_shares_the_input_storage():
    traced = ember.jit.trace(returns_a_view_of_the_input, ember.ones(3, 2))
    x = ember.zeros(4, 2)
    out = traced(x)
    out[0, 0] = 9.0
    assert x[1, 0].item() == 9.0


def test_buffer_updates_are_recorded_and_shared_with_the_module():
    class Counter(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("calls", ember.zeros(1))

        def forward(self, x):
            self.calls += 1
            return x + self.calls

    module = Counter()
    traced = ember.jit.trace(module, ember.ones(2), check_trace=False)
    assert "torch.add_(calls, 1)" in traced.code
    before = module.calls.item()
    out = traced(ember.zeros(3))
    assert module.calls.item() == before + 1 and traced.calls is module.calls
    np.testing.assert_array_equal(out.numpy(), [before + 1] * 3)


def test_batchnorm_training_trace_updates_running_stats_like_torch(torch):
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    x = ember.from_numpy(_fresh(4, 2))
    traced = ember.jit.trace(ours, x, check_trace=False)
    with warnings.catch_warnings():  # torch's deprecation notice, and its own BN size check
        warnings.simplefilter("ignore")
        traced_torch = torch.jit.trace(theirs, to_torch(x), check_trace=False)
    batch = ember.from_numpy(_fresh(6, 3) + 2.0)
    np.testing.assert_allclose(
        traced(batch).numpy(), traced_torch(to_torch(batch)).detach().numpy(), rtol=1e-5
    )
    np.testing.assert_allclose(
        ours.running_mean.numpy(), theirs.running_mean.numpy(), rtol=1e-5, atol=1e-6
    )
    assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 2
