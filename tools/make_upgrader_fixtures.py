"""Write the upgrader fixtures: TorchScript archives saved by torch 2.13, with their version
record rewritten to older versions (tests/fixtures/upgraders/).

Run once, with torch 2.13; the archives are committed and NEVER regenerated: they are the
compatibility promise (an archive written in the past keeps its meaning). To cover a new
upgrader, add a module below and write only its new files (``--only NAME``); never rewrite a
committed one.

    .venv/bin/python tools/make_upgrader_fixtures.py --only full [--out DIR]

Each module is scripted and saved by ``torch.jit.save`` (which writes the dynamic version:
the highest version of the versioned operators the code calls), then copied once per listed
version with only the version record changed: ``version`` below 6 and ``.data/version`` from
6 on, as torch writes them. The modules have no parameters; tests/upgraders/ holds the
inputs each is run with, and torch 2.13 loading the same file is the oracle.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path
from typing import List  # noqa: UP035 - TorchScript's annotations

import torch
import torch.nn.functional as F  # noqa: N812

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "upgraders"


class Div(torch.nn.Module):
    """Every out-of-place div overload ember has: Tensor, Scalar (int, float), modes."""

    def forward(self, a, b, s: int, f: float):
        return (
            torch.div(a, b),
            a / s,
            a / f,
            torch.div(a, 3),
            torch.div(a, b, rounding_mode="floor"),
            torch.div(a, 2, rounding_mode="trunc"),
            torch.div(a, b.sum().item()),
        )


class DivInplace(torch.nn.Module):
    """The in-place overloads (an integer tensor cannot hold true division from version 4)."""

    def forward(self, a, b):
        x = a.clone()
        x.div_(b)
        y = a.clone()
        y /= 3
        z = a.clone()
        z.div_(b, rounding_mode="floor")
        w = a.clone()
        w.div_(-2, rounding_mode="trunc")
        return x, y, z, w


class Full(torch.nn.Module):
    """Int, bool and float fills, with and without a dtype."""

    def forward(self, n: int, flag: bool, x):
        return (
            torch.full((2,), 1),
            torch.full([n], -3),
            torch.full((2,), flag),
            torch.full((2,), 1.5),
            torch.full((2,), 3, dtype=torch.int32),
            torch.full((2,), 2, dtype=torch.float64),
            torch.full((2,), True, dtype=torch.bool),
            torch.full([n], x.item()),
        )


class Linspace(torch.nn.Module):
    def forward(self, n: int):
        return (
            torch.linspace(0, 1, 5),
            torch.linspace(-1.0, 2, n, dtype=torch.float64),
            torch.linspace(0, 10, n, dtype=torch.int64),
        )


class Logspace(torch.nn.Module):
    def forward(self, n: int):
        return (
            torch.logspace(0, 2, 3),
            torch.logspace(0.0, 1.0, n, base=2.0),
            torch.logspace(0, 3, n, dtype=torch.float64),
        )


class Gelu(torch.nn.Module):
    """gelu without approximate, and with approximate='none' (printed without it)."""

    def forward(self, x):
        return F.gelu(x), F.gelu(x, approximate="none")


class GeluTanh(torch.nn.Module):
    """approximate='tanh' is an argument version 9 did not have: torch refuses it there."""

    def forward(self, x):
        return F.gelu(x, approximate="tanh"), F.gelu(x)


@torch.jit.script
def halve(x):
    return torch.div(x, 2)


@torch.jit.script
def ratio(x, y):
    return x / y


class Function(torch.nn.Module):
    """Divisions in free functions (``__torch__.halve``): torch 2.13 does not upgrade those."""

    def forward(self, a, b):
        return halve(a), ratio(a, b)


class All(torch.nn.Module):
    """Every versioned operator at once, some in nested blocks."""

    def forward(self, a, b, n: int):
        out: List[torch.Tensor] = []  # noqa: UP006 - TorchScript reads typing names
        if n > 0:
            out.append(torch.div(a, b))
        else:
            out.append(a * b)
        for i in range(n):
            out.append(torch.div(a, 2) + i)
        out.append(torch.full([n], 7))
        out.append(torch.linspace(0, 2, n))
        out.append(torch.logspace(0, 2, n))
        out.append(F.gelu(a.float()))
        return out


MODULES = {
    # name: (module, the versions written besides the one torch.jit.save gives)
    "div": (Div, [3, 1]),
    "div_inplace": (DivInplace, [3]),
    "full": (Full, [4]),
    "linspace": (Linspace, [7]),
    "logspace": (Logspace, [8]),
    "gelu": (Gelu, [9]),
    "gelu_tanh": (GeluTanh, [9]),
    "function": (Function, [3]),
    "all": (All, [4, 1]),
}


def saved(module: torch.nn.Module) -> bytes:
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(module), buf)
    return buf.getvalue()


def version_of(archive: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        (name,) = [n for n in z.namelist() if _is_version_record(n)]
        return int(z.read(name))


def with_version(archive: bytes, version: int) -> bytes:
    """`archive` with its version record saying `version` (named as torch names it)."""
    src = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if _is_version_record(info.filename):
                prefix = info.filename.split("/")[0]
                record = ".data/version" if version >= 6 else "version"
                info = _renamed(info, f"{prefix}/{record}")
                data = f"{version}\n".encode()
            dst.writestr(info, data)
    return out.getvalue()


def _is_version_record(name: str) -> bool:
    return name.split("/", 1)[1] in ("version", ".data/version")


def _renamed(info: zipfile.ZipInfo, name: str) -> zipfile.ZipInfo:
    new = zipfile.ZipInfo(name, info.date_time)
    new.compress_type = info.compress_type
    return new


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", action="append", choices=sorted(MODULES))
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args(argv)
    if not torch.__version__.startswith("2.13."):
        sys.exit(f"the fixtures are written with torch 2.13, not {torch.__version__}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.only or MODULES:
        module, older = MODULES[name]
        archive = saved(module())
        for version in [version_of(archive), *older]:
            path = args.out / f"{name}_v{version}.pt"
            if path.exists() and not args.force:
                sys.exit(f"{path} exists: fixtures are never regenerated")
            path.write_bytes(with_version(archive, version))
            print(f"{path.name:20} {path.stat().st_size:6} bytes  version {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
