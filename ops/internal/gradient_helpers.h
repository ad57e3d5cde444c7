// Internal ops that gradients (and a few library modules) build from: not
// part of the public API, and not reachable from minitf.h. Each op lives
// with its family (ReshapeLike in ops/array, ReduceToLike in ops/math).
//
//   // in a gradient: undo the broadcast of x in x + y
//   Output dx = ReduceToLike(ctx.grad(), ctx.input(0));
//   Output dy = ReshapeLike(ctx.grad(), ctx.input(1));
#ifndef MINITF_OPS_INTERNAL_GRADIENT_HELPERS_H_
#define MINITF_OPS_INTERNAL_GRADIENT_HELPERS_H_

#include "absl/strings/string_view.h"
#include "minitf/core/dtype.h"
#include "minitf/graph/node.h"

namespace minitf {

// `tensor` reshaped to the run-time shape of `like` (same element count).
Output ReshapeLike(Output tensor, Output like,
                   absl::string_view name = "Reshape");
// A scalar constant of `dtype` holding `value`.
Output ScalarConstant(double value, DataType dtype,
                      absl::string_view name = "Const");
// Sums `x` over the dims where `like` was broadcast, giving `like`'s
// run-time shape. Throws ValueError unless `like`'s shape broadcasts to
// `x`'s.
Output ReduceToLike(Output x, Output like, absl::string_view name = "Sum");

}  // namespace minitf

#endif  // MINITF_OPS_INTERNAL_GRADIENT_HELPERS_H_
