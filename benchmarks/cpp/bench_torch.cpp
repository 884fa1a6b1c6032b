// Times TorchScript from C++ (libtorch of the torch wheel): bench_torch MODEL.pt THREADS
// WARMUP ROUNDS ITERS ARG...; prints the median microseconds per forward.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/script.h>

#include "args.h"

static torch::jit::IValue input(const ArgSpec& spec) {
  if (spec.is_int) return torch::jit::IValue(spec.int_value);
  if (spec.is_int64_tensor) {
    auto ids = token_pattern(numel(spec.shape));
    return torch::from_blob(ids.data(), spec.shape, torch::kInt64).clone();
  }
  auto values = pattern(numel(spec.shape));
  return torch::from_blob(values.data(), spec.shape).clone();
}

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: bench_torch MODEL.pt THREADS WARMUP ROUNDS ITERS ARG...\n");
    return 2;
  }
  at::set_num_threads(std::atoi(argv[2]));
  at::set_num_interop_threads(1);
  torch::NoGradGuard no_grad;
  auto module = torch::jit::load(argv[1]);
  module.eval();
  std::vector<torch::jit::IValue> inputs;
  for (int i = 6; i < argc; ++i) inputs.push_back(input(parse_arg(argv[i])));
  auto run = [&] { module.forward(inputs); };
  double us = median_us(run, std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]));
  std::printf("%.3f\n", us);
  return 0;
}
