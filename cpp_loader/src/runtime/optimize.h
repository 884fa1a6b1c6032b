// The load-time optimisation hook: called on every loaded program when
// LoadOptions::optimize is set (the default), after binding and attribute folding.
// It may rewrite instructions (fold a batch norm into the convolution before it,
// replace a weight constant with a pre-packed one, bind a faster kernel). The
// definition lives in src/optimize/ (helper K-NN); optimize/optimize.cpp holds a no-op
// until then.
#pragma once

namespace ember {

struct Program;

void optimize(Program& program);

}  // namespace ember
