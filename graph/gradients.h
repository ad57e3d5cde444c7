// Automatic differentiation: TF's tf.gradients. Builds backward nodes from
// each op's registered gradient, only on paths from `ys` to `xs`, under the
// name scope "gradients" (gradients/conv2d/Conv2D_grad/Conv2DBackpropFilter).
//
//   auto grads = tf::gradients({loss}, {w, b});   // d(sum of ys)/dw, /db
//   if (grads[1].is_null()) { /* loss does not depend on b (TF's None) */ }
//
// Fan-out is accumulated with AddN. An op on a needed path with no gradient
// throws LookupError "No gradient defined for operation 'x' (op type: T)".
#ifndef MINITF_GRAPH_GRADIENTS_H_
#define MINITF_GRAPH_GRADIENTS_H_

#include <string>
#include <vector>

#include "minitf/graph/node.h"

namespace minitf {

struct GradientsOptions {
  // The name scope of the backward nodes (made unique: gradients_1, ...).
  std::string name = "gradients";
  // Tensors treated as constants: no gradient flows through them.
  std::vector<Output> stop_gradients;
};

// Returns d(sum(ys))/dx for each x; a null Output where ys do not depend on
// x. grad_ys, if given, holds one initial gradient per y (default: ones).
std::vector<Output> gradients(const std::vector<Output>& ys,
                              const std::vector<Output>& xs,
                              const std::vector<Output>& grad_ys = {},
                              const GradientsOptions& options = {});

}  // namespace minitf

#endif  // MINITF_GRAPH_GRADIENTS_H_
