// TF1's tf.nn.dropout: keeps each element with probability keep_prob
// (= 1 - rate) and scales the kept ones by 1 / keep_prob, so the expected
// value is unchanged. Built as a random mask op ("<name>/mask", type
// DropoutMask, holding 0 or 1 / keep_prob) times x ("<name>/mul"): the
// gradient g * mask reuses the very mask of the forward pass.
//
//   auto h = tf::nn::dropout(x, {.keep_prob = 0.5f, .seed = 7});
//   auto g = tf::nn::dropout(x, {.rate = 0.1f});
//   auto c = tf::nn::dropout(images, {.keep_prob = 0.8f,
//                                     .noise_shape = Shape{-1, 1, 1, 3}});
//
// Seeding follows TF1's rules (GetSeed in ops/random/random_ops.h): with a
// graph seed or an op seed the masks are a reproducible sequence, one new
// mask per run; with neither they are seeded at random. Thread-compatible,
// like every graph builder.
#ifndef MINITF_OPS_NN_DROPOUT_H_
#define MINITF_OPS_NN_DROPOUT_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "minitf/core/shape.h"
#include "minitf/graph/node.h"

namespace minitf::nn {

// A float, or a float32 scalar tensor read at run time (dropout's rate,
// which TF lets be either).
class FloatOrTensor {
 public:
  FloatOrTensor(float value) : value_(value) {}                       // NOLINT
  FloatOrTensor(double value) : value_(static_cast<float>(value)) {}  // NOLINT
  FloatOrTensor(Output tensor) : tensor_(tensor) {}                   // NOLINT

  bool is_tensor() const { return !tensor_.is_null(); }
  // REQUIRES: !is_tensor().
  float value() const { return value_; }
  Output tensor() const { return tensor_; }

 private:
  float value_ = 0.0f;
  Output tensor_;
};

// tf.nn.dropout(x, keep_prob, noise_shape, seed, name, rate): exactly one
// of keep_prob and rate.
struct DropoutOptions {
  std::optional<float> keep_prob;
  // The shape of the mask, broadcast against x's: a -1 entry takes x's
  // dimension (TF's None). nullopt: x's shape.
  std::optional<Shape> noise_shape;
  std::optional<int64_t> seed;
  std::string name = "";  // default: "dropout"
  // In [0, 1). A tensor rate is checked at run time (InvalidArgument).
  std::optional<FloatOrTensor> rate;
};

// Returns x itself when rate is 0 (TF's early return). Throws ValueError
// with TF's text for a rate outside [0, 1), for both or neither of
// keep_prob and rate, and for a non-float x.
Output dropout(Output x, const DropoutOptions& options = {});

}  // namespace minitf::nn

#endif  // MINITF_OPS_NN_DROPOUT_H_
