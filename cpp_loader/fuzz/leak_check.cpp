// Leak check of load -> forward -> unload, built with ASan (LeakSanitizer reports what is
// unreachable at exit) by the EMBER_FUZZ build beside fuzz_loader:
//
//   leak_check ROUNDS FILE[:D0xD1...] ... [--leak-one-module]
//
// Each round, every FILE is loaded as an archive (mapped, read, and from bytes) and as a
// checkpoint; an archive that loads and names an input shape runs `forward` three times on a
// float32 input of that shape (a shape the model refuses exercises the error path). Damaged
// files simply fail to load: their error paths must free what they built. Besides LSan's
// report at exit, the heap ASan holds after the first round must not grow over the others
// (memory still reachable but piling up, e.g. in a cache, is a leak too). Exit 1 on growth;
// --leak-one-module leaks a module on purpose, to show that LeakSanitizer is watching.
#include <sanitizer/allocator_interface.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ember/ember.h"

namespace {

struct Input {
  std::string path;
  ember::Dims shape;  // empty: do not run forward
  bool runs = false;
};

Input parse(const std::string& arg) {
  Input in;
  size_t colon = arg.rfind(':');
  in.path = arg.substr(0, colon);
  if (colon == std::string::npos) return in;
  in.runs = true;
  for (size_t at = colon + 1; at <= arg.size();) {
    size_t x = arg.find('x', at);
    if (x == std::string::npos) x = arg.size();
    in.shape.push_back(std::atoll(arg.substr(at, x - at).c_str()));
    at = x + 1;
  }
  return in;
}

std::string read_all(const std::string& path) {
  std::string bytes;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, n);
    std::fclose(f);
  }
  return bytes;
}

struct Counts {
  long loaded = 0, refused = 0, ran = 0, failed = 0, checkpoints = 0;
};

void run(const ember::Module& module, const Input& in, Counts& counts) {
  ember::Tensor x = ember::Tensor::empty(in.shape, ember::DType::Float32);
  float* p = x.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) p[i] = static_cast<float>(i % 7) - 3.0f;
  for (int k = 0; k < 3; ++k) {
    auto out = module.forward({x});
    ++(out ? counts.ran : counts.failed);
  }
}

void round(const std::vector<Input>& inputs, Counts& counts) {
  for (const Input& in : inputs) {
    std::string bytes = read_all(in.path);
    for (int how = 0; how < 3; ++how) {
      ember::LoadOptions options;
      options.mmap = how == 0;
      auto module = how < 2 ? ember::load(in.path, options)
                            : ember::load_bytes(bytes.data(), bytes.size());
      if (!module) {
        ++counts.refused;
        continue;
      }
      ++counts.loaded;
      if (in.runs) run(*module, in, counts);
    }
    auto tensors = ember::load_checkpoint(in.path);
    auto again = ember::load_checkpoint_bytes(bytes.data(), bytes.size());
    counts.checkpoints += (tensors ? 1 : 0) + (again ? 1 : 0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: leak_check ROUNDS FILE[:D0xD1...] ... [--leak-one-module]\n");
    return 2;
  }
  int rounds = std::atoi(argv[1]);
  bool leak_one = false;
  std::vector<Input> inputs;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--leak-one-module") == 0) {
      leak_one = true;
    } else {
      inputs.push_back(parse(argv[i]));
    }
  }
  Counts counts;
  round(inputs, counts);
  size_t after_first = __sanitizer_get_current_allocated_bytes();
  for (int r = 1; r < rounds; ++r) round(inputs, counts);
  size_t after_last = __sanitizer_get_current_allocated_bytes();
  if (leak_one && !inputs.empty()) {
    auto module = ember::load(inputs[0].path);
    if (module) new ember::Module(*module);  // never deleted: LeakSanitizer must report it
  }
  long growth = static_cast<long>(after_last) - static_cast<long>(after_first);
  std::printf("%d rounds over %zu files: %ld loads, %ld refused, %ld forwards ran, %ld failed, "
              "%ld checkpoints; heap %zu bytes after round 1, %zu after round %d\n",
              rounds, inputs.size(), counts.loaded, counts.refused, counts.ran, counts.failed,
              counts.checkpoints, after_first, after_last, rounds);
  if (growth > 0) {
    std::fprintf(stderr, "leak_check: the heap grew by %ld bytes over %d rounds\n", growth,
                 rounds - 1);
    return 1;
  }
  return 0;
}
