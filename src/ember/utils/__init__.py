"""`ember.utils`: the parts of `torch.utils` that model code imports.

Example:
    >>> import ember
    >>> ember.utils.checkpoint.checkpoint(lambda x: x + 1, ember.ones(2), use_reentrant=False)
    tensor([2., 2.])
"""

from ember.utils import checkpoint

__all__ = ["checkpoint"]
