"""The guard at the load entry points: no raw Python error escapes for a bad file.

The readers raise `SerializationError` for every problem they know of; `file_errors` catches
whatever else a damaged or hostile file could still provoke (`KeyError`, `TypeError`,
`RecursionError`, `MemoryError`, `struct.error`, ...) and raises `SerializationError` with the
original chained as `__cause__`. Errors of the user's `map_location` callable come out as they
were raised; `OSError`s (a missing or unreadable file) stay `OSError`s, as in torch.load.

Example:
    >>> with file_errors("the checkpoint"):
    ...     {}["missing"]
    Traceback (most recent call last):
    ...
    ember.errors.SerializationError: cannot load the checkpoint: KeyError: 'missing'
"""

from __future__ import annotations

import contextlib

from ember.errors import EmberError, SerializationError
from ember.serializer.location import MapLocationError
from ember.serializer.shown import error_text

__all__ = ["file_errors"]


@contextlib.contextmanager
def file_errors(what: str):
    """Turn any non-ember error raised in the block into a `SerializationError` about `what`."""
    try:
        yield
    except (EmberError, OSError):
        raise
    except MapLocationError as exc:
        raise exc.error from None
    except Exception as exc:  # noqa: BLE001 - the point: nothing raw escapes a loader
        raise SerializationError(f"cannot load {what}: {error_text(exc)}") from exc
