#include "minitf/variables/initializers.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/random/random_ops.h"

namespace minitf {
namespace {

// The stddev of a standard normal truncated to [-2, 2].
constexpr double kTruncatedNormalStddev = 0.87962566103423978;

void RequireFloat(DataType dtype) {
  if (!IsFloating(dtype)) {
    ThrowValueError(absl::StrCat("Expected floating point type, got <dtype: '",
                                 DataTypeName(dtype), "'>."));
  }
}

}  // namespace

std::pair<double, double> ComputeFans(const Shape& shape) {
  const int rank = shape.rank();
  if (rank < 1) return {1, 1};
  if (rank == 1)
    return {static_cast<double>(shape.dim(0)),
            static_cast<double>(shape.dim(0))};
  if (rank == 2)
    return {static_cast<double>(shape.dim(0)),
            static_cast<double>(shape.dim(1))};
  double receptive = 1;
  for (int i = 0; i < rank - 2; ++i) receptive *= shape.dim(i);
  return {shape.dim(rank - 2) * receptive, shape.dim(rank - 1) * receptive};
}

Initializer zeros_initializer() {
  return [](const Shape& shape, DataType dtype) { return zeros(shape, dtype); };
}

Initializer ones_initializer() {
  return [](const Shape& shape, DataType dtype) { return ones(shape, dtype); };
}

Initializer constant_initializer(std::vector<double> value, bool verify_shape) {
  return [value = std::move(value), verify_shape](const Shape& shape,
                                                  DataType dtype) {
    const int64_t n = shape.num_elements();
    // TF compares the value's own shape, (len(value),), with `shape`.
    const bool same_shape =
        shape.rank() == 1 && shape.dim(0) == static_cast<int64_t>(value.size());
    if (verify_shape && !same_shape) {
      ThrowTypeError(absl::StrCat("Expected Tensor's shape: ", shape.ToString(),
                                  ", got (", value.size(), ",)."));
    }
    if (value.empty() && n > 0) {
      ThrowValueError(absl::StrCat(
          "constant_initializer has no value to fill a tensor of shape ",
          shape.ToString()));
    }
    if (static_cast<int64_t>(value.size()) > n) {
      ThrowValueError(
          absl::StrCat("Too many elements provided. Needed at most ", n,
                       ", but received ", value.size()));
    }
    Tensor t(dtype, shape);
    DispatchDataType(dtype, [&]<typename T>() {
      auto flat = t.flat<T>();
      for (int64_t i = 0; i < n; ++i) {
        flat[i] = static_cast<T>(value[std::min<size_t>(i, value.size() - 1)]);
      }
    });
    return constant(t);
  };
}

Initializer random_uniform_initializer(float minval, float maxval,
                                       std::optional<int64_t> seed) {
  return [=](const Shape& shape, DataType dtype) {
    return random_uniform(
        shape,
        {.minval = minval, .maxval = maxval, .dtype = dtype, .seed = seed});
  };
}

Initializer random_normal_initializer(float mean, float stddev,
                                      std::optional<int64_t> seed) {
  return [=](const Shape& shape, DataType dtype) {
    return random_normal(
        shape, {.mean = mean, .stddev = stddev, .dtype = dtype, .seed = seed});
  };
}

Initializer truncated_normal_initializer(float mean, float stddev,
                                         std::optional<int64_t> seed) {
  return [=](const Shape& shape, DataType dtype) {
    return truncated_normal(
        shape, {.mean = mean, .stddev = stddev, .dtype = dtype, .seed = seed});
  };
}

Initializer variance_scaling_initializer(
    const VarianceScalingOptions& options) {
  if (options.scale <= 0) ThrowValueError("`scale` must be positive float.");
  const std::string mode = options.mode;
  if (mode != "fan_in" && mode != "fan_out" && mode != "fan_avg") {
    ThrowValueError(absl::StrCat("Invalid `mode` argument: ", mode));
  }
  const std::string distribution = absl::AsciiStrToLower(options.distribution);
  if (distribution != "normal" && distribution != "uniform" &&
      distribution != "truncated_normal" &&
      distribution != "untruncated_normal") {
    ThrowValueError(
        absl::StrCat("Invalid `distribution` argument: ", distribution));
  }
  return [=, scale = options.scale, seed = options.seed](const Shape& shape,
                                                         DataType dtype) {
    RequireFloat(dtype);
    const auto [fan_in, fan_out] = ComputeFans(shape);
    double n = mode == "fan_in"    ? fan_in
               : mode == "fan_out" ? fan_out
                                   : (fan_in + fan_out) / 2;
    const double s = scale / std::max(1.0, n);
    if (distribution == "uniform") {
      const float limit = static_cast<float>(std::sqrt(3 * s));
      return random_uniform(
          shape,
          {.minval = -limit, .maxval = limit, .dtype = dtype, .seed = seed});
    }
    if (distribution == "untruncated_normal") {
      return random_normal(shape, {.stddev = static_cast<float>(std::sqrt(s)),
                                   .dtype = dtype,
                                   .seed = seed});
    }
    return truncated_normal(
        shape,
        {.stddev = static_cast<float>(std::sqrt(s) / kTruncatedNormalStddev),
         .dtype = dtype,
         .seed = seed});
  };
}

Initializer glorot_uniform_initializer(std::optional<int64_t> seed) {
  return variance_scaling_initializer({.scale = 1.0,
                                       .mode = "fan_avg",
                                       .distribution = "uniform",
                                       .seed = seed});
}
Initializer glorot_normal_initializer(std::optional<int64_t> seed) {
  return variance_scaling_initializer({.scale = 1.0,
                                       .mode = "fan_avg",
                                       .distribution = "truncated_normal",
                                       .seed = seed});
}
Initializer he_normal(std::optional<int64_t> seed) {
  return variance_scaling_initializer({.scale = 2.0,
                                       .mode = "fan_in",
                                       .distribution = "truncated_normal",
                                       .seed = seed});
}
Initializer he_uniform(std::optional<int64_t> seed) {
  return variance_scaling_initializer({.scale = 2.0,
                                       .mode = "fan_in",
                                       .distribution = "uniform",
                                       .seed = seed});
}
Initializer lecun_normal(std::optional<int64_t> seed) {
  return variance_scaling_initializer({.scale = 1.0,
                                       .mode = "fan_in",
                                       .distribution = "truncated_normal",
                                       .seed = seed});
}
Initializer lecun_uniform(std::optional<int64_t> seed) {
  return variance_scaling_initializer({.scale = 1.0,
                                       .mode = "fan_in",
                                       .distribution = "uniform",
                                       .seed = seed});
}

namespace contrib::layers {

Initializer variance_scaling_initializer(double factor, const std::string& mode,
                                         bool uniform,
                                         std::optional<int64_t> seed) {
  if (mode != "FAN_IN" && mode != "FAN_OUT" && mode != "FAN_AVG") {
    ThrowTypeError(
        absl::StrCat("Unknown mode ", mode, " [FAN_IN, FAN_OUT, FAN_AVG]"));
  }
  return [=](const Shape& shape, DataType dtype) {
    if (!IsFloating(dtype)) {
      ThrowTypeError("Cannot create initializer for non-floating point type.");
    }
    const int rank = shape.rank();
    double fan_in = rank == 0 ? 1 : shape.dim(rank > 1 ? rank - 2 : rank - 1);
    double fan_out = rank == 0 ? 1 : shape.dim(rank - 1);
    for (int i = 0; i < rank - 2; ++i) {
      fan_in *= shape.dim(i);
      fan_out *= shape.dim(i);
    }
    const double n = mode == "FAN_IN"    ? fan_in
                     : mode == "FAN_OUT" ? fan_out
                                         : (fan_in + fan_out) / 2;
    if (uniform) {
      const float limit = static_cast<float>(std::sqrt(3 * factor / n));
      return random_uniform(
          shape,
          {.minval = -limit, .maxval = limit, .dtype = dtype, .seed = seed});
    }
    return truncated_normal(
        shape, {.stddev = static_cast<float>(std::sqrt(1.3 * factor / n)),
                .dtype = dtype,
                .seed = seed});
  };
}

Initializer xavier_initializer(bool uniform, std::optional<int64_t> seed) {
  return variance_scaling_initializer(1.0, "FAN_AVG", uniform, seed);
}

}  // namespace contrib::layers

}  // namespace minitf
