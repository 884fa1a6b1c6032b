"""Pieces of torchvision-style models, written as their reference code writes them, run with
`torch` bound to ember or to real torch (`tests.corpus.bind.bound`): functional calls with
keyword arguments, overload declarations, ModuleDict subclasses, NamedTuple outputs,
`torch._assert`, `is_scripting`/`is_tracing`, `warnings.warn` and `Final` constants."""
# ruff: noqa: F811, F821, UP006, UP031, UP035, UP045 - typing.List etc. on purpose, as torchvision writes

import warnings
from collections import namedtuple
from typing import List, NamedTuple, Optional

if "torch" in globals():  # class bodies need the bound module (``bound``)
    nn = torch.nn
    F = torch.nn.functional
    Tensor = torch.Tensor

    class Keywords(nn.Module):
        """Functional calls with keyword arguments, as torchvision's models make them."""

        def __init__(self):
            super().__init__()
            self.drop_rate = 0.25

        def forward(self, x):
            x = F.relu(x, inplace=True)
            x = F.dropout(x, self.drop_rate, training=self.training)
            x = F.dropout(x, p=self.drop_rate, training=False)
            x = F.adaptive_avg_pool2d(x, output_size=1)
            y = F.adaptive_avg_pool2d(x, (1, 1))
            x = torch.flatten(x, start_dim=1)
            return torch.cat(tensors=[x, torch.flatten(y, 1)], dim=1)

    class DenseLayer(nn.Module):
        """DenseNet's layer: forward declared for List[Tensor] and Tensor."""

        def __init__(self, channels: int, growth: int, memory_efficient: bool = False):
            super().__init__()
            self.conv = nn.Conv2d(channels, growth, 1)
            self.memory_efficient = memory_efficient

        def bn_function(self, inputs: List[Tensor]) -> Tensor:
            return F.relu(self.conv(torch.cat(inputs, 1)))

        @torch.jit.unused
        def call_checkpoint_bottleneck(self, input: List[Tensor]) -> Tensor:
            def closure(*inputs):
                return self.bn_function(inputs)

            return closure(*input)

        @torch.jit._overload_method  # noqa: F811
        def forward(self, input: List[Tensor]) -> Tensor:
            pass

        @torch.jit._overload_method  # noqa: F811
        def forward(self, input: Tensor) -> Tensor:
            pass

        def forward(self, input):  # noqa: F811
            if isinstance(input, Tensor):
                prev_features = [input]
            else:
                prev_features = input
            if self.memory_efficient:
                if torch.jit.is_scripting():
                    raise Exception("Memory Efficient not supported in JIT")
                return self.call_checkpoint_bottleneck(prev_features)
            return self.bn_function(prev_features)

    class DenseBlock(nn.ModuleDict):
        """DenseNet's block: a ModuleDict subclass whose forward iterates self.items()."""

        def __init__(self, layers: int, channels: int, growth: int):
            super().__init__()
            for i in range(layers):
                self.add_module("denselayer%d" % (i + 1), DenseLayer(channels + i * growth, growth))

        def forward(self, init_features: Tensor) -> Tensor:
            features = [init_features]
            for name, layer in self.items():
                features.append(layer(features))
            return torch.cat(features, 1)

    class Dense(nn.Module):
        def __init__(self):
            super().__init__()
            self.first = DenseLayer(3, 3)
            self.block = DenseBlock(2, 6, 2)

        def forward(self, x):
            return self.block(torch.cat([x, self.first(x)], 1))

    GoogLeNetOutputs = namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2", "aux_logits1"])
    GoogLeNetOutputs.__annotations__ = {
        "logits": Tensor,
        "aux_logits2": Optional[Tensor],
        "aux_logits1": Optional[Tensor],
    }

    class Pair(NamedTuple):
        total: Tensor
        count: int

    class Google(nn.Module):
        """GoogLeNet's outputs: a collections.namedtuple built, read and returned."""

        def __init__(self):
            super().__init__()
            self.aux = True

        def forward(self, x) -> GoogLeNetOutputs:
            outs = GoogLeNetOutputs(x + 1, None, aux_logits1=x * 2)
            a, b, c = outs
            aux: Optional[Tensor] = None
            if self.aux and c is not None:
                aux = c + outs[0]
            return GoogLeNetOutputs(outs.logits + a, aux, outs.aux_logits1)

    class Counted(nn.Module):
        """A typing.NamedTuple class returned, with a non-tensor field."""

        def forward(self, x) -> Pair:
            p = Pair(x.sum(), x.dim())
            return Pair(total=p.total * p.count, count=p[1] + 1)

    class Guards(nn.Module):
        """torch._assert, is_scripting, is_tracing, warnings.warn, Final and __constants__."""

        scale: torch.jit.Final[int]
        __constants__ = ["shift"]

        def __init__(self):
            super().__init__()
            self.scale = 3
            self.shift = 2

        def forward(self, x):
            torch._assert(x.dim() == 2, "expected a 2-d input")
            if torch.jit.is_scripting():
                warnings.warn("running scripted")
            if torch.jit.is_tracing():
                x = x * 1
            return x * self.scale + self.shift

    class Probe(torch.nn.Module):
        """What MultiheadAttention and TransformerEncoderLayer test before their fast path."""

        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.linspace(-1.0, 1.0, 4))
            self.bias: Optional[torch.Tensor] = None

        def forward(self, x, mask: Optional[torch.Tensor] = None):
            flags = [x.is_nested, x.requires_grad, torch.is_autocast_enabled()]
            if any(flags) or x.device.type != "cpu":
                raise ValueError("no fast path")
            sizes: List[int] = [x.size(0), x.size(-1)]
            if not all([s > 0 for s in sizes]):
                raise RuntimeError("empty")
            y = torch.flatten(x * self.weight, start_dim=0)
            if mask is not None:
                y = y.masked_fill(mask.flatten(), value=0.0)
            if self.bias is not None:
                y = y + self.bias
            if torch.is_grad_enabled():
                y = y + 1
            return torch.cat(tensors=[y, y.sum(dim=0, keepdim=True)], dim=0)
