"""LSTM, with torch's parameter names (weight_ih_l0, bias_hh_l1_reverse, weight_hr_l0, ...).

The forward pass is one call of aten::lstm with the flat weight list, the op torch's own
LSTM, its scripted archives and its traces call.

Example:
    >>> import ember
    >>> from ember import nn
    >>> lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True)
    >>> out, (h, c) = lstm(ember.ones(1, 5, 3))
    >>> out.shape, h.shape, c.shape
    (ember.Size([1, 5, 4]), ember.Size([2, 1, 4]), ember.Size([2, 1, 4]))
    >>> [name for name, _ in lstm.named_parameters()][:4]
    ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
"""

# ruff: noqa: UP006, UP007, UP035, UP045 - typing.Optional/List: the scripting subset's spelling

import math
from typing import List, Optional, Tuple

from ember.nn import init
from ember.nn.module import Module
from ember.nn.modules._factory import empty
from ember.nn.parameter import Parameter
from ember.tensor import functions as E  # noqa: N812 - short for the ember.* functions
from ember.tensor.dispatch import call as _call
from ember.tensor.tensor import Tensor

__all__ = ["LSTM"]


def _op(name: str):
    def mark(fn):
        fn.__ember_op__ = name
        return fn

    return mark


@_op("aten::lstm")
def _aten_lstm(
    input: Tensor, hx: List[Tensor], params: List[Tensor], has_biases: bool, num_layers: int,
    dropout: float, train: bool, bidirectional: bool, batch_first: bool,
) -> Tuple[Tensor, Tensor, Tensor]:  # fmt: skip
    return _call("aten::lstm.input", input, hx, params, has_biases, num_layers, dropout, train,
                 bidirectional, batch_first)  # fmt: skip


def _names(layer: int, suffix: str, bias: bool, proj: bool) -> List[str]:
    names = [f"weight_ih_l{layer}{suffix}", f"weight_hh_l{layer}{suffix}"]
    if bias:
        names += [f"bias_ih_l{layer}{suffix}", f"bias_hh_l{layer}{suffix}"]
    if proj:
        names.append(f"weight_hr_l{layer}{suffix}")
    return names


class LSTM(Module):
    """A multi-layer long short-term memory network over (L, N, H_in) input ((N, L, H_in)
    with `batch_first`, or unbatched (L, H_in)); returns ``(output, (h_n, c_n))``.

    `proj_size` > 0 projects each hidden state to that size (weight_hr_l*); `dropout`
    applies between layers in training; `bidirectional` adds a reverse pass per layer.
    """

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]  # fmt: skip

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
        batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
        proj_size: int = 0, device=None, dtype=None,
    ) -> None:  # fmt: skip
        super().__init__()
        self._check_sizes(hidden_size, num_layers, dropout, proj_size)
        self.mode = "LSTM"
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._flat_weights_names: List[str] = []
        self._make_weights(dtype)
        self._flat_weights = [getattr(self, n) for n in self._flat_weights_names]
        self.reset_parameters()

    @staticmethod
    def _check_sizes(hidden_size, num_layers, dropout, proj_size) -> None:
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")  # fmt: skip
        if hidden_size <= 0 or num_layers <= 0:
            raise ValueError("hidden_size and num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")

    def _make_weights(self, dtype) -> None:
        directions = 2 if self.bidirectional else 1
        out_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        gates = 4 * self.hidden_size
        for layer in range(self.num_layers):
            in_size = self.input_size if layer == 0 else out_size * directions
            for direction in range(directions):
                shapes = [(gates, in_size), (gates, out_size)]
                if self.bias:
                    shapes += [(gates,), (gates,)]
                if self.proj_size > 0:
                    shapes.append((self.proj_size, self.hidden_size))
                suffix = "_reverse" if direction == 1 else ""
                names = _names(layer, suffix, self.bias, self.proj_size > 0)
                for name, shape in zip(names, shapes):
                    setattr(self, name, Parameter(empty(shape, dtype)))
                self._flat_weights_names.extend(names)

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def __setattr__(self, name: str, value) -> None:
        super().__setattr__(name, value)
        if (
            name in self.__dict__.get("_flat_weights_names", ())
            and "_flat_weights" in self.__dict__
        ):
            self._refresh_flat_weights()

    def _refresh_flat_weights(self) -> None:
        self._flat_weights = [getattr(self, n) for n in self._flat_weights_names]

    def _apply_to_tensors(self, convert):
        out = super()._apply_to_tensors(convert)
        self._refresh_flat_weights()
        return out

    def _load_from_state_dict(self, *args, **kwargs):
        super()._load_from_state_dict(*args, **kwargs)
        self._refresh_flat_weights()

    def forward(
        self, input: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None
    ) -> Tuple[Tensor, Tuple[Tensor, Tensor]]:
        batch_dim = 0 if self.batch_first else 1
        is_batched = input.dim() == 3
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        directions = 2 if self.bidirectional else 1
        out_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            layers = self.num_layers * directions
            h0 = E.zeros([layers, input.size(batch_dim), out_size], dtype=input.dtype)
            c0 = E.zeros([layers, input.size(batch_dim), self.hidden_size], dtype=input.dtype)
        else:
            h0, c0 = hx
            if not is_batched:
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
        output, h_n, c_n = _aten_lstm(input, [h0, c0], self._flat_weights, self.bias,
                                      self.num_layers, self.dropout, self.training,
                                      self.bidirectional, self.batch_first)  # fmt: skip
        if not is_batched:
            return output.squeeze(batch_dim), (h_n.squeeze(1), c_n.squeeze(1))
        return output, (h_n, c_n)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        return text
