"""The trusting unpickler (weights_only=False): it RUNS CODE FROM THE FILE.

`FullUnpickler` is the C unpickler, mapping PyTorch's names to ember's objects as the
allowlisting `WeightsUnpickler` does but resolving every other global normally. A prescan
refuses pickles whose opcodes would make the C unpickler allocate far more than the file
holds. No budgets apply beyond that: a file loaded this way can do anything.

Example:
    >>> import io, pickle
    >>> FullUnpickler(io.BytesIO(pickle.dumps([1, "a"], protocol=2)), None).load()
    [1, 'a']
"""

from __future__ import annotations

import pickle
import pickletools

from ember.errors import SerializationError
from ember.serializer.unpickler import Persistent, is_torch_module, resolve_torch_global

__all__ = ["FullUnpickler"]


class FullUnpickler(Persistent, pickle.Unpickler):
    """weights_only=False: any global resolves (PyTorch's names map to ember's objects)."""

    def __init__(
        self, f, load_storage, what: str = "the pickle", encoding="utf-8", errors="strict"
    ):
        _prescan(f, what)
        super().__init__(f, encoding=encoding, errors=errors)
        self.load_storage = load_storage

    def find_class(self, module, name):
        found = resolve_torch_global(module, name)
        if found is not None:
            return found
        if is_torch_module(module):
            raise SerializationError(f"the file needs {module}.{name}, which ember does not have")
        return super().find_class(module, name)


def _prescan(f, what: str) -> None:
    """Parse the pickle once before the C unpickler runs; `f` is left where it was.

    The C unpickler allocates what opcodes claim before reading: a memo array as long as the
    largest PUT/LONG_BINPUT index, and BINBYTES8/BYTEARRAY8 buffers of the stated length, so a
    10-byte pickle could make it allocate gigabytes. Picklers number memo entries from 0
    upwards, so a genuine index is smaller than its position; `genops` reads lengths only as
    far as the data goes, so a truncated or garbled pickle fails here, before anything runs.
    """
    start = f.tell()
    try:
        for op, arg, pos in pickletools.genops(f):
            if op.name in ("PUT", "LONG_BINPUT") and not 0 <= arg <= pos:
                raise SerializationError(
                    f"{what}: memo index {arg} at byte {pos} exceeds the pickle's size"
                )
    except SerializationError:
        raise
    except Exception as exc:  # noqa: BLE001  (ValueError, EOFError, UnicodeError ... from genops)
        raise SerializationError(f"{what}: the pickle is corrupt or truncated ({exc})") from None
    finally:
        f.seek(start)
