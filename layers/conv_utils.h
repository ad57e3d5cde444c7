// Argument normalization shared by the convolution and pooling layers, as
// keras' conv_utils does it, with its messages.
//
//   IntTuple k = 3;                      // kernel_size=3
//   IntTuple s = {2, 1};                 // strides=(2, 1)
//   NormalizeTuple(k, 2, "kernel_size") == std::vector<int64_t>{3, 3};
//   NormalizePadding("SAME") == "same";
#ifndef MINITF_LAYERS_CONV_UTILS_H_
#define MINITF_LAYERS_CONV_UTILS_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace minitf::layers {

// An int or a tuple of ints (kernel_size, strides, dilation_rate,
// pool_size). Default-constructed, it is None.
class IntTuple {
 public:
  IntTuple() = default;
  IntTuple(int64_t value)  // NOLINT
      : values_(std::vector<int64_t>{value}), is_int_(true) {}
  IntTuple(std::initializer_list<int64_t> values)  // NOLINT
      : values_(std::vector<int64_t>(values)) {}
  IntTuple(std::vector<int64_t> values)
      : values_(std::move(values)) {}  // NOLINT

  bool is_none() const { return !values_.has_value(); }
  bool is_int() const { return is_int_; }
  // Python's str(): "3", "(1, 2, 3)", "(2,)", "None".
  std::string ToString() const;
  const std::vector<int64_t>& values() const { return *values_; }

 private:
  std::optional<std::vector<int64_t>> values_;
  bool is_int_ = false;
};

// keras' normalize_tuple: an int repeats n times; a tuple must have n
// entries. ValueError "The `<name>` argument must be a tuple of <n>
// integers. Received: <value>" otherwise.
std::vector<int64_t> NormalizeTuple(const IntTuple& value, int n,
                                    absl::string_view name);
// "valid", "same" or "causal", lowercased; ValueError otherwise.
std::string NormalizePadding(absl::string_view padding);
// "channels_first" or "channels_last", lowercased; ValueError otherwise.
std::string NormalizeDataFormat(absl::string_view data_format);
// keras' convert_data_format: "channels_last", 4 -> "NHWC", ...
std::string ConvertDataFormat(absl::string_view data_format, int ndim);

}  // namespace minitf::layers

#endif  // MINITF_LAYERS_CONV_UTILS_H_
