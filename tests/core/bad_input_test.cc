// Bad input at the roots where it is checked once: shape construction,
// tensor allocation and access, and Session::run's exception boundary. Each
// case asserts the exact outcome and that a session still runs afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "minitf/graph/op_registry.h"
#include "minitf/minitf.h"
#include "minitf/tests/bad_input_util.h"

namespace minitf {
namespace {

using test::BadInputTest;
using test::ExpectError;
using ::testing::HasSubstr;

// ctest runs each case in its own process: here no Graph exists yet.
TEST(OpRegistryTest, OpsAreRegisteredBeforeAnyGraphExists) {
  EXPECT_NE(LookupOp("MatMul"), nullptr);
  EXPECT_EQ(LookupOp("NoSuchOp"), nullptr);
}

TEST_F(BadInputTest, DimBelowMinusOneIsAValueError) {
  ExpectError(
      [] {
        Shape s{2, -2};
      },
      absl::StatusCode::kInvalidArgument, "ValueError",
      "Dimension -2 must be >= 0");
  ExpectError([] { placeholder(float32, {-3}); },
              absl::StatusCode::kInvalidArgument, "ValueError",
              "Dimension -3 must be >= 0");
}

TEST_F(BadInputTest, ElementCountOverflowIsAValueError) {
  const int64_t big = int64_t{1} << 40;
  ExpectError(
      [&] {
        Shape s{big, big};
      },
      absl::StatusCode::kInvalidArgument, "ValueError",
      "would have more than 2**63 - 1 elements");
  // Unknown dims do not count; the known ones still must fit.
  Shape partial{-1, big, 1024};
  EXPECT_EQ(partial.num_elements(), -1);
  ExpectError(
      [&] {
        Shape s{-1, big, big};
      },
      absl::StatusCode::kInvalidArgument, "ValueError",
      "would have more than 2**63 - 1 elements");
  Shape s{4, 4};
  ExpectError([&] { s.set_dim(0, std::numeric_limits<int64_t>::max() / 2); },
              absl::StatusCode::kInvalidArgument, "ValueError",
              "would have more than 2**63 - 1 elements");
}

TEST_F(BadInputTest, RankAboveTheMaximumIsAValueError) {
  ExpectError([] { Shape::UnknownDims(Shape::kMaxRank + 1); },
              absl::StatusCode::kInvalidArgument, "ValueError",
              "Rank 13 exceeds the maximum of 12");
  ExpectError([] { Shape::UnknownDims(-1); },
              absl::StatusCode::kInvalidArgument, "ValueError", "Rank -1");
}

TEST_F(BadInputTest, UnsatisfiableAllocationIsResourceExhausted) {
  const int64_t huge = int64_t{1} << 45;  // 128 TiB of floats
  ExpectError(
      [&] {
        Tensor t(float32, {huge, 4});
      },
      absl::StatusCode::kResourceExhausted, "ResourceExhaustedError",
      "OOM when allocating tensor with shape[35184372088832,4] and "
      "type float32");
  // zeros() allocates when its plan is compiled: a Status from run().
  auto z = zeros({huge, 4});
  Session sess(graph_);
  auto out = sess.run({z});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(out.status().message()),
              HasSubstr("OOM when allocating tensor"));
  ExpectSessionStillRuns(sess);
}

TEST_F(BadInputTest, TensorOfUnknownShapeIsAValueError) {
  ExpectError(
      [] {
        Tensor t(float32, {-1, 3});
      },
      absl::StatusCode::kInvalidArgument, "ValueError",
      "Cannot allocate a tensor of shape (?, 3)");
}

TEST_F(BadInputTest, FromVectorNeedsOneValuePerElement) {
  ExpectError(
      [] {
        Tensor::FromVector<float>({1, 2, 3}, {2, 2});
      },
      absl::StatusCode::kInvalidArgument, "ValueError",
      "FromVector got 3 values for a tensor of shape (2, 2) (4 "
      "elements)");
  ExpectError(
      [] {
        Tensor::FromVector<int32_t>({1, 2, 3}, {2});
      },
      absl::StatusCode::kInvalidArgument, "ValueError",
      "FromVector got 3 values");
}

TEST_F(BadInputTest, ReadingATensorAsAnotherTypeIsATypeError) {
  Tensor t = Tensor::FromVector<int32_t>({1, 2}, {2});
  ExpectError([&] { t.flat<float>(); }, absl::StatusCode::kInvalidArgument,
              "TypeError",
              "Cannot read a int32 tensor of shape (2,) as float32");
  ExpectError([&] { t.scalar<int32_t>(); }, absl::StatusCode::kInvalidArgument,
              "TypeError", "as a scalar of int32");
  EXPECT_EQ(t.flat<int32_t>()[1], 2);
}

TEST_F(BadInputTest, ConstantInitializerWithoutValues) {
  ExpectError(
      [] {
        get_variable(
            "v", {.shape = {2},
                  .initializer = constant_initializer(std::vector<double>{})});
      },
      absl::StatusCode::kInvalidArgument, "ValueError",
      "constant_initializer has no value to fill a tensor of shape (2,)");
}

TEST_F(BadInputTest, ReduceMaxOfNothingIsMinusInfinity) {
  auto x = placeholder(float32, {-1, 3}, "x");
  auto m = reduce_max(x, {.axis = std::vector<int64_t>{0}});
  Session sess(graph_);
  auto out = sess.run({{x, Tensor(float32, {0, 3})}}, {m});
  ASSERT_TRUE(out.ok()) << out.status();
  for (float v : (*out)[0].flat<float>()) {
    EXPECT_EQ(v, -std::numeric_limits<float>::infinity());
  }
  auto sum = reduce_sum(x);
  auto mean = reduce_mean(x);
  out = sess.run({{x, Tensor(float32, {0, 3})}}, {sum, mean});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 0.0f);
  EXPECT_TRUE(std::isnan((*out)[1].scalar<float>()));
  ExpectSessionStillRuns(sess);
}

TEST_F(BadInputTest, GradientCheckerFailsOnNaN) {
  auto x = placeholder(float32, {2}, "x");
  auto y = sqrt(x);  // d/dx sqrt at a negative x is NaN
  Session sess(graph_);
  auto error =
      ComputeGradientError(sess, x, Tensor::FromVector<float>({-1, 4}, {2}), y);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_TRUE(std::isnan(*error));
  EXPECT_FALSE(*error < 1e-3f);  // so `EXPECT_LT(error, tol)` fails
}

TEST_F(BadInputTest, RunTimeAllocationFailureIsAStatus) {
  // Broadcasting two fed vectors asks the plan for 2**44 floats (64 TiB):
  // the failed allocation comes back as a Status and the session survives.
  const int64_t n = int64_t{1} << 22;
  auto a = placeholder(float32, {-1, 1}, "a");
  auto b = placeholder(float32, {1, -1}, "b");
  auto outer = a * b;
  Session sess(graph_);
  auto out = sess.run(
      {{a, Tensor(float32, {n, 1})}, {b, Tensor(float32, {1, n})}}, {outer});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(
      std::string(out.status().message()),
      HasSubstr("OOM when allocating tensor with shape[4194304,4194304]"));
  ExpectSessionStillRuns(sess);
  // The same signature with small feeds still compiles and runs.
  out = sess.run({{a, Tensor(float32, {2, 1})}, {b, Tensor(float32, {1, 3})}},
                 {outer});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape().ToString(), "(2, 3)");
}

TEST_F(BadInputTest, IntegerDivisionByZeroIsInvalidArgument) {
  auto x = placeholder(int32, {3}, "x");
  auto y = placeholder(int32, {3}, "y");
  auto q = divide(x, y);
  Session sess(graph_);
  auto out = sess.run({{x, Tensor::FromVector<int32_t>({6, 7, 8}, {3})},
                       {y, Tensor::FromVector<int32_t>({2, 0, 4}, {3})}},
                      {q});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(out.status().message()),
              ::testing::StartsWith("Integer division by zero"));
  ExpectSessionStillRuns(sess);
}

TEST_F(BadInputTest, LowestIntegerDividedByMinusOneWraps) {
  const int32_t lowest = std::numeric_limits<int32_t>::lowest();
  auto x = placeholder(int32, {2}, "x");
  auto q = divide(x, constant<int32_t>({-1, 2}, {2}));
  Session sess(graph_);
  auto out =
      sess.run({{x, Tensor::FromVector<int32_t>({lowest, 7}, {2})}}, {q});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<int32_t>(), ::testing::ElementsAre(lowest, 3));
}

TEST_F(BadInputTest, AssignAddChecksTheDeltaAtBuildTime) {
  Variable v(constant<float>({1, 2}, {2}), {.name = "v"});
  ExpectError(
      [&] {
        v.assign_add(constant<int32_t>({1, 2}, {2}));
      },
      absl::StatusCode::kInvalidArgument, "TypeError",
      "Input 'value' of 'AssignAdd' Op has type int32 that does not "
      "match type float32 of argument 'ref'.");
  ExpectError(
      [&] {
        v.assign_sub(constant<float>({1, 2, 3}, {3}));
      },
      absl::StatusCode::kInvalidArgument, "ValueError",
      "Dimension 0 in both shapes must be equal, but are 2 and 3. "
      "Shapes are [2] and [3].");
  ExpectError(
      [&] {
        v.assign_add(constant<float>({1, 2}, {1, 2}));
      },
      absl::StatusCode::kInvalidArgument, "ValueError",
      "Shapes must be equal rank, but are 1 and 2");
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  auto out = sess.run({v.assign_add(constant<float>({10, 20}, {2}))});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(11, 22));
}

TEST_F(BadInputTest, ReadsOfAVariableWhoseShapeChangedSeeTheNewShape) {
  Variable v(constant<float>({1, 2}, {2}),
             {.validate_shape = false, .name = "v"});
  auto doubled = v.value() * constant(2.0f);
  auto grow = assign(v.ref(), constant<float>({1, 2, 3, 4, 5}, {5}),
                     {.validate_shape = false});
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  auto out = sess.run({doubled});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(2, 4));
  ASSERT_TRUE(sess.run({grow}).ok());
  out = sess.run({doubled});  // a plan of its own for the new shape
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(2, 4, 6, 8, 10));
  ExpectSessionStillRuns(sess);
}

}  // namespace
}  // namespace minitf
