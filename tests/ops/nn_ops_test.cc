#include "minitf/ops/nn/nn_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::HasSubstr;

Tensor Random(Shape shape, int seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  Tensor t(float32, shape);
  for (float& v : t.flat<float>()) v = dist(rng);
  return t;
}

class NnOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(NnOpsTest, L2LossNameAndShape) {
  auto w = placeholder(float32, {-1, 3}, "w");
  auto loss = nn::l2_loss(w);
  EXPECT_EQ(loss.name(), "L2Loss:0");
  EXPECT_EQ(loss.op().type(), "L2Loss");
  EXPECT_EQ(loss.shape().ToString(), "()");
  EXPECT_EQ(loss.dtype(), float32);
  EXPECT_EQ(nn::l2_loss(w, "penalty").name(), "penalty:0");
  EXPECT_EQ(nn::l2_loss(placeholder(float32)).shape().ToString(), "()");
}

TEST_F(NnOpsTest, L2LossMatchesANaiveSum) {
  const Tensor wv = Random({4, 5}, 1);
  auto w = placeholder(float32, {4, 5}, "w");
  Session sess(graph_);
  auto out = sess.run({{w, wv}}, {nn::l2_loss(w)});
  ASSERT_TRUE(out.ok()) << out.status();
  float expect = 0;
  for (float v : wv.flat<float>()) expect += v * v;
  EXPECT_NEAR((*out)[0].scalar<float>(), expect / 2, 1e-5);
  // A scalar and an empty tensor.
  auto s = sess.run({nn::l2_loss(constant(3.0f)),
                     nn::l2_loss(constant(Tensor(float32, {0, 2})))});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)[0].scalar<float>(), 4.5f);
  EXPECT_EQ((*s)[1].scalar<float>(), 0.0f);
}

TEST_F(NnOpsTest, L2LossGradientMatchesFiniteDifferences) {
  auto w = placeholder(float32, {2, 3}, "w");
  Session sess(graph_);
  for (Output y : {nn::l2_loss(w), nn::l2_loss(w * w) * constant(0.5f)}) {
    auto error = ComputeGradientError(sess, w, Random({2, 3}, 2), y);
    ASSERT_TRUE(error.ok()) << error.status();
    EXPECT_LT(*error, 2e-3f) << y.name();
  }
}

TEST_F(NnOpsTest, L2LossRejectsIntegers) {
  try {
    nn::l2_loss(constant<int32_t>({1, 2}, {2}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("Value passed to parameter 't' has DataType int32 "
                          "not in list of allowed values: float32"));
  }
}

}  // namespace
}  // namespace minitf
