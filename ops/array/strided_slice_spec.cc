#include "minitf/ops/array/strided_slice_spec.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"

namespace minitf {
namespace {

bool Bit(int64_t mask, int i) { return (mask >> i) & 1; }

}  // namespace

absl::StatusOr<StridedSliceLayout> LayoutStridedSlice(
    int rank, int num_indices, const StridedSliceMasks& masks) {
  if ((masks.ellipsis_mask & (masks.ellipsis_mask - 1)) != 0) {
    return absl::InvalidArgumentError(
        "Multiple ellipses in slice spec not allowed");
  }
  if (num_indices >= StridedSliceLayout::kMaxIndices) {
    return absl::InvalidArgumentError(
        absl::StrCat("Too many slice indices: ", num_indices));
  }
  // Without an ellipsis, one is implied after the last index.
  int64_t ellipsis_mask = masks.ellipsis_mask;
  int sparse_dims = num_indices;
  if (ellipsis_mask == 0) {
    ellipsis_mask = int64_t{1} << num_indices;
    ++sparse_dims;
  }
  int new_axes_after_ellipsis = 0;
  bool after = false;
  for (int i = 0; i < num_indices; ++i) {
    if (after && Bit(masks.new_axis_mask, i)) ++new_axes_after_ellipsis;
    if (Bit(ellipsis_mask, i)) after = true;
  }
  StridedSliceLayout layout;
  int full = 0;
  for (int i = 0; i < sparse_dims; ++i) {
    if (Bit(ellipsis_mask, i)) {
      const int next = std::min(
          rank - (sparse_dims - i) + 1 + new_axes_after_ellipsis, rank);
      for (; full < next; ++full) {
        layout.sparse_index[full] = -1;
        layout.final_dims[layout.num_final++] = full;
      }
    } else if (Bit(masks.new_axis_mask, i)) {
      layout.final_dims[layout.num_final++] = StridedSliceLayout::kNewAxis;
    } else {
      if (full >= rank) {
        return absl::InvalidArgumentError(
            absl::StrCat("Index out of range using input dim ", full,
                         "; input has only ", rank, " dims"));
      }
      layout.sparse_index[full] = i;
      if (!Bit(masks.shrink_axis_mask, i))
        layout.final_dims[layout.num_final++] = full;
      ++full;
    }
  }
  return layout;
}

absl::StatusOr<StridedSliceSpec> ResolveStridedSlice(
    const Shape& in, absl::Span<const int64_t> begin,
    absl::Span<const int64_t> end, absl::Span<const int64_t> strides,
    const StridedSliceMasks& masks) {
  const int n = static_cast<int>(begin.size());
  if (static_cast<int>(end.size()) != n ||
      static_cast<int>(strides.size()) != n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected begin, end, and strides to be 1D equal size tensors, but "
        "got shapes [",
        n, "], [", end.size(), "], and [", strides.size(), "] instead."));
  }
  StridedSliceSpec spec;
  MINITF_ASSIGN_OR_RETURN(spec.layout, LayoutStridedSlice(in.rank(), n, masks));
  for (int d = 0; d < in.rank(); ++d) {
    const int64_t dim = in.dim(d);
    const int i = spec.layout.sparse_index[d];
    spec.begin[d] = 0;
    spec.stride[d] = 1;
    spec.size[d] = dim;
    if (i < 0) continue;  // under the ellipsis: the whole dim
    const int64_t stride = strides[i];
    if (stride == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("strides[", i, "] must be non-zero"));
    }
    if (Bit(masks.shrink_axis_mask, i)) {
      int64_t index = begin[i];
      if (dim >= 0) {
        if (index < 0) index += dim;
        if (index < 0 || index >= dim) {
          return absl::InvalidArgumentError(
              absl::StrCat("slice index ", begin[i], " of dimension ", d,
                           " out of bounds."));
        }
      }
      spec.begin[d] = index;
      spec.size[d] = 1;
      continue;
    }
    spec.stride[d] = stride;
    if (dim < 0) continue;
    // Python's slice rules: negative indices count from the end, then clamp
    // to [0, dim] (stride > 0) or [-1, dim - 1] (stride < 0).
    const int64_t lo = stride > 0 ? 0 : -1, hi = stride > 0 ? dim : dim - 1;
    auto canonical = [&](int64_t x, bool masked, bool is_begin) {
      if (masked) return (stride > 0) == is_begin ? lo : hi;
      if (x < 0) x += dim;
      return std::clamp(x, lo, hi);
    };
    const int64_t b = canonical(begin[i], Bit(masks.begin_mask, i), true);
    const int64_t e = canonical(end[i], Bit(masks.end_mask, i), false);
    const int64_t span = e - b;
    spec.begin[d] = b;
    spec.size[d] = (span != 0 && (span > 0) == (stride > 0))
                       ? (span + stride + (stride > 0 ? -1 : 1)) / stride
                       : 0;
  }
  int64_t dims[StridedSliceLayout::kMaxIndices];
  for (int j = 0; j < spec.layout.num_final; ++j) {
    const int d = spec.layout.final_dims[j];
    dims[j] = d == StridedSliceLayout::kNewAxis ? 1 : spec.size[d];
  }
  spec.final_shape = Shape(absl::MakeConstSpan(dims, spec.layout.num_final));
  return spec;
}

}  // namespace minitf
