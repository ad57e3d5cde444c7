#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "minitf/minitf.h"
#include "minitf/ops/math/math_ops.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ComparisonCastTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

struct ComparisonCase {
  const char* type;
  Output (*op)(Output, Output, absl::string_view);
  bool (*reference)(float, float);
};

std::vector<ComparisonCase> Cases() {
  return {
      {"Equal", equal, [](float a, float b) { return a == b; }},
      {"NotEqual", not_equal, [](float a, float b) { return a != b; }},
      {"Less", less, [](float a, float b) { return a < b; }},
      {"LessEqual", less_equal, [](float a, float b) { return a <= b; }},
      {"Greater", greater, [](float a, float b) { return a > b; }},
      {"GreaterEqual", greater_equal, [](float a, float b) { return a >= b; }},
  };
}

TEST_F(ComparisonCastTest, ComparisonNamesAndShapes) {
  auto a = placeholder(float32, {-1, 1, 3}, "a");
  auto b = placeholder(float32, {4, 1}, "b");
  for (const ComparisonCase& c : Cases()) {
    Output y = c.op(a, b, c.type);
    EXPECT_EQ(y.name(), absl::StrCat(c.type, ":0"));
    EXPECT_EQ(y.op().type(), c.type);
    EXPECT_EQ(y.dtype(), bool_);
    EXPECT_EQ(y.shape().ToString(), "(?, 4, 3)");
  }
  EXPECT_EQ(less(a, b).name(), "Less_1:0");
}

TEST_F(ComparisonCastTest, ComparisonsMatchANaiveBroadcastLoop) {
  // Small integers as floats, so that ties occur.
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> dist(-2, 2);
  Tensor av(float32, {2, 1, 3}), bv(float32, {4, 1});
  for (float& v : av.flat<float>()) v = static_cast<float>(dist(rng));
  for (float& v : bv.flat<float>()) v = static_cast<float>(dist(rng));
  auto a = placeholder(float32, av.shape(), "a");
  auto b = placeholder(float32, bv.shape(), "b");
  // The same values as int32, through cast.
  auto ai = cast(a, int32), bi = cast(b, int32);
  Session sess(graph_);
  auto A = av.flat<float>(), B = bv.flat<float>();
  for (const ComparisonCase& c : Cases()) {
    auto out = sess.run({{a, av}, {b, bv}},
                        {c.op(a, b, c.type), c.op(ai, bi, c.type)});
    ASSERT_TRUE(out.ok()) << out.status();
    for (const Tensor& got : *out) {
      ASSERT_EQ(got.dtype(), bool_);
      auto G = got.flat<bool>();
      for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 4; ++j) {
          for (int k = 0; k < 3; ++k) {
            EXPECT_EQ(G[(i * 4 + j) * 3 + k], c.reference(A[i * 3 + k], B[j]))
                << c.type << " " << A[i * 3 + k] << " " << B[j];
          }
        }
      }
    }
  }
}

TEST_F(ComparisonCastTest, EqualityOnBoolsAndComparisonErrors) {
  auto p = constant<bool>({true, false, true}, {3});
  auto q = constant<bool>({true}, {1});
  Session sess(graph_);
  auto out = sess.run({equal(p, q), not_equal(p, q)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<bool>(), ElementsAre(true, false, true));
  EXPECT_THAT((*out)[1].flat<bool>(), ElementsAre(false, true, false));
  try {
    less(p, q);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "Value passed to parameter 'x' has DataType bool not in list "
                 "of allowed values: float32, int32, int64");
  }
  try {
    greater(constant(1.0f), constant(1));
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("Input 'y' of 'Greater' Op has type int32 "
                                    "that does not match type float32 of "
                                    "argument 'x'."));
  }
  try {
    equal(placeholder(float32, {2}, "x"), placeholder(float32, {3}, "y"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "Dimensions must be equal, but are 2 and 3 for 'Equal_1' (op: "
                 "'Equal') with input shapes: [2], [3].");
  }
}

TEST_F(ComparisonCastTest, ComparisonsStopGradientsSilently) {
  auto x = placeholder(float32, {3}, "x");
  auto mask = cast(greater(x, constant(0.0f)), float32);
  // Only the direct path carries a gradient: d(mask * x) = mask.
  auto g = gradients({mask * x}, {x});
  EXPECT_TRUE(gradients({mask}, {x})[0].is_null());
  Session sess(graph_);
  auto out =
      sess.run({{x, Tensor::FromVector<float>({-1, 2, 0}, {3})}}, {g[0]});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(0, 1, 0));
}

TEST_F(ComparisonCastTest, CastNamesAttrsAndShapes) {
  auto x = placeholder(float32, {-1, 2}, "x");
  auto y = cast(x, int32);
  EXPECT_EQ(y.name(), "Cast:0");
  EXPECT_EQ(y.dtype(), int32);
  EXPECT_EQ(y.shape().ToString(), "(?, 2)");
  EXPECT_EQ(y.node()->attr<DataType>("DstT"), int32);
  EXPECT_EQ(y.node()->attr<DataType>("SrcT"), float32);
  EXPECT_EQ(cast(x, bool_).name(), "Cast_1:0");
  EXPECT_EQ(cast(y, int64, "to_int64").name(), "to_int64:0");
  // As TF: casting to the same dtype returns the tensor itself.
  EXPECT_EQ(cast(x, float32), x);
  EXPECT_THROW(cast(Output(), float32), Error);
}

TEST_F(ComparisonCastTest, CastValuesBetweenEveryPairOfDtypes) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto f = constant<float>({-1.7f, 0, 2.9f, 3e9f, -3e9f, nan}, {6});
  auto i = constant<int32_t>({-2, 0, 7}, {3});
  auto l = constant<int64_t>({-5000000000, 0, 1}, {3});
  auto b = constant<bool>({true, false}, {2});
  Session sess(graph_);
  auto out = sess.run({cast(f, int32), cast(f, int64), cast(f, bool_),
                       cast(i, float32), cast(i, int64), cast(i, bool_),
                       cast(l, float32), cast(l, int32), cast(l, bool_),
                       cast(b, float32), cast(b, int32), cast(b, int64)});
  ASSERT_TRUE(out.ok()) << out.status();
  // Float to integer truncates towards zero; NaN is 0; out of range
  // saturates.
  EXPECT_THAT((*out)[0].flat<int32_t>(),
              ElementsAre(-1, 0, 2, std::numeric_limits<int32_t>::max(),
                          std::numeric_limits<int32_t>::min(), 0));
  EXPECT_THAT((*out)[1].flat<int64_t>(),
              ElementsAre(-1, 0, 2, 3000000000, -3000000000, 0));
  // NaN is nonzero, hence true.
  EXPECT_THAT((*out)[2].flat<bool>(),
              ElementsAre(true, false, true, true, true, true));
  EXPECT_THAT((*out)[3].flat<float>(), ElementsAre(-2, 0, 7));
  EXPECT_THAT((*out)[4].flat<int64_t>(), ElementsAre(-2, 0, 7));
  EXPECT_THAT((*out)[5].flat<bool>(), ElementsAre(true, false, true));
  EXPECT_THAT((*out)[6].flat<float>(), ElementsAre(-5e9f, 0, 1));
  // int64 to int32 wraps, as a C++ (and TF) static_cast does.
  EXPECT_THAT((*out)[7].flat<int32_t>(),
              ElementsAre(static_cast<int32_t>(int64_t{-5000000000}), 0, 1));
  EXPECT_THAT((*out)[8].flat<bool>(), ElementsAre(true, false, true));
  EXPECT_THAT((*out)[9].flat<float>(), ElementsAre(1, 0));
  EXPECT_THAT((*out)[10].flat<int32_t>(), ElementsAre(1, 0));
  EXPECT_THAT((*out)[11].flat<int64_t>(), ElementsAre(1, 0));
}

TEST_F(ComparisonCastTest, CastGradientStopsAtIntegers) {
  auto x = placeholder(float32, {3}, "x");
  // Through an integer, no gradient reaches x (TF's None).
  auto rounded = cast(cast(x, int32), float32);
  EXPECT_TRUE(gradients({rounded}, {x})[0].is_null());
  // Through a float cast (the identity here), the gradient flows.
  Session sess(graph_);
  auto error = ComputeGradientError(
      sess, x, Tensor::FromVector<float>({0.5f, -1.5f, 2.5f}, {3}),
      cast(x, float32) * rounded);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
}

}  // namespace
}  // namespace minitf
