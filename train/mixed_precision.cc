#include "minitf/train/mixed_precision.h"

#include "minitf/core/logging.h"
#include "minitf/graph/session.h"

namespace minitf::train::experimental {

Optimizer& enable_mixed_precision_graph_rewrite(Optimizer& opt) {
  if (SessionWithoutMixedPrecisionCreated()) {
    Log().warn(
        "You already have existing Sessions that do not use mixed precision. "
        "enable_mixed_precision_graph_rewrite() will not affect these "
        "Sessions.");
  }
  SetMixedPrecisionGraphRewrite(true);
  return opt;
}

void disable_mixed_precision_graph_rewrite() {
  if (!MixedPrecisionGraphRewriteEnabled()) {
    Log().warn(
        "disable_mixed_precision_graph_rewrite() called when mixed precision "
        "is already disabled.");
  }
  SetMixedPrecisionGraphRewrite(false);
}

}  // namespace minitf::train::experimental
