// Shape functions shared by several ops.
#ifndef MINITF_OPS_SHAPE_FNS_H_
#define MINITF_OPS_SHAPE_FNS_H_

#include <initializer_list>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "minitf/graph/op_registry.h"

namespace minitf {

// Output 0 has input 0's dtype and shape.
absl::Status UnchangedShape(ShapeContext& ctx);
// Output 0 has input 0's dtype and input 1's shape.
absl::Status ShapeOfSecondInput(ShapeContext& ctx);
// No outputs.
absl::Status NoOutputs(ShapeContext& ctx);
// NumPy broadcasting of two shapes, with TF's message on a mismatch.
absl::StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b);
// A TypeErrorStatus with TF's "Value passed to parameter 'x' has DataType
// bool not in list of allowed values: ..." unless `dtype` is in `allowed`.
absl::Status CheckDtypeAllowed(DataType dtype, absl::string_view param,
                               std::initializer_list<DataType> allowed);
// A TypeErrorStatus unless every input has input 0's dtype.
absl::Status CheckSameDtypes(const ShapeContext& ctx);
// Normalizes `axis` (negative counts from the end) for `rank` dims.
absl::StatusOr<int64_t> NormalizeAxis(int64_t axis, int rank);

}  // namespace minitf

#endif  // MINITF_OPS_SHAPE_FNS_H_
