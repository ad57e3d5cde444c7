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
// A TypeErrorStatus with op_def_library's text unless every input has input
// 0's dtype. `names` are the op's input args: one name is a list argument
// ("Tensors in list passed to 'values' of 'ConcatV2' Op have types [float32,
// int32] that don't all match."), several name the inputs in order ("Input
// 'y' of 'Add' Op has type int32 that does not match type float32 of
// argument 'x'.").
absl::Status CheckSameDtypes(const ShapeContext& ctx,
                             std::initializer_list<const char*> names);
// TF's InferenceContext::Merge: the most specific shape compatible with both,
// or InvalidArgument "Shapes must be equal rank, but are 1 and 2" /
// "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2]
// and [3]."
absl::StatusOr<Shape> MergeShapes(const Shape& a, const Shape& b);
// Every input's shape merged, from the last input to the first as TF's
// AddN and Pack do; an error ends in "\n\tFrom merging shape <i> with other
// shapes.".
absl::StatusOr<Shape> MergeInputShapes(const ShapeContext& ctx);
// Normalizes `axis` (negative counts from the end) for `rank` dims.
absl::StatusOr<int64_t> NormalizeAxis(int64_t axis, int rank);

}  // namespace minitf

#endif  // MINITF_OPS_SHAPE_FNS_H_
