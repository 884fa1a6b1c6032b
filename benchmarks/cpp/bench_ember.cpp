// Times ember's C++ runtime: bench_ember MODEL.pt ROUNDS ITERS ARG...; prints the median
// microseconds per forward.
#include <cstdio>
#include <string>
#include <vector>

#include <ember/ember.h>

#include "args.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_ember MODEL.pt ROUNDS ITERS ARG...\n");
    return 2;
  }
  auto module = ember::load(argv[1]);
  if (!module) {
    std::fprintf(stderr, "%s\n", module.error().what());
    return 1;
  }
  std::vector<ember::Value> inputs;
  for (int i = 4; i < argc; ++i) {
    ArgSpec spec = parse_arg(argv[i]);
    if (spec.is_int) {
      inputs.emplace_back(spec.int_value);
      continue;
    }
    auto values = pattern(numel(spec.shape));
    inputs.emplace_back(
        ember::Tensor::from_buffer(values.data(), ember::Dims(spec.shape), ember::DType::Float32));
  }
  bool failed = false;
  auto run = [&] {
    auto out = module->forward(inputs);
    if (!out) {
      std::fprintf(stderr, "%s\n", out.error().what());
      failed = true;
    }
  };
  double us = median_us(run, 20, std::atoi(argv[2]), std::atoi(argv[3]));
  if (failed) return 1;
  std::printf("%.3f\n", us);
  return 0;
}
