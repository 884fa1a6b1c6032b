// Loading archives and running them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ember/error.h"
#include "ember/value.h"

namespace ember {

struct Program;  // the loaded, verified and bound program (runtime internal)

struct LoadOptions {
  // Map the archive and view its tensors in place (copy-on-write); false reads it into memory.
  bool mmap = true;
  // Fold batch norms into the convolutions before them and pre-pack weights.
  bool optimize = true;
  // Plan memory: clear each register after its last reader and let tensor registers whose
  // lifetimes do not overlap share arena memory (false: one arena slot per register, every
  // intermediate kept to the end of the call).
  bool plan_memory = true;
};

// A loaded archive. Copies share the loaded program; `forward` and `run_method` may be
// called from many threads at once (each call gets its own frame).
class Module {
 public:
  explicit Module(std::shared_ptr<Program> program) : program_(std::move(program)) {}

  // Runs `forward`: inputs are the arguments after `self`. One result, a Tuple for several.
  Result<Value> forward(const std::vector<Value>& inputs) const;
  Result<Value> run_method(const std::string& name, const std::vector<Value>& inputs) const;

  std::vector<std::string> method_names() const;
  // The module's attribute (a parameter, a submodule, ...), by dotted path: "l0.weight".
  Result<Value> attribute(const std::string& path) const;
  // The archive's version record.
  int64_t version() const;

  const std::shared_ptr<Program>& program() const { return program_; }

 private:
  std::shared_ptr<Program> program_;
};

// Loads an archive written by `ember.jit.save` (or converted by `ember convert`).
Result<Module> load(const std::string& path, const LoadOptions& options = {});
// The same from bytes in memory (copied).
Result<Module> load_bytes(const void* data, size_t size, const LoadOptions& options = {});

// The tensors of a checkpoint (a state dict saved by ember.save or torch.save, zip
// format), read with an unpickler that accepts only what weights_only=True accepts.
Result<std::map<std::string, Tensor>> load_checkpoint(const std::string& path);
// The same from bytes in memory (copied).
Result<std::map<std::string, Tensor>> load_checkpoint_bytes(const void* data, size_t size);

}  // namespace ember
