// Times ember's C++ runtime: bench_ember MODEL.pt THREADS WARMUP ROUNDS ITERS ARG...; prints
// the median microseconds per forward. ember's threads are OpenBLAS's: set here to THREADS
// (and read back, so a library that ignored it fails the run instead of skewing it).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <ember/ember.h>

#include "args.h"

extern "C" void scipy_openblas_set_num_threads(int threads);
extern "C" int scipy_openblas_get_num_threads();

static ember::Value input(const ArgSpec& spec) {
  if (spec.is_int) return ember::Value(spec.int_value);
  ember::Dims dims(spec.shape);
  if (spec.is_int64_tensor) {
    auto ids = token_pattern(numel(spec.shape));
    return ember::Value(ember::Tensor::from_buffer(ids.data(), dims, ember::DType::Int64));
  }
  auto values = pattern(numel(spec.shape));
  return ember::Value(ember::Tensor::from_buffer(values.data(), dims, ember::DType::Float32));
}

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: bench_ember MODEL.pt THREADS WARMUP ROUNDS ITERS ARG...\n");
    return 2;
  }
  int threads = std::atoi(argv[2]);
  scipy_openblas_set_num_threads(threads);
  if (scipy_openblas_get_num_threads() != threads) {
    std::fprintf(stderr, "OpenBLAS runs %d threads, not %d\n", scipy_openblas_get_num_threads(),
                 threads);
    return 1;
  }
  auto module = ember::load(argv[1]);
  if (!module) {
    std::fprintf(stderr, "%s\n", module.error().what());
    return 1;
  }
  std::vector<ember::Value> inputs;
  for (int i = 6; i < argc; ++i) inputs.push_back(input(parse_arg(argv[i])));
  bool failed = false;
  auto run = [&] {
    auto out = module->forward(inputs);
    if (!out && !failed) {
      std::fprintf(stderr, "%s\n", out.error().what());
      failed = true;
    }
  };
  double us = median_us(run, std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]));
  if (failed) return 1;
  std::printf("%.3f\n", us);
  return 0;
}
