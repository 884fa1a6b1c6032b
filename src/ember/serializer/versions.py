"""Archive format versions: what a writer records, and the window a reader accepts.

A TorchScript archive's ``version`` record follows torch's dynamic rule: 3 (the oldest
version torch still writes), raised to the version of every versioned operator the saved
code calls (`ember.ops` entries carry torch's bump versions: ``aten::div`` 4, ``aten::full``
5, ``aten::linspace`` 8, ``aten::logspace`` 9, ``aten::gelu`` 10). The record is called
``version`` below 6 and ``.data/version`` from 6 on. Readers accept 1 to 10, as torch 2.13.

Example:
    >>> from ember.ir import Builder, Graph, types as T
    >>> b = Builder(Graph("f"))
    >>> x = b.add_input(T.TensorType.get(), "x")
    >>> b.return_(b.emit("aten::div.Tensor", x, x))
    >>> required_version([b.graph]), record_name(4), record_name(8)
    (4, 'version', '.data/version')
    >>> check_version(11, "def f(x: Tensor) -> Tensor:\\n  return torch.frobnicate(x)\\n")
    Traceback (most recent call last):
    ...
    ember.errors.VersionError: archive version 11 is newer than this reader supports ...
"""

from __future__ import annotations

import re

from ember import ops
from ember.errors import VersionError

__all__ = [
    "MIN_VERSION",
    "MAX_VERSION",
    "MIN_PRODUCED",
    "required_version",
    "record_name",
    "check_version",
    "unknown_operators",
    "called_operators",
]

MIN_VERSION, MAX_VERSION = 1, 10  # torch 2.13's kMin/kMaxSupportedFileFormatVersion
MIN_PRODUCED = 3  # kMinProducedFileFormatVersion
_CALL = re.compile(r"\b(?:torch\.(\w+)|ops\.(\w+)\.(\w+))\(")


def required_version(graphs) -> int:
    """The version an archive holding `graphs` records (torch's dynamic rule)."""
    names = {op.qualified_name for graph in graphs for op in graph.walk()}
    return max([MIN_PRODUCED, *map(_op_version, names)])  # each operator looked up once


def _op_version(qualified_name: str) -> int:
    try:
        return ops.get(qualified_name).version
    except KeyError:  # not an operator of the table (the verifier would have said so)
        return 0


def record_name(version: int) -> str:
    """``version`` below 6, ``.data/version`` from 6 on (where torch writes it)."""
    return "version" if version < 6 else ".data/version"


def called_operators(code: str) -> list[str]:
    """The operators `code` (archive source) calls, by name (``torch.div(`` is ``aten::div``).

    >>> called_operators("_0 = torch.div(x, 2)\\n_1 = ops.prim.NumToTensor(n)\\n")
    ['aten::div', 'prim::NumToTensor']
    """
    return sorted(
        {f"aten::{aten}" if aten else f"{ns}::{name}" for aten, ns, name in _CALL.findall(code)}
    )


def unknown_operators(code: str) -> list[str]:
    """The operators `code` (archive source) calls that ember's op table does not have."""
    return [name for name in called_operators(code) if not ops.overloads(name)]


def check_version(version: int, code: str = "") -> None:
    """Refuse versions outside 1..10 with `VersionError`; `code` (the archive's code files,
    concatenated) lets the message name the operators this reader lacks."""
    if version < MIN_VERSION:
        raise VersionError(
            f"archive version {version} is older than this reader supports (versions "
            f"{MIN_VERSION}..{MAX_VERSION}): regenerate it with a current PyTorch or ember"
        )
    if version > MAX_VERSION:
        unknown = unknown_operators(code)
        which = (
            f"; its code calls operators this reader does not have: {', '.join(unknown)}"
            if unknown
            else ""
        )
        raise VersionError(
            f"archive version {version} is newer than this reader supports (versions "
            f"{MIN_VERSION}..{MAX_VERSION}){which}: load it with a newer ember or PyTorch"
        )
