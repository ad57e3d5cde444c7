#include "minitf/layers/layer_utils.h"

#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/shape_tensor_ops.h"
#include "minitf/ops/array/slicing_ops.h"
#include "minitf/ops/math/math_ops.h"

namespace minitf::layers {

Output FlattenToRows(Output x) {
  const Shape& s = x.shape();
  if (s.rank() == 1) return reshape(x, {-1, 1});
  int64_t rest = 1;
  for (int i = 1; i < s.rank(); ++i) {
    rest = s.dim(i) < 0 || rest < 0 ? -1 : rest * s.dim(i);
  }
  if (s.dim(0) >= 0) return reshape(x, {s.dim(0), -1});
  if (rest >= 0) return reshape(x, {-1, rest});
  return reshape(x, stack({Index(shape(x), {0}), -1}));
}

Output ReshapeLeading(Output y, Output x, const std::vector<int64_t>& dims) {
  int unknown = 0;
  for (int64_t d : dims) unknown += d < 0;
  if (unknown <= 1) return reshape(y, dims);
  // Several unknown dims: take each from x's run-time shape.
  Output x_shape = shape(x);
  std::vector<StackValue> values;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] >= 0) {
      values.emplace_back(dims[i]);
    } else {
      values.emplace_back(Index(x_shape, {static_cast<int64_t>(i)}));
    }
  }
  return reshape(y, stack(values));
}

Output BatchSize(Output x, DataType dtype) {
  return cast(Index(shape(x), {0}), dtype);
}

}  // namespace minitf::layers
