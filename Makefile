# `make demo` and `make test` work on a fresh machine: they create .venv and install into it.
# The package is installed editable (Python edits need nothing); the C++ runtime and its
# binding are rebuilt incrementally in build/ whenever a C++ or CMake file changed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BUILT := $(VENV)/.built
CPP_SOURCES := CMakeLists.txt $(shell find cpp_loader -type f \( -name '*.cpp' -o -name '*.h' \
	-o -name '*.inc' -o -name '*.fbs' -o -name 'CMakeLists.txt' -o -name '*.cmake' -o -name '*.in' \))
# The build requirements, read from pyproject.toml, go into .venv so rebuilds reuse build/.
BUILD_REQUIRES = $(shell $(PYTHON) -c "import tomllib; \
	print(' '.join(repr(r) for r in tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires']))")
# The bench extra (onnx, onnxruntime) goes into .venv only for `make bench`.
BENCH_REQUIRES = $(shell $(PYTHON) -c "import tomllib; print(' '.join(repr(r) for r in \
	tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['bench']))")
BENCHED := $(VENV)/.bench
# The fuzz extra (atheris) is installed on its own: no rebuild of the C++.
FUZZ_REQUIRES = $(shell $(PYTHON) -c "import tomllib; print(' '.join(repr(r) for r in \
	tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['fuzz']))")
FUZZ_STAMP := $(VENV)/.fuzz
SECONDS ?= 60
EDITABLE := $(PY) -m pip install --quiet --no-build-isolation --config-settings=build.verbose=false

.PHONY: demo test lint bench build clean fuzz fuzz-cpp tsan-cpp leak-cpp

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(BUILD_REQUIRES) 'cmake>=3.26' ninja
	touch $(STAMP)

$(BUILT): $(STAMP) $(CPP_SOURCES)
	$(EDITABLE) -e '.[test]'
	touch $(BUILT)

build: $(BUILT)

$(FUZZ_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet $(FUZZ_REQUIRES)
	touch $(FUZZ_STAMP)

# The coverage-guided fuzzer for SECONDS seconds (tools/fuzz/run.py; docs/serialization.md).
fuzz: $(BUILT) $(FUZZ_STAMP)
	$(PY) tools/fuzz/run.py --seconds $(SECONDS)

demo: $(BUILT)
	$(PY) examples/demo.py

# tools/ensure_clang.sh installs clang-14 for the C++ sanitizer tests (tests/cpp/test_sanitizers.py).
test: $(BUILT) $(FUZZ_STAMP)
	bash tools/ensure_clang.sh
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/ruff format --check src tests benchmarks examples

$(BENCHED): $(BUILT) pyproject.toml
	$(PY) -m pip install --quiet $(BENCH_REQUIRES)
	touch $(BENCHED)

# runtime.py writes build/bench/runtime.json and runtime.md beside it
bench: $(BENCHED)
	$(PY) benchmarks/ops.py
	$(PY) benchmarks/runtime.py

# The C++ runtime under sanitizers (docs/cpp.md), built in build/sanitize/ with clang-14:
# libFuzzer over the loader (ASan + UBSan) for SECONDS, one module's forward from 8 threads x
# 10,000 calls under ThreadSanitizer, and load/forward/unload under LeakSanitizer.
fuzz-cpp: $(BUILT)
	bash tools/ensure_clang.sh
	$(PY) -m tests.cpp.sanitizers fuzz --seconds $(SECONDS)

tsan-cpp: $(BUILT)
	bash tools/ensure_clang.sh
	$(PY) -m tests.cpp.sanitizers tsan --threads 8 --calls 10000

leak-cpp: $(BUILT)
	bash tools/ensure_clang.sh
	$(PY) -m tests.cpp.sanitizers leaks --rounds 20

clean:
	rm -rf $(VENV) build src/*.egg-info
