"""The `ember` command: look inside checkpoints without running anything in them.

    ember inspect FILE   list every tensor (dotted path, dtype, shape, storage) in a checkpoint
    ember check FILE     list the globals a full-pickle load would need; exit 1 if any are unsafe

Both load with `weights_only=True` semantics: nothing in the file executes. Exit status 2 means
the file could not be read; the message names the problem.

Example:
    >>> import io, ember
    >>> from ember.cli import describe
    >>> print("\\n".join(describe({"w": ember.zeros(2, 3)})))
    w  float32  [2, 3]  storage 0 (24 bytes), offset 0
    1 tensor, 1 storage, 24 bytes
"""

from __future__ import annotations

import argparse
import sys

from ember.errors import SerializationError
from ember.serialization import get_unsafe_globals_in_checkpoint, load
from ember.tensor import Tensor

__all__ = ["main", "describe"]


def _walk(obj, path):
    if isinstance(obj, Tensor):
        yield path, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(obj, list | tuple):
        for index, value in enumerate(obj):
            yield from _walk(value, f"{path}.{index}" if path else str(index))


def describe(obj) -> list[str]:
    """One line per tensor in `obj` (nested dicts, lists, tuples), then a summary line."""
    lines, storages = [], {}
    for path, tensor in _walk(obj, ""):
        storage = tensor.untyped_storage()
        number = storages.setdefault(id(storage), (len(storages), storage.nbytes()))[0]
        lines.append(
            f"{path or '<root>'}  {tensor.dtype.name}  {list(tensor.shape)}  "
            f"storage {number} ({storage.nbytes()} bytes), offset {tensor.storage_offset()}"
        )
    count, total = len(lines), sum(nbytes for _, nbytes in storages.values())
    plural = "" if count == 1 else "s"
    splural = "" if len(storages) == 1 else "s"
    lines.append(f"{count} tensor{plural}, {len(storages)} storage{splural}, {total} bytes")
    return lines


def _inspect(args) -> int:
    print("\n".join(describe(load(args.file, mmap=args.mmap))))
    return 0


def _check(args) -> int:
    unsafe = get_unsafe_globals_in_checkpoint(args.file)
    if not unsafe:
        print(f"{args.file}: loads with weights_only=True (no unsafe globals)")
        return 0
    print(f"{args.file}: a full-pickle load would use these globals:")
    for name in unsafe:
        print(f"  {name}")
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ember", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    inspect = commands.add_parser("inspect", help="list the tensors in a checkpoint")
    inspect.add_argument("file")
    inspect.add_argument("--mmap", action="store_true", help="map the file instead of reading it")
    inspect.set_defaults(run=_inspect)
    check = commands.add_parser("check", help="list globals a full-pickle load would need")
    check.add_argument("file")
    check.set_defaults(run=_check)
    return parser


def main(argv=None) -> int:
    """Run the `ember` command with `argv` (default: `sys.argv[1:]`); returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (SerializationError, OSError) as error:
        print(f"ember {args.command}: {args.file}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
