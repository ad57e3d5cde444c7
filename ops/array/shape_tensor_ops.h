// Shape tensors: tf.shape, tf.size, tf.rank, tf.stack / tf.unstack, and
// tf.reshape to a shape given as a tensor, so TF1 code that computes shapes
// ports as is.
//
//   auto batch = tf::Index(tf::shape(x), {0});              // "strided_slice"
//   auto flat = tf::reshape(x, tf::stack({batch, -1}));     // (?, 784)
//   auto parts = tf::unstack(pairs, {.axis = 1});
//
// A plan computes shape tensors that depend only on constants and on the
// shapes of fed tensors when it compiles (graph/shape_folding.h), so shapes
// taken from a batch of any size stay concrete for every kernel.
#ifndef MINITF_OPS_ARRAY_SHAPE_TENSOR_OPS_H_
#define MINITF_OPS_ARRAY_SHAPE_TENSOR_OPS_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"
#include "minitf/ops/math/math_ops.h"

namespace minitf {

// The run-time shape of `input` as a 1-D tensor of `out_type` (int32 or
// int64); "Shape".
Output shape(Output input, DataType out_type = DataType::kInt32,
             absl::string_view name = "Shape");
// The number of elements, a scalar; "Size".
Output size(Output input, DataType out_type = DataType::kInt32,
            absl::string_view name = "Size");
// The number of dims, an int32 scalar; "Rank".
Output rank(Output input, absl::string_view name = "Rank");

// An element of tf.stack's list: a tensor or a plain number.
struct StackValue {
  StackValue(Output tensor) : tensor(tensor), number(0) {}  // NOLINT
  template <typename T>
  requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
      StackValue(T value)  // NOLINT: `stack({n, -1})` reads as in Python
      : number(value), is_number(true) {}
  Output tensor;
  Number number;
  bool is_number = false;
};
// Packs rank-R tensors of one shape into a rank R+1 tensor along `axis`
// ("Pack" named "stack"). Numbers become constants of the tensors' dtype
// ("stack/1", ...), as Python's autopacking does; a list of numbers only is
// one constant "stack" (int32, or float32 if any is a float).
Output stack(std::initializer_list<StackValue> values, int64_t axis = 0,
             absl::string_view name = "stack");
Output stack(const std::vector<StackValue>& values, int64_t axis = 0,
             absl::string_view name = "stack");
Output stack(const std::vector<Output>& values, int64_t axis = 0,
             absl::string_view name = "stack");

struct UnstackOptions {
  // Needed when the axis dim is unknown at build time.
  std::optional<int64_t> num;
  int64_t axis = 0;
  std::string name = "unstack";
};
// The inverse of stack: the slices of `value` along `axis` ("Unpack").
std::vector<Output> unstack(Output value, const UnstackOptions& options = {});

// tf.reshape with the target shape a 1-D int32/int64 tensor; one entry may
// be -1. The static shape keeps what is known at build time: the rank, and
// each entry that is a constant or a known dim of a tf.shape.
Output reshape(Output tensor, Output shape, absl::string_view name = "Reshape");

// Internal: what is known at build time of the value of a 1-D int tensor
// (or a scalar, as a rank-1 shape): its entries, -1 where unknown, as TF's
// constant_value_as_shape reads Const, Shape, Pack, StridedSlice, ConcatV2
// and Cast. Shape::Unknown() when even the length is unknown.
Shape ConstantValueAsShape(Output tensor);

}  // namespace minitf

#endif  // MINITF_OPS_ARRAY_SHAPE_TENSOR_OPS_H_
