// The interpreter: runs a loaded function's block tree on a frame of registers.
#pragma once

#include <vector>

#include "runtime/program.h"

namespace ember {

// Runs `fn` with `self` (when non-null) as its first argument and `inputs` as the rest,
// which the caller has checked against its argument types. Returns its one result, a
// Tuple of several, or None for none. Errors are ember::Error naming the function, op
// and source line.
Value run_function(const Program& program, Function& fn, const Value* self,
                   const std::vector<Value>& inputs);

}  // namespace ember
