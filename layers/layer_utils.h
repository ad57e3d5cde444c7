// Shape plumbing the layers share: reshapes whose target depends on the
// input's run-time batch size. Internal to layers/.
#ifndef MINITF_LAYERS_LAYER_UTILS_H_
#define MINITF_LAYERS_LAYER_UTILS_H_

#include <cstdint>
#include <vector>

#include "minitf/graph/node.h"

namespace minitf::layers {

// x as [batch, product of the other dims] (keras Flatten's reshape).
Output FlattenToRows(Output x);
// y reshaped to `dims`, whose unknown (-1) entries are x's dims at run time
// (x and dims have the same rank).
Output ReshapeLeading(Output y, Output x, const std::vector<int64_t>& dims);
// x's first dimension at run time, as a scalar of `dtype`.
Output BatchSize(Output x, DataType dtype);

}  // namespace minitf::layers

#endif  // MINITF_LAYERS_LAYER_UTILS_H_
