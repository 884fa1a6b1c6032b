// The floor: a bare OpenBLAS loop doing a model's matrix products and nothing else.
// bench_sgemm THREADS WARMUP ROUNDS ITERS BATCH WIDTH LAYERS; prints the median microseconds
// per pass.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "args.h"

extern "C" void EMBER_BENCH_SGEMM(int order, int transa, int transb, int m, int n, int k,
                                  float alpha, const float* a, int lda, const float* b, int ldb,
                                  float beta, float* c, int ldc);
extern "C" void scipy_openblas_set_num_threads(int threads);

int main(int argc, char** argv) {
  if (argc < 8) {
    std::fprintf(stderr, "usage: bench_sgemm THREADS WARMUP ROUNDS ITERS BATCH WIDTH LAYERS\n");
    return 2;
  }
  scipy_openblas_set_num_threads(std::atoi(argv[1]));
  int batch = std::atoi(argv[5]), width = std::atoi(argv[6]), layers = std::atoi(argv[7]);
  std::vector<float> x = pattern(int64_t(batch) * width), y(x.size());
  std::vector<float> w = pattern(int64_t(width) * width);
  auto run = [&] {
    for (int l = 0; l < layers; ++l) {
      // row-major (101), no-trans a (111), trans b (112): y = x @ w^T, as linear does
      EMBER_BENCH_SGEMM(101, 111, 112, batch, width, width, 1.f, x.data(), width, w.data(),
                        width, 0.f, y.data(), width);
      x.swap(y);
    }
  };
  double us = median_us(run, std::atoi(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]));
  std::printf("%.3f\n", us);
  return 0;
}
