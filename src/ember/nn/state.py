"""State dicts: `Module.state_dict()` and `Module.load_state_dict()` with PyTorch's rules.

`state_dict()` is an OrderedDict of dotted keys (each module's parameters, then its persistent
buffers, then its children's entries) whose values are detached tensors sharing storage with
the module's own, plus a `_metadata` attribute ({'': {'version': 1}, 'l0': {...}, ...}) that
PyTorch's checkpoints carry. `load_state_dict` copies values in place (or assigns them with
``assign=True``) and reports missing and unexpected keys; when they differ only by a prefix
such as ``module.`` or ``_orig_mod.``, the error says so and how to strip it.

Example:
    >>> import ember
    >>> from ember import nn
    >>> m = nn.Linear(2, 1)
    >>> list(m.state_dict())
    ['weight', 'bias']
    >>> m.load_state_dict(m.state_dict())
    <All keys matched successfully>
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ember.errors import EmberError
from ember.nn.parameter import Parameter, as_plain_tensor
from ember.tensor.tensor import Tensor

__all__ = ["StateDictMixin", "IncompatibleKeys", "StateDictError", "prefix_hint"]

EXTRA_STATE_KEY = "_extra_state"
KNOWN_WRAPPERS = {
    "module.": "DataParallel / DistributedDataParallel",
    "_orig_mod.": "torch.compile",
}


class StateDictError(EmberError, RuntimeError):
    """A state dict did not fit the module (missing/unexpected keys, shape mismatches)."""


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What `load_state_dict` returns: the missing and the unexpected keys."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, "
            f"unexpected_keys={self.unexpected_keys!r})"
        )

    __str__ = __repr__


def _likely_prefix(longer: list[str], shorter: list[str]) -> str | None:
    """The prefix p most often making `p + key` of `longer` equal a key of `shorter`."""
    wanted = set(shorter)
    counts: dict[str, int] = {}
    for key in longer:
        parts = key.split(".")
        for i in range(1, len(parts)):
            if ".".join(parts[i:]) in wanted:
                prefix = ".".join(parts[:i]) + "."
                counts[prefix] = counts.get(prefix, 0) + 1
                break
    if not counts:
        return None
    return max(counts, key=lambda p: (counts[p], p in KNOWN_WRAPPERS))


def prefix_hint(missing: list[str], unexpected: list[str]) -> str | None:
    """A sentence explaining a prefix mismatch between checkpoint and model keys, if any."""
    prefix = _likely_prefix(unexpected, missing)
    if prefix is not None:
        origin = KNOWN_WRAPPERS.get(prefix)
        added = f" (added by {origin})" if origin else ""
        return (
            f"The checkpoint's keys carry the prefix \"{prefix}\"{added} that this model's "
            "keys lack; strip it first with ember.nn.utils.consume_prefix_in_state_dict_if_"
            f'present(state_dict, "{prefix}").'
        )
    prefix = _likely_prefix(missing, unexpected)
    if prefix is not None:
        return (
            f"This model's keys carry the prefix \"{prefix}\" that the checkpoint's keys lack; "
            f"load into the wrapped submodule instead (e.g. model.{prefix[:-1]}"
            ".load_state_dict(state_dict))."
        )
    return None


def _quoted(keys: list[str]) -> str:
    return ", ".join(f'"{k}"' for k in keys)


def _copy_into(param: Tensor, value: Tensor) -> None:
    """Write `value` into `param`'s memory (dtype cast), so every view of it sees the change."""
    np.copyto(param._np, np.asarray(value._np, dtype=param._np.dtype), casting="unsafe")


class StateDictMixin:
    """The state-dict half of `Module` (kept apart to keep module.py small)."""

    def get_extra_state(self):
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called."
        )

    def set_extra_state(self, state) -> None:
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called."
        )

    def _has_extra_state(self) -> bool:
        return type(self).get_extra_state is not StateDictMixin.get_extra_state

    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else as_plain_tensor(param)
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else as_plain_tensor(buf)
        if self._has_extra_state():
            destination[prefix + EXTRA_STATE_KEY] = self.get_extra_state()

    def state_dict(self, *, destination=None, prefix: str = "", keep_vars: bool = False):
        """An OrderedDict of every parameter and persistent buffer, by dotted name."""
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = {"version": self._version}
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(
                    destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
                )
        return destination

    def _local_state(self) -> dict:
        local = dict(self._parameters)
        local.update(
            (k, v) for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set
        )
        return {k: v for k, v in local.items() if v is not None}

    def _load_from_state_dict(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, errors
    ) -> None:
        local_state = self._local_state()
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            self._load_one(name, key, param, state_dict[key], assign, errors)
        extra_key = prefix + EXTRA_STATE_KEY
        if self._has_extra_state():
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if not key.startswith(prefix) or key == extra_key:
                    continue
                head = key[len(prefix) :].split(".", 1)
                known = self._modules if len(head) > 1 else local_state
                if head[0] not in known:
                    unexpected_keys.append(key)

    def _load_one(self, name, key, param, value, assign, errors) -> None:
        if not isinstance(value, Tensor):
            errors.append(
                f'While copying the parameter named "{key}", expected ember.Tensor or '
                f"Tensor-like object from checkpoint but received {type(value)}"
            )
            return
        if param.dim() == 0 and value.dim() == 1 and value.numel() == 1:
            value = Tensor._make(value._np.reshape(()))
        if value.shape != param.shape:
            errors.append(
                f"size mismatch for {key}: copying a param with shape {value.shape} from "
                f"checkpoint, the shape in current model is {param.shape}."
            )
            return
        if not assign:
            _copy_into(param, value)
        elif isinstance(param, Parameter):
            setattr(self, name, Parameter(value, param.requires_grad))
        else:
            setattr(self, name, as_plain_tensor(value))

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy `state_dict`'s tensors into this module's parameters and buffers.

        Returns IncompatibleKeys; with ``strict=True`` missing or unexpected keys raise
        StateDictError (a RuntimeError), as do shape mismatches in any mode.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        todo = [(self, dict(state_dict), "")]
        while todo:
            module, local, prefix = todo.pop(0)
            meta = dict(metadata.get(prefix[:-1], {})) if metadata is not None else {}
            if assign:
                meta["assign_to_params_buffers"] = True
            module._load_from_state_dict(local, prefix, meta, True, missing, unexpected, errors)
            todo[0:0] = [
                (child, {k: v for k, v in local.items() if k.startswith(prefix + n + ".")},
                 prefix + n + ".")
                for n, child in module._modules.items()
                if child is not None
            ]  # fmt: skip
        if strict:
            if unexpected:
                errors.insert(0, f"Unexpected key(s) in state_dict: {_quoted(unexpected)}. ")
            if missing:
                errors.insert(0, f"Missing key(s) in state_dict: {_quoted(missing)}. ")
            hint = prefix_hint(missing, unexpected) if missing and unexpected else None
            if hint:
                errors.append(hint)
        if errors:
            raise StateDictError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        return IncompatibleKeys(missing, unexpected)
