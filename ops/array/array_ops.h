// Array ops: placeholder, constant, identity, stop_gradient, reshape, fill,
// zeros, ones, zeros_like, ones_like. Names and defaults follow TF1's Python
// API.
//
//   auto x = tf::placeholder(tf::float32, {-1, 784}, "x");
//   auto c = tf::constant(0.5f);                         // "Const"
//   auto v = tf::constant<int32_t>({1, 2, 3, 4}, {2, 2});
//   auto y = tf::reshape(x, {-1, 28, 28, 1});
//   auto z = tf::zeros({2, 3});                           // "zeros"
#ifndef MINITF_OPS_ARRAY_ARRAY_OPS_H_
#define MINITF_OPS_ARRAY_ARRAY_OPS_H_

#include <type_traits>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/core/tensor.h"
#include "minitf/graph/node.h"

namespace minitf {

// A value fed at run time. `shape` may have unknown dims (-1) or be
// Shape::Unknown().
Output placeholder(DataType dtype, const Shape& shape = Shape::Unknown(),
                   absl::string_view name = "Placeholder");
Output constant(const Tensor& value, absl::string_view name = "Const");
template <typename T>
requires std::is_arithmetic_v<T> Output
constant(T value, absl::string_view name = "Const") {
  return constant(Tensor::Scalar(value), name);
}
// `values` fills `shape`; the last value repeats when there are fewer
// (TF's rule). Throws when there are more values than elements.
template <typename T>
Output constant(const std::vector<T>& values, const Shape& shape,
                absl::string_view name = "Const");
Output identity(Output input, absl::string_view name = "Identity");
// Identity whose gradient is never computed.
Output stop_gradient(Output input, absl::string_view name = "StopGradient");
// `shape` may hold one -1, inferred from the element count.
Output reshape(Output tensor, const std::vector<int64_t>& shape,
               absl::string_view name = "Reshape");
// A tensor of `shape` filled with `value` (TF's fill; zeros; ones), cast
// to `dtype`. Throws ValueError unless `shape` is fully defined.
Output fill(const Shape& shape, float value, DataType dtype = DataType::kFloat,
            absl::string_view name = "Fill");
Output zeros(const Shape& shape, DataType dtype = DataType::kFloat,
             absl::string_view name = "zeros");
Output ones(const Shape& shape, DataType dtype = DataType::kFloat,
            absl::string_view name = "ones");
Output zeros_like(Output tensor, absl::string_view name = "zeros_like");
Output ones_like(Output tensor, absl::string_view name = "ones_like");

}  // namespace minitf

#endif  // MINITF_OPS_ARRAY_ARRAY_OPS_H_
