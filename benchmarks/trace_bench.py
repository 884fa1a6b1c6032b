"""Tracing cost: ember.jit.trace beside torch.jit.trace on the same modules.

Both tracers run with their defaults (check_trace=True: the trace is re-run on the example and
compared with eager code). Modules: the seed's ControlFlowModule (two Linear submodules) and a
small CNN with a shape-dependent reshape. Times are medians of `--repeat` warm runs.

Run: .venv/bin/python benchmarks/trace_bench.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import ember
import ember.jit


def median_ms(fn, repeat: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def control_flow_module(lib):
    class ControlFlowModule(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.l0 = lib.nn.Linear(4, 2)
            self.l1 = lib.nn.Linear(2, 1)

        def forward(self, input):
            if input.dim() > 1:
                return lib.tensor(0)
            out0 = self.l0(input)
            out0_relu = lib.nn.functional.relu(out0)
            return self.l1(out0_relu)

    return ControlFlowModule(), (lib.randn(4),)


def small_cnn(lib):
    nn = lib.nn

    class SmallCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, padding=1)
            self.bn = nn.BatchNorm2d(8)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(8 * 4 * 4, 10)

        def forward(self, x):
            y = self.pool(nn.functional.relu(self.bn(self.conv(x))))
            return self.fc(y.view(y.size(0), -1))

    return SmallCNN().eval(), (lib.randn(2, 3, 8, 8),)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    print(f"{'module':<20} {'ember.jit.trace':>16} {'torch.jit.trace':>16} {'ratio':>7}")
    for make in (control_flow_module, small_cnn):
        em_module, em_inputs = make(ember)
        t_module, t_inputs = make(torch)
        em = median_ms(lambda m=em_module, i=em_inputs: ember.jit.trace(m, i), args.repeat)
        th = median_ms(lambda m=t_module, i=t_inputs: torch.jit.trace(m, i), args.repeat)
        name = make.__name__
        print(f"{name:<20} {em:>13.3f} ms {th:>13.3f} ms {em / th:>6.2f}x")


if __name__ == "__main__":
    main()
