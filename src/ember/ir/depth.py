"""Deeply nested programs: how deep they nest, and room for the walks that recurse over them.

The compiler's walks over syntax trees and IR recurse once per level of nesting, and
programs nest without writing deep source: each ``elif`` is an ``if`` in the ``else`` of the
one before, ``x + x + ...`` is a left-nested sum, and the statements after an ``if`` that
returns move into its branches. Python allows about 1,000 frames, so these walks run with
`with_room(levels, fn, *args)`: directly when the current thread has room for `levels` more
levels, otherwise on a helper thread with a stack and a recursion limit sized for them (the
caller waits; the result or the exception comes back). Programs nest at most `MAX_NESTING`
levels; the compiler refuses deeper ones with a located `CompileError` before walking them.

Example:
    >>> from ember.ir import Graph, Builder, types as T
    >>> b = Builder(Graph("f"))
    >>> c = b.add_input(T.BoolType.get(), "c")
    >>> op = b.if_(c)
    >>> for block in op.blocks:
    ...     with b.at_end(block):
    ...         _ = b.yield_()
    >>> b.return_(c)
    >>> block_depth(b.graph)
    1
    >>> with_room(5000, sum, [1, 2, 3])
    6
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading

__all__ = ["MAX_NESTING", "FRAMES_PER_LEVEL", "block_depth", "with_room"]

MAX_NESTING = 1000
"""The deepest nesting the compiler accepts (see docs/language.md, "Limits")."""

FRAMES_PER_LEVEL = 8
"""Python frames a walk may use per level of nesting: twice the most measured (4.2, scripting,
printing, saving and loading sums, elif chains, early returns, nested ifs, or-chains)."""

_DIRECT_FRAMES = 300  # room every caller is assumed to have left
_MARGIN = 200  # frames for what runs on top of the walk (calls into the op table, errors)
_THREAD_MARGIN = 2000
_BYTES_PER_FRAME = 4096  # C stack per Python frame where the interpreter recurses in C
_MIN_STACK = 16 << 20

_limit_lock = threading.Lock()
_limit_users = 0
_limit_saved = 0
_stack_lock = threading.Lock()


def block_depth(graph) -> int:
    """How deep the blocks of `graph` nest (0 for a graph without ``if`` or loops)."""
    deepest, pending = 0, [(graph.block, 0)]
    while pending:
        block, depth = pending.pop()
        deepest = max(deepest, depth)
        for op in block.ops:
            pending.extend((inner, depth + 1) for inner in op.blocks)
    return deepest


def with_room(levels: int, fn, *args):
    """`fn(*args)` with room for a walk `levels` deep (see the module docstring)."""
    need = levels * FRAMES_PER_LEVEL
    if need <= _DIRECT_FRAMES or _frame_depth() + need + _MARGIN <= sys.getrecursionlimit():
        return fn(*args)
    return _on_deep_thread(need + _THREAD_MARGIN, fn, args)


def _frame_depth() -> int:
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def _on_deep_thread(frames: int, fn, args):
    outcome: list = []
    context = contextvars.copy_context()

    def run():
        try:
            outcome.append((True, context.run(fn, *args)))
        except BaseException as e:  # noqa: BLE001 - handed to the waiting caller
            outcome.append((False, e))

    with _raised_limit(frames):
        with _stack_lock:
            old = threading.stack_size(max(_MIN_STACK, frames * _BYTES_PER_FRAME))
            try:
                thread = threading.Thread(target=run, name="ember-deep-walk", daemon=True)
                thread.start()
            finally:
                threading.stack_size(old)
        thread.join()
    ok, value = outcome[0]
    if ok:
        return value
    raise value


@contextlib.contextmanager
def _raised_limit(frames: int):
    """Raise the (process-wide) recursion limit to at least `frames` while any helper
    thread runs; the last one to finish puts the old limit back."""
    global _limit_users, _limit_saved
    with _limit_lock:
        if _limit_users == 0:
            _limit_saved = sys.getrecursionlimit()
        _limit_users += 1
        if sys.getrecursionlimit() < frames:
            sys.setrecursionlimit(frames)
    try:
        yield
    finally:
        with _limit_lock:
            _limit_users -= 1
            if _limit_users == 0:
                sys.setrecursionlimit(_limit_saved)
