"""Modules: submodules, containers, attributes, constants, exported and ignored methods."""

import math

import ember
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.jit import Final


class MyModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(4, 2)
        self.l1 = nn.Linear(2, 1)

    def forward(self, input):
        out0 = self.l0(input)
        out0_relu = torch.nn.functional.relu(out0)
        return self.l1(out0_relu)


class ControlFlowModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(4, 2)
        self.l1 = nn.Linear(2, 1)

    def forward(self, input):
        if input.dim() > 1:
            return torch.tensor(0)
        out0 = self.l0(input)
        out0_relu = torch.nn.functional.relu(out0)
        return self.l1(out0_relu)


class Stack(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        self.scale = 0.5

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = F.relu(layer(x)) * self.scale + i
        return x


class SeqModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))

    def forward(self, x):
        return self.body(x)


class Base(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def helper(self, x, times: int = 2):
        for _ in range(times):
            x = self.fc(x)
        return x


class Child(Base):
    depth: Final[int] = 2
    __constants__ = ["mode"]

    def __init__(self):
        super().__init__()
        self.mode = "double"
        self.offsets: list[int] = [1, 2]

    def forward(self, x, *, extra: torch.Tensor | None = None):
        y = self.helper(x, times=self.depth)
        if self.mode == "double":
            y = y * 2
        if extra is not None:
            y = y + extra
        return y + self.offsets[1]

    @ember.jit.export
    def describe(self, k: int) -> int:
        return k + self.depth

    @ember.jit.ignore
    def python_only(self, x):
        return x


class Dict_(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.Linear(2, 2)})

    def forward(self, x):
        return self.heads["a"](x) - self.heads["b"](x)


class EarlyExitLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(4)])

    def forward(self, x, stop: int):
        for i, layer in enumerate(self.layers):
            if i == 1:
                continue
            if i == stop:
                break
            if i == 3:
                return layer(x) * 100
            x = layer(x)
        return x


class TrainingFlag(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("count", ember.zeros(1))

    def forward(self, x):
        if self.training:
            return x * 2
        return x + self.count


class FunctionAttr(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = F.relu
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        if not ember.jit.is_scripting() and hasattr(self, "debug"):
            print("eager only")
        if hasattr(self, "fc"):
            x = self.fc(x)
        return self.act(x)


class Counter(nn.Module):
    history: list[float]

    def __init__(self):
        super().__init__()
        self.calls = 0
        self.history = []
        self.register_buffer("total", ember.zeros(2))

    def forward(self, x):
        self.calls += 1
        self.history.append(math.sqrt(4.0) * self.calls)
        self.total = self.total + x
        return self.total * self.calls


@ember.jit.script
def scripted_helper(x, k: int):
    return x * k


class UsesScripted(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = ember.jit.script(nn.Linear(2, 2))

    def forward(self, x):
        return scripted_helper(self.inner(x), 3)


CASES = [
    ("MyModule", MyModule, lambda: (ember.randn(4),)),
    ("ControlFlowModule_1d", ControlFlowModule, lambda: (ember.randn(4),)),
    ("ControlFlowModule_2d", ControlFlowModule, lambda: (ember.randn(2, 4),)),
    ("Stack_ModuleList", Stack, lambda: (ember.randn(2, 4),)),
    ("Sequential", SeqModel, lambda: (ember.randn(3, 4),)),
    ("inherited_helper_final", Child, lambda: (ember.randn(2, 3),)),
    ("ModuleDict", Dict_, lambda: (ember.randn(2),)),
    ("training_flag", TrainingFlag, lambda: (ember.randn(2),)),
    ("eval_flag", lambda: TrainingFlag().eval(), lambda: (ember.randn(2),)),
    ("function_attr", FunctionAttr, lambda: (ember.randn(2, 3),)),
    ("unrolled_break", EarlyExitLayers, lambda: (ember.randn(2), 2)),
    ("unrolled_return", EarlyExitLayers, lambda: (ember.randn(2), 9)),
    ("set_attr", Counter, lambda: (ember.randn(2),)),
    ("scripted_parts", UsesScripted, lambda: (ember.randn(2),)),
]
