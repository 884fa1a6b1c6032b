"""ember's main job, end to end: tensors and views, a module and its state dict, a checkpoint
round trip, scripting, running the scripted module, saving it as a TorchScript archive, loading
it back and running it, and running the same archive in the C++ runtime (ember.cpp)."""

import tempfile
import zipfile
from pathlib import Path

import ember
import ember.cpp
import ember.nn as nn


class MyModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(4, 2)
        self.l1 = nn.Linear(2, 1)

    def forward(self, input):
        if input.dim() > 1:
            return ember.tensor(0)
        return self.l1(nn.functional.relu(self.l0(input)))


def show(title, value):
    print(f"--- {title}\n{value!s}")


def main():
    ember.manual_seed(0)
    numbers = ember.arange(1, 10)
    evens = numbers[1::2]
    evens *= 2
    show("a view writes through to its base", numbers)
    show("expand shares a 4-element storage", ember.zeros(4).expand(4, 4).storage())

    module = MyModule()
    show("state dict", module.state_dict())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "weights.pt"
        ember.save(module.state_dict(), path)
        fresh = MyModule()
        show("load_state_dict", fresh.load_state_dict(ember.load(path)))

    x = ember.tensor([1.0, 2.0, 3.0, 4.0])
    scripted = ember.jit.script(module)
    show("scripted code", scripted.code)
    show("eager forward", module(x))
    show("scripted forward", scripted(x))
    show("scripted forward, 2-D input", scripted(ember.randn(2, 4)))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "my_module.pt"
        ember.jit.save(scripted, path)  # torch.jit.load reads it too
        loaded = ember.jit.load(path)
        show("archive records", "\n".join(sorted(_records(path))))
        show("loaded archive, forward", loaded(x))
        deployed = ember.cpp.load(path)  # the C++ runtime: no Python in forward
        show("C++ runtime (ember.cpp), forward", deployed.forward(x))
        show("C++ runtime (ember.cpp), 2-D input", deployed.forward(ember.ones(2, 4)))


def _records(path):
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


if __name__ == "__main__":
    main()
