// Elementwise and dense maths: binary arithmetic, maximum/minimum and
// comparisons (NumPy broadcasting), unary maths (square, sqrt, exp, ...),
// cast, clip_by_value, add_n, matmul, reduce_sum, reduce_mean, and the C++
// operators that mirror Python's (`x + y` is an op named "add"), also with a
// plain number on either side (`x * 0.1f`, `1.0f - p`, `x > 0.5f`).
//
//   auto y = tf::matmul(x, w) + b;
//   auto p = 1.0f - tf::sigmoid(y) * 0.5f;   // "sub/x", "mul/y"
//   auto loss = tf::reduce_mean(tf::square(y));
//   auto s = tf::reduce_sum(x, {.axis = {1}, .keepdims = true});
//   auto m = tf::cast(tf::greater(y, tf::constant(0.0f)), tf::float32);
#ifndef MINITF_OPS_MATH_MATH_OPS_H_
#define MINITF_OPS_MATH_MATH_OPS_H_

#include <cstdint>
#include <optional>
#include <type_traits>
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

// A C++ number as TF's convert_to_tensor sees a Python one: an int literal
// or a float literal. Converted against the tensor's dtype: an int converts
// to any numeric dtype; a float to a float dtype only (TypeError "Expected
// int32, got 0.5 of type 'float' instead." otherwise); neither to bool.
struct Number {
  template <typename T>
  requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
      Number(T v)  // NOLINT: implicit, so `x * 2` and `x * 0.5f` both read
      : is_float(std::is_floating_point_v<T>),
        float_value(static_cast<double>(v)),
        int_value(std::is_floating_point_v<T> ? 0 : static_cast<int64_t>(v)) {}
  bool is_float;
  double float_value;
  int64_t int_value;
};
// As Python's binary_op_wrapper: in name scope "mul" (...) the number
// becomes the constant "y" (on the right) or "x" (on the left, __rmul__).
Output operator+(Output x, Number y);
Output operator+(Number x, Output y);
Output operator-(Output x, Number y);
Output operator-(Number x, Output y);
Output operator*(Output x, Number y);
Output operator*(Number x, Output y);
Output operator/(Output x, Number y);
Output operator/(Number x, Output y);
// Python's comparison operators: ops "Less", "Greater"...; a number becomes
// the constant "<Op>/y". A number on the left is reflected as Python does
// (`0.5f < x` is Greater(x, 0.5)). There is no operator== / !=: Output's
// compares handles, as TF1's `==` compares identity (use tf::equal).
Output operator<(Output x, Output y);
Output operator<=(Output x, Output y);
Output operator>(Output x, Output y);
Output operator>=(Output x, Output y);
Output operator<(Output x, Number y);
Output operator<=(Output x, Number y);
Output operator>(Output x, Number y);
Output operator>=(Output x, Number y);
Output operator<(Number x, Output y);
Output operator<=(Number x, Output y);
Output operator>(Number x, Output y);
Output operator>=(Number x, Output y);

// Internal: `value` as a scalar constant of `dtype` named `name`, with
// convert_to_tensor's checks; throws TypeError with TF's text (that of
// op_def_library when `op_type` names the op whose input `name` it is).
Output ConvertNumber(Number value, DataType dtype, absl::string_view name,
                     absl::string_view op_type = "");

}  // namespace minitf

#endif  // MINITF_OPS_MATH_MATH_OPS_H_
