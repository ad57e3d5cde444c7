// tf.gather and TF1's three-argument tf.where (Select), with gradients.
//
//   auto rows = tf::gather(embeddings, ids);            // "GatherV2"
//   auto cols = tf::gather(x, idx, /*axis=*/1);
//   auto y = tf::where(x > 0.0f, x, 0.1f * x);          // "Select"
#ifndef MINITF_OPS_ARRAY_GATHER_OPS_H_
#define MINITF_OPS_ARRAY_GATHER_OPS_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf {

// params[..., indices, ...] along `axis`: the shape is params.shape[:axis]
// + indices.shape + params.shape[axis+1:]. indices are int32/int64; one out
// of [0, params.shape[axis]) is an InvalidArgument at run time (TF's CPU
// behaviour). The gradient sums into zeros of params' shape (dense).
Output gather(Output params, Output indices, int64_t axis = 0,
              absl::string_view name = "GatherV2");

// TF1's tf.where(condition, x, y): x where condition is true, else y.
// condition (bool) has x's shape, or is a vector over x's first dim, or a
// scalar. The one-argument form (coordinates of true values) is not
// offered: its shape depends on the data, which a compiled plan cannot hold.
Output where(Output condition, Output x, Output y,
             absl::string_view name = "Select");

}  // namespace minitf

#endif  // MINITF_OPS_ARRAY_GATHER_OPS_H_
