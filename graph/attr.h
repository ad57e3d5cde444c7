// Attribute values of graph nodes: what an op is configured with (dtype,
// shape, strides, a constant's value...). Internal to graph building.
#ifndef MINITF_GRAPH_ATTR_H_
#define MINITF_GRAPH_ATTR_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "minitf/core/dtype.h"
#include "minitf/core/shape.h"
#include "minitf/core/tensor.h"

namespace minitf {

using AttrValue =
    std::variant<bool, int64_t, float, std::string, DataType, Shape,
                 std::vector<int64_t>, std::vector<float>, Tensor>;
// Ordered so that printing and hashing are deterministic.
using AttrMap = std::map<std::string, AttrValue, std::less<>>;

// Returns "i=3", "dtype=float32", "shape=(?, 2)", ...: for DOT and messages.
std::string AttrValueToString(const AttrValue& value);

}  // namespace minitf

#endif  // MINITF_GRAPH_ATTR_H_
