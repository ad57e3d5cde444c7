#include "minitf/graph/gradients.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "minitf/minitf.h"
#include "minitf/ops/internal/gradient_helpers.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;

Tensor Floats(std::vector<float> values, Shape shape) {
  return Tensor::FromVector<float>(values, shape);
}

class GradientsTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(GradientsTest, CompositeExpressionMatchesFiniteDifferences) {
  auto x = placeholder(float32, {2, 3}, "x");
  auto w = constant<float>({0.5f, -1, 2, 1, 0.25f, -0.5f}, {3, 2});
  auto b = constant<float>({0.1f, -0.2f}, {2});
  auto h = matmul(x, w) + b;
  auto y = reduce_mean(h * h / (h * h + constant(1.0f)), {.axis = {{1}}});
  Session sess(graph_);
  auto error =
      ComputeGradientError(sess, x, Floats({1, 2, 3, -1, 0.5f, 2}, {2, 3}), y);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
}

TEST_F(GradientsTest, MatMulTransposesMatchFiniteDifferences) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      auto a = placeholder(float32, ta ? Shape{3, 2} : Shape{2, 3}, "a");
      auto b = constant<float>({1, -2, 3, 0.5f, 2, -1},
                               tb ? Shape{2, 3} : Shape{3, 2});
      auto y = matmul(a, b, {.transpose_a = ta, .transpose_b = tb});
      Session sess(graph_);
      auto error = ComputeGradientError(
          sess, a, Floats({0.1f, 0.2f, -0.3f, 0.4f, 0.5f, 0.6f}, a.shape()), y);
      ASSERT_TRUE(error.ok()) << error.status();
      EXPECT_LT(*error, 2e-3f) << "transpose_a=" << ta << " transpose_b=" << tb;
    }
  }
}

TEST_F(GradientsTest, BroadcastingGradientsAreReducedToTheInputShape) {
  auto x = placeholder(float32, {2, 3}, "x");
  auto bias = placeholder(float32, {3}, "bias");
  auto y = reduce_sum((x - bias) * (x / (bias + constant(3.0f))));
  Session sess(graph_);
  FeedDict feeds = {{x, Floats({1, 2, 3, 4, 5, 6}, {2, 3})}};
  auto error =
      ComputeGradientError(sess, bias, Floats({0.5f, 1, 1.5f}, {3}), y, feeds);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 5e-3f);
  auto g = gradients({y}, {bias})[0];
  EXPECT_EQ(g.shape().ToString(), "(3,)");
}

TEST_F(GradientsTest, ReductionsKeepdimsAndReshape) {
  auto x = placeholder(float32, {2, 3}, "x");
  auto r = reshape(x, {3, -1});
  auto s = reduce_sum(r, {.axis = {{0}}, .keepdims = true});
  auto y = reduce_mean(s * s) + reduce_sum(-x, {.axis = {{-1}}});
  auto total = reduce_sum(y);
  Session sess(graph_);
  auto error = ComputeGradientError(
      sess, x, Floats({1, -2, 3, 0.5f, 2, 1}, {2, 3}), total);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
}

TEST_F(GradientsTest, FanOutIsAccumulatedWithAddN) {
  auto x = placeholder(float32, {3}, "x");
  auto y = x * x + x;
  auto g = gradients({y}, {x})[0];
  EXPECT_EQ(g.op().type(), "AddN");
  EXPECT_EQ(g.op().name(), "gradients/AddN");
  Session sess(graph_);
  auto out = sess.run({{x, Floats({1, 2, 3}, {3})}}, {g});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(3, 5, 7));
}

TEST_F(GradientsTest, UnreachableXGetsANullGradient) {
  auto x = placeholder(float32, {}, "x");
  auto unrelated = placeholder(float32, {}, "unrelated");
  auto y = x * constant(2.0f);
  auto grads = gradients({y}, {x, unrelated});
  EXPECT_FALSE(grads[0].is_null());
  EXPECT_TRUE(grads[1].is_null());
}

TEST_F(GradientsTest, StopGradientBlocksTheFlow) {
  auto x = placeholder(float32, {}, "x");
  auto y = x * stop_gradient(x);
  auto g = gradients({y}, {x})[0];
  Session sess(graph_);
  auto out = sess.run({{x, Tensor::Scalar(3.0f)}}, {g});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 3.0f);  // d(x * c)/dx with c = x held
  auto z = stop_gradient(x) * constant(2.0f);
  EXPECT_TRUE(gradients({z}, {x})[0].is_null());
  // Nothing is built toward the non-differentiable branch: one Mul, g * sg.
  const int before = graph_.num_nodes();
  gradients({y}, {x});
  int muls = 0;
  for (int i = before; i < graph_.num_nodes(); ++i)
    muls += graph_.nodes()[i]->type() == "Mul";
  EXPECT_EQ(muls, 1);
}

TEST_F(GradientsTest, StopGradientsOptionTreatsTensorsAsConstants) {
  auto x = placeholder(float32, {}, "x");
  auto h = x * x;
  auto y = h * x;
  auto g = gradients({y}, {x}, {}, {.stop_gradients = {h}})[0];
  Session sess(graph_);
  auto out = sess.run({{x, Tensor::Scalar(2.0f)}}, {g});
  EXPECT_EQ((*out)[0].scalar<float>(), 4.0f);  // = h
}

TEST_F(GradientsTest, SumsOverYsAndHonoursGradYs) {
  auto x = placeholder(float32, {2}, "x");
  auto y1 = x * constant(2.0f);
  auto y2 = x * x;
  auto g =
      gradients({y1, y2}, {x}, {constant<float>({1, 10}, {2}), Output()})[0];
  Session sess(graph_);
  auto out = sess.run({{x, Floats({1, 3}, {2})}}, {g});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(2 + 2, 20 + 6));
}

TEST_F(GradientsTest, BackwardNodesOnlyOnPathsToXs) {
  auto images = placeholder(float32, {2, 3}, "images");
  auto w1 = placeholder(float32, {3, 3}, "w1");
  auto w2 = placeholder(float32, {3, 1}, "w2");
  auto h = matmul(images, w1, {.name = "layer1"});
  auto y = reduce_sum(matmul(h, w2, {.name = "layer2"}));
  const int before = graph_.num_nodes();
  auto grads = gradients({y}, {w1});
  ASSERT_FALSE(grads[0].is_null());
  // Only one MatMul for layer1 (the filter side), none toward images or w2.
  int layer1_grads = 0, layer2_grads = 0;
  for (int i = before; i < graph_.num_nodes(); ++i) {
    const std::string& name = graph_.nodes()[i]->name();
    if (name.starts_with("gradients/layer1_grad/")) ++layer1_grads;
    if (name.starts_with("gradients/layer2_grad/")) ++layer2_grads;
  }
  EXPECT_EQ(layer1_grads, 1);
  EXPECT_EQ(layer2_grads, 1);  // toward h only, not toward w2
  EXPECT_EQ(grads[0].op().name(), "gradients/layer1_grad/MatMul");
}

TEST_F(GradientsTest, SecondCallUsesAFreshScope) {
  auto x = placeholder(float32, {}, "x");
  auto y = x * x;
  auto g1 = gradients({y}, {x})[0];
  auto g2 = gradients({y}, {x})[0];
  EXPECT_TRUE(g1.op().name().starts_with("gradients/"));
  EXPECT_TRUE(g2.op().name().starts_with("gradients_1/"));
}

TEST_F(GradientsTest, MissingGradientIsALoudErrorNamingTheOp) {
  auto x = placeholder(float32, {2}, "x");
  auto y = reduce_sum(ReduceToLike(x, x, "no_grad_op"));
  try {
    gradients({y}, {x});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "No gradient defined for operation 'no_grad_op' (op type: "
                 "ReduceToLike)");
    EXPECT_EQ(e.python_type(), "LookupError");
  }
}

}  // namespace
}  // namespace minitf
