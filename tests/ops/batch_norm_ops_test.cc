#include "minitf/ops/nn/batch_norm_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::HasSubstr;

Tensor Random(const Shape& shape, int seed, float lo = -1, float hi = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(float32, shape);
  for (float& v : t.flat<float>()) v = dist(rng);
  return t;
}

struct BatchNormCase {
  Shape shape;
  bool channels_first;
};

// Per-channel statistics of x, the naive way.
void NaiveStats(const Tensor& x, bool channels_first, std::vector<double>& mean,
                std::vector<double>& var) {
  const Shape& s = x.shape();
  const int rank = s.rank();
  const int c_axis = channels_first ? 1 : rank - 1;
  const int64_t C = s.dim(c_axis);
  int64_t inner = 1;
  for (int i = c_axis + 1; i < rank; ++i) inner *= s.dim(i);
  const int64_t n = x.NumElements() / C;
  mean.assign(C, 0);
  var.assign(C, 0);
  auto X = x.flat<float>();
  auto channel = [&](int64_t i) { return (i / inner) % C; };
  for (int64_t i = 0; i < x.NumElements(); ++i) mean[channel(i)] += X[i] / n;
  for (int64_t i = 0; i < x.NumElements(); ++i) {
    var[channel(i)] +=
        (X[i] - mean[channel(i)]) * (X[i] - mean[channel(i)]) / n;
  }
}

class BatchNormTest : public ::testing::TestWithParam<BatchNormCase> {};

TEST_P(BatchNormTest, TrainingMatchesNaiveStatisticsAndGradients) {
  const BatchNormCase c = GetParam();
  Graph graph;
  GraphGuard guard(graph);
  const int c_axis = c.channels_first ? 1 : c.shape.rank() - 1;
  const int64_t C = c.shape.dim(c_axis);
  const Tensor xv = Random(c.shape, 1, -2, 3);
  const Tensor gv = Random({C}, 2, 0.5f, 1.5f), bv = Random({C}, 3);
  auto x = placeholder(float32, c.shape, "x");
  auto gamma = placeholder(float32, {C}, "gamma");
  auto beta = placeholder(float32, {C}, "beta");
  const float eps = 0.001f;
  auto bn = nn::fused_batch_norm(
      x, gamma, beta,
      {.epsilon = eps, .data_format = c.channels_first ? "NCHW" : "NHWC"});
  EXPECT_EQ(bn.y.shape(), c.shape);
  EXPECT_EQ(bn.batch_mean.shape().ToString(), Shape({C}).ToString());

  Session sess(graph);
  FeedDict feeds = {{x, xv}, {gamma, gv}, {beta, bv}};
  auto out = sess.run(feeds, {bn.y, bn.batch_mean, bn.batch_variance});
  ASSERT_TRUE(out.ok()) << out.status();
  std::vector<double> mean, var;
  NaiveStats(xv, c.channels_first, mean, var);
  const int64_t n = xv.NumElements() / C;
  for (int64_t ch = 0; ch < C; ++ch) {
    EXPECT_NEAR((*out)[1].flat<float>()[ch], mean[ch], 1e-5);
    EXPECT_NEAR((*out)[2].flat<float>()[ch], var[ch] * n / (n - 1), 1e-4)
        << "Bessel";
  }
  int64_t inner = 1;
  for (int i = c_axis + 1; i < c.shape.rank(); ++i) inner *= c.shape.dim(i);
  auto X = xv.flat<float>(), Y = (*out)[0].flat<float>();
  for (int64_t i = 0; i < xv.NumElements(); ++i) {
    const int64_t ch = (i / inner) % C;
    const double want =
        (X[i] - mean[ch]) / std::sqrt(var[ch] + eps) * gv.flat<float>()[ch] +
        bv.flat<float>()[ch];
    ASSERT_NEAR(Y[i], want, 1e-4) << i;
  }
  // Gradients through the batch statistics; weight y so the sum is not flat.
  auto weights = constant(Random(c.shape, 4));
  auto loss = reduce_sum(bn.y * weights);
  for (auto [input, value] : {std::pair{x, xv}, {gamma, gv}, {beta, bv}}) {
    FeedDict others;
    for (const auto& f : feeds) {
      if (!(f.first == input)) others.push_back(f);
    }
    auto error = ComputeGradientError(sess, input, value, loss, others);
    ASSERT_TRUE(error.ok()) << error.status();
    EXPECT_LT(*error, 2e-2f) << input.name();
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, BatchNormTest,
                         ::testing::Values(BatchNormCase{{6, 3}, false},
                                           BatchNormCase{{2, 3, 3, 4}, false},
                                           BatchNormCase{{2, 4, 3, 3}, true},
                                           BatchNormCase{{2, 2, 2, 3, 2},
                                                         false}));

TEST(BatchNormOpsTest, InferenceUsesTheGivenStatistics) {
  Graph graph;
  GraphGuard guard(graph);
  auto x = constant<float>({1, 2, 3, 4, 5, 6}, {3, 2});
  auto bn = nn::fused_batch_norm(x, constant<float>({2, 1}, {2}),
                                 constant<float>({0, 10}, {2}),
                                 {.mean = constant<float>({1, 2}, {2}),
                                  .variance = constant<float>({4, 1}, {2}),
                                  .epsilon = 0.0f,
                                  .is_training = false});
  Session sess(graph);
  auto out = sess.run({bn.y, bn.batch_mean, bn.batch_variance});
  ASSERT_TRUE(out.ok()) << out.status();
  const float e = 1.001e-5f;  // TF's minimum epsilon
  auto y = (*out)[0].flat<float>();
  EXPECT_NEAR(y[0], (1 - 1) / std::sqrt(4 + e) * 2, 1e-5);
  EXPECT_NEAR(y[1], (2 - 2) / std::sqrt(1 + e) * 1 + 10, 1e-5);
  EXPECT_NEAR(y[4], (5 - 1) / std::sqrt(4 + e) * 2, 1e-4);
  EXPECT_NEAR(y[5], (6 - 2) / std::sqrt(1 + e) + 10, 1e-4);
  EXPECT_THAT((*out)[1].flat<float>(), ::testing::ElementsAre(1, 2));
  EXPECT_THAT((*out)[2].flat<float>(), ::testing::ElementsAre(4, 1));
}

TEST(BatchNormOpsTest, InferenceGradientTreatsStatisticsAsConstants) {
  Graph graph;
  GraphGuard guard(graph);
  auto x = placeholder(float32, {4, 2}, "x");
  auto bn = nn::fused_batch_norm(x, constant<float>({2, 0.5f}, {2}),
                                 constant<float>({0, 1}, {2}),
                                 {.mean = constant<float>({0.5f, -1}, {2}),
                                  .variance = constant<float>({2, 0.5f}, {2}),
                                  .is_training = false});
  auto loss = reduce_sum(bn.y * bn.y);
  Session sess(graph);
  auto error = ComputeGradientError(sess, x, Random({4, 2}, 5), loss);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 5e-3f);
}

TEST(BatchNormOpsTest, ArgumentErrors) {
  Graph graph;
  GraphGuard guard(graph);
  auto x = placeholder(float32, {2, 3}, "x");
  auto c3 = placeholder(float32, {3}, "c3");
  auto c4 = placeholder(float32, {4}, "c4");
  EXPECT_THROW(nn::fused_batch_norm(x, c4, c3), Error);
  try {
    nn::fused_batch_norm(x, c3, c3, {.is_training = false});
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("must be a 1D tensor when is_training is False"));
  }
  EXPECT_THROW(nn::fused_batch_norm(placeholder(float32, {3}), c3, c3), Error);
}

}  // namespace
}  // namespace minitf
