// Helpers shared by the ops tests: seeded random tensors, the message of a
// build-time error, and a fixture with a graph, a session and run helpers.
#ifndef MINITF_TESTS_OPS_OPS_TEST_UTIL_H_
#define MINITF_TESTS_OPS_OPS_TEST_UTIL_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>

#include "minitf/minitf.h"

namespace minitf::test {

// Uniform values in [-1, 1), deterministic for a seed.
inline Tensor Random(const Shape& shape, int seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  Tensor t(float32, shape);
  for (float& v : t.flat<float>()) v = dist(rng);
  return t;
}

// The message of the minitf::Error `fn` throws, or "no error".
inline std::string Message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// A graph made the default for the test, and one session on it.
class OpsTest : public ::testing::Test {
 protected:
  absl::StatusOr<Tensor> Run(Output y, const FeedDict& feeds = {}) {
    auto out = sess_.run(feeds, {y});
    if (!out.ok()) return out.status();
    return (*out)[0];
  }
  // Run() that fails the test on an error.
  Tensor Run1(Output y, const FeedDict& feeds = {}) {
    auto out = Run(y, feeds);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : Tensor();
  }
  // The gradient error of a random weighting of y (so every element of y
  // counts) with respect to x fed `xv`.
  float GradError(Output x, const Tensor& xv, Output y,
                  const FeedDict& feeds = {}) {
    const Tensor w = Random(Shape(y.shape().dims()), 99);
    auto error =
        ComputeGradientError(sess_, x, xv, reduce_sum(y * constant(w)), feeds);
    EXPECT_TRUE(error.ok()) << error.status();
    return error.ok() ? *error : 1e9f;
  }

  Graph graph_;
  GraphGuard guard_{graph_};
  Session sess_{graph_};
};

}  // namespace minitf::test

#endif  // MINITF_TESTS_OPS_OPS_TEST_UTIL_H_
