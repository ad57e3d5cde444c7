// TF's StridedSlice semantics, shared by the op's shape function, its
// kernels and the build-time evaluation of shape tensors: the sparse spec
// (begin, end, strides and the five masks) resolved against an input shape
// into one (begin, stride, size) per input dim and the final shape. Fixed
// capacity, so kernels resolve it every step without allocating.
// Internal to ops/array/.
#ifndef MINITF_OPS_ARRAY_STRIDED_SLICE_SPEC_H_
#define MINITF_OPS_ARRAY_STRIDED_SLICE_SPEC_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "minitf/core/shape.h"

namespace minitf {

struct StridedSliceMasks {
  int64_t begin_mask = 0;
  int64_t end_mask = 0;
  int64_t ellipsis_mask = 0;
  int64_t new_axis_mask = 0;
  int64_t shrink_axis_mask = 0;
};

// Which input dim each output dim shows; it depends on the masks, the
// number of indices and the input rank only, not on the index values.
struct StridedSliceLayout {
  static constexpr int kNewAxis = -1;
  static constexpr int kMaxIndices = 2 * Shape::kMaxRank;
  int num_final = 0;
  // Per output dim: the input dim, or kNewAxis.
  int final_dims[kMaxIndices] = {};
  // Per input dim: the sparse index that slices it, or -1 (ellipsis).
  int sparse_index[Shape::kMaxRank] = {};
};

struct StridedSliceSpec {
  StridedSliceLayout layout;
  // Per input dim: the first index read, the step, and how many (-1 when
  // the input dim is unknown; 1 for a shrunk dim).
  int64_t begin[Shape::kMaxRank] = {};
  int64_t stride[Shape::kMaxRank] = {};
  int64_t size[Shape::kMaxRank] = {};
  Shape final_shape;
};

// Returns InvalidArgument with TF's text for several ellipses or more
// indices than the input has dims.
absl::StatusOr<StridedSliceLayout> LayoutStridedSlice(
    int rank, int num_indices, const StridedSliceMasks& masks);

// Resolves the spec; `in` needs a known rank (its dims may be unknown).
// Returns InvalidArgument with TF's text for unequal lengths, a zero
// stride, an index out of bounds, or a bad layout.
absl::StatusOr<StridedSliceSpec> ResolveStridedSlice(
    const Shape& in, absl::Span<const int64_t> begin,
    absl::Span<const int64_t> end, absl::Span<const int64_t> strides,
    const StridedSliceMasks& masks);

}  // namespace minitf

#endif  // MINITF_OPS_ARRAY_STRIDED_SLICE_SPEC_H_
