"""Functions scripted by both ember and torch 2.13 to compare `.code` text.

This file has no imports of its own: `tests.corpus.bind.bound` executes it with `torch` bound to
ember or to real torch, so the same source compiles under both.
"""
# ruff: noqa: F821


def tensor_literals(x: int, y: float):
    a = torch.tensor(0)
    b = torch.tensor([1, 2])
    c = torch.tensor(x, dtype=torch.float32)
    d = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    e = torch.tensor(2.5)
    g = torch.tensor(True)
    h = torch.tensor([x, x])
    i = torch.tensor([y], dtype=torch.float64)
    return a, b, c, d, e, g, h, i


def tensor_options(x: float, xs: list[float]):
    a = torch.tensor([x, 2.0], requires_grad=True)
    b = torch.tensor(xs)
    c = torch.tensor(3, dtype=torch.float64)
    d = torch.tensor([True, False])
    e = torch.tensor([[1, 2], [3, 4]], dtype=torch.int32)
    return a, b, c, d, e


def tensor_setitem(x, y, i: int, mask):
    x[0] = 1
    x[1:3] = y
    x[:, 0] = 0.5
    x[i] += 1
    x[mask] = 0
    return x


def ellipsis_slices(x, i: int):
    a = x[..., 0, 1]
    b = x[..., 1:, 0]
    c = x[0, ..., 1:]
    d = x[..., None, 0]
    e = x[..., :]
    g = x[i, :, ...]
    x[..., 1] = 2.0
    x[:, i] += x[0, 0, None, :]
    return a, b, c, d, e, g


def advanced_index(x, idx, mask):
    a = x[:, idx]
    b = x[mask]
    c = x[0, idx]
    d = x[idx, 1:]
    e = x[idx, idx]
    x[idx, idx] = 0.0
    x[mask] += 1
    x[0, mask] *= 2
    return a, b, c, d, e


def list_dict_setitem(xs: list[int], d: dict[str, int], e: dict[int, float], i: int) -> int:
    xs[i] = 3
    d["a"] = 4
    e[1] = 2.0
    xs[0] += 1
    return xs[0] + d["a"]


def fstrings(x, n: int) -> str:
    s = f"a{n}b{x.dim()}"
    return s + f"{n}" + f"{x.dim()}!"


def clip_first(x, mask, v: float):
    x[0] = v
    x[mask] = 0
    x[:, 1] += 1
    return f"{x.dim()}-d, first row {x[0].sum().item()}"


def dict_int_keys(d: dict[int, float]) -> float:
    t = 0.0
    for k in d:
        t += d[k] * k
    for k, v in d.items():
        t += v
    return t


def enumerate_start(xs: list[float], k: int) -> float:
    t = 0.0
    for i, v in enumerate(xs, k):
        t += i * v
    for i, v in enumerate(xs, 2):
        t -= i * v
    return t


def asserts(n: int, s: str) -> int:
    assert n > 0
    assert n < 100, "too big: " + s
    return n


def optional_outputs(k: int, t: float, n: int):
    x: float | None = None
    if k > 0:
        x = t
    elif k < -5:
        x = None
    else:
        x = 2.0
    y: int | None = 3
    for _ in range(n):
        y = None
    z = None if k > 1 else k
    return x, y, z


if "torch" in globals():  # annotations need the bound module (``load``)

    def signature(x, xs: list[int], y: torch.Tensor | None = None, s: str = "a",
                  f: float = 1.0, t: bool = True):  # fmt: skip
        return x

    def loops_and_builtins(x, xs: list[int], y: torch.Tensor | None):
        n = x.shape[0]
        m = len(xs)
        sq = [v * v for v in xs]
        tot = 0
        for i, v in enumerate(xs):
            tot += i * v
        for a, b in zip(xs, sq):
            tot += min(a, b) + max(a, b)
        z = x.view(-1, 2)
        s = x.size()
        k = int(x.sum().item())
        if y is not None:
            z = z + y
        w = torch.cat([z, z], dim=0)
        q = x.float().relu()
        r = float(n) / 2
        return n + m + tot + k, sq, z, s, w, q, r, xs[-1], xs[1:]
