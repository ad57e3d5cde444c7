// Elementwise and dense maths: add, subtract, multiply, divide (NumPy
// broadcasting), negative, add_n, matmul, reduce_sum, reduce_mean, and the
// C++ operators that mirror Python's (`x + y` is an op named "add").
//
//   auto y = tf::matmul(x, w) + b;
//   auto loss = tf::reduce_mean(tf::multiply(y, y));
//   auto s = tf::reduce_sum(x, {.axis = {1}, .keepdims = true});
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
// Sums tensors of one shape and dtype.
Output add_n(absl::Span<const Output> inputs, absl::string_view name = "AddN");

struct MatMulOptions {
  bool transpose_a = false;
  bool transpose_b = false;
  absl::string_view name = "MatMul";
};
// 2-D matrix product on oneDNN's matmul primitive (float32).
Output matmul(Output a, Output b, const MatMulOptions& options = {});

struct ReduceOptions {
  // Axes to reduce (negative counts from the end); nullopt reduces all.
  std::optional<std::vector<int64_t>> axis;
  bool keepdims = false;
  absl::string_view name = "";
};
Output reduce_sum(Output input, const ReduceOptions& options = {});
Output reduce_mean(Output input, const ReduceOptions& options = {});

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
