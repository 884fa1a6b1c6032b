#include "loader/load.h"

#include <cstring>

#include "loader/build.h"
#include "runtime/optimize.h"
#include "runtime/plan.h"

namespace ember {

namespace {

// The program record's bytes, 8-byte aligned as flatbuffers reads them.
const uint8_t* aligned_record(const uint8_t* data, size_t size, Bytes& holder) {
  if (reinterpret_cast<uintptr_t>(data) % 8 == 0) return data;
  holder = copy_bytes(data, size);
  return holder.data;
}

void check_header(const fb::Program* r) {
  if (r->format() == 0 || r->format() > kProgramFormat) {
    throw Error(ErrorKind::Version,
                "program record format " + std::to_string(r->format()) +
                    " is newer than this runtime reads (format " + std::to_string(kProgramFormat) +
                    "): load it with a newer ember");
  }
  uint64_t v = r->version();
  if (v < static_cast<uint64_t>(kMinVersion) || v > static_cast<uint64_t>(kMaxVersion)) {
    std::string which = v < static_cast<uint64_t>(kMinVersion) ? "older" : "newer";
    throw Error(ErrorKind::Version,
                "archive version " + std::to_string(v) + " is " + which +
                    " than this runtime supports (versions " + std::to_string(kMinVersion) + ".." +
                    std::to_string(kMaxVersion) + ")");
  }
}

}  // namespace

std::shared_ptr<Program> load_program(Bytes bytes, const LoadOptions& options) {
  ZipArchive zip(bytes.data, bytes.size);
  std::string name = zip.prefix().empty() ? "program.fb" : zip.prefix() + "/program.fb";
  const ZipEntry* entry = zip.find(name);
  if (entry == nullptr) {
    throw Error(ErrorKind::Load,
                "archive has no program record (" + name +
                    "): it was written by torch.jit.save or an older ember; run "
                    "`ember convert IN OUT` to add one");
  }
  const uint8_t* raw = zip.stored(*entry, true);
  size_t size = static_cast<size_t>(entry->size);
  Bytes holder;
  const uint8_t* data = aligned_record(raw, size, holder);
  flatbuffers::Verifier::Options vopts;
  vopts.max_depth = 256;
  vopts.max_tables = 16 * 1000 * 1000;
  flatbuffers::Verifier verifier(data, size, vopts);
  bool has_id = size >= 8 && flatbuffers::BufferHasIdentifier(data, fb::ProgramIdentifier());
  if (!(has_id ? fb::VerifyProgramBuffer(verifier) : verifier.VerifyBuffer<fb::Program>(nullptr))) {
    throw Error(ErrorKind::Load, "archive: " + name + " is not a valid program record "
                                     "(the flatbuffer verifier rejects it)");
  }
  const fb::Program* record = fb::GetProgram(data);
  check_header(record);

  auto program = std::make_shared<Program>();
  program->bytes = bytes.owner;
  program->format = record->format();
  program->version = static_cast<int64_t>(record->version());
  program->producer = record->producer() ? record->producer()->str() : std::string();
  LoadContext ctx;
  ctx.record = record;
  ctx.record_size = size;
  ctx.zip = &zip;
  ctx.bytes = bytes;
  ctx.program = program.get();
  build_values(ctx);
  build_functions(ctx);
  fold_attributes(*program);
  if (options.optimize) optimize(*program);
  hoist_constants(*program);
  plan_memory(*program, options.plan_memory);
  return program;
}

}  // namespace ember
