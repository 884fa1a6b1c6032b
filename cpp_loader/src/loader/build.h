// The steps of loading a program record (loader/load.cpp drives them in order).
// Each checks what it reads against the record and the archive and throws
// Error(Load / Version / Operator) naming what is wrong.
#pragma once

#include <string>
#include <vector>

#include "loader/bytes.h"
#include "loader/zip.h"
#include "program_generated.h"
#include "runtime/program.h"

namespace ember {

namespace fb = ::ember::program;

struct LoadContext {
  const fb::Program* record = nullptr;
  size_t record_size = 0;  // bytes of program.fb (bounds the registers a function may have)
  const ZipArchive* zip = nullptr;
  Bytes bytes;
  Program* program = nullptr;
  std::vector<DType> storage_dtypes;    // per storage of the program
  std::vector<int64_t> storage_numels;

  // "prefix/name", the full name of an archive-relative record.
  std::string record_name(const std::string& relative) const {
    return zip->prefix().empty() ? relative : zip->prefix() + "/" + relative;
  }
};

[[noreturn]] void load_error(const std::string& message);

// Storages, classes, objects, constants and the root object (loader/values.cpp).
void build_values(LoadContext& ctx);
// Functions and upgraders: ops checked and bound to kernels (loader/functions.cpp).
void build_functions(LoadContext& ctx);
// prim::GetAttr chains from `self` whose attributes are never set become constants
// (loader/fold.cpp).
void fold_attributes(Program& program);
// Registers written only by prim::Constant are loaded once per frame, their ops removed
// (loader/fold.cpp; runs after load-time optimisation, which may look at the constants).
void hoist_constants(Program& program);

}  // namespace ember
