#include "minitf/layers/layer_utils.h"

#include "minitf/core/errors.h"
#include "minitf/ops/array/array_ops.h"
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
  ThrowValueError("TODO-MERGE dynamic flatten");
}

Output ReshapeLeading(Output y, Output x, const std::vector<int64_t>& dims) {
  (void)x;
  int unknown = 0;
  for (int64_t d : dims) unknown += d < 0;
  if (unknown <= 1) return reshape(y, dims);
  ThrowValueError("TODO-MERGE dynamic reshape");
}

Output BatchSize(Output x, DataType dtype) {
  (void)x;
  (void)dtype;
  ThrowValueError("TODO-MERGE batch size");
}

}  // namespace minitf::layers
