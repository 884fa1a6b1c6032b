// Devices and global-mode queries: torch.device(...) in archive code, device.type,
// torch.is_grad_enabled() and the autocast queries (ember/devices.py, grad_query.py).
#include <string>

#include "kernels/prim_util.h"

namespace ember::prim {
namespace {

constexpr const char* kDeviceTypes[] = {"cpu", "cuda", "mps",  "meta",
                                        "xpu", "hip",  "xla",  "privateuseone"};

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
  }
  return true;
}

// The device's string form, validated as ember.device(type, index) does.
std::string device_text(std::string type, const std::string* index) {
  std::string suffix = index ? ":" + *index : "";
  const size_t colon = type.find(':');
  if (colon != std::string::npos) {
    if (index) fail("type (string) must not include an index: " + type);
    std::string idx = type.substr(colon + 1);
    type.resize(colon);
    if (!all_digits(idx)) fail("Invalid device string: '" + type + ":" + idx + "'");
    if (idx.size() > 18) fail("device index out of range: " + idx);
    suffix = ":" + std::to_string(std::stoll(idx));
  }
  bool known = false;
  for (const char* t : kDeviceTypes) known = known || type == t;
  if (!known) {
    fail("Expected one of cpu, cuda, mps, meta, xpu, hip, xla, privateuseone device type at "
         "start of device string: " + type);
  }
  return type + suffix;
}

void device(Call& c) { c.set(0, Value::device(device_text(c.in(0).to_string(), nullptr))); }

void device_with_index(Call& c) {
  const std::string index = std::to_string(as_int(c.in(1)));
  c.set(0, Value::device(device_text(c.in(0).to_string(), &index)));
}

// prim::type(Device self) -> str: "cpu" for cpu:0.
void device_type(Call& c) {
  const std::string& text = c.in(0).to_string();
  c.set(0, Value(text.substr(0, text.find(':'))));
}

// ember records no gradients; gradient mode is on unless Python code turned it off, and
// there is no such switch in the C++ runtime.
void is_grad_enabled(Call& c) { c.set(0, Value(true)); }
void is_autocast_enabled(Call& c) { c.set(0, Value(false)); }

}  // namespace

void register_prim_queries(KernelRegistry& r) {
  r.add("aten::device", device);
  r.add("aten::device.with_index", device_with_index);
  r.add("prim::type", device_type);
  r.add("aten::is_grad_enabled", is_grad_enabled);
  r.add("aten::is_autocast_enabled", is_autocast_enabled);
  r.add("aten::is_autocast_cpu_enabled", is_autocast_enabled);
}

}  // namespace ember::prim
