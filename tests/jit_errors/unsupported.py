"""Functions using Python outside the scripting subset; each must fail to script with the
message and location listed in tests/test_compiler_unsupported.py."""
# ruff: noqa

import math
from typing import Optional


def uses_try(x):
    try:
        x = x + 1
    except Exception:
        pass
    return x


def uses_global(x):
    global COUNTER
    return x


def uses_nested_def_and_nonlocal(x):
    def inner():
        nonlocal x
        return x

    return inner()


def uses_yield(x):
    yield x


def uses_class(x):
    class Local:
        pass

    return x


def uses_star_args(*args):
    return args


def uses_star_kwargs(x, **kwargs):
    return x


def uses_star_call(xs: list[int]):
    return max(*xs)


def uses_set(x):
    s = {1, 2}
    return x


def uses_set_comp(x):
    return {i for i in range(3)}


def uses_dict_comp(x):
    return {i: i for i in range(3)}


def uses_generator(x):
    return sum(i for i in range(3))


def uses_del(x):
    del x
    return 1


def uses_import(x):
    import os

    return x


def uses_walrus(x):
    if (n := 3) > 2:
        return x
    return x


def uses_for_else(x):
    for i in range(3):
        x = x + i
    else:
        x = x - 1
    return x


def uses_match(x: int):
    match x:
        case 1:
            return 1
    return 0


async def uses_async(x):
    return x


def uses_bytes(x):
    return b"raw"


def uses_dict_unpack(d: dict[str, int]):
    return {**d}


def uses_raise_from(x):
    raise ValueError("bad") from None


def uses_nested_comprehension(xs: list[int]):
    return [a * b for a in xs for b in xs]


def uses_starred_target(xs: list[int]):
    a, *rest = xs
    return a


def uses_int_invert(n: int):
    return ~n


def uses_unknown_math(x: float):
    return math.hypot(x, x)


def uses_print_keywords(x):
    print(x, end="")
    return x


def assigns_tensor_attribute(x):
    x.scale += 1
    return x


def iterates_a_number(n: int):
    for i in n:
        pass
    return n


def calls_a_method_of_int(n: int):
    return n.bit_length()


def wrong_return_type(x) -> int:
    return x


def loop_changes_type(x):
    y = 1
    for _ in range(3):
        y = x
    return y


def unpacks_wrong_count(x):
    a, b, c = x, x
    return a


def range_of_float(x):
    for i in range(2.5):
        pass
    return x


def reassigns_declared(n: int):
    y: Optional[int] = None
    y = "text"
    return y


def quoted_unknown_annotation(x: "NotAType"):
    return x


def list_keyed_dict(d: dict[list[int], int]):
    return d


def mixed_dict_keys(n: int):
    return {"a": 1, 2: n}
