// Numerically bad inputs: values at or past the edge of their type. TF
// returns IEEE results (inf, NaN) for floats, wraps or saturates integers
// as its kernels do, and fails only where its kernels fail (an empty
// reduction axis for ArgMax); each case asserts the exact values, then a
// valid run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/bad_input_util.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatEq;
using ::testing::FloatNear;
using ::testing::IsNan;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr int32_t kMin32 = std::numeric_limits<int32_t>::lowest();
constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();
constexpr int64_t kMin64 = std::numeric_limits<int64_t>::lowest();

class BadNumericsTest : public test::BadInputTest {
 protected:
  // Runs `y` with `feeds`; fails the test on an error.
  Tensor Eval(Output y, const FeedDict& feeds = {}) {
    auto out = sess_.run(feeds, {y});
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? (*out)[0] : Tensor();
  }
  Output Floats(const std::vector<float>& v) {
    return constant<float>(v, {static_cast<int64_t>(v.size())});
  }
};

TEST_F(BadNumericsTest, LogOfZeroAndOfANegative) {
  EXPECT_THAT(Eval(log(Floats({0, -1}))).flat<float>(),
              ElementsAre(-kInf, IsNan()));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, SqrtAndRsqrtOfANegativeAndOfZero) {
  EXPECT_THAT(Eval(sqrt(Floats({-4, 0}))).flat<float>(),
              ElementsAre(IsNan(), 0.0f));
  EXPECT_THAT(Eval(rsqrt(Floats({-4, 0}))).flat<float>(),
              ElementsAre(IsNan(), kInf));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, FloatDivisionByZero) {
  EXPECT_THAT(Eval(Floats({1, -1, 0}) / Floats({0, 0, 0})).flat<float>(),
              ElementsAre(kInf, -kInf, IsNan()));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, DivNoNanOfZeroDenominators) {
  EXPECT_THAT(
      Eval(div_no_nan(Floats({1, kInf, 0}), Floats({0, 0, 0}))).flat<float>(),
      ElementsAre(0.0f, 0.0f, 0.0f));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, ExpAndSquareOverflowToInfinity) {
  EXPECT_THAT(Eval(exp(Floats({100, -200}))).flat<float>(),
              ElementsAre(kInf, 0.0f));
  EXPECT_THAT(Eval(square(Floats({1e30f}))).flat<float>(), ElementsAre(kInf));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, ReduceSumOverflowsToInfinity) {
  EXPECT_EQ(Eval(reduce_sum(Floats({3e38f, 3e38f}))).scalar<float>(), kInf);
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, SoftmaxOfHugeLogitsStaysFinite) {
  auto logits = constant<float>({1000, 0, -1000, 1000}, {2, 2});
  EXPECT_THAT(Eval(nn::softmax(logits)).flat<float>(),
              ElementsAre(1.0f, 0.0f, 0.0f, 1.0f));
  // oneDNN's logsoftmax is within 2e-6 of the exact 0 at the maximum.
  EXPECT_THAT(
      Eval(nn::log_softmax(logits)).flat<float>(),
      ElementsAre(FloatNear(0, 2e-6), -1000.0f, -2000.0f, FloatNear(0, 2e-6)));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, CrossEntropyOfHugeLogitsStaysFinite) {
  auto logits = constant<float>({1e4f, 0, 0, 1e4f}, {2, 2});
  auto loss = nn::sparse_softmax_cross_entropy_with_logits(
      constant<int32_t>({1, 1}, {2}), logits);
  EXPECT_THAT(Eval(loss).flat<float>(), ElementsAre(1e4f, 0.0f));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, SigmoidAndSoftplusOfHugeValues) {
  EXPECT_THAT(Eval(sigmoid(Floats({-1000, 1000}))).flat<float>(),
              ElementsAre(0.0f, 1.0f));
  EXPECT_THAT(Eval(nn::softplus(Floats({-1000, 1000}))).flat<float>(),
              ElementsAre(0.0f, 1000.0f));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, LogLossOfACertainWrongPredictionIsClipped) {
  // -log(0 + epsilon) with TF's default epsilon 1e-7.
  auto loss = losses::log_loss(Floats({1}), Floats({0}));
  EXPECT_THAT(Eval(loss).scalar<float>(), FloatEq(-std::log(1e-7f)));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, GradientOfSqrtAtZeroIsInfinity) {
  auto x = placeholder(float32, {2}, "x");
  auto dx = gradients({sqrt(x)}, {x})[0];
  EXPECT_THAT(
      Eval(dx, {{x, Tensor::FromVector<float>({0, 4}, {2})}}).flat<float>(),
      ElementsAre(kInf, 0.25f));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, CastOfNaNAndOfOutOfRangeFloatsToInt) {
  auto y = cast(Floats({std::nanf(""), 1e20f, -kInf, -2.7f}), int32);
  EXPECT_THAT(Eval(y).flat<int32_t>(), ElementsAre(0, kMax32, kMin32, -2));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, Int32ArithmeticWraps) {
  auto x = constant<int32_t>({kMax32, kMin32}, {2});
  EXPECT_THAT(Eval(x + 1).flat<int32_t>(), ElementsAre(kMin32, kMin32 + 1));
  EXPECT_THAT(Eval(negative(x)).flat<int32_t>(), ElementsAre(-kMax32, kMin32));
  EXPECT_THAT(Eval(abs(x)).flat<int32_t>(), ElementsAre(kMax32, kMin32));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, LowestInt64DividedByMinusOneWraps) {
  auto x = placeholder(int64, {2}, "x");
  auto q = divide(x, constant<int64_t>({-1, -2}, {2}));
  EXPECT_THAT(Eval(q, {{x, Tensor::FromVector<int64_t>({kMin64, 7}, {2})}})
                  .flat<int64_t>(),
              ElementsAre(kMin64, -3));
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, ArgMaxOverAnEmptyAxisIsInvalidArgument) {
  auto x = placeholder(float32, {-1}, "x");
  auto out = sess_.run({{x, Tensor(float32, {0})}}, {argmax(x, 0)});
  test::ExpectStatus(out, absl::StatusCode::kInvalidArgument,
                     "Reduction axis 0 is empty in shape [0]");
  ExpectSessionStillRuns();
}

TEST_F(BadNumericsTest, OneHotOfOutOfRangeIndicesIsAllOff) {
  auto ids = placeholder(int32, {3}, "ids");
  auto y = one_hot(ids, 2);
  EXPECT_THAT(Eval(y, {{ids, Tensor::FromVector<int32_t>({-1, 1, 2}, {3})}})
                  .flat<float>(),
              ElementsAre(0, 0, 0, 1, 0, 0));
  ExpectSessionStillRuns();
}

}  // namespace
}  // namespace minitf
