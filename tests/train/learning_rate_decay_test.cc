// Learning-rate schedules: a port of TF 1.15's learning_rate_decay_test.py
// (LRDecayTest, PiecewiseConstant, PolynomialDecay, InverseDecay), with the
// step fed through a placeholder.
#include "minitf/train/learning_rate_decay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "minitf/minitf.h"
#include "minitf/tests/train/train_test_util.h"

namespace minitf {
namespace {

using ::minitf::test::ExpectError;
using ::minitf::test::SessionRunner;

class DecayTest : public test::GraphTest {
 protected:
  Output step_ = placeholder(int64, Shape(), "step");
  float At(Output lr, int64_t step) {
    SessionRunner run;
    return run.Scalar(lr, {{step_, Tensor::Scalar(step)}});
  }
};

TEST_F(DecayTest, ExponentialContinuous) {
  Output lr = train::exponential_decay(0.05, step_, 10, 0.96);
  EXPECT_EQ(lr.op().name(), "ExponentialDecay");
  EXPECT_NEAR(At(lr, 5), 0.05 * std::pow(0.96, 5.0 / 10), 1e-6);
}

TEST_F(DecayTest, ExponentialStaircase) {
  Output lr =
      train::exponential_decay(0.1, step_, 3, 0.96, {.staircase = true});
  EXPECT_NEAR(At(lr, 0), 0.1, 1e-7);
  EXPECT_NEAR(At(lr, 2), 0.1, 1e-7);
  EXPECT_NEAR(At(lr, 100), 0.1 * std::pow(0.96, 100 / 3), 1e-7);
  // Tensors work for every argument.
  Output lr2 = train::exponential_decay(constant(0.1f), step_, constant(3.0f),
                                        constant(0.96f),
                                        {.staircase = true, .name = "decay"});
  EXPECT_EQ(lr2.op().name(), "decay");
  EXPECT_NEAR(At(lr2, 100), 0.1 * std::pow(0.96, 100 / 3), 1e-7);
}

TEST_F(DecayTest, GlobalStepRequired) {
  ExpectError([] { train::exponential_decay(0.1, Output(), 3, 0.96); },
              "ValueError", "global_step is required for exponential_decay.");
  ExpectError([] { train::polynomial_decay(0.1, Output(), 3); }, "ValueError",
              "global_step is required for polynomial_decay.");
  ExpectError([] { train::inverse_time_decay(0.1, Output(), 3, 0.5); },
              "ValueError", "global_step is required for inverse_time_decay.");
}

TEST_F(DecayTest, PiecewiseConstant) {
  Output x = placeholder(int32, Shape(), "x");
  Output pc =
      train::piecewise_constant(x, {100, 110, 120}, {1.0, 0.1, 0.01, 0.001});
  EXPECT_EQ(pc.op().name(), "PiecewiseConstant");
  SessionRunner run;
  auto at = [&](int32_t v) { return run.Scalar(pc, {{x, Tensor::Scalar(v)}}); };
  EXPECT_EQ(at(-999), 1.0f);
  EXPECT_EQ(at(100), 1.0f);
  EXPECT_EQ(at(105), 0.1f);
  EXPECT_EQ(at(110), 0.1f);
  EXPECT_EQ(at(120), 0.01f);
  EXPECT_EQ(at(999), 0.001f);
}

TEST_F(DecayTest, PiecewiseConstantOnGlobalStep) {
  Variable step = train::get_or_create_global_step();
  Output pc = train::piecewise_constant(step, {2}, {0.5, 0.25});
  SessionRunner run;
  EXPECT_EQ(run.Scalar(pc), 0.5f);
  Operation inc = step.assign_add(constant<int64_t>({3}, Shape())).op();
  run.Run(inc);
  EXPECT_EQ(run.Scalar(pc), 0.25f);
}

TEST_F(DecayTest, PiecewiseConstantLengthMismatch) {
  ExpectError(
      [&] {
        train::piecewise_constant(step_, {1, 2}, {1.0, 2.0});
      },
      "ValueError",
      "The length of boundaries should be 1 less than the length of values");
}

TEST_F(DecayTest, Polynomial) {
  const double lr = 0.05, end_lr = 0.001;
  // testHalfWay, testEnd, testHalfWayWithEnd, testBeyondEnd.
  EXPECT_NEAR(
      At(train::polynomial_decay(lr, step_, 10, {.end_learning_rate = 0.0}), 5),
      lr * 0.5, 1e-7);
  Output decayed =
      train::polynomial_decay(lr, step_, 10, {.end_learning_rate = end_lr});
  EXPECT_EQ(decayed.op().name(), "PolynomialDecay_1");
  EXPECT_NEAR(At(decayed, 10), end_lr, 1e-7);
  EXPECT_NEAR(At(decayed, 5), (lr - end_lr) * 0.5 + end_lr, 1e-7);
  EXPECT_NEAR(At(decayed, 15), end_lr, 1e-7);
  // testBeyondEndWithCycle and the cycle's first period.
  Output cycled = train::polynomial_decay(
      lr, step_, 10, {.end_learning_rate = end_lr, .cycle = true});
  EXPECT_NEAR(At(cycled, 15), (lr - end_lr) * 0.25 + end_lr, 1e-7);
  EXPECT_NEAR(At(cycled, 0), lr, 1e-7);
  // SqrtDecayTest: power 0.5.
  Output sqrt_decay = train::polynomial_decay(
      lr, step_, 10, {.end_learning_rate = end_lr, .power = 0.5});
  EXPECT_NEAR(At(sqrt_decay, 5), (lr - end_lr) * std::pow(0.5, 0.5) + end_lr,
              1e-7);
  EXPECT_NEAR(At(sqrt_decay, 15), end_lr, 1e-7);
}

TEST_F(DecayTest, InverseTime) {
  const double initial_lr = 0.1, decay_rate = 0.96;
  const int k = 10;
  Output lr = train::inverse_time_decay(initial_lr, step_, k, decay_rate);
  Output stair = train::inverse_time_decay(initial_lr, step_, k, decay_rate,
                                           {.staircase = true});
  EXPECT_EQ(lr.op().name(), "InverseTimeDecay");
  for (int i = 0; i <= 2 * k; ++i) {
    EXPECT_NEAR(At(lr, i), initial_lr / (1 + double(i) / k * decay_rate), 1e-7);
    EXPECT_NEAR(At(stair, i), initial_lr / (1 + decay_rate * (i / k)), 1e-7);
  }
}

// A schedule drives an optimizer: the step size follows the global step.
TEST_F(DecayTest, DrivesOptimizer) {
  Variable step = train::get_or_create_global_step();
  Variable w = test::Var({0}, "w");
  Output lr = train::piecewise_constant(step, {0}, {1.0, 0.5});
  Operation train_op = train::GradientDescentOptimizer(lr).minimize(
      reduce_sum(w.value()), {.global_step = step});
  SessionRunner run;
  run.Run(train_op);  // step 0: lr 1
  run.Run(train_op);  // step 1: lr 0.5
  EXPECT_THAT(run.Get(w), ::testing::ElementsAre(-1.5f));
}

// Pow, Floor and Ceil themselves.
TEST_F(DecayTest, PowFloorCeil) {
  Output x = constant<float>({-1.5f, 0.5f, 2.0f}, {3});
  EXPECT_THAT(test::Eval(floor(x)), ::testing::ElementsAre(-2, 0, 2));
  EXPECT_THAT(test::Eval(ceil(x)), ::testing::ElementsAre(-1, 1, 2));
  Output base = constant<float>({2, 3, 4}, {3});
  EXPECT_THAT(test::Eval(pow(base, constant(2.0f))),
              ::testing::ElementsAre(4, 9, 16));
  Output px = placeholder(float32, {3}, "px");
  Output py = placeholder(float32, {3}, "py");
  Output z = pow(px, py);
  Session sess(graph_);
  Tensor xv = Tensor::FromVector<float>({0.5f, 1.5f, 2.0f}, {3});
  Tensor yv = Tensor::FromVector<float>({1.5f, 2.0f, -0.5f}, {3});
  absl::StatusOr<float> ex = ComputeGradientError(sess, px, xv, z, {{py, yv}});
  ASSERT_TRUE(ex.ok()) << ex.status();
  EXPECT_LT(*ex, 2e-3);
  absl::StatusOr<float> ey = ComputeGradientError(sess, py, yv, z, {{px, xv}});
  ASSERT_TRUE(ey.ok()) << ey.status();
  EXPECT_LT(*ey, 2e-3);
}

}  // namespace
}  // namespace minitf
