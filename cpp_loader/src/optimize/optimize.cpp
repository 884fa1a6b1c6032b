// Placeholder: K-NN's load-time optimisations (batch-norm folding, weight pre-packing)
// replace this file. See runtime/optimize.h for the contract.
#include "runtime/optimize.h"

namespace ember {

void optimize(Program&) {}

}  // namespace ember
