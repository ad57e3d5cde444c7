#include "minitf/ops/array/shape_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "minitf/minitf.h"
#include "minitf/tests/ops/ops_test_util.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using test::Message;
using test::Random;

class ShapeOpsTest : public ::testing::Test {
 protected:
  Tensor Run1(Output y, const FeedDict& feeds = {}) {
    Session sess(graph_);
    auto out = sess.run(feeds, {y});
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? (*out)[0] : Tensor();
  }
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(ShapeOpsTest, TransposeMatchesNaiveLoopAndInverts) {
  const Tensor xv = Random({2, 3, 4}, 1);
  auto x = placeholder(float32, {2, 3, 4}, "x");
  auto t = transpose(x, {{2, 0, 1}});
  EXPECT_EQ(t.op().name(), "transpose");
  EXPECT_EQ(t.shape().ToString(), "(4, 2, 3)");
  EXPECT_EQ(transpose(x).shape().ToString(), "(4, 3, 2)");
  Tensor got = Run1(t, {{x, xv}});
  auto X = xv.flat<float>(), T = got.flat<float>();
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 3; ++b) {
      for (int c = 0; c < 4; ++c)
        EXPECT_EQ(T[(c * 2 + a) * 3 + b], X[(a * 3 + b) * 4 + c]);
    }
  }
  Session sess(graph_);
  auto error =
      ComputeGradientError(sess, x, xv, t * constant(Random({4, 2, 3}, 2)));
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
  EXPECT_THAT(Message([&] {
                transpose(x, {{0, 0, 1}});
              }),
              HasSubstr("transpose expects a vector containing each of 0..2"));
}

TEST_F(ShapeOpsTest, ConcatAlongEachAxisWithGradients) {
  const Tensor av = Random({2, 3}, 3), bv = Random({2, 1}, 4);
  auto a = placeholder(float32, {2, 3}, "a");
  auto b = placeholder(float32, {2, 1}, "b");
  auto c = concat({a, b}, -1);
  EXPECT_EQ(c.op().name(), "concat");
  EXPECT_EQ(c.op().type(), "ConcatV2");
  EXPECT_EQ(c.shape().ToString(), "(2, 4)");
  Tensor got = Run1(c, {{a, av}, {b, bv}});
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(got.flat<float>()[i * 4 + j], av.flat<float>()[i * 3 + j]);
    EXPECT_EQ(got.flat<float>()[i * 4 + 3], bv.flat<float>()[i]);
  }
  auto rows = concat({a, a}, 0);
  EXPECT_EQ(rows.shape().ToString(), "(4, 3)");
  Session sess(graph_);
  auto loss = c * constant(Random({2, 4}, 5));
  auto ea = ComputeGradientError(sess, a, av, loss, {{b, bv}});
  auto eb = ComputeGradientError(sess, b, bv, loss, {{a, av}});
  ASSERT_TRUE(ea.ok() && eb.ok());
  EXPECT_LT(*ea, 2e-3f);
  EXPECT_LT(*eb, 2e-3f);
  auto er =
      ComputeGradientError(sess, a, av, rows * constant(Random({4, 3}, 6)));
  ASSERT_TRUE(er.ok()) << er.status();
  EXPECT_LT(*er, 2e-3f);
  EXPECT_THAT(
      Message([&] {
        concat({a, placeholder(float32, {3, 1})}, 1);
      }),
      HasSubstr("Dimension 0 in both shapes must be equal, but are 2 and 3"));
}

TEST_F(ShapeOpsTest, SqueezeAndExpandDims) {
  auto x = placeholder(float32, {1, 3, 1, 2}, "x");
  EXPECT_EQ(squeeze(x).shape().ToString(), "(3, 2)");
  EXPECT_EQ(squeeze(x, {2}).shape().ToString(), "(1, 3, 2)");
  EXPECT_EQ(squeeze(x).op().name(), "Squeeze_2");
  EXPECT_THAT(
      Message([&] { squeeze(x, {1}); }),
      HasSubstr("Can not squeeze dim[1], expected a dimension of 1, got 3"));
  auto v = placeholder(float32, {3}, "v");
  EXPECT_EQ(expand_dims(v, 0).shape().ToString(), "(1, 3)");
  EXPECT_EQ(expand_dims(v, -1).shape().ToString(), "(3, 1)");
  EXPECT_THAT(
      Message([&] { expand_dims(v, 2); }),
      HasSubstr("Tried to expand dim index 2 for tensor with 1 dimensions."));
  const Tensor xv = Random({1, 3, 1, 2}, 7);
  Tensor got = Run1(squeeze(x), {{x, xv}});
  EXPECT_EQ(got.shape().ToString(), "(3, 2)");
  EXPECT_EQ(got.flat<float>()[5], xv.flat<float>()[5]);
  Session sess(graph_);
  auto error = ComputeGradientError(
      sess, x, xv, expand_dims(squeeze(x), 1) * constant(2.0f));
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
}

TEST_F(ShapeOpsTest, OneHot) {
  auto ids = constant<int32_t>({0, 2, 5, -1}, {4});
  auto oh = one_hot(ids, 3);
  EXPECT_EQ(oh.op().name(), "one_hot");
  EXPECT_EQ(oh.shape().ToString(), "(4, 3)");
  EXPECT_THAT(Run1(oh).flat<float>(),
              ElementsAre(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0));
  auto first =
      one_hot(constant<int64_t>({1, 0}, {2}), 2,
              {.on_value = 5, .off_value = -1, .axis = 0, .dtype = int32});
  EXPECT_EQ(first.shape().ToString(), "(2, 2)");
  EXPECT_THAT(Run1(first).flat<int32_t>(), ElementsAre(-1, 5, 5, -1));
  EXPECT_THAT(
      Message([&] { one_hot(constant(1.0f), 3); }),
      HasSubstr(
          "has DataType float32 not in list of allowed values: int32, int64"));
}

TEST_F(ShapeOpsTest, ArgMaxTakesTheFirstMaximum) {
  auto x = constant<float>({1, 5, 5, 0, -2, -1}, {2, 3});
  auto rows = argmax(x, 1);
  EXPECT_EQ(rows.dtype(), int64);
  EXPECT_EQ(rows.shape().ToString(), "(2,)");
  EXPECT_THAT(Run1(rows).flat<int64_t>(), ElementsAre(1, 0));
  EXPECT_THAT(Run1(argmax(x, 0, int32)).flat<int32_t>(), ElementsAre(0, 0, 0));
}

TEST_F(ShapeOpsTest, ReduceMaxForwardAndTiesShareTheGradient) {
  auto x = placeholder(float32, {2, 3}, "x");
  auto m = reduce_max(x, {.axis = {{1}}});
  EXPECT_EQ(m.op().name(), "Max");
  const Tensor xv = Tensor::FromVector<float>({1, 7, 7, -3, -1, -2}, {2, 3});
  EXPECT_THAT(Run1(m, {{x, xv}}).flat<float>(), ElementsAre(7, -1));
  auto g = gradients({m}, {x})[0];
  EXPECT_THAT(Run1(g, {{x, xv}}).flat<float>(),
              ElementsAre(0, 0.5f, 0.5f, 0, 1, 0));
  Session sess(graph_);
  auto error = ComputeGradientError(sess, x, Random({2, 3}, 8), reduce_max(x));
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
  auto ints = reduce_max(constant<int32_t>({3, 9, 4}, {3}));
  EXPECT_THAT(Run1(ints).flat<int32_t>(), ElementsAre(9));
}

}  // namespace
}  // namespace minitf
