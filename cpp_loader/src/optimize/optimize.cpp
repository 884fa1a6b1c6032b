// The load-time optimiser (runtime/optimize.h): on every function, fold constants and
// known branches, fold eval-mode batch norms into the convolutions before them, fuse
// relu / relu6 into the op before them, then drop what nothing reads.
//
// Weight pre-packing: none is needed yet — linear and the dense convolutions hand the
// weights to BLAS as stored (it packs its panels per call) and folded weights are built
// contiguous once here.
#include "runtime/optimize.h"

#include "optimize/graph.h"

namespace ember {

void optimize(Program& program) {
  for (auto& fn : program.functions) {
    if (fn->is_upgrader) continue;
    opt::fold_constants(program, *fn);
    opt::remove_dead(program, *fn);
    opt::fold_batch_norms(program, *fn);
    opt::fuse_activations(program, *fn);
    opt::remove_dead(program, *fn);
  }
}

}  // namespace ember
