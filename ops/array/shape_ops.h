// Shape ops: transpose, concat, squeeze, expand_dims, one_hot and argmax,
// with TF1's names, defaults and messages.
//
//   auto t = tf::transpose(x, {{0, 2, 1}});          // "transpose"
//   auto c = tf::concat({a, b}, -1);                 // "concat"
//   auto labels = tf::one_hot(ids, 10);              // float32 [batch, 10]
//   auto pred = tf::argmax(logits, 1);               // int64
#ifndef MINITF_OPS_ARRAY_SHAPE_OPS_H_
#define MINITF_OPS_ARRAY_SHAPE_OPS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "minitf/graph/node.h"

namespace minitf {

// Permutes the dimensions; nullopt reverses them (TF's default).
Output transpose(Output a,
                 std::optional<std::vector<int64_t>> perm = std::nullopt,
                 absl::string_view name = "transpose");
// Joins tensors along `axis` (negative counts from the end).
Output concat(absl::Span<const Output> values, int64_t axis,
              absl::string_view name = "concat");
// Removes size-1 dimensions: those in `axis`, or all of them.
Output squeeze(Output input, std::vector<int64_t> axis = {},
               absl::string_view name = "Squeeze");
// Inserts a size-1 dimension at `axis` (-rank-1 <= axis <= rank).
Output expand_dims(Output input, int64_t axis,
                   absl::string_view name = "ExpandDims");

struct OneHotOptions {
  float on_value = 1.0f;
  float off_value = 0.0f;
  int64_t axis = -1;
  DataType dtype = DataType::kFloat;
  std::string name = "one_hot";
};
// indices (int32/int64) -> a new axis of size `depth`; out-of-range
// indices give an all-off row, as in TF.
Output one_hot(Output indices, int64_t depth,
               const OneHotOptions& options = {});

// Index of the largest value along `axis` (the first one on ties).
Output argmax(Output input, int64_t axis,
              DataType output_type = DataType::kInt64,
              absl::string_view name = "ArgMax");

}  // namespace minitf

#endif  // MINITF_OPS_ARRAY_SHAPE_OPS_H_
