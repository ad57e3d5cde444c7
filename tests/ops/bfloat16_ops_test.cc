// bfloat16 tensors in graphs: the ops that take them (casts, constants,
// placeholders, variables and their initializers, identity, reshape, shape
// ops), feeds and fetches, the cast's gradient, and the build-time error of
// an op that has no bfloat16 kernel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/variables/test_util.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class BFloat16OpsTest : public test::GraphTest {};

std::vector<float> AsFloats(const Tensor& t) {
  std::vector<float> out;
  for (BFloat16 v : t.flat<BFloat16>()) out.push_back(v);
  return out;
}

TEST_F(BFloat16OpsTest, CastRoundsToNearestEvenAndBackIsExact) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float half_up = std::bit_cast<float>(0x3f818000u);  // tie, odd
  Output x = placeholder(float32, {5}, "x");
  Output b = cast(x, bfloat16);
  EXPECT_EQ(b.name(), "Cast:0");
  EXPECT_EQ(b.dtype(), bfloat16);
  Output back = cast(b, float32);
  Session sess(graph_);
  auto out = sess.run(
      {{x, Tensor::FromVector<float>({0.1f, half_up, -1e30f, nan, 2.0f}, {5})}},
      {b, back});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].dtype(), bfloat16);
  EXPECT_EQ((*out)[0].flat<BFloat16>()[0].bits(), 0x3dcd);
  EXPECT_EQ((*out)[0].flat<BFloat16>()[1].bits(), 0x3f82);
  const std::vector<float> f = test::Values<float>((*out)[1]);
  EXPECT_EQ(f[0], 0.10009765625f);
  EXPECT_EQ(f[1], std::bit_cast<float>(0x3f820000u));
  EXPECT_NEAR(f[2], -1e30f, 1e30f * 4e-3f);
  EXPECT_TRUE(std::isnan(f[3]));
  EXPECT_EQ(f[4], 2.0f);
}

TEST_F(BFloat16OpsTest, CastsBetweenBFloat16AndIntegersAndBool) {
  Output b = constant<BFloat16>({2.75f, -3.5f, 0.0f, 1e20f}, {4});
  Output i = cast(b, int32);
  Output flag = cast(b, bool_);
  Output from_int = cast(constant<int32_t>({257, -7}, {2}), bfloat16);
  std::vector<Tensor> out = test::EvalAll({i, flag, from_int});
  // Truncation towards zero and saturation, as from float32.
  EXPECT_THAT(test::Values<int32_t>(out[0]),
              ElementsAre(2, -3, 0, std::numeric_limits<int32_t>::max()));
  EXPECT_THAT(test::Values<bool>(out[1]), ElementsAre(true, true, false, true));
  // 257 needs 9 significant bits: it rounds to even, 256.
  EXPECT_THAT(AsFloats(out[2]), ElementsAre(256.0f, -7.0f));
}

TEST_F(BFloat16OpsTest, FeedsAndFetchesThroughIdentityAndReshape) {
  Output x = placeholder(bfloat16, {2, 3}, "x");
  Output y = reshape(identity(x), {3, 2});
  EXPECT_EQ(y.dtype(), bfloat16);
  Output n = size(y);
  Session sess(graph_);
  Tensor v = Tensor::FromVector<BFloat16>({1, 2, 3, 4, 5, 0.5f}, {2, 3});
  auto out = sess.run({{x, v}}, {y, n, shape(x)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape().ToString(), "(3, 2)");
  EXPECT_THAT(AsFloats((*out)[0]), ElementsAre(1, 2, 3, 4, 5, 0.5f));
  EXPECT_EQ((*out)[1].scalar<int32_t>(), 6);
  EXPECT_THAT(test::Values<int32_t>((*out)[2]), ElementsAre(2, 3));
  // A float32 tensor fed for a bfloat16 placeholder is refused.
  auto wrong = sess.run({{x, Tensor(float32, {2, 3})}}, {y});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(BFloat16OpsTest, VariablesInitializeFromEveryInitializer) {
  Variable w = get_variable("w", {.shape = {64, 32}, .dtype = bfloat16});
  Variable z = get_variable(
      "z",
      {.shape = {3}, .dtype = bfloat16, .initializer = zeros_initializer()});
  Variable c = get_variable(
      "c", {.shape = {2},
            .dtype = bfloat16,
            .initializer = constant_initializer(std::vector<double>{0.1})});
  Variable n = get_variable(
      "n", {.shape = {1000},
            .dtype = bfloat16,
            .initializer = truncated_normal_initializer(0.0f, 1.0f)});
  EXPECT_EQ(w.dtype(), bfloat16);
  std::vector<Tensor> out =
      test::EvalAll({w.value(), z.value(), c.value(), n.value()});
  // glorot_uniform, the default for a floating dtype: within the limit.
  const float limit = std::sqrt(6.0f / (64 + 32));
  float max_abs = 0;
  for (float v : AsFloats(out[0])) max_abs = std::max(max_abs, std::abs(v));
  EXPECT_LE(max_abs, limit);
  EXPECT_GT(max_abs, limit * 0.9f);
  EXPECT_THAT(AsFloats(out[1]), ElementsAre(0, 0, 0));
  EXPECT_THAT(AsFloats(out[2]), ElementsAre(0.10009765625f, 0.10009765625f));
  for (float v : AsFloats(out[3])) EXPECT_LT(std::abs(v), 2.0f);
}

TEST_F(BFloat16OpsTest, GradientFlowsBackThroughCasts) {
  Output x = placeholder(float32, {3}, "x");
  Output y = cast(cast(x, bfloat16), float32) * 3.0f;
  std::vector<Output> g = gradients({y}, {x});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].dtype(), float32);
  Session sess(graph_);
  auto out = sess.run({{x, Tensor::FromVector<float>({1, 2, 3}, {3})}}, {g[0]});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(test::Values<float>((*out)[0]), ElementsAre(3, 3, 3));
}

TEST_F(BFloat16OpsTest, AnOpWithoutABFloat16KernelIsRefusedAtBuildTime) {
  Output x = placeholder(bfloat16, {2}, "x");
  // Ops that list their dtypes say so, as TF's op_def_library does.
  test::ExpectError([&] { add(x, x); }, "TypeError",
                    "Value passed to parameter 'x' has DataType bfloat16 not "
                    "in list of allowed values: float32, int32, int64");
  // Any other op: TF's message when it finds no kernel for the dtype.
  Output m = placeholder(bfloat16, {2, 3}, "m");
  test::ExpectError([&] { transpose(m); }, "ValueError",
                    "No registered 'Transpose' OpKernel for CPU devices "
                    "compatible with node {{node transpose}}\n\t (OpKernel "
                    "was found, but attributes didn't match) Requested "
                    "Attributes: T=DT_BFLOAT16");
  // The failed builds left nothing behind: the graph holds the placeholders.
  EXPECT_EQ(graph_.num_nodes(), 2);
  // Through a cast to float32, the same ops build.
  EXPECT_EQ(add(cast(x, float32), constant(1.0f)).dtype(), float32);
}

}  // namespace
}  // namespace minitf
