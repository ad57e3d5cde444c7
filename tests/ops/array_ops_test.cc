#include "minitf/ops/array/array_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "minitf/graph/op_registry.h"
#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ArrayOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(ArrayOpsTest, PlaceholderAndConstantNamesAndShapes) {
  auto x = placeholder(float32, {-1, 28, 28, 1}, "images");
  EXPECT_EQ(x.name(), "images:0");
  EXPECT_EQ(x.shape().ToString(), "(?, 28, 28, 1)");
  EXPECT_EQ(placeholder(int32).name(), "Placeholder:0");
  EXPECT_EQ(placeholder(int32).shape().ToString(), "<unknown>");
  auto c = constant(0.5f);
  EXPECT_EQ(c.name(), "Const:0");
  EXPECT_EQ(c.dtype(), float32);
  EXPECT_EQ(constant<int32_t>({1, 2}, {2}).name(), "Const_1:0");
}

TEST_F(ArrayOpsTest, ConstantRepeatsTheLastValueAndRejectsTooMany) {
  Session sess(graph_);
  auto c = constant<float>({1, 2}, {2, 2});
  EXPECT_THAT((*sess.run({c}))[0].flat<float>(), ElementsAre(1, 2, 2, 2));
  try {
    constant<float>({1, 2, 3}, {2});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "Too many elements provided. Needed at most 2, but received 3");
    EXPECT_EQ(e.python_type(), "ValueError");
  }
}

TEST_F(ArrayOpsTest, ReshapeInfersMinusOne) {
  auto x = placeholder(float32, {4, 6}, "x");
  EXPECT_EQ(reshape(x, {-1, 3}).shape().ToString(), "(8, 3)");
  auto y = placeholder(float32, {-1, 6}, "y");
  EXPECT_EQ(reshape(y, {-1, 2, 3}).shape().ToString(), "(?, 2, 3)");
  try {
    reshape(x, {5, -1});
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(
        e.what(),
        HasSubstr("Cannot reshape a tensor with 24 elements to shape [5,?]"));
  }
  EXPECT_THROW(reshape(x, {-1, -1}), Error);
  Session sess(graph_);
  auto r = reshape(constant<float>({1, 2, 3, 4, 5, 6}, {2, 3}), {3, 2});
  auto out = sess.run({r});
  EXPECT_EQ((*out)[0].shape().ToString(), "(3, 2)");
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(1, 2, 3, 4, 5, 6));
}

TEST_F(ArrayOpsTest, RunTimeReshapeOfAnUnknownBatch) {
  auto y = placeholder(float32, {-1, 6}, "y");
  auto r = reshape(y, {-1, 4});
  Session sess(graph_);
  auto ok = sess.run({{y, Tensor(float32, {2, 6})}}, {r});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)[0].shape().ToString(), "(3, 4)");
  auto bad = sess.run({{y, Tensor(float32, {1, 6})}}, {r});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(),
              HasSubstr("Cannot reshape a tensor with 6 elements"));
}

TEST_F(ArrayOpsTest, IdentityZerosOnesLike) {
  auto c = constant<float>({1, 2, 3}, {3});
  Session sess(graph_);
  auto out = sess.run({identity(c), zeros_like(c), ones_like(c)});
  ASSERT_TRUE(out.ok());
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(1, 2, 3));
  EXPECT_THAT((*out)[1].flat<float>(), ElementsAre(0, 0, 0));
  EXPECT_THAT((*out)[2].flat<float>(), ElementsAre(1, 1, 1));
  EXPECT_EQ(identity(c).op().name(), "Identity_1");
  EXPECT_EQ(zeros_like(c).op().name(), "zeros_like_1");
}

TEST_F(ArrayOpsTest, FillZerosOnesNamesShapesAndValues) {
  auto f = fill({2, 3}, 0.5f);
  EXPECT_EQ(f.name(), "Fill:0");
  EXPECT_EQ(f.op().type(), "Fill");
  EXPECT_EQ(f.shape().ToString(), "(2, 3)");
  EXPECT_EQ(f.dtype(), float32);
  EXPECT_EQ(f.node()->attr<float>("value"), 0.5f);
  auto z = zeros({3});
  EXPECT_EQ(z.name(), "zeros:0");
  EXPECT_EQ(z.op().type(), "Fill");
  auto o = ones({2, 2}, int32);
  EXPECT_EQ(o.name(), "ones:0");
  EXPECT_EQ(o.dtype(), int32);
  EXPECT_EQ(zeros({1}).name(), "zeros_1:0");
  auto fi = fill({3}, -2.7f, int64, "filled");
  EXPECT_EQ(fi.name(), "filled:0");
  auto fb = fill({2}, 3.0f, bool_);
  auto scalar = ones({});
  EXPECT_EQ(scalar.shape().ToString(), "()");
  Session sess(graph_);
  auto out = sess.run({f, z, o, fi, fb, scalar, zeros({0, 2})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(),
              ElementsAre(0.5, 0.5, 0.5, 0.5, 0.5, 0.5));
  EXPECT_THAT((*out)[1].flat<float>(), ElementsAre(0, 0, 0));
  EXPECT_THAT((*out)[2].flat<int32_t>(), ElementsAre(1, 1, 1, 1));
  EXPECT_THAT((*out)[3].flat<int64_t>(), ElementsAre(-2, -2, -2));
  EXPECT_THAT((*out)[4].flat<bool>(), ElementsAre(true, true));
  EXPECT_THAT((*out)[5].flat<float>(), ElementsAre(1));
  EXPECT_EQ((*out)[6].shape().ToString(), "(0, 2)");
}

TEST_F(ArrayOpsTest, FillRefillsEveryRun) {
  // The output buffer is the kernel's to fill on every step.
  auto z = zeros({2});
  Session sess(graph_);
  for (int i = 0; i < 2; ++i) {
    auto out = sess.run({z});
    ASSERT_TRUE(out.ok());
    EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(0, 0));
    (*out)[0].flat<float>()[0] = 9;  // the caller's copy only
  }
}

TEST_F(ArrayOpsTest, FillNeedsAFullyDefinedShape) {
  try {
    zeros({-1, 3});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "Cannot convert a partially known TensorShape to a Tensor: "
                 "(?, 3)");
    EXPECT_EQ(e.python_type(), "ValueError");
  }
  EXPECT_THROW(fill(Shape::Unknown(), 1.0f), Error);
  EXPECT_THROW(ones({2, -1}), Error);
}

TEST_F(ArrayOpsTest, FillIsNotDifferentiable) {
  auto x = placeholder(float32, {2}, "x");
  auto y = x * ones({2}) + zeros({2});
  auto g = gradients({y}, {x});
  Session sess(graph_);
  auto out = sess.run({{x, Tensor::FromVector<float>({3, 4}, {2})}}, {g[0]});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(1, 1));
  EXPECT_FALSE(LookupOp("Fill")->differentiable);
}

TEST_F(ArrayOpsTest, ReshapeGradientMatchesFiniteDifferences) {
  auto x = placeholder(float32, {2, 3}, "x");
  auto y = reshape(x, {3, 2}) * constant<float>({1, 2, 3, 4, 5, 6}, {3, 2});
  Session sess(graph_);
  auto error = ComputeGradientError(
      sess, x, Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, {2, 3}),
      identity(y));
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
}

}  // namespace
}  // namespace minitf
