"""Modules scripted by both ember and torch 2.13 (`tests.corpus.bind.bound` executes this
file with `torch` bound to either), to compare results, reprs, code and module state."""
# ruff: noqa: F821, UP006, UP035, UP045 - typing.List etc. on purpose

from typing import Dict, List, Optional

if "torch" in globals():  # class bodies need the bound module (``bound``)

    class Base(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(3, 3)

        def helper(self, x, times: int = 2):
            for _ in range(times):
                x = self.fc(x)
            return x

    class Child(Base):
        __constants__ = ["mode", "dims"]
        depth: torch.jit.Final[int]

        def __init__(self):
            super().__init__()
            self.mode = "double"
            self.depth = 2
            self.dims = [1, 2]
            self.table: Dict[str, int] = {"a": 1}
            self.opt: Optional[torch.Tensor] = None
            self.seq = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.ReLU())
            self.ml = torch.nn.ModuleList([torch.nn.Linear(3, 3), torch.nn.Tanh()])
            self.md = torch.nn.ModuleDict({"a": torch.nn.Linear(3, 3), "b": torch.nn.ReLU()})
            self.register_buffer("buf", torch.ones(3))
            self.scale = 1.5
            self.count = 0

        def forward(self, x, k: int = 1):
            y = self.helper(x, times=self.depth)
            for d in self.dims:
                y = y + d
            for m in self.ml:
                y = m(y)
            for i, m in enumerate(self.seq):
                y = m(y) + i
            names: List[str] = []
            for name, m in self.md.items():
                y = m(y)
                names.append(name)
            for m in self.md.values():
                y = m(y)
            for name in self.md.keys():  # noqa: SIM118 - keys() on purpose
                names.append(name)
            y = self.md["a"](y) + self.ml[0](y) + self.seq[-1](y)
            if self.opt is not None:
                y = y + self.opt
            if self.mode == "double":
                y = y * 2
            self.count += 1
            n = len(self.ml) + len(self.md) + len(self.seq) + len(names)
            return y * self.scale + self.buf + self.table["a"] + n + self.other(k)

        @torch.jit.export
        def other(self, k: int) -> int:
            return k * 3 + self.depth

        @torch.jit.ignore
        def python_only(self, x):
            return x
