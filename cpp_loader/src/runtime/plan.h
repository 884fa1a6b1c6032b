// Memory planning at load: after the load-time optimiser, each function's registers get
// lifetimes; every instruction lists the registers it is the last to read (the interpreter
// clears them after it runs, so their tensors go back to the arena), and tensor registers
// whose lifetimes do not overlap share one arena slot (Function::slot_of). With fixed
// shapes a forward then allocates nothing after the first, and holds about as much arena
// memory as its widest point needs instead of one tensor per register.
#pragma once

namespace ember {

struct Function;
struct Program;

// `share` false: one slot per register and no kill lists (LoadOptions::plan_memory off).
void plan_memory(Function& fn, bool share);
void plan_memory(Program& program, bool share);

}  // namespace ember
