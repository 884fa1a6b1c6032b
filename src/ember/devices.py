"""`ember.device`: PyTorch's device object; ember runs on the CPU, so only 'cpu' is usable.

A device compares equal to its string form, because tensors report `.device` as the string
`'cpu'` (so `x.device == ember.device('cpu')` holds as in PyTorch).

Example:
    >>> import ember
    >>> ember.device("cpu")
    device(type='cpu')
    >>> str(ember.device("cpu", 0))
    'cpu:0'
"""

_KNOWN = ("cpu", "cuda", "mps", "meta", "xpu", "hip", "xla", "privateuseone")


class device:  # noqa: N801 - PyTorch's name
    """`device('cpu')`, `device('cpu:0')`, `device('cpu', 0)` or `device(other_device)`."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002 - PyTorch's argument name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif not isinstance(type, str):
            raise TypeError(f"device() expects a string, got {type!r}")
        if ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index: {type}")
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in _KNOWN:
            raise RuntimeError(
                f"Expected one of {', '.join(_KNOWN)} device type at start of device string: {type}"
            )
        self.type, self.index = type, index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other) -> bool:
        if isinstance(other, (device, str)):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


def check_cpu(dev) -> None:
    """Raise RuntimeError unless `dev` (a string or device) names the CPU."""
    if dev is not None and device(dev).type != "cpu":
        raise RuntimeError(f"ember runs on the CPU only, got device={str(dev)!r}")
