// Times TorchScript from C++ (libtorch of the torch wheel): bench_torch MODEL.pt THREADS
// ROUNDS ITERS ARG...; prints the median microseconds per forward.
#include <cstdio>
#include <vector>

#include <torch/script.h>

#include "args.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: bench_torch MODEL.pt THREADS ROUNDS ITERS ARG...\n");
    return 2;
  }
  at::set_num_threads(std::atoi(argv[2]));
  at::set_num_interop_threads(1);
  torch::NoGradGuard no_grad;
  auto module = torch::jit::load(argv[1]);
  module.eval();
  std::vector<torch::jit::IValue> inputs;
  for (int i = 5; i < argc; ++i) {
    ArgSpec spec = parse_arg(argv[i]);
    if (spec.is_int) {
      inputs.emplace_back(spec.int_value);
      continue;
    }
    auto values = pattern(numel(spec.shape));
    inputs.emplace_back(torch::from_blob(values.data(), spec.shape).clone());
  }
  auto run = [&] { module.forward(inputs); };
  std::printf("%.3f\n", median_us(run, 20, std::atoi(argv[3]), std::atoi(argv[4])));
  return 0;
}
