"""Strings made by scripted code (``str``, f-strings, ``format``, ``print``) are the ones torch
2.13's scripted code makes: TorchScript prints floats, containers and None its own way."""

import math

import pytest

import ember

FLOATS = [10.0, 0.1, -0.0, 1e20, 1e10, 1.5e-5, math.inf, -math.inf, math.nan, 1 / 3,
          123456789.123, 9.2e18, 9.3e18, -(2.0**63), 2.0**63, 5e-324, -5.0]  # fmt: skip


def text(x: float, i: int, s: list[str], d: dict[str, list[float]], t: tuple[str, bool, float]):
    return f"{x}|{str(x)}|{[x, 2.5]}|{(x, i)}|{(x,)}|{s}|{d}|{t}|{None}|" + "{} {}".format(x, i)  # noqa: UP032


def shout(x: float, s: list[str]):
    print("values", x, [x], s, (x,), None, True)
    return x


@pytest.mark.parametrize("x", FLOATS, ids=repr)
def test_text_matches_torch(torch, x):
    args = (x, 3, ["a", "b'c"], {"k": [x, 0.5], "z": []}, ("q", True, x))
    ours = ember.jit.script(text)(*args)
    theirs = torch.jit.script(text)(*args)
    assert ours == theirs


@pytest.mark.parametrize("x", [7.0, 0.1])
def test_print_matches_torch(torch, capfd, x):
    ember.jit.script(shout)(x, ["a"])
    ours = capfd.readouterr().out
    torch.jit.script(shout)(x, ["a"])
    theirs = capfd.readouterr().out
    assert ours == theirs and ours.startswith("values")
