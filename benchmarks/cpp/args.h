// Command-line arguments of the runtime benchmarks: inputs as "f32:1x64" (a float32
// tensor of that shape, filled with a fixed pattern), "i64:16x1" (an int64 tensor of token
// ids, i * 37 mod 1000) or "int:5" (an integer argument). benchmarks/runtime_cases.py builds
// the same inputs in Python.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

struct ArgSpec {
  bool is_int = false;
  bool is_int64_tensor = false;
  int64_t int_value = 0;
  std::vector<int64_t> shape;
};

inline ArgSpec parse_arg(const std::string& text) {
  ArgSpec spec;
  auto colon = text.find(':');
  std::string kind = text.substr(0, colon), rest = text.substr(colon + 1);
  if (kind == "int") {
    spec.is_int = true;
    spec.int_value = std::stoll(rest);
    return spec;
  }
  spec.is_int64_tensor = kind == "i64";
  size_t start = 0;
  while (start <= rest.size()) {
    size_t x = rest.find('x', start);
    if (x == std::string::npos) x = rest.size();
    spec.shape.push_back(std::stoll(rest.substr(start, x - start)));
    start = x + 1;
  }
  return spec;
}

// The same deterministic values in every runtime: i * 0.37 folded into [-1, 1).
inline std::vector<float> pattern(int64_t n) {
  std::vector<float> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double v = static_cast<double>(i) * 0.37;
    values[static_cast<size_t>(i)] = static_cast<float>(v - 2.0 * static_cast<int64_t>(v / 2.0) - 1.0);
  }
  return values;
}

// Token ids below 1000 (the corpus models' vocabulary): i * 37 mod 1000.
inline std::vector<int64_t> token_pattern(int64_t n) {
  std::vector<int64_t> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = i * 37 % 1000;
  return values;
}

inline int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

// Median of `rounds` timings (µs) of `iters` calls of `run` each, after `warmup` calls.
template <class F>
double median_us(F&& run, int warmup, int rounds, int iters) {
  for (int i = 0; i < warmup; ++i) run();
  std::vector<double> times;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) run();
    auto t1 = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / iters);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}
