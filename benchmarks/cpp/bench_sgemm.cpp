// The floor: a bare OpenBLAS loop doing a model's matrix products and nothing else.
// bench_sgemm ROUNDS ITERS BATCH WIDTH LAYERS; prints the median microseconds per pass.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "args.h"

extern "C" void EMBER_BENCH_SGEMM(int order, int transa, int transb, int m, int n, int k,
                                  float alpha, const float* a, int lda, const float* b, int ldb,
                                  float beta, float* c, int ldc);

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: bench_sgemm ROUNDS ITERS BATCH WIDTH LAYERS\n");
    return 2;
  }
  int batch = std::atoi(argv[3]), width = std::atoi(argv[4]), layers = std::atoi(argv[5]);
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
  std::printf("%.3f\n", median_us(run, 20, std::atoi(argv[1]), std::atoi(argv[2])));
  return 0;
}
