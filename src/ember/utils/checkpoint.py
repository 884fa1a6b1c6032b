"""`ember.utils.checkpoint`: activation checkpointing, which without autograd is a plain call.

PyTorch's `checkpoint(fn, *args)` runs `fn` without keeping its intermediate activations and
runs it again during the backward pass. Ember computes no gradients, so calling `fn` is the
whole of its meaning: the same result, the same calls. The arguments are checked as torch
checks them: `use_reentrant` should be given (torch warns and takes True when it is not), and
the reentrant variant refuses keyword arguments for `fn`.

Example:
    >>> import ember
    >>> from ember.utils.checkpoint import checkpoint, checkpoint_sequential
    >>> checkpoint(lambda x, k=1: x * k, ember.ones(2), k=3, use_reentrant=False)
    tensor([3., 3.])
    >>> net = ember.nn.Sequential(ember.nn.ReLU(), ember.nn.Hardtanh(0.0, 0.5))
    >>> checkpoint_sequential(net, 2, ember.tensor([-1.0, 0.25, 2.0]), use_reentrant=False)
    tensor([0.0000, 0.2500, 0.5000])
"""

import warnings

__all__ = ["checkpoint", "checkpoint_sequential"]

_MISSING_REENTRANT = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
    "use_reentrant=False is recommended; ember computes no gradients, so both variants only "
    "call the function."
)
_OPTIONS = ("context_fn", "determinism_check", "debug", "early_stop")


def _reentrant(use_reentrant) -> bool:
    if use_reentrant is None:
        warnings.warn(_MISSING_REENTRANT, stacklevel=3)
        return True
    return use_reentrant


def _refuse_unexpected(kwargs) -> None:
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))


def checkpoint(function, *args, use_reentrant=None, preserve_rng_state=True, **kwargs):
    """`function(*args, **kwargs)`: what checkpointing computes (torch's options accepted)."""
    if _reentrant(use_reentrant):
        _refuse_unexpected(kwargs)
    for option in _OPTIONS:  # the non-reentrant variant's own options, not `function`'s
        kwargs.pop(option, None)
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run `functions` (a Sequential or a list of callables) one after another on `input`."""
    _reentrant(use_reentrant)
    kwargs.pop("preserve_rng_state", None)
    _refuse_unexpected(kwargs)
    if hasattr(functions, "children"):
        functions = list(functions.children())
    for fn in functions:
        input = fn(input)
    return input
