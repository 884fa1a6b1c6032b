"""Functions exercising control flow, types and containers."""

import ember
import ember as torch
import ember.nn.functional as F

LIMIT = 3


def loop_carried(x, n: int):
    acc = x
    total = 0
    for i in range(n):
        acc = acc * 2 + i
        total += i
    return acc, total


def while_loop(n: int) -> int:
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def early_returns(x, k: int):
    if k > 2:
        if k > 5:
            return x * 3
        return x * 2
    elif k < 0:
        return -x
    y = x + k
    return y


def break_continue(xs: list[int]) -> int:
    total = 0
    for v in xs:
        if v < 0:
            continue
        if v > 100:
            break
        total += v
    return total


def optional_arg(x, scale: float | None = None):
    if scale is not None:
        return x * scale
    return x


def optional_early(x, bias: torch.Tensor | None):
    if bias is None:
        return x
    return x + bias


def list_ops(n: int) -> list[int]:
    out: list[int] = []
    for i in range(n):
        out.append(i * i)
    out.extend([7, 8])
    return out[1:]


def comprehension(n: int) -> list[int]:
    return [i * 2 for i in range(n) if i % 3 != 0]


def dict_ops(x):
    d: dict[str, torch.Tensor] = {"a": x, "b": x * 2}
    d["c"] = x + 1
    total = torch.zeros(x.shape)
    for k in d:
        total = total + d[k]
    return total, len(d)


def tuple_unpack(x) -> tuple[torch.Tensor, int]:
    a, b = x, 3
    b, a = b + 1, a * 2
    return a, b


def chained_compare(a: int, b: int, c: int) -> bool:
    return a < b <= c and not a == c  # noqa: SIM201 - exercises `not`


def conditional_expr(x, flag: bool):
    y = x * 2 if flag else x - 1
    return y


def helper(x, k: int = 2):
    return F.relu(x) * k


def calls_helper(x):
    return helper(x) + helper(x, k=3)


def enumerate_zip(xs: list[float], ys: list[float]) -> float:
    total = 0.0
    for i, (a, b) in enumerate(zip(xs, ys)):
        total += a * b * i
    return total


def tensor_indexing(x):
    a = x[0]
    b = x[1:, ::2]
    c = x[:, 1]
    return a, b, c, x[None, 0]


def assert_and_raise(x, n: int):
    assert n >= 0, "n must be non-negative"
    if n > 10:
        raise ValueError("too big")
    return x + n


def builtins_mix(xs: list[int], f: float) -> tuple[int, int, float, int, bool]:
    return len(xs), max(xs[0], xs[1]), float(min(2, 3)) + abs(f), int(f), bool(xs[0])


def augmented_tensor(x):
    y = x.clone()
    y += 1
    y *= 2
    return y


def global_constant(x):
    for _ in range(LIMIT):
        x = x + 1
    return x


def tensor_methods(x):
    return x.view(-1).sum(), x.transpose(0, 1).reshape(2, 3), x.relu().mean(), x.size(1)


def isinstance_and_math(x: int) -> int:
    if isinstance(x, int):
        return x * 2
    return x


def find_index(xs: list[int], v: int) -> int:
    for i in range(len(xs)):
        if xs[i] == v:
            return i
    return -1


def nested_loop_return(xs: list[int], v: int):
    i = 0
    while i < len(xs):
        for j in range(3):
            if xs[i] == v + j:
                return i * 10 + j
        i += 1
    return -1


def first_positive(x):
    for i in range(x.size(0)):
        if bool(x[i] > 0):
            return x[i]
    return x[0]


def make_tensors(x: float, n: int):
    return ember.tensor(x), ember.tensor([n, 3]), ember.tensor([x, 2.0], dtype=ember.float64)


def typical_user_code(x, d: dict[str, int]):
    total = 0
    for k, v in d.items():
        total += v * len(k)
    n = x.shape[0]
    y = x.view(x.size(0), -1)
    z = ember.cat([y, y], dim=1)
    s = F.softmax(z, dim=-1)
    w = ember.zeros(2, 3)
    return total, max(n, 3), s, w, x.float(), x.long(), len(x), x.size()[1]


def runtime_message(x: int, name: str):
    if isinstance(x, (float, int)):
        x = x + 1
    if x > 100:
        raise ValueError("bad " + name)
    return x


# fmt: off
def syntax_corners(x, *, k: int = -1):
    """Doc "with" quotes # and hash."""
    n = 1_000  # comment with 'quote'
    s = "a#b"
    y = (x +
         1)
    if k < 0: y = y * 2  # noqa: E701
    z = x \
        + 1; w = z  # noqa: E702
    t = 1e-5 + .5 + 2.
    return y, n, s, w, t, 0x1F
# fmt: on


def _t(*shape):
    ember.manual_seed(0) if hasattr(ember, "manual_seed") else None
    return ember.randn(*shape)


CASES = [
    ("loop_carried", lambda: loop_carried, lambda: (_t(3), 4)),
    ("while_loop", lambda: while_loop, lambda: (27,)),
    ("early_returns_hi", lambda: early_returns, lambda: (_t(3), 7)),
    ("early_returns_mid", lambda: early_returns, lambda: (_t(3), 3)),
    ("early_returns_neg", lambda: early_returns, lambda: (_t(3), -1)),
    ("early_returns_low", lambda: early_returns, lambda: (_t(3), 1)),
    ("break_continue", lambda: break_continue, lambda: ([1, -2, 3, 200, 5],)),
    ("optional_arg_none", lambda: optional_arg, lambda: (_t(2),)),
    ("optional_arg_value", lambda: optional_arg, lambda: (_t(2), 0.5)),
    ("optional_early", lambda: optional_early, lambda: (_t(2), _t(2))),
    ("optional_early_none", lambda: optional_early, lambda: (_t(2), None)),
    ("list_ops", lambda: list_ops, lambda: (5,)),
    ("comprehension", lambda: comprehension, lambda: (10,)),
    ("dict_ops", lambda: dict_ops, lambda: (_t(2),)),
    ("tuple_unpack", lambda: tuple_unpack, lambda: (_t(2),)),
    ("chained_compare", lambda: chained_compare, lambda: (1, 2, 3)),
    ("conditional_expr", lambda: conditional_expr, lambda: (_t(2), False)),
    ("calls_helper", lambda: calls_helper, lambda: (_t(4),)),
    ("enumerate_zip", lambda: enumerate_zip, lambda: ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])),
    ("tensor_indexing", lambda: tensor_indexing, lambda: (_t(3, 4),)),
    ("assert_and_raise", lambda: assert_and_raise, lambda: (_t(2), 3)),
    ("builtins_mix", lambda: builtins_mix, lambda: ([4, 9], -2.5)),
    ("augmented_tensor", lambda: augmented_tensor, lambda: (_t(3),)),
    ("global_constant", lambda: global_constant, lambda: (_t(2),)),
    ("tensor_methods", lambda: tensor_methods, lambda: (_t(3, 2),)),
    ("isinstance_and_math", lambda: isinstance_and_math, lambda: (4,)),
    ("loop_return_found", lambda: find_index, lambda: ([3, 5, 7], 5)),
    ("loop_return_missing", lambda: find_index, lambda: ([3, 5, 7], 4)),
    ("nested_loop_return", lambda: nested_loop_return, lambda: ([3, 5, 7], 5)),
    ("nested_loop_return_none", lambda: nested_loop_return, lambda: ([3, 5, 9], 0)),
    ("typical_user_code", lambda: typical_user_code, lambda: (_t(2, 3), {"ab": 2, "c": 3})),
    ("syntax_corners", lambda: syntax_corners, lambda: (_t(2),)),
    ("runtime_message", lambda: runtime_message, lambda: (3, "a")),
    ("tensor_literals", lambda: make_tensors, lambda: (1.5, 2)),
    ("first_positive", lambda: first_positive, lambda: (ember.tensor([-1.0, 2.0, 3.0]),)),
]
