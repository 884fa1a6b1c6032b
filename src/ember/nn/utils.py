"""Helpers around state dicts.

Example:
    >>> from collections import OrderedDict
    >>> from ember.nn.utils import consume_prefix_in_state_dict_if_present
    >>> sd = OrderedDict([("module.fc.weight", 1), ("module.fc.bias", 2)])
    >>> consume_prefix_in_state_dict_if_present(sd, "module.")
    >>> list(sd)
    ['fc.weight', 'fc.bias']
"""

__all__ = ["consume_prefix_in_state_dict_if_present"]


def consume_prefix_in_state_dict_if_present(state_dict, prefix: str) -> None:
    """Strip `prefix` from the keys of `state_dict` that start with it, in place.

    Wrappers such as DataParallel (``module.``) or torch.compile (``_orig_mod.``) add a
    prefix to every key; this undoes it, including in the ``_metadata`` attribute.
    """
    for key in list(state_dict.keys()):
        if key.startswith(prefix):
            state_dict[key[len(prefix) :]] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is None:
        return
    for key in list(metadata.keys()):
        # '' is the wrapper itself; 'module' the wrapped model; 'module.x' its children.
        if key and (key == prefix.replace(".", "") or key.startswith(prefix)):
            metadata[key[len(prefix) :]] = metadata.pop(key)
