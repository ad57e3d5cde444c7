// Initializers: TF1's tf.*_initializer functions. An Initializer builds the
// initial value of a variable of a fully defined shape and a dtype; its ops
// land under "<variable>/Initializer/".
//
//   auto w = tf::get_variable("w", {.shape = {5, 5, 1, 32},
//       .initializer = tf::truncated_normal_initializer(0.0f, 0.1f)});
//   auto b = tf::get_variable("b", {.shape = {32},
//       .initializer = tf::constant_initializer(0.1)});
//
// Factories validate their arguments at once (TF's ValueError/TypeError).
#ifndef MINITF_VARIABLES_INITIALIZERS_H_
#define MINITF_VARIABLES_INITIALIZERS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "minitf/core/shape.h"
#include "minitf/graph/node.h"

namespace minitf {

// Builds the initial value. REQUIRES: shape.IsFullyDefined().
using Initializer = std::function<Output(const Shape& shape, DataType dtype)>;

// TF's _compute_fans: (fan_in, fan_out) of a weight shape.
std::pair<double, double> ComputeFans(const Shape& shape);

Initializer zeros_initializer();
Initializer ones_initializer();
// A scalar fills the tensor; a list is laid out row-major and its last value
// repeats; more values than elements is a ValueError when called.
Initializer constant_initializer(std::vector<double> value,
                                 bool verify_shape = false);
inline Initializer constant_initializer(double value = 0.0) {
  return constant_initializer(std::vector<double>{value});
}
Initializer random_uniform_initializer(
    float minval = 0.0f, float maxval = 1.0f,
    std::optional<int64_t> seed = std::nullopt);
Initializer random_normal_initializer(
    float mean = 0.0f, float stddev = 1.0f,
    std::optional<int64_t> seed = std::nullopt);
Initializer truncated_normal_initializer(
    float mean = 0.0f, float stddev = 1.0f,
    std::optional<int64_t> seed = std::nullopt);

struct VarianceScalingOptions {
  double scale = 1.0;
  std::string mode = "fan_in";  // fan_in, fan_out, fan_avg
  std::string distribution =
      "truncated_normal";  // normal, untruncated_normal, uniform
  std::optional<int64_t> seed;
};
// TF's tf.variance_scaling_initializer (truncated normals are divided by
// 0.87962566103423978, the stddev of a unit normal truncated at 2).
Initializer variance_scaling_initializer(
    const VarianceScalingOptions& options = {});
Initializer glorot_uniform_initializer(
    std::optional<int64_t> seed = std::nullopt);
Initializer glorot_normal_initializer(
    std::optional<int64_t> seed = std::nullopt);
Initializer he_normal(std::optional<int64_t> seed = std::nullopt);
Initializer he_uniform(std::optional<int64_t> seed = std::nullopt);
Initializer lecun_normal(std::optional<int64_t> seed = std::nullopt);
Initializer lecun_uniform(std::optional<int64_t> seed = std::nullopt);

namespace contrib::layers {

// tf.contrib.layers.variance_scaling_initializer: fan-based without TF
// core's max(1, n) guard; the normal form uses stddev sqrt(1.3 * factor / n).
Initializer variance_scaling_initializer(
    double factor = 2.0, const std::string& mode = "FAN_IN",
    bool uniform = false, std::optional<int64_t> seed = std::nullopt);
Initializer xavier_initializer(bool uniform = true,
                               std::optional<int64_t> seed = std::nullopt);

}  // namespace contrib::layers

}  // namespace minitf

#endif  // MINITF_VARIABLES_INITIALIZERS_H_
