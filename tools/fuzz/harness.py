"""The atheris (libFuzzer) entry point: every input goes through `targets.check_input`.

Run it through tools/fuzz/run.py (which writes the seeds and picks the flags); by hand:

    .venv/bin/python tools/fuzz/harness.py -timeout=10 -max_total_time=60 CORPUS SEEDS

ember is imported whole and all its functions instrumented, so coverage guides the
mutations through all of it; `mutate.mutate` keeps zip inputs' CRCs valid. A `Finding` is
raised to libFuzzer, which stops and writes the input to ``<artifact_prefix>crash-<sha1>``;
with EMBER_FUZZ_COLLECT=FOLDER the run goes on instead and each new kind of finding (its
`signature`) is saved as FOLDER/<signature>.bin with a .txt beside it holding the message and
traceback. Address space for data is capped at 1 GiB above what the imports took
(RLIMIT_DATA), so a memory bomb cannot take the machine down before the 200 MB rule reports
it.
"""

from __future__ import annotations

import gc
import os
import pkgutil
import resource
import sys
import tempfile
import traceback
import types

import atheris

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "..", "tests")]  # fuzz_pickle is in tests/

import ember  # noqa: E402

for _module in pkgutil.walk_packages(ember.__path__, "ember."):
    if not _module.name.endswith("__main__"):
        __import__(_module.name)

import mutate  # noqa: E402
import targets  # noqa: E402


def _instrument_ember() -> int:
    """Instrument every function of ember's, nested code included; returns how many.

    atheris.instrument_imports() cannot do it: the editable install imports ember through
    scikit-build-core's own loader, which atheris skips (or wraps without instrumenting).
    """
    folder = os.path.dirname(ember.__file__) + os.sep
    functions = [
        f
        for f in gc.get_objects()
        if isinstance(f, types.FunctionType) and f.__code__.co_filename.startswith(folder)
    ]
    for function in functions:
        atheris.instrument_func(function)
    return len(functions)


COLLECT = os.environ.get("EMBER_FUZZ_COLLECT")
_PATH = os.environ.get("EMBER_FUZZ_INPUT") or os.path.join(tempfile.mkdtemp(), "input.pt")
_seen: set[str] = set()


def _cap_data_segment(extra_mb: int = 1024) -> None:
    with open("/proc/self/status") as f:
        data_kb = next(int(line.split()[1]) for line in f if line.startswith("VmData:"))
    limit = data_kb * 1024 + extra_mb * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _save(finding: targets.Finding, data: bytes) -> None:
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in finding.signature)
    if name in _seen:
        return
    _seen.add(name)
    os.makedirs(COLLECT, exist_ok=True)
    with open(os.path.join(COLLECT, name + ".bin"), "wb") as f:
        f.write(data)
    with open(os.path.join(COLLECT, name + ".txt"), "w") as f:
        f.write(f"{finding}\n\n{''.join(traceback.format_exception(finding))}")
    print(f"FINDING {name}: {finding}", file=sys.stderr, flush=True)


def test_one_input(data: bytes) -> None:
    try:
        targets.check_input(data, _PATH)
    except targets.Finding as finding:
        if not COLLECT:
            raise
        _save(finding, data)


if __name__ == "__main__":
    print(f"INFO: instrumented {_instrument_ember()} of ember's functions", file=sys.stderr)
    _cap_data_segment()
    atheris.Setup(sys.argv, test_one_input, custom_mutator=mutate.mutate)
    atheris.Fuzz()
