"""nn.LSTM and aten::lstm against torch 2.13: eager, scripted, traced; parameter names."""

import numpy as np
import pytest
import torch
from sequence_helpers import assert_close, ember_args, twins

import ember
from ember import nn
from ember.tensor.dispatch import call

CONFIGS = {
    "one_layer": dict(),
    "two_layers_batch_first_bidirectional": dict(
        num_layers=2, batch_first=True, bidirectional=True
    ),  # fmt: skip
    "proj_no_bias_dropout": dict(num_layers=2, proj_size=3, bias=False, dropout=0.3),
    "bidirectional_proj": dict(bidirectional=True, proj_size=2),
}


def _input(config, unbatched=False):
    torch.manual_seed(3)
    if unbatched:
        return torch.randn(4, 5)
    return torch.randn(2, 4, 5) if config.get("batch_first") else torch.randn(4, 2, 5)


@pytest.mark.parametrize("name", CONFIGS)
def test_lstm_eager_scripted_traced(name):
    ours, theirs = twins(lambda n: n.LSTM(5, 6, **CONFIGS[name]), scale=0.4)
    x = _input(CONFIGS[name])
    expected = theirs(x)
    assert_close(ours(*ember_args((x,))), expected)
    assert_close(ember.jit.script(ours)(*ember_args((x,))), expected)
    assert_close(ember.jit.trace(ours, ember_args((x,)))(*ember_args((x,))), expected)


@pytest.mark.parametrize("name", ["one_layer", "proj_no_bias_dropout"])
def test_lstm_given_state_and_unbatched(name):
    ours, theirs = twins(lambda n: n.LSTM(5, 6, **CONFIGS[name]), scale=0.4)
    x = _input(CONFIGS[name], unbatched=True)
    _, state = theirs(x)
    expected = theirs(x, state)
    args = (*ember_args((x,)), ember_args(state))
    assert_close(ours(*args), expected)
    assert_close(ember.jit.script(ours)(*args), expected)


def test_lstm_parameter_names_are_torchs():
    config = dict(num_layers=2, bidirectional=True, proj_size=2)
    names = [n for n, _ in nn.LSTM(4, 3, **config).named_parameters()]
    assert names == [n for n, _ in torch.nn.LSTM(4, 3, **config).named_parameters()]
    assert "weight_hr_l1_reverse" in names


def test_lstm_flat_weights_follow_reassignment_and_dtype():
    lstm = nn.LSTM(3, 2)
    lstm.weight_ih_l0 = nn.Parameter(ember.zeros(8, 3))
    assert lstm._flat_weights[0] is lstm.weight_ih_l0
    lstm.double()
    assert lstm._flat_weights[1].dtype == ember.float64
    assert lstm(ember.ones(2, 1, 3, dtype=ember.float64))[0].dtype == ember.float64


def test_lstm_dropout_between_layers_only_in_training():
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = ember.ones(5, 1, 3)
    ember.manual_seed(0)
    assert not bool((lstm.train()(x)[0] == lstm.eval()(x)[0]).all())


def test_lstm_op_on_packed_data_of_equal_lengths():
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(3, 4)
    x = torch.randn(5, 2, 3)
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, [5, 5])
    expected, _ = theirs(packed)
    h0 = ember.zeros(1, 2, 4)
    weights = ember_args(tuple(theirs._flat_weights))
    data, sizes = ember_args((packed.data, packed.batch_sizes))
    got = call("aten::lstm.data", data, sizes, [h0, h0], list(weights), True, 1, 0.0, False,
               False)  # fmt: skip
    np.testing.assert_allclose(got[0].numpy(), expected.data.detach().numpy(), rtol=1e-5,
                               atol=1e-6)  # fmt: skip


def test_lstm_argument_errors():
    with pytest.raises(ValueError, match="proj_size has to be smaller"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="dropout should be a number"):
        nn.LSTM(3, 4, dropout=2.0)
