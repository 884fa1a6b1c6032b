// A minimal check harness for core_check: CHECK counts failures, `throws` tests an Error.
#pragma once

#include <cstdio>
#include <string>

#include "ember/error.h"

extern int g_failures;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      ++g_failures;                                                          \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
    }                                                                        \
  } while (0)

// Whether f() throws an ember::Error whose message contains `part`.
template <class F>
bool throws(F f, const std::string& part = "") {
  try {
    f();
  } catch (const ember::Error& e) {
    if (std::string(e.what()).find(part) != std::string::npos) return true;
    std::printf("unexpected message: %s\n", e.what());
    return false;
  }
  return false;
}

void check_iteration();
void check_copies();
