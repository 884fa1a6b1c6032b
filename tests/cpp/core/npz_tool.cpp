// npz_tool IN.npz [OUT.npz]: lists IN's arrays (name dtype [sizes]) and writes them to OUT.
// Exit status 2 and "ERROR kind message" for a file the reader refuses.
#include <cstdio>
#include <string>

#include "ember/error.h"
#include "io/npz.h"

int main(int argc, char** argv) {
  if (argc < 2) return 64;
  try {
    ember::NamedTensors arrays = ember::read_npz(argv[1]);
    for (const auto& [name, t] : arrays) {
      std::printf("%s %s [", name.c_str(), std::string(ember::dtype_name(t.dtype())).c_str());
      for (int64_t s : t.sizes()) std::printf("%lld,", static_cast<long long>(s));
      std::printf("]\n");
    }
    if (argc > 2) ember::write_npz(argv[2], arrays);
  } catch (const ember::Error& e) {
    std::printf("ERROR %d %s\n", static_cast<int>(e.kind()), e.what());
    return 2;
  }
  return 0;
}
