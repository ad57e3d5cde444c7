// Numerical gradient checking, in the spirit of TF's compute_gradient_error:
// the Jacobian of y w.r.t. x from gradients() against central differences.
//
//   tf::Session sess(graph);
//   auto err = tf::ComputeGradientError(sess, x, x_value, y);
//   EXPECT_LT(*err, 1e-3);
//
// Builds gradient nodes in x's graph; `feeds` supplies other placeholders.
#ifndef MINITF_GRAPH_GRADIENT_CHECKER_H_
#define MINITF_GRAPH_GRADIENT_CHECKER_H_

#include "absl/status/statusor.h"
#include "minitf/core/tensor.h"
#include "minitf/graph/session.h"

namespace minitf {

struct Jacobians {
  // Row-major [x elements, y elements].
  Tensor theoretical;
  Tensor numerical;
};

// REQUIRES: x and y are float32 tensors of session.graph().
absl::StatusOr<Jacobians> ComputeGradient(Session& session, Output x,
                                          const Tensor& x_value, Output y,
                                          const FeedDict& feeds = {},
                                          float delta = 1e-3f);
// The largest absolute difference between the two Jacobians.
absl::StatusOr<float> ComputeGradientError(Session& session, Output x,
                                           const Tensor& x_value, Output y,
                                           const FeedDict& feeds = {},
                                           float delta = 1e-3f);

}  // namespace minitf

#endif  // MINITF_GRAPH_GRADIENT_CHECKER_H_
