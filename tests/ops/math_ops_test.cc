#include "minitf/ops/math/math_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Tensor Random(Shape shape, int seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  Tensor t(float32, shape);
  for (float& v : t.flat<float>()) v = dist(rng);
  return t;
}

std::vector<float> Eval(Output y, const FeedDict& feeds = {}) {
  Session sess(*y.graph());
  auto out = sess.run(feeds, {y});
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return {};
  auto flat = (*out)[0].flat<float>();
  return {flat.begin(), flat.end()};
}

class MathOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(MathOpsTest, NamesFollowTf) {
  auto x = placeholder(float32, {2}, "x");
  EXPECT_EQ((x + x).op().name(), "add");
  // Names are tracked case-insensitively, as in TF.
  EXPECT_EQ(add(x, x).op().name(), "Add_1");
  EXPECT_EQ((x - x).op().name(), "sub");
  EXPECT_EQ((x * x).op().name(), "mul");
  EXPECT_EQ((x / x).op().name(), "truediv");
  EXPECT_EQ((x / x).op().type(), "RealDiv");
  EXPECT_EQ((-x).op().name(), "Neg");
  EXPECT_EQ(reduce_sum(x).op().name(), "Sum");
  EXPECT_EQ(reduce_mean(x, {.name = "loss"}).op().name(), "loss");
}

TEST_F(MathOpsTest, BroadcastShapeInference) {
  auto a = placeholder(float32, {-1, 1, 3}, "a");
  auto b = placeholder(float32, {4, 1}, "b");
  EXPECT_EQ((a + b).shape().ToString(), "(?, 4, 3)");
  auto c = placeholder(float32, Shape::Unknown(), "c");
  EXPECT_EQ((a * c).shape().ToString(), "<unknown>");
  auto d = placeholder(float32, {2, 5}, "d");
  try {
    a + d;
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "Dimensions must be equal, but are 3 and 5 for 'add_1' (op: 'Add') "
        "with input shapes: [?,1,3], [2,5].");
  }
}

TEST_F(MathOpsTest, MixedDtypesAreRejected) {
  auto a = placeholder(float32, {2}, "a");
  auto b = placeholder(int32, {2}, "b");
  EXPECT_THROW(a + b, Error);
}

TEST_F(MathOpsTest, BinaryOpsMatchANaiveBroadcastLoop) {
  const Tensor av = Random({2, 1, 3}, 1), bv = Random({4, 1}, 2);
  auto a = placeholder(float32, {2, 1, 3}, "a");
  auto b = placeholder(float32, {4, 1}, "b");
  FeedDict feeds = {{a, av}, {b, bv}};
  auto A = av.flat<float>(), B = bv.flat<float>();
  struct Case {
    Output y;
    float (*fn)(float, float);
  };
  std::vector<Case> cases = {
      {a + b, [](float x, float y) { return x + y; }},
      {a - b, [](float x, float y) { return x - y; }},
      {a * b, [](float x, float y) { return x * y; }},
      {a / b, [](float x, float y) { return x / y; }},
  };
  for (const Case& c : cases) {
    std::vector<float> got = Eval(c.y, feeds);
    ASSERT_EQ(got.size(), 24u);
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 4; ++j) {
        for (int k = 0; k < 3; ++k) {
          EXPECT_FLOAT_EQ(got[(i * 4 + j) * 3 + k], c.fn(A[i * 3 + k], B[j]))
              << c.y.op().type();
        }
      }
    }
  }
}

TEST_F(MathOpsTest, IntegerArithmetic) {
  auto a = constant<int32_t>({7, -8, 9}, {3});
  auto b = constant<int32_t>({2}, {1});
  Session sess(graph_);
  auto out = sess.run({a + b, a * b, -a});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<int32_t>(), ElementsAre(9, -6, 11));
  EXPECT_THAT((*out)[1].flat<int32_t>(), ElementsAre(14, -16, 18));
  EXPECT_THAT((*out)[2].flat<int32_t>(), ElementsAre(-7, 8, -9));
}

TEST_F(MathOpsTest, MatMulMatchesNaiveLoopWithTransposes) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      const int m = 5, k = 7, n = 3;
      Tensor av = Random(ta ? Shape{k, m} : Shape{m, k}, 3);
      Tensor bv = Random(tb ? Shape{n, k} : Shape{k, n}, 4);
      auto a = placeholder(float32, av.shape(), "a");
      auto b = placeholder(float32, bv.shape(), "b");
      auto y = matmul(a, b, {.transpose_a = ta, .transpose_b = tb});
      EXPECT_EQ(y.shape().ToString(), "(5, 3)");
      std::vector<float> got = Eval(y, {{a, av}, {b, bv}});
      auto A = av.flat<float>(), B = bv.flat<float>();
      for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j) {
          float expect = 0;
          for (int p = 0; p < k; ++p) {
            expect += (ta ? A[p * m + i] : A[i * k + p]) *
                      (tb ? B[j * k + p] : B[p * n + j]);
          }
          EXPECT_NEAR(got[i * n + j], expect, 1e-5) << ta << tb;
        }
      }
    }
  }
}

TEST_F(MathOpsTest, MatMulShapeErrors) {
  auto a = placeholder(float32, {2, 3}, "a");
  auto b = placeholder(float32, {4, 5}, "b");
  try {
    matmul(a, b);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("Dimensions must be equal, but are 3 and 4"));
  }
  auto v = placeholder(float32, {3}, "v");
  EXPECT_THROW(matmul(a, v), Error);
  EXPECT_EQ(matmul(a, placeholder(float32, {3, -1}, "c")).shape().ToString(),
            "(2, ?)");
}

TEST_F(MathOpsTest, ReductionsMatchNaiveSums) {
  Tensor xv = Random({2, 3, 4}, 5);
  auto x = placeholder(float32, {2, 3, 4}, "x");
  auto X = xv.flat<float>();
  auto s1 = reduce_sum(x, {.axis = {{1}}});
  EXPECT_EQ(s1.shape().ToString(), "(2, 4)");
  auto m02 = reduce_mean(x, {.axis = {{0, -1}}, .keepdims = true});
  EXPECT_EQ(m02.shape().ToString(), "(1, 3, 1)");
  auto all = reduce_sum(x);
  EXPECT_EQ(all.shape().ToString(), "()");
  FeedDict feeds = {{x, xv}};
  std::vector<float> got1 = Eval(s1, feeds), got2 = Eval(m02, feeds),
                     got3 = Eval(all, feeds);
  float total = 0;
  for (int i = 0; i < 2; ++i) {
    for (int k = 0; k < 4; ++k) {
      float s = 0;
      for (int j = 0; j < 3; ++j) s += X[(i * 3 + j) * 4 + k];
      EXPECT_NEAR(got1[i * 4 + k], s, 1e-5);
      total += s;
    }
  }
  for (int j = 0; j < 3; ++j) {
    float s = 0;
    for (int i = 0; i < 2; ++i) {
      for (int k = 0; k < 4; ++k) s += X[(i * 3 + j) * 4 + k];
    }
    EXPECT_NEAR(got2[j], s / 8, 1e-5);
  }
  EXPECT_NEAR(got3[0], total, 1e-4);
}

TEST_F(MathOpsTest, ReductionAxisOutOfRange) {
  auto x = placeholder(float32, {2, 3}, "x");
  try {
    reduce_sum(x, {.axis = {{2}}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr("Invalid reduction dimension 2 for input with 2 dimensions"));
  }
}

TEST_F(MathOpsTest, AddNSumsAndChecksShapes) {
  auto a = constant<float>({1, 2}, {2});
  auto b = constant<float>({10, 20}, {2});
  EXPECT_THAT(Eval(add_n({a, b, a})), ElementsAre(12, 24));
  EXPECT_EQ(add_n({a}), a);
  EXPECT_THROW(add_n({a, constant<float>({1, 2, 3}, {3})}), Error);
  EXPECT_THROW(add_n({}), Error);
}

TEST_F(MathOpsTest, GradientsMatchFiniteDifferences) {
  auto x = placeholder(float32, {2, 3}, "x");
  auto other = constant<float>({0.5f, 2, -1.5f}, {3});
  Session sess(graph_);
  const Tensor xv = Random({2, 3}, 6);
  for (Output y : {x + other, other - x, x * other, x / other,
                   other / (x + constant(3.0f)), -x, add_n({x, x, x * x}),
                   reduce_mean(x, {.axis = {{0}}}),
                   reduce_sum(x, {.axis = {{1}}, .keepdims = true})}) {
    auto error = ComputeGradientError(sess, x, xv, y);
    ASSERT_TRUE(error.ok()) << error.status();
    EXPECT_LT(*error, 2e-3f) << y.op().type();
  }
}

TEST_F(MathOpsTest, MaximumMinimumSquaredDifferenceMatchANaiveLoop) {
  const Tensor av = Random({2, 1, 3}, 11), bv = Random({4, 1}, 12);
  auto a = placeholder(float32, {2, 1, 3}, "a");
  auto b = placeholder(float32, {4, 1}, "b");
  FeedDict feeds = {{a, av}, {b, bv}};
  auto A = av.flat<float>(), B = bv.flat<float>();
  struct Case {
    Output y;
    const char* name;
    float (*fn)(float, float);
  };
  std::vector<Case> cases = {
      {maximum(a, b), "Maximum:0",
       [](float x, float y) { return x > y ? x : y; }},
      {minimum(a, b), "Minimum:0",
       [](float x, float y) { return x < y ? x : y; }},
      {squared_difference(a, b), "SquaredDifference:0",
       [](float x, float y) { return (x - y) * (x - y); }},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.y.name(), c.name);
    EXPECT_EQ(c.y.shape().ToString(), "(2, 4, 3)");
    std::vector<float> got = Eval(c.y, feeds);
    ASSERT_EQ(got.size(), 24u);
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 4; ++j) {
        for (int k = 0; k < 3; ++k) {
          EXPECT_FLOAT_EQ(got[(i * 4 + j) * 3 + k], c.fn(A[i * 3 + k], B[j]))
              << c.name;
        }
      }
    }
  }
}

TEST_F(MathOpsTest, MaximumMinimumOnIntegersAndErrors) {
  auto a = constant<int32_t>({1, 5, -3}, {3});
  auto b = constant<int32_t>({2}, {1});
  Session sess(graph_);
  auto out = sess.run({maximum(a, b), minimum(a, b), squared_difference(a, b)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<int32_t>(), ElementsAre(2, 5, 2));
  EXPECT_THAT((*out)[1].flat<int32_t>(), ElementsAre(1, 2, -3));
  EXPECT_THAT((*out)[2].flat<int32_t>(), ElementsAre(1, 9, 25));
  try {
    maximum(placeholder(float32, {2, 3}, "p"), placeholder(float32, {4}, "q"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "Dimensions must be equal, but are 3 and 4 for 'Maximum_1' (op: "
        "'Maximum') with input shapes: [2,3], [4].");
  }
  EXPECT_THROW(minimum(a, constant(1.0f)), Error);
  EXPECT_THROW(squared_difference(constant(true), constant(false)), Error);
}

TEST_F(MathOpsTest, MaximumMinimumSquaredDifferenceGradients) {
  // x against a broadcast y, with no ties within the probe's delta.
  auto x = placeholder(float32, {2, 3}, "x");
  auto y = placeholder(float32, {3}, "y");
  const Tensor xv =
      Tensor::FromVector<float>({0.5f, -1, 2, -0.3f, 0.8f, 1.5f}, {2, 3});
  const Tensor yv = Tensor::FromVector<float>({0.1f, 0.2f, 1}, {3});
  Session sess(graph_);
  for (Output z : {maximum(x, y), minimum(x, y), squared_difference(x, y),
                   maximum(y, x) * minimum(x, y)}) {
    auto ex = ComputeGradientError(sess, x, xv, z, {{y, yv}});
    ASSERT_TRUE(ex.ok()) << ex.status();
    EXPECT_LT(*ex, 2e-3f) << z.name();
    auto ey = ComputeGradientError(sess, y, yv, z, {{x, xv}});
    ASSERT_TRUE(ey.ok()) << ey.status();
    EXPECT_LT(*ey, 2e-3f) << z.name();
  }
}

TEST_F(MathOpsTest, MaximumGradientGoesToXOnTies) {
  auto x = placeholder(float32, {2}, "x");
  auto y = placeholder(float32, {2}, "y");
  auto g = gradients({maximum(x, y)}, {x, y});
  auto h = gradients({minimum(x, y)}, {x, y});
  Session sess(graph_);
  FeedDict feeds = {{x, Tensor::FromVector<float>({1, 3}, {2})},
                    {y, Tensor::FromVector<float>({1, 2}, {2})}};
  auto out = sess.run(feeds, {g[0], g[1], h[0], h[1]});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(1, 1));
  EXPECT_THAT((*out)[1].flat<float>(), ElementsAre(0, 0));
  EXPECT_THAT((*out)[2].flat<float>(), ElementsAre(1, 0));
  EXPECT_THAT((*out)[3].flat<float>(), ElementsAre(0, 1));
}

TEST_F(MathOpsTest, ClipByValueNamesValuesAndGradient) {
  auto t = placeholder(float32, {2, 3}, "t");
  auto lo = constant(-0.5f);
  auto hi = constant(0.5f);
  auto c = clip_by_value(t, lo, hi);
  EXPECT_EQ(c.name(), "clip_by_value:0");
  EXPECT_EQ(c.op().type(), "Maximum");
  EXPECT_EQ(c.op().inputs()[0].name(), "clip_by_value/Minimum:0");
  EXPECT_EQ(c.shape().ToString(), "(2, 3)");
  EXPECT_EQ(clip_by_value(t, lo, hi).name(), "clip_by_value_1:0");
  {
    name_scope scope("outer");
    EXPECT_EQ(clip_by_value(t, lo, hi, "clip").name(), "outer/clip:0");
  }
  const Tensor tv =
      Tensor::FromVector<float>({-2, -0.4f, 0.1f, 0.45f, 0.7f, 3}, {2, 3});
  EXPECT_THAT(Eval(c, {{t, tv}}),
              ElementsAre(-0.5f, -0.4f, 0.1f, 0.45f, 0.5f, 0.5f));
  Session sess(graph_);
  auto error = ComputeGradientError(sess, t, tv, c);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
  // TF 1.x clips to the max first: a min above the max wins.
  EXPECT_THAT(Eval(clip_by_value(constant<float>({0, 9}, {2}), constant(2.0f),
                                 constant(1.0f))),
              ElementsAre(2, 2));
}

TEST_F(MathOpsTest, ClipByValueMustNotBroadcastT) {
  auto t = placeholder(float32, {2}, "t");
  try {
    clip_by_value(t, constant<float>({0, 0, 0}, {3, 1}), constant(1.0f));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "Shapes (2,) and (3, 2) are not compatible");
  }
}

}  // namespace
}  // namespace minitf
