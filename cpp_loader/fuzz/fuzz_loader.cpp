// libFuzzer harness over the loader: each input is taken as an archive and as a checkpoint,
// both loaded from memory. Loading must fail with an ember::Error or succeed; a crash, a
// leak or undefined behaviour is a finding. (forward is not run: a damaged program may
// legitimately loop for a very long time.)
//
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined ... fuzz_loader.cpp <runtime>
//   ./fuzz_loader -max_total_time=60 corpus/
#include <cstddef>
#include <cstdint>

#include "ember/ember.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto module = ember::load_bytes(data, size);
  if (module) {
    (void)module->method_names();
    (void)module->version();
  }
  auto tensors = ember::load_checkpoint_bytes(data, size);
  (void)tensors;
  return 0;
}
