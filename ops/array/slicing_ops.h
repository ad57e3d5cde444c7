// Slicing: tf.slice, tf.strided_slice (with TF's five masks) and Index, the
// C++ spelling of Python's `x[...]`, which builds a strided_slice exactly as
// Tensor.__getitem__ does.
//
//   auto a = tf::slice(x, {0, 1}, {2, -1});               // "Slice"
//   auto b = tf::Index(x, {tf::Slice(1, {}), 0});         // x[1:, 0]
//   auto c = tf::Index(x, {tf::ellipsis, tf::newaxis});   // x[..., None]
//   auto n = tf::Index(tf::shape(x), {0});                // tf.shape(x)[0]
//
// Arguments that are tensors in TF (begin, size, end, strides) take an
// Output, or a std::vector<int64_t> for a constant (int32, as TF makes it).
#ifndef MINITF_OPS_ARRAY_SLICING_OPS_H_
#define MINITF_OPS_ARRAY_SLICING_OPS_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "minitf/graph/node.h"

namespace minitf {

// Extracts input[begin[i] : begin[i] + size[i]] per dim; size -1 takes the
// rest of the dim. begin and size are int32 or int64 vectors.
Output slice(Output input, Output begin, Output size,
             absl::string_view name = "Slice");
Output slice(Output input, const std::vector<int64_t>& begin,
             const std::vector<int64_t>& size,
             absl::string_view name = "Slice");

// The masks of tf.strided_slice; bit i refers to index i of the spec.
struct StridedSliceOptions {
  int64_t begin_mask = 0;
  int64_t end_mask = 0;
  int64_t ellipsis_mask = 0;
  int64_t new_axis_mask = 0;
  int64_t shrink_axis_mask = 0;
  std::string name = "StridedSlice";
};
// TF's strided_slice. A null `strides` means all ones (TF's default).
Output strided_slice(Output input, Output begin, Output end,
                     Output strides = Output(),
                     const StridedSliceOptions& options = {});
Output strided_slice(Output input, const std::vector<int64_t>& begin,
                     const std::vector<int64_t>& end,
                     const std::vector<int64_t>& strides = {},
                     const StridedSliceOptions& options = {});

// One item of a Python index: `start:stop:step`, an int, `tf.newaxis`, `...`.
struct Slice {
  Slice(std::optional<int64_t> start = std::nullopt,
        std::optional<int64_t> stop = std::nullopt,
        std::optional<int64_t> step = std::nullopt)
      : start(start), stop(stop), step(step) {}
  std::optional<int64_t> start, stop, step;
};
struct NewAxis {};
inline constexpr NewAxis newaxis;
struct Ellipsis {};
inline constexpr Ellipsis ellipsis;
// A scalar int32 Output indexes like an int (x[i] of a tensor i).
using IndexItem = std::variant<int64_t, Slice, NewAxis, Ellipsis, Output>;

// Python's tensor[items]: in name scope "strided_slice", the constants
// "stack", "stack_1", "stack_2" and the StridedSlice "strided_slice".
// An int index drops its dim; an out-of-range one is TF's ValueError (a
// tensor index out of range is an InvalidArgument at run time).
Output Index(Output tensor, std::initializer_list<IndexItem> items);
Output Index(Output tensor, const std::vector<IndexItem>& items);

}  // namespace minitf

#endif  // MINITF_OPS_ARRAY_SLICING_OPS_H_
