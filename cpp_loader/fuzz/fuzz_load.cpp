// libFuzzer harness over the loader: any bytes must load or fail with an ember::Error,
// never crash or touch memory out of bounds (built with ASan and UBSan: docs/cpp.md).
#include <cstddef>
#include <cstdint>

#include <ember/ember.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ember::LoadOptions options;
  options.mmap = false;
  auto loaded = ember::load_bytes(data, size, options);
  if (loaded) (void)loaded->method_names();
  return 0;
}
