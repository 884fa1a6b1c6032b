"""`map_location` for a CPU-only loader: every storage lands on the CPU, whatever device saved it.

PyTorch users pass a device name or object (`'cpu'`, `torch.device('cpu')`), a dict from saved
locations to devices (`{'cuda:0': 'cpu'}`) or a callable `f(storage, location)`. The first two
may only ask for the CPU (ember has no other device); a callable is called with each loaded
storage and the location it was saved from, and what it returns (a storage, or None for "as
loaded") is what the tensors view, as in `torch.load`.

Example:
    >>> restorer("cpu") is None, restorer({"cuda:0": "cpu"})(None, "cuda:0")
    (True, None)
    >>> restorer("cuda")
    Traceback (most recent call last):
    ...
    RuntimeError: ember runs on the CPU only, got device='cuda'
"""

from __future__ import annotations

from ember.devices import check_cpu, device
from ember.tensor import TypedStorage, UntypedStorage

__all__ = ["restorer", "restored", "MapLocationError"]


class MapLocationError(Exception):
    """Carries an error of the user's `map_location` out of the unpickler, which would otherwise
    report it as a damaged file; the loader re-raises `error` itself."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _device_name(value) -> str | None:
    """`value` as a device string if it names a device (str, ember.device, torch.device)."""
    if isinstance(value, (str, device)):
        return str(value)
    if type(value).__name__ == "device" and isinstance(getattr(value, "type", None), str):
        return str(value)  # a torch.device, duck-typed: ember never imports torch
    return None


def restorer(map_location):
    """A function `(storage, location) -> storage or None` for `map_location`, or None if the
    storages need nothing done (every target is the CPU). Bad values raise at once."""
    if map_location is None:
        return None
    name = _device_name(map_location)
    if name is not None:
        check_cpu(name)
        return None
    if isinstance(map_location, dict):
        return _dict_restorer(map_location)
    if callable(map_location):
        return map_location
    raise TypeError(
        f"map_location must be a device, a dict or a callable, not {type(map_location).__name__}"
    )


def _dict_restorer(mapping: dict):
    targets = {}
    for saved, target in mapping.items():
        name = _device_name(target)
        if not isinstance(saved, str) or name is None:
            raise TypeError(f"map_location dict entries must map str to a device: {saved!r}")
        targets[saved] = name

    def restore(storage, location):
        target = targets.get(location)
        if target is not None:
            check_cpu(target)
        return None

    return restore


def restored(restore, storage: UntypedStorage, location: str, record: str) -> UntypedStorage:
    """The storage `restore` (a `restorer` result) makes of a loaded `storage`, checked.

    Errors (the user's, not the file's) come out wrapped in `MapLocationError`.
    """
    try:
        return _checked(restore(storage, location), storage, record)
    except Exception as exc:  # noqa: BLE001 - whatever the user's callable raises
        raise MapLocationError(exc) from exc


def _checked(result, storage: UntypedStorage, record: str) -> UntypedStorage:
    if result is None:
        return storage
    if isinstance(result, TypedStorage):
        result = result.untyped()
    if not isinstance(result, UntypedStorage):
        raise TypeError(
            f"map_location returned {type(result).__name__} for {record!r}; expected a storage"
        )
    if result.nbytes() != storage.nbytes():
        raise ValueError(
            f"map_location returned a storage of {result.nbytes()} bytes for {record!r}, "
            f"which holds {storage.nbytes()}"
        )
    return result
