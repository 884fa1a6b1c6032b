"""Execute a model source file of this folder with `torch` bound to real torch or to ember.

The files name `torch` without importing it (as `tests/corpus/dual.py` does); each is executed
once per bound module, and model files reach shared helpers (`misc.py`) through `shared`.
Each execution is registered in `sys.modules` (as real model code is: `inspect` finds class
sources through it) under a name per binding, `models_torch.resnet` or `models_ember.resnet`.
"""

import sys
from pathlib import Path
from types import SimpleNamespace

from tests.corpus.bind import bound

FOLDER = Path(__file__).parent
_loaded: dict = {}


def shared(stem: str, torch_module):
    """The file `tests/models/<stem>.py` executed with `torch` bound to `torch_module` (cached)."""
    key = (stem, torch_module.__name__)
    if key not in _loaded:
        path = SimpleNamespace(__file__=str(FOLDER / f"{stem}.py"))
        name = f"models_{torch_module.__name__}.{stem}"
        _loaded[key] = sys.modules[name] = bound(path, torch_module, name)
    return _loaded[key]
