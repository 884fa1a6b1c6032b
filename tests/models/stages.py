"""The five stages of issue 11, run for one corpus model against torch eager.

A `Reference` holds torch's side of one model (its eager logits, the checkpoint and torch's
archives, written lazily into a temporary folder); an `Engine` is the runtime under test:
ember, or torch itself for checking the harness (`python -m tests.models.status --engine
torch`). Each stage returns logits as a numpy array; stages share cached work (the eager model,
its scripted and traced forms) but each one fails only through its own steps or theirs.
"""

import shutil
from pathlib import Path

import numpy as np
from tests.models import registry, weights

STAGES = (
    "eager",
    "script",
    "trace",
    "torch_script_archive",
    "torch_trace_archive",
    "ember_script_archive",
    "ember_trace_archive",
)
ATOL, RTOL = 1e-4, 1e-3


class Engine:
    """A runtime under test: its module (bound as `torch` in the sources) and conversions."""

    def __init__(self, module):
        self.module = module

    def tensor(self, array: np.ndarray):
        return self.module.from_numpy(array.copy())

    def numpy(self, t) -> np.ndarray:
        return np.array(weights.logits(t).detach().numpy(), copy=True)

    def load_checkpoint(self, path):
        return self.module.load(path, weights_only=True)


class Reference:
    """torch's side of model `name`: eager logits and the files the stages read."""

    def __init__(self, name: str, torch, folder: Path):
        self.name, self.torch, self.folder = name, torch, folder
        folder.mkdir(parents=True, exist_ok=True)
        self.model = weights.reference_model(name, torch)
        self.x = registry.example_input(name)
        with torch.no_grad():
            self.expected = self._run(self.model)
        self._paths: dict = {}

    def _run(self, model) -> np.ndarray:
        with self.torch.no_grad():
            out = model(self.torch.from_numpy(self.x.copy()))
        return np.array(weights.logits(out).numpy(), copy=True)

    def run_archive(self, path) -> np.ndarray:
        return self._run(self.torch.jit.load(str(path)))

    def checkpoint(self) -> Path:
        return self._written("weights.pt", self._save_weights)

    def script_archive(self) -> Path:
        return self._written("torch_script.pt", lambda p: self._save(self.torch.jit.script, p))

    def trace_archive(self) -> Path:
        return self._written("torch_trace.pt", lambda p: self._save(self._trace, p))

    def _trace(self, model):
        x = self.torch.from_numpy(self.x.copy())
        return self.torch.jit.trace(model, x, check_trace=False)

    def _save(self, compile_, path) -> None:
        with self.torch.no_grad():
            self.torch.jit.save(compile_(self.model), str(path))

    def _save_weights(self, path) -> None:
        state = self.model.state_dict()
        legacy = registry.MODELS[self.name].legacy_keys
        if legacy is not None:
            state = getattr(registry.source(self.name, self.torch), legacy)(state)
        self.torch.save(state, str(path))

    def _written(self, filename: str, write) -> Path:
        if filename not in self._paths:
            path = self.folder / filename
            write(path)
            self._paths[filename] = path
        return self._paths[filename]

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _Memo:
    """Results of zero-argument steps, kept (exceptions too) so each runs once."""

    def __init__(self):
        self._results: dict = {}

    def get(self, key, compute):
        if key not in self._results:
            try:
                self._results[key] = (True, compute())
            except Exception as error:  # noqa: BLE001 - re-raised on every later request
                self._results[key] = (False, error)
        ok, value = self._results[key]
        if not ok:
            raise value
        return value


class ModelRun:
    """The stages of one model for one engine, sharing its eager, scripted and traced forms."""

    def __init__(self, reference: Reference, engine: Engine):
        self.ref, self.engine, self.memo = reference, engine, _Memo()

    def stage(self, stage: str) -> np.ndarray:
        """Logits of `stage` (one of STAGES) on the model's input."""
        return getattr(self, f"_{stage}")()

    def _input(self):
        return self.engine.tensor(self.ref.x)

    def _call(self, model) -> np.ndarray:
        with self.engine.module.no_grad():
            return self.engine.numpy(model(self._input()))

    def eager_model(self):
        return self.memo.get("eager", self._build)

    def _build(self):
        name, module = self.ref.name, self.engine.module
        model = registry.build(name, module)
        state = self.engine.load_checkpoint(self.ref.checkpoint())
        registry.load_weights(name, module, model, state)
        return model.eval()

    def scripted(self):
        return self.memo.get("script", lambda: self.engine.module.jit.script(self.eager_model()))

    def traced(self):
        def trace():
            with self.engine.module.no_grad():
                return self.engine.module.jit.trace(self.eager_model(), self._input())

        return self.memo.get("trace", trace)

    def _eager(self):
        return self._call(self.eager_model())

    def _script(self):
        return self._call(self.scripted())

    def _trace(self):
        return self._call(self.traced())

    def _torch_script_archive(self):
        return self._call(self.engine.module.jit.load(str(self.ref.script_archive())))

    def _torch_trace_archive(self):
        return self._call(self.engine.module.jit.load(str(self.ref.trace_archive())))

    def _ember_script_archive(self):
        return self._saved(self.scripted(), "ember_script.pt")

    def _ember_trace_archive(self):
        return self._saved(self.traced(), "ember_trace.pt")

    def _saved(self, compiled, filename: str) -> np.ndarray:
        path = self.ref.folder / filename
        self.engine.module.jit.save(compiled, str(path))
        return self.ref.run_archive(path)


def compare(got: np.ndarray, expected: np.ndarray) -> None:
    """Assert the stage's logits equal torch eager's within the issue's tolerance."""
    np.testing.assert_allclose(got, expected, atol=ATOL, rtol=RTOL)


class Corpus:
    """References and runs for one engine, keeping only the current model's in memory."""

    def __init__(self, torch, folder: Path, engine: Engine):
        self.torch, self.folder, self.engine = torch, Path(folder), engine
        self._current: ModelRun | None = None

    def run(self, name: str) -> ModelRun:
        if self._current is None or self._current.ref.name != name:
            if self._current is not None:
                self._current.ref.remove()
            self._current = None  # drop the previous model before building the next
            reference = Reference(name, self.torch, self.folder / name)
            self._current = ModelRun(reference, self.engine)
        return self._current

    def check(self, name: str, stage: str) -> None:
        run = self.run(name)
        compare(run.stage(stage), run.ref.expected)
