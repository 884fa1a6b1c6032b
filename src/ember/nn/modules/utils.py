"""PyTorch's home of `consume_prefix_in_state_dict_if_present` (torch.nn.modules.utils).

Example:
    >>> from ember.nn.modules.utils import consume_prefix_in_state_dict_if_present
    >>> consume_prefix_in_state_dict_if_present.__module__
    'ember.nn.utils'
"""

from ember.nn.utils import consume_prefix_in_state_dict_if_present

__all__ = ["consume_prefix_in_state_dict_if_present"]
