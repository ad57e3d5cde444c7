// Elementwise and dense maths: binary arithmetic, maximum/minimum and
// comparisons (NumPy broadcasting), unary maths (square, sqrt, exp, ...),
// cast, clip_by_value, add_n, matmul, reduce_sum, reduce_mean, and the C++
// operators that mirror Python's (`x + y` is an op named "add").
//
//   auto y = tf::matmul(x, w) + b;
//   auto loss = tf::reduce_mean(tf::square(y));
//   auto s = tf::reduce_sum(x, {.axis = {1}, .keepdims = true});
//   auto m = tf::cast(tf::greater(y, tf::constant(0.0f)), tf::float32);
#ifndef MINITF_OPS_MATH_MATH_OPS_H_
#define MINITF_OPS_MATH_MATH_OPS_H_

#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "minitf/graph/node.h"

namespace minitf {

Output add(Output x, Output y, absl::string_view name = "Add");
Output subtract(Output x, Output y, absl::string_view name = "Sub");
Output multiply(Output x, Output y, absl::string_view name = "Mul");
// True division ("RealDiv"); Python's `/` names it "truediv".
Output divide(Output x, Output y, absl::string_view name = "truediv");
Output negative(Output x, absl::string_view name = "Neg");
// Elementwise unary maths (float32; abs, sign and square also for ints).
Output square(Output x, absl::string_view name = "Square");
Output sqrt(Output x, absl::string_view name = "Sqrt");
Output rsqrt(Output x, absl::string_view name = "Rsqrt");
Output exp(Output x, absl::string_view name = "Exp");
Output log(Output x, absl::string_view name = "Log");
Output abs(Output x, absl::string_view name = "Abs");
// -1, 0 or 1; its gradient is zero (TF's Sign).
Output sign(Output x, absl::string_view name = "Sign");
// Elementwise binary maths with broadcasting.
Output maximum(Output x, Output y, absl::string_view name = "Maximum");
Output minimum(Output x, Output y, absl::string_view name = "Minimum");
Output squared_difference(Output x, Output y,
                          absl::string_view name = "SquaredDifference");
// TF's clip_by_value: maximum(minimum(t, clip_value_max), clip_value_min)
// in name scope `name`, in TF 1.x's order ("clip_by_value/Minimum", then
// the Maximum named "clip_by_value"). Throws ValueError when broadcasting
// would change t's shape.
Output clip_by_value(Output t, Output clip_value_min, Output clip_value_max,
                     absl::string_view name = "clip_by_value");
// Comparisons with broadcasting; the result is bool and not
// differentiable.
Output equal(Output x, Output y, absl::string_view name = "Equal");
Output not_equal(Output x, Output y, absl::string_view name = "NotEqual");
Output less(Output x, Output y, absl::string_view name = "Less");
Output less_equal(Output x, Output y, absl::string_view name = "LessEqual");
Output greater(Output x, Output y, absl::string_view name = "Greater");
Output greater_equal(Output x, Output y,
                     absl::string_view name = "GreaterEqual");
// Converts to `dtype` (bool: nonzero is true; float to int truncates, NaN
// gives 0 and out-of-range values saturate). As in TF, a tensor already of
// `dtype` is returned as is. Differentiable between float types only.
Output cast(Output x, DataType dtype, absl::string_view name = "Cast");
// Sums tensors of one shape and dtype.
Output add_n(absl::Span<const Output> inputs, absl::string_view name = "AddN");

struct MatMulOptions {
  bool transpose_a = false;
  bool transpose_b = false;
  std::string name = "MatMul";
};
// 2-D matrix product on oneDNN's matmul primitive (float32).
Output matmul(Output a, Output b, const MatMulOptions& options = {});

struct ReduceOptions {
  // Axes to reduce (negative counts from the end); nullopt reduces all.
  std::optional<std::vector<int64_t>> axis;
  bool keepdims = false;
  std::string name = "";
};
Output reduce_sum(Output input, const ReduceOptions& options = {});
Output reduce_mean(Output input, const ReduceOptions& options = {});
// The gradient goes to the maxima, shared equally among ties (TF's rule).
Output reduce_max(Output input, const ReduceOptions& options = {});

// Python's operators; names as TF gives them ("add", "sub", "mul",
// "truediv", "Neg").
Output operator+(Output x, Output y);
Output operator-(Output x, Output y);
Output operator*(Output x, Output y);
Output operator/(Output x, Output y);
Output operator-(Output x);

// Internal (gradients): sums `x` over the dims where `like` was broadcast,
// giving `like`'s run-time shape.
Output ReduceToLike(Output x, Output like, absl::string_view name = "Sum");

}  // namespace minitf

#endif  // MINITF_OPS_MATH_MATH_OPS_H_
