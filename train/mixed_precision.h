// TF1's tf.train.experimental.enable_mixed_precision_graph_rewrite and
// disable_mixed_precision_graph_rewrite: Sessions created while the rewrite
// is enabled run convolutions and matrix products in bfloat16 with float32
// master weights (RewriterConfig::auto_mixed_precision, on this CPU
// framework the bfloat16 rewrite TF's oneDNN builds make).
//
//   tf::train::AdamOptimizer adam(1e-3);
//   tf::train::Optimizer& opt =
//       tf::train::experimental::enable_mixed_precision_graph_rewrite(adam);
//   auto train_op = opt.minimize(loss);
//   tf::Session sess(graph);   // compiles its plans in mixed precision
//
// Unlike TF's float16 rewrite, no loss scaling is needed: bfloat16 has
// float32's exponent range, so small gradients do not flush to zero. The
// optimizer is therefore returned as it is, not wrapped in a
// LossScaleOptimizer. The switch is process-wide, as in TF.
#ifndef MINITF_TRAIN_MIXED_PRECISION_H_
#define MINITF_TRAIN_MIXED_PRECISION_H_

#include "minitf/train/optimizer.h"

namespace minitf::train::experimental {

// Turns the rewrite on for Sessions created from now on and returns `opt`.
// Logs TF's warning when a Session without it exists already (it keeps
// computing in float32).
Optimizer& enable_mixed_precision_graph_rewrite(Optimizer& opt);
// Turns it off for Sessions created from now on; logs TF's warning when it
// was not on.
void disable_mixed_precision_graph_rewrite();

}  // namespace minitf::train::experimental

#endif  // MINITF_TRAIN_MIXED_PRECISION_H_
