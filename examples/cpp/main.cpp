// predict MODEL.pt X0 X1 ...: runs the archive's forward on the 1-d float32 tensor
// [X0, X1, ...] with no Python, and prints the result's sizes and values.
#include <ember/ember.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

static void print_tensor(const ember::Tensor& t) {
  std::printf("sizes:");
  for (int64_t size : t.sizes()) std::printf(" %lld", static_cast<long long>(size));
  std::vector<double> values(static_cast<size_t>(t.numel()));
  t.to(ember::DType::Float64).copy_to(values.data());
  std::printf("\nvalues:");
  for (double v : values) std::printf(" %.9g", v);
  std::printf("\n");
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.pt X0 X1 ...\n", argv[0]);
    return 2;
  }
  auto module = ember::load(argv[1]);
  if (!module) {
    std::fprintf(stderr, "error: %s\n", module.error().what());
    return 1;
  }
  std::vector<float> input;
  for (int i = 2; i < argc; ++i) input.push_back(std::strtof(argv[i], nullptr));

  auto out = module->forward({ember::Tensor::from_vector(input)});
  if (!out) {
    std::fprintf(stderr, "error: %s\n", out.error().what());
    return 1;
  }
  if (!out->is_tensor()) {
    std::fprintf(stderr, "error: forward returned a %s, not a tensor\n", ember::tag_name(out->tag()));
    return 1;
  }
  print_tensor(out->to_tensor());
  return 0;
}
