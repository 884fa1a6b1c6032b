"""`ember.save` / `ember.load`: PyTorch-compatible checkpoints (like `torch.serialization`).

Files go both ways: `torch.load(f, weights_only=True)` reads what `ember.save` writes (zip,
legacy, compact) and `ember.load` reads `torch.save` files. Loading is safe by default: with
`weights_only=True` only tensors, containers and allowlisted globals load, and nothing in the file
runs. See docs/serialization.md.

Example:
    >>> import io, ember
    >>> buf = io.BytesIO()
    >>> ember.save({"w": ember.tensor([1.0, 2.0])}, buf)
    >>> _ = buf.seek(0)
    >>> ember.load(buf)
    {'w': tensor([1., 2.])}
"""

from __future__ import annotations

import os
import pickle

from ember.errors import SerializationError
from ember.serializer import allowlist
from ember.serializer.atomic import archive_name as _archive_name
from ember.serializer.atomic import write_atomic
from ember.serializer.guard import file_errors
from ember.serializer.legacy import is_legacy, load_legacy_at, save_legacy
from ember.serializer.location import restorer
from ember.serializer.scan import unsafe_globals
from ember.serializer.source import map_file, open_source
from ember.serializer.zipformat import load_zip, save_zip
from ember.serializer.zipreader import ZipReader

__all__ = [
    "save",
    "load",
    "add_safe_globals",
    "get_safe_globals",
    "clear_safe_globals",
    "safe_globals",
    "get_unsafe_globals_in_checkpoint",
]

DEFAULT_PROTOCOL = 2


def add_safe_globals(safe_globals) -> None:
    """Allow these globals (objects, or `(obj, "pickled.name")` pairs) in weights-only loads.

    >>> import fractions, ember
    >>> ember.serialization.add_safe_globals([fractions.Fraction])
    >>> fractions.Fraction in ember.serialization.get_safe_globals()
    True
    >>> ember.serialization.clear_safe_globals()
    """
    allowlist.add(safe_globals)


def get_safe_globals() -> list:
    """The globals added with `add_safe_globals`."""
    return allowlist.get()


def clear_safe_globals() -> None:
    """Forget every global added with `add_safe_globals`."""
    allowlist.clear()


def safe_globals(safe_globals):
    """Context manager allowing `safe_globals` for weights-only loads inside its block.

    >>> import fractions, ember
    >>> with ember.serialization.safe_globals([fractions.Fraction]):
    ...     fractions.Fraction in ember.serialization.get_safe_globals()
    True
    >>> ember.serialization.get_safe_globals()
    []
    """
    return allowlist.scoped(safe_globals)


def get_unsafe_globals_in_checkpoint(f) -> list[str]:
    """The globals in checkpoint `f` that `weights_only=True` would refuse, and the calls
    whose target the file does not name (`ember.serializer.scan`); nothing is run.

    >>> import fractions, io, ember
    >>> buf = io.BytesIO()
    >>> ember.save({"ratio": fractions.Fraction(1, 3)}, buf)
    >>> ember.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(buf.getvalue()))
    ['fractions.Fraction']
    """
    return unsafe_globals(f)


# -- saving ----------------------------------------------------------------------------------


def save(
    obj,
    f,
    pickle_module=None,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
    compact: bool = False,
) -> None:
    """Save `obj` (tensors, containers, state dicts, modules) to a path or binary file.

    Each storage is written once, whole, however many tensors view it; `compact=True` writes
    only the bytes the saved tensors reach. Saving to a path is atomic.

    >>> import io, ember
    >>> buf = io.BytesIO()
    >>> ember.save(ember.zeros(4).expand(4, 4), buf)
    >>> buf.getvalue()[:4]
    b'PK\\x03\\x04'
    """
    _check_pickle_module(pickle_module, "ember.save")
    if isinstance(f, (str, os.PathLike)):
        _save_atomic(obj, os.fspath(f), pickle_protocol, _use_new_zipfile_serialization,
                     not _disable_byteorder_record, compact)  # fmt: skip
        return
    if not hasattr(f, "write"):
        raise TypeError(f"ember.save needs a path or a writable binary file, got {type(f)}")
    _write(obj, f, "archive", pickle_protocol, _use_new_zipfile_serialization,
           not _disable_byteorder_record, compact)  # fmt: skip


def _write(obj, f, prefix, protocol, zip_format, byteorder, compact) -> None:
    if zip_format:
        save_zip(obj, f, prefix, protocol, compact, byteorder)
    else:
        save_legacy(obj, f, protocol, compact)


def archive_name(path: str) -> str:
    """The folder PyTorch puts records under: the file's basename without its last extension.

    >>> archive_name("/tmp/model.pt"), archive_name("a.b.c.pth"), archive_name("weird name.pt")
    ('model', 'a.b.c', 'weird name')
    """
    return _archive_name(path)


def _save_atomic(obj, path, protocol, zip_format, byteorder, compact) -> None:
    """Write through a temporary file beside the target, then rename it over the target."""

    def write(out, prefix):
        _write(obj, out, prefix, protocol, zip_format, byteorder, compact)

    write_atomic(path, write)


# -- loading ---------------------------------------------------------------------------------


def load(
    f,
    map_location=None,
    pickle_module=None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args,
):
    """Load an object saved by `ember.save` or `torch.save` (zip or legacy format).

    `weights_only=True` (the default) refuses every global outside the allowlist and runs
    nothing from the file; `weights_only=False` unpickles anything and so RUNS CODE FROM THE
    FILE: use it only on files you trust. As in torch.load, passing `pickle_module` (only the
    standard `pickle` is accepted) makes the default False, and `encoding`/`errors` are handed
    to the unpickler (`encoding='latin1'` for Python 2 files).

    `mmap=True` maps the file (a path) copy-on-write and makes storages views of it. ember is
    CPU-only: storages load on the CPU whatever device saved them; `map_location` may be a CPU
    device (`'cpu'`, a device object), a dict from saved locations to CPU devices, or a
    callable `f(storage, location)` returning the storage to use (None: as loaded).

    >>> import io, ember
    >>> buf = io.BytesIO()
    >>> ember.save([ember.arange(4), "meta"], buf)
    >>> ember.load(io.BytesIO(buf.getvalue()))
    [tensor([0, 1, 2, 3]), 'meta']
    """
    _check_pickle_module(pickle_module, "ember.load")
    if weights_only is None:
        weights_only = pickle_module is None
    elif weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    options = _unpickler_options(pickle_load_args)
    restore = restorer(map_location)
    if mmap:
        path = _mmap_path(f)
        with file_errors(repr(path)):
            return _load_mmap(path, weights_only, restore, options)
    start = f.tell() if hasattr(f, "tell") else None  # a stream is read from where it stands
    source = open_source(f)
    try:
        with file_errors("the checkpoint"):
            obj, used = _load_source(source, weights_only, restore, options)
    finally:
        source.close()
    if used is not None and start is not None:
        f.seek(start + used)  # as in torch.load, whatever follows a legacy file can be read next
    return obj


def _load_source(source, weights_only: bool, restore, options):
    """(object, bytes a legacy checkpoint took or None) for a zip or legacy checkpoint."""
    head = source.read(0, min(32, source.size), "file header")
    if head.startswith(b"PK\x03\x04"):
        return load_zip(ZipReader(source), weights_only, restore=restore, options=options), None
    if head.startswith(b"PYTORCH1"):
        raise SerializationError("PyTorch's preview format (PYTORCH1) is not supported")
    if is_legacy(head):
        return load_legacy_at(source, weights_only, restore, options)
    raise SerializationError(
        f"not a checkpoint: the file starts with {head[:8]!r}, neither a zip archive nor "
        "PyTorch's legacy format"
    )


def _check_pickle_module(pickle_module, who: str) -> None:
    """ember pickles with its own (de)picklers; the standard `pickle` is what they are."""
    if pickle_module is not None and pickle_module is not pickle:
        raise TypeError(
            f"{who} pickles with its own pickler; pickle_module may only be the standard "
            f"pickle module, not {getattr(pickle_module, '__name__', pickle_module)!r}"
        )


def _unpickler_options(pickle_load_args: dict) -> dict:
    """The unpickler arguments of torch.load's **pickle_load_args that ember honours."""
    unknown = set(pickle_load_args) - {"encoding", "errors"}
    if unknown:
        raise TypeError(f"ember.load got unexpected keyword arguments: {sorted(unknown)}")
    return {"encoding": "utf-8", **pickle_load_args}


def _mmap_path(f) -> str:
    """The path to map. As torch.load does, file objects are refused: their position (a second
    checkpoint after a first) would be lost on mapping the path from byte 0."""
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    raise SerializationError(
        "f must be a file path in order to use the mmap argument (mmap=True maps the file "
        f"from its first byte; got {type(f).__name__})"
    )


def _load_mmap(path: str, weights_only: bool, restore, options):
    """The directory and pickles are read with ordinary reads; only storages view the mapping,
    so a file cut short while mapped fails here instead of killing the process (SIGBUS).
    Touching tensor data whose file was cut after loading is the operating system's business."""
    source = open_source(path)
    try:
        if source.read(0, min(4, source.size), "file header") != b"PK\x03\x04":
            raise SerializationError(
                "mmap can only be used with files saved with the zip format "
                "(_use_new_zipfile_serialization=True)"
            )
        reader = ZipReader(source)
        mapping = map_file(path, source.size)
        return load_zip(reader, weights_only, mapping=mapping, restore=restore, options=options)
    finally:
        source.close()
