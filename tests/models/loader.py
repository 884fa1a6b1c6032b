"""Execute a model source file of this folder with `torch` bound to real torch or to ember.

The files name `torch` without importing it (as `tests/corpus/dual.py` does); each is executed
once per bound module, and model files reach shared helpers (`misc.py`) through `shared`.
"""

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
        _loaded[key] = bound(path, torch_module, f"tests.models.{stem}")
    return _loaded[key]
