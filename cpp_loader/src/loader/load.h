// Loading a program: the archive's bytes to a verified, bound Program (throws ember::Error).
#pragma once

#include <memory>

#include "ember/module.h"
#include "loader/bytes.h"
#include "runtime/program.h"

namespace ember {

// The runtime reads program record formats up to this one, and archive versions in
// [kMinVersion, kMaxVersion] (torch 2.13's window).
constexpr uint32_t kProgramFormat = 1;
constexpr int64_t kMinVersion = 1;
constexpr int64_t kMaxVersion = 10;

std::shared_ptr<Program> load_program(Bytes bytes, const LoadOptions& options);

}  // namespace ember
