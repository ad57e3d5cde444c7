// Helpers shared by the layers tests: seeded random tensors, a run with
// feeds after the variable initializers, element-wise comparison, and a
// gradient check of a layer output against finite differences. Builds on
// tests/variables/test_util.h (GraphTest, ExpectError, Names, Eval).
#ifndef MINITF_TESTS_LAYERS_LAYER_TEST_UTIL_H_
#define MINITF_TESTS_LAYERS_LAYER_TEST_UTIL_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/variables/test_util.h"

namespace minitf::test {

// Uniform values in [lo, hi), deterministic for a seed.
inline Tensor Random(const Shape& shape, int seed, float lo = -1.0f,
                     float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(float32, shape);
  for (float& v : t.flat<float>()) v = dist(rng);
  return t;
}

// Initializes the variables of `sess`'s graph, then runs `fetches` with
// `feeds`. Fails the test (and returns empty tensors) on an error.
inline std::vector<Tensor> InitAndRun(Session& sess, const FeedDict& feeds,
                                      const std::vector<Output>& fetches) {
  absl::Status init = sess.run(global_variables_initializer());
  EXPECT_TRUE(init.ok()) << init;
  absl::StatusOr<std::vector<Tensor>> out = sess.run(feeds, fetches);
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return std::vector<Tensor>(fetches.size());
  return *std::move(out);
}

// Expects `got` to hold `want`'s shape and values within `tolerance`.
inline void ExpectAllNear(const Tensor& got, const Tensor& want,
                          float tolerance, const char* file = __builtin_FILE(),
                          int line = __builtin_LINE()) {
  ::testing::ScopedTrace trace(file, line, "ExpectAllNear");
  ASSERT_TRUE(got.IsInitialized());
  ASSERT_EQ(got.shape().ToString(), want.shape().ToString());
  auto g = got.flat<float>(), w = want.flat<float>();
  for (size_t i = 0; i < g.size(); ++i) {
    ASSERT_NEAR(g[i], w[i], tolerance) << "element " << i;
  }
}

// The largest difference between the Jacobian of `y` w.r.t. `x` (fed
// `x_value`) from gradients() and central differences; `feeds` holds the
// other inputs. Fails the test on a run error.
inline float GradientError(Session& sess, Output x, const Tensor& x_value,
                           Output y, const FeedDict& feeds = {}) {
  absl::StatusOr<float> error =
      ComputeGradientError(sess, x, x_value, y, feeds);
  EXPECT_TRUE(error.ok()) << error.status();
  return error.ok() ? *error : 1e9f;
}

}  // namespace minitf::test

#endif  // MINITF_TESTS_LAYERS_LAYER_TEST_UTIL_H_
