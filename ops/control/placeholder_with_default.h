// placeholder_with_default: TF's tf.placeholder_with_default, a tensor that
// is `input` unless fed. `shape` may be less specific than input's, so a
// feed of another size is accepted: the usual training switch of TF1
// scripts.
//
//   auto training = tf::placeholder_with_default(tf::constant(false), {});
//   auto x = tf::placeholder_with_default(tf::constant<float>({0}, {2, 3}),
//                                         {-1, 3});   // x.shape() == (?, 3)
//   sess.run({{training, tf::Tensor::Scalar(true)}}, {y});
#ifndef MINITF_OPS_CONTROL_PLACEHOLDER_WITH_DEFAULT_H_
#define MINITF_OPS_CONTROL_PLACEHOLDER_WITH_DEFAULT_H_

#include "absl/strings/string_view.h"
#include "minitf/core/shape.h"
#include "minitf/graph/node.h"

namespace minitf {

// The static shape is `shape`, which must be compatible with input's
// (ValueError otherwise, TF's shape-merge text). Gradient: identity.
Output placeholder_with_default(
    Output input, const Shape& shape,
    absl::string_view name = "PlaceholderWithDefault");

}  // namespace minitf

#endif  // MINITF_OPS_CONTROL_PLACEHOLDER_WITH_DEFAULT_H_
