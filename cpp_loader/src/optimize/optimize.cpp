// The load-time optimiser (runtime/optimize.h): on every function, fold constants and
// known branches, fold eval-mode batch norms into the convolutions before them, fuse
// pre-pack the weights of the convolutions the direct kernel runs, fuse relu / relu6 into
// the op before them (the packed convolutions apply it as they store), then drop what
// nothing reads.
//
// Linear and the GEMM-path convolutions hand their weights to BLAS as stored: a contiguous
// (O, C*KH*KW) or (N, K) matrix needs no layout work per call, OpenBLAS packs its own panels
// inside each sgemm and has no API to keep them; folded weights are built contiguous here.
#include "runtime/optimize.h"

#include "optimize/graph.h"

namespace ember {

void optimize(Program& program) {
  for (auto& fn : program.functions) {
    if (fn->is_upgrader) continue;
    opt::fold_constants(program, *fn);
    opt::remove_dead(program, *fn);
    opt::fold_batch_norms(program, *fn);
    opt::pack_weights(program, *fn);
    opt::fuse_activations(program, *fn);
    opt::remove_dead(program, *fn);
  }
}

}  // namespace ember
