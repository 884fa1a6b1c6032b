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


def break_in_unrolled_loop(n: int) -> int:
    for i in (1, 2):
        break
    return 0


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
