"""The cases of benchmarks/runtime.py and the files each implementation runs.

Four small cases of issue 12 (`mlp64`, `mlp1024`, `cnn`, `loop`) and every model of the
real-model corpus (tests/models, built by its own `weights.reference_model`, in eval mode, at
batch 1 with its corpus input shape). `prepare` writes a case's files once: TorchScript's
archive (`torch.jit.script`, then `torch.jit.save`), the same archive after `ember convert`
for ember, and an ONNX export when `onnx` is installed (see `_export_onnx`).
Inputs are the deterministic pattern of benchmarks/cpp/args.h, so every runtime gets the same
values.

>>> [c.key for c in select(["micro"])]
['mlp64', 'mlp1024', 'cnn', 'loop']
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Target:
    """The issue's goal for ember on a case: `limit_us` µs per forward (C++, Python), or at
    most `ratio` × TorchScript (ember C++ against TorchScript C++, ember.cpp against
    TorchScript from Python)."""

    limit_us: tuple[float, float] | None = None
    ratio: float | None = None

    def text(self) -> str:
        if self.limit_us is not None:
            return f"C++ ≤ {self.limit_us[0]:g} µs, Python ≤ {self.limit_us[1]:g} µs"
        return f"≤ {self.ratio:g}× TorchScript"


@dataclass(frozen=True)
class Case:
    """One row: `specs` are the inputs ("f32:1x64", "i64:16x1", "int:50"), `floor` the
    (batch, width, layers) of the MLP's bare sgemm loop, `build(torch)` the eval module."""

    key: str
    label: str
    group: str
    specs: tuple[str, ...]
    target: Target
    floor: tuple[int, int, int] | None = None
    onnx: bool = True

    def build(self, torch):
        if self.group == "corpus":
            return _corpus_model(self.key, torch)
        return MICRO_BUILDERS[self.key](torch).eval()


def _mlp(torch, width: int, layers: int = 4):
    nn = torch.nn
    parts = []
    for i in range(layers):
        parts += [nn.Linear(width, width)] + ([nn.ReLU()] if i < layers - 1 else [])
    return nn.Sequential(*parts)


def _small_cnn(torch):
    nn = torch.nn

    class SmallCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                nn.AdaptiveAvgPool2d(1),
            )  # fmt: skip
            self.fc = nn.Linear(32, 10)

        def forward(self, x):
            return self.fc(torch.flatten(self.features(x), 1))

    return SmallCNN()


def _loop(torch):
    class Loop(torch.nn.Module):
        def forward(self, x, n: int):
            for _ in range(n):
                if bool(x.sum() > 0):
                    x = x * 0.5 - 1.0
                else:
                    x = x + 2.0
            return x

    return Loop()


MICRO_BUILDERS = {
    "mlp64": lambda torch: _mlp(torch, 64),
    "mlp1024": lambda torch: _mlp(torch, 1024),
    "cnn": _small_cnn,
    "loop": _loop,
}

MICRO = [
    Case("mlp64", "MLP 64 ×4, batch 1", "micro", ("f32:1x64",), Target(limit_us=(1.5, 3.0)),
         floor=(1, 64, 4)),
    Case("mlp1024", "MLP 1024 ×4, batch 256", "micro", ("f32:256x1024",), Target(ratio=1.0),
         floor=(256, 1024, 4)),
    Case("cnn", "small CNN 1×3×32×32", "micro", ("f32:1x3x32x32",),
         Target(limit_us=(40.0, 40.0))),
    Case("loop", "data-dependent loop ×50", "micro", ("f32:1x16", "int:50"), Target(ratio=0.5),
         onnx=False),
]  # fmt: skip


def _corpus():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.models import registry, weights

    return registry, weights


def _corpus_model(name: str, torch):
    _, weights = _corpus()
    return weights.reference_model(name, torch)


def corpus_cases() -> list[Case]:
    """Every model of the real-model corpus at batch 1, ≤ 1.0× TorchScript."""
    registry, _ = _corpus()
    cases = []
    for name, spec in registry.MODELS.items():
        kind = "i64" if spec.input_kind == "tokens" else "f32"
        shape = "x".join(map(str, spec.input_shape))
        label = f"{name} {'×'.join(map(str, spec.input_shape))}"
        cases.append(Case(name, label, "corpus", (f"{kind}:{shape}",), Target(ratio=1.0)))
    return cases


def select(names: list[str]) -> list[Case]:
    """The cases named by key, or by group ("micro", "corpus"); all when `names` is empty."""
    everything = MICRO + corpus_cases()
    if not names:
        return everything
    known = {c.key for c in everything}
    unknown = [n for n in names if n not in known | {"micro", "corpus"}]
    if unknown:
        raise SystemExit(f"unknown cases {unknown}; known: micro, corpus, {', '.join(known)}")
    return [c for c in everything if c.key in names or c.group in names]


def pattern(shape) -> np.ndarray:
    """The float inputs of args.h: i * 0.37 folded into [-1, 1)."""
    v = np.arange(int(np.prod(shape)), dtype=np.float64) * 0.37
    return (v - 2.0 * np.floor(v / 2.0) - 1.0).astype(np.float32).reshape(shape)


def token_pattern(shape) -> np.ndarray:
    """The token ids of args.h: i * 37 mod 1000."""
    return (np.arange(int(np.prod(shape)), dtype=np.int64) * 37 % 1000).reshape(shape)


def inputs(specs) -> list:
    """The arguments of `specs` as numpy arrays and Python ints."""
    out = []
    for spec in specs:
        kind, rest = spec.split(":")
        if kind == "int":
            out.append(int(rest))
            continue
        shape = [int(s) for s in rest.split("x")]
        out.append(token_pattern(shape) if kind == "i64" else pattern(shape))
    return out


def prepare(case: Case, torch, folder: Path) -> dict:
    """Writes the case's files into `folder`: {"torch": path, "ember": path, "onnx": path or
    the reason there is none}. torch's files are kept for the next run while the sources that
    make them (tests/models, this file) and the torch and onnx versions stay the same; ember's
    archive is converted anew each time."""
    from ember.jit.converting import convert_archive

    folder.mkdir(parents=True, exist_ok=True)
    files = {"torch": folder / "torch.pt", "ember": folder / "ember.pt"}
    record, digest = folder / "prepared.json", _digest(torch)
    kept = json.loads(record.read_text()) if record.is_file() else {}
    if kept.get("digest") != digest or not files["torch"].is_file():
        module = case.build(torch)
        with torch.no_grad():
            torch.jit.save(torch.jit.script(module), str(files["torch"]))
        onnx = _export_onnx(case, module, torch, folder / "model.onnx")
        kept = {"digest": digest, "onnx": str(onnx)}
        record.write_text(json.dumps(kept))
    convert_archive(files["torch"], files["ember"])
    return {**{k: str(v) for k, v in files.items()}, "onnx": kept["onnx"]}


def _digest(torch) -> str:
    try:
        import onnx

        onnx_version = onnx.__version__
    except ImportError:
        onnx_version = "none"
    sources = sorted((ROOT / "tests" / "models").glob("*.py")) + [Path(__file__)]
    h = hashlib.sha256(f"{torch.__version__} {onnx_version}".encode())
    for path in sources:
        h.update(path.read_bytes())
    return h.hexdigest()


def _export_onnx(case: Case, module, torch, path: Path) -> Path | str:
    """torch's TorchScript-based exporter, else its torch.export one (which needs onnxscript):
    the first refuses adaptive pools to sizes that do not divide the input (AlexNet, VGG) and
    the fused attention of nn.MultiheadAttention (ViT)."""
    if not case.onnx:
        return "n/a (int argument)"
    try:
        import onnx  # noqa: F401 - torch's exporters need it
    except ImportError:
        return "not installed"
    args = tuple(torch.from_numpy(a) for a in inputs(case.specs))
    failures = []
    for dynamo in (False, True):
        try:
            with torch.no_grad():
                torch.onnx.export(module, args, str(path), dynamo=dynamo)
            return path
        except Exception as error:  # noqa: BLE001 - the exporters' own refusals are reported
            failures.append(
                f"{type(error).__name__}: {(str(error).strip() or ' ').splitlines()[0]}"
            )
    return f"export failed: {failures[-1][:70]}"
