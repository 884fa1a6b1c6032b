"""ember.nn: modules, parameters, layers, functional ops and initialisers, like torch.nn.

Example:
    >>> import ember
    >>> from ember import nn
    >>> bn = nn.BatchNorm1d(3, track_running_stats=True)
    >>> [name for name, _ in bn.named_buffers()]
    ['running_mean', 'running_var', 'num_batches_tracked']
"""

from ember.nn import functional, init, utils
from ember.nn.module import Module
from ember.nn.modules import *  # noqa: F403 - the layers, listed in modules.__all__
from ember.nn.modules import __all__ as _layers
from ember.nn.parameter import Buffer, Parameter
from ember.nn.state import IncompatibleKeys, StateDictError

__all__ = [
    "Module", "Parameter", "Buffer", "IncompatibleKeys", "StateDictError", "functional",
    "init", "utils", *_layers,
]  # fmt: skip
