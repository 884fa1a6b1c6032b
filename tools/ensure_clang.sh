#!/usr/bin/env bash
# clang-14 with its sanitizer runtimes (libFuzzer, ASan, UBSan, TSan, LSan) for the C++
# fuzzing and sanitizer tests of tests/cpp. Idempotent and quiet: nothing happens when
# clang++-14 and libFuzzer are already there. Installs from Debian with apt-get (CI runs as
# root on a clean machine); fails loudly when it cannot, so that the tests that need clang
# fail instead of being skipped.
set -euo pipefail

have_clang() {
  command -v clang++-14 >/dev/null 2>&1 &&
    [ -f "$(clang++-14 -print-runtime-dir)/libclang_rt.fuzzer-x86_64.a" ] &&
    [ -f "$(clang++-14 -print-runtime-dir)/libclang_rt.tsan-x86_64.a" ]
}

have_clang && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_clang: clang++-14 and libclang-rt-14-dev are missing and apt-get is not" \
    "available: install them (the C++ fuzz and sanitizer tests need them)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo -n"
fi
echo "ensure_clang: installing clang-14 and libclang-rt-14-dev with apt-get" >&2
log=$(mktemp)
if ! { $sudo apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    clang-14 libclang-rt-14-dev; } >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "ensure_clang: apt-get could not install clang-14 and libclang-rt-14-dev" >&2
  exit 1
fi
rm -f "$log"
have_clang || {
  echo "ensure_clang: clang++-14 or its libFuzzer runtime still missing after apt-get" >&2
  exit 1
}
