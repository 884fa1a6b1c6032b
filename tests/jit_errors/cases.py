"""Functions that must fail to script, each with one known error (see test_compiler_errors)."""

import ember


def uses_lambda(x):
    f = lambda y: y  # noqa: E731
    return f(x)


def helper(x, k: int):
    return x * k


def wrong_arg_type(x):
    return helper(x, x)


def undefined_name(x):
    return x + y  # noqa: F821


def optional_arith(x: int | None) -> int:
    return x + 1


def branch_types(x, c: bool):
    if c:
        y = 1
    else:
        y = x
    return y


def tuple_index(n: int) -> int:
    t = (1, 2)
    k = t[5]
    return k


def bad_op_arg(x):
    return ember.relu(x, "fast")


def uses_with(x):
    with x:
        pass
    return x


class NoTuple:
    pass


def bad_annotation(x: NoTuple):
    return x


def missing_return(n: int) -> int:
    if n > 0:
        return 1


def defined_on_one_path(x, c: bool):
    if c:
        y = x + 1
    return y


def tuple_slice_by_variable(n: int):
    t = (1, 2, 3)
    return t[0:n]


def enumerate_nothing(x):
    for i in enumerate():
        x = x + i
    return x


def list_string_index(xs: list[int]):
    return xs["a"]
