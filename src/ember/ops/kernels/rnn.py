"""numpy kernels for recurrent layers: aten::lstm (what nn.LSTM, its archives and traces call).

`params` is torch's flat weight list: for each layer, for each direction, ``w_ih, w_hh``,
then ``b_ih, b_hh`` when `has_biases`, then ``w_hr`` when the layer projects (proj_size > 0).
Each layer projects every time step's input in one matmul; only the recurrence loops over
time. Gates are ordered input, forget, cell, output, as in torch.

Example:
    >>> import numpy as np
    >>> x = np.ones((2, 1, 3), np.float32)                # (T, B, input_size)
    >>> h0 = np.zeros((1, 1, 2), np.float32)
    >>> w = [np.full((8, 3), 0.1, np.float32), np.zeros((8, 2), np.float32)]
    >>> out, h, c = lstm(x, [h0, h0], w, False, 1, 0.0, False, False, False)
    >>> out.shape, h.shape, bool(np.allclose(out[-1], h[0]))
    ((2, 1, 2), (1, 1, 2), True)
"""

from __future__ import annotations

import numpy as np

from ember.ops.kernels import nn_norm
from ember.ops.table import register

__all__ = ["lstm", "lstm_data"]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _layer_weights(params, has_biases: bool, num_layers: int, directions: int):
    """[(w_ih, w_hh, bias or None, w_hr or None)] per (layer, direction), in torch's order."""
    per = len(params) // (num_layers * directions)
    plain = 4 if has_biases else 2
    if per not in (plain, plain + 1) or per * num_layers * directions != len(params):
        raise RuntimeError(f"lstm: {len(params)} parameters do not fit {num_layers} layers")
    out = []
    for i in range(0, len(params), per):
        group = params[i : i + per]
        bias = group[2] + group[3] if has_biases else None
        out.append((group[0], group[1], bias, group[plain] if per > plain else None))
    return out


def _run_direction(xs, h, c, weights, reverse: bool):
    """One direction of one layer over time-major xs (T, B, I): outputs (T, B, H) and h, c."""
    w_ih, w_hh, bias, w_hr = weights
    gates_in = np.matmul(xs, w_ih.T)
    if bias is not None:
        gates_in += bias
    steps = range(xs.shape[0] - 1, -1, -1) if reverse else range(xs.shape[0])
    outputs = np.empty((xs.shape[0], xs.shape[1], h.shape[-1]), xs.dtype)
    w_hh_t = w_hh.T
    for t in steps:
        gates = gates_in[t] + np.matmul(h, w_hh_t)
        i, f, g, o = np.split(gates, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        if w_hr is not None:
            h = np.matmul(h, w_hr.T)
        outputs[t] = h
    return outputs, h, c


def lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """aten::lstm.input: a multi-layer LSTM over (T, B, I) input (batch first: (B, T, I));
    returns (output, h_n, c_n)."""
    xs = input.swapaxes(0, 1) if batch_first else input
    h0, c0 = hx
    directions = 2 if bidirectional else 1
    weights = _layer_weights(params, has_biases, num_layers, directions)
    h_n, c_n = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(directions):
            k = layer * directions + d
            out, h, c = _run_direction(xs, h0[k], c0[k], weights[k], d == 1)
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
        xs = outs[0] if directions == 1 else np.concatenate(outs, axis=-1)
        if train and dropout > 0 and layer < num_layers - 1:
            xs = nn_norm.dropout(xs, dropout, True, nn_norm._generator())
    output = xs.swapaxes(0, 1) if batch_first else xs
    return np.ascontiguousarray(output), np.stack(h_n), np.stack(c_n)


def lstm_data(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional):
    """aten::lstm.data on a packed sequence whose batch sizes are all equal (no padding)."""
    sizes = np.asarray(batch_sizes)
    if sizes.size and (sizes != sizes[0]).any():
        raise RuntimeError("lstm.data: ember runs packed sequences of equal lengths only")
    steps = sizes.size
    xs = data.reshape(steps, data.shape[0] // max(steps, 1), data.shape[-1])
    out, h, c = lstm(xs, hx, params, has_biases, num_layers, dropout, train, bidirectional, False)
    return out.reshape(data.shape[0], out.shape[-1]), h, c


register(
    "lstm.input(Tensor input, Tensor[] hx, Tensor[] params, bool has_biases, int num_layers, "
    "float dropout, bool train, bool bidirectional, bool batch_first) -> (Tensor, Tensor, Tensor)",
    lstm,
    traits=("nondeterministic",),
    doc="multi-layer LSTM over a sequence; returns (output, h_n, c_n)",
)
register(
    "lstm.data(Tensor data, Tensor batch_sizes, Tensor[] hx, Tensor[] params, bool has_biases, "
    "int num_layers, float dropout, bool train, bool bidirectional) -> (Tensor, Tensor, Tensor)",
    lstm_data,
    traits=("nondeterministic",),
    doc="multi-layer LSTM over a packed sequence (equal lengths only)",
)
