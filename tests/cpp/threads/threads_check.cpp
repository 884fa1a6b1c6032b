// One loaded module, `forward` from many threads at once: every call must give the result
// a single-threaded call gives for the same input.
//
//   threads_check MODEL.pt THREADS ITERATIONS D0 [D1 ...]
//
// Thread k runs forward on its own float32 input (shape D0 x D1 ..., a fixed pattern
// scaled by k + 1), so a result that leaks between concurrent calls is caught.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <ember/ember.h>

namespace {

// The result's tensors and scalars, flattened, as bytes.
void flatten(const ember::Value& v, std::string& out) {
  switch (v.tag()) {
    case ember::Tag::Tensor: {
      const ember::Tensor& t = v.to_tensor();
      out += std::string(ember::dtype_name(t.dtype()));
      for (int64_t s : t.sizes()) out += ":" + std::to_string(s);
      std::string bytes(static_cast<size_t>(t.numel()) * t.element_size(), '\0');
      if (!bytes.empty()) t.copy_to(&bytes[0]);
      out += bytes;
      return;
    }
    case ember::Tag::List:
    case ember::Tag::Tuple:
      for (const ember::Value& item : v.items()) flatten(item, out);
      return;
    case ember::Tag::Int: out += "i" + std::to_string(v.to_int()); return;
    case ember::Tag::Double: {
      double d = v.to_double();
      out += "d" + std::string(reinterpret_cast<const char*>(&d), sizeof d);
      return;
    }
    case ember::Tag::Bool: out += v.to_bool() ? "T" : "F"; return;
    default: out += ember::tag_name(v.tag()); return;
  }
}

ember::Tensor input(const ember::Dims& shape, int k) {
  ember::Tensor t = ember::Tensor::empty(shape, ember::DType::Float32);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = std::sin(0.37f * static_cast<float>(i)) * (k + 1);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: threads_check MODEL.pt THREADS ITERATIONS D0 [D1 ...]\n");
    return 2;
  }
  int threads = std::atoi(argv[2]), iterations = std::atoi(argv[3]);
  ember::Dims shape;
  for (int i = 4; i < argc; ++i) shape.push_back(std::atoll(argv[i]));
  auto loaded = ember::load(argv[1]);
  if (!loaded) {
    std::fprintf(stderr, "error: %s\n", loaded.error().what());
    return 1;
  }
  const ember::Module module = *loaded;
  std::vector<ember::Tensor> inputs;
  std::vector<std::string> expected;
  for (int k = 0; k < threads; ++k) {
    inputs.push_back(input(shape, k));
    auto out = module.forward({inputs.back()});
    if (!out) {
      std::fprintf(stderr, "error: %s\n", out.error().what());
      return 1;
    }
    expected.emplace_back();
    flatten(*out, expected.back());
  }
  std::atomic<int> mismatches{0}, errors{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (int k = 0; k < threads; ++k) {
    pool.emplace_back([&, k] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < iterations; ++i) {
        auto out = module.forward({inputs[k]});
        if (!out) {
          if (errors++ == 0) std::fprintf(stderr, "thread %d: %s\n", k, out.error().what());
          continue;
        }
        std::string got;
        flatten(*out, got);
        if (got != expected[k]) ++mismatches;
      }
    });
  }
  go = true;
  for (auto& t : pool) t.join();
  std::printf("%d threads x %d calls: %d mismatches, %d errors\n", threads, iterations,
              mismatches.load(), errors.load());
  return mismatches || errors ? 1 : 0;
}
