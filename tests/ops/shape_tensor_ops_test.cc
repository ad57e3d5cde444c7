// shape/size/rank, stack/unstack and reshape to a shape tensor, including
// shapes computed from a fed batch of any size (folded when a plan
// compiles).
#include "minitf/ops/array/shape_tensor_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "minitf/minitf.h"
#include "minitf/tests/ops/ops_test_util.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using ShapeTensorOpsTest = test::OpsTest;
using test::Message;
using test::Random;

TEST_F(ShapeTensorOpsTest, ShapeSizeRankAreOpsWithRunTimeValues) {
  auto x = placeholder(float32, {-1, 3}, "x");
  auto s = shape(x);
  EXPECT_EQ(s.op().name(), "Shape");
  EXPECT_EQ(s.dtype(), int32);
  EXPECT_EQ(s.shape().ToString(), "(2,)");
  EXPECT_EQ(shape(x, int64).dtype(), int64);
  EXPECT_EQ(shape(placeholder(float32)).shape().ToString(), "(?,)");
  auto n = size(x);
  auto r = rank(x);
  EXPECT_EQ(n.op().type(), "Size");
  EXPECT_EQ(r.op().type(), "Rank");
  EXPECT_EQ(r.shape().ToString(), "()");
  const Tensor xv = Random({5, 3}, 1);
  EXPECT_THAT(Run1(s, {{x, xv}}).flat<int32_t>(), ElementsAre(5, 3));
  EXPECT_THAT(Run1(shape(x, int64), {{x, xv}}).flat<int64_t>(),
              ElementsAre(5, 3));
  EXPECT_EQ(Run1(n, {{x, xv}}).scalar<int32_t>(), 15);
  EXPECT_EQ(Run1(r, {{x, xv}}).scalar<int32_t>(), 2);
  EXPECT_THAT(Message([&] { shape(x, float32); }),
              HasSubstr("Value passed to parameter 'out_type' has DataType "
                        "float32 not in list of allowed values: int32, int64"));
}

TEST_F(ShapeTensorOpsTest, StackAndUnstackWithGradients) {
  auto a = placeholder(float32, {2, 3}, "a");
  auto b = placeholder(float32, {-1, 3}, "b");
  auto s = stack({a, b}, 1);
  EXPECT_EQ(s.op().name(), "stack");
  EXPECT_EQ(s.op().type(), "Pack");
  EXPECT_EQ(s.shape().ToString(), "(2, 2, 3)");
  EXPECT_EQ(stack({a, b}).shape().ToString(), "(2, 2, 3)");
  EXPECT_EQ(stack({a, b}, -1).shape().ToString(), "(2, 3, 2)");
  const Tensor av = Random({2, 3}, 2), bv = Random({2, 3}, 3);
  const Tensor got = Run1(s, {{a, av}, {b, bv}});
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      EXPECT_EQ(got.flat<float>()[(i * 2 + 0) * 3 + j],
                av.flat<float>()[i * 3 + j]);
      EXPECT_EQ(got.flat<float>()[(i * 2 + 1) * 3 + j],
                bv.flat<float>()[i * 3 + j]);
    }
  }
  const Tensor w = Random({2, 2, 3}, 4);
  auto loss = reduce_sum(s * constant(w));
  auto ea = ComputeGradientError(sess_, a, av, loss, {{b, bv}});
  ASSERT_TRUE(ea.ok()) << ea.status();
  EXPECT_LT(*ea, 2e-3f);

  auto parts = unstack(s, {.axis = 1});
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].op().name(), "unstack");
  EXPECT_EQ(parts[1].name(), "unstack:1");
  EXPECT_EQ(parts[1].shape().ToString(), "(2, 3)");
  EXPECT_THAT(Run1(parts[1], {{a, av}, {b, bv}}).flat<float>(),
              ElementsAre(bv.flat<float>()[0], bv.flat<float>()[1],
                          bv.flat<float>()[2], bv.flat<float>()[3],
                          bv.flat<float>()[4], bv.flat<float>()[5]));
  // Only one part used: the other's gradient is zeros.
  auto eu = ComputeGradientError(sess_, a, av,
                                 reduce_sum(unstack(a)[1] * constant(2.0f)));
  ASSERT_TRUE(eu.ok()) << eu.status();
  EXPECT_LT(*eu, 2e-3f);
  EXPECT_THAT(Message([&] {
                unstack(placeholder(float32, {-1, 2}));
              }),
              HasSubstr("Cannot infer num from shape (?, 2)"));
  EXPECT_THAT(Message([&] {
                stack({a, placeholder(float32, {3})});
              }),
              HasSubstr("Shapes must be equal rank, but are 2 and 1"));
}

TEST_F(ShapeTensorOpsTest, StackOfNumbersAndTensorsAutopacks) {
  auto c = stack({1, 2, 3});
  EXPECT_EQ(c.op().type(), "Const");
  EXPECT_EQ(c.op().name(), "stack");
  EXPECT_EQ(c.dtype(), int32);
  EXPECT_EQ(stack({1, 2.5f}).dtype(), float32);
  auto x = placeholder(float32, {-1, 28, 28}, "x");
  auto batch = Index(shape(x), {0});
  auto target = stack({batch, -1});
  EXPECT_EQ(target.op().name(), "stack_2");
  EXPECT_EQ(target.op().type(), "Pack");
  EXPECT_EQ(target.op().inputs()[1].name(), "stack_2/1:0");
  EXPECT_EQ(target.shape().ToString(), "(2,)");
}

TEST_F(ShapeTensorOpsTest, ReshapeToComputedShapeWorksForAnyBatch) {
  auto x = placeholder(float32, {-1, 28, 28}, "x");
  auto flat = reshape(x, stack({Index(shape(x), {0}), 784}));
  EXPECT_EQ(flat.op().name(), "Reshape");
  EXPECT_EQ(flat.shape().ToString(), "(?, 784)");
  auto flat2 = reshape(x, stack({Index(shape(x), {0}), -1}));
  EXPECT_EQ(flat2.shape().ToString(), "(?, ?)");
  // A static part of a shape tensor is read at build time.
  auto known = placeholder(float32, {4, 6}, "known");
  EXPECT_EQ(
      reshape(known, stack({Index(shape(known), {1}), -1})).shape().ToString(),
      "(6, 4)");
  EXPECT_EQ(reshape(known, constant<int32_t>({3, -1}, {2})).shape().ToString(),
            "(3, 8)");
  EXPECT_THAT(
      Message([&] {
        reshape(known, constant<int32_t>({5, -1}, {2}));
      }),
      HasSubstr("Cannot reshape a tensor with 24 elements to shape [5,?]"));

  // One plan per batch size; each compiles the shape subgraph to a value.
  auto loss = reduce_sum(flat * constant(2.0f));
  for (int batch : {2, 5, 2}) {
    const Tensor xv = Random({batch, 28, 28}, batch);
    const Tensor got = Run1(flat, {{x, xv}});
    ASSERT_EQ(got.shape().ToString(), absl::StrCat("(", batch, ", 784)"));
    EXPECT_EQ(got.flat<float>()[784 + 5], xv.flat<float>()[784 + 5]);
    EXPECT_EQ(Run1(flat2, {{x, xv}}).shape().ToString(),
              absl::StrCat("(", batch, ", 784)"));
    auto g = gradients({loss}, {x});
    const Tensor gv = Run1(g[0], {{x, xv}});
    EXPECT_EQ(gv.shape(), xv.shape());
    EXPECT_EQ(gv.flat<float>()[3], 2.0f);
  }
}

TEST_F(ShapeTensorOpsTest, FoldedShapeErrorsNameTheNodeWhenThePlanCompiles) {
  auto x = placeholder(float32, {-1, 784}, "x");
  auto y = reshape(x, stack({Index(shape(x), {0}), 100}));
  EXPECT_EQ(y.shape().ToString(), "(?, 100)");
  auto out = Run(y, {{x, Random({2, 784}, 7)}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(),
              HasSubstr("Cannot reshape a tensor with 1568 elements to shape "
                        "[2,100] (200 elements)"));
  EXPECT_THAT(out.status().message(), HasSubstr("[[{{node Reshape}}]]"));
}

TEST_F(ShapeTensorOpsTest, ReshapeToAValueKnownOnlyAtRunTimeIsAClearError) {
  auto x = placeholder(float32, {-1, 4}, "x");
  auto dims = placeholder(int32, {2}, "dims");
  auto y = reshape(x, dims);
  EXPECT_EQ(y.shape().ToString(), "(?, ?)");
  auto out = Run(y, {{x, Random({2, 4}, 5)},
                     {dims, Tensor::FromVector<int32_t>({4, 2}, {2})}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(out.status().message(),
              HasSubstr("Cannot infer a concrete shape for output 0 of "
                        "'Reshape'"));
  EXPECT_THAT(out.status().message(), HasSubstr("not from their values"));
  // With every dim but one known statically, the fed value is checked.
  auto z = reshape(placeholder(float32, {2, 4}, "k"),
                   stack({placeholder(int32, {}, "n"), 2}));
  EXPECT_EQ(z.shape().ToString(), "(4, 2)");
  const Output k = z.op().inputs()[0];
  const Output n = z.op().inputs()[1].op().inputs()[0];
  EXPECT_EQ(Run1(z, {{k, Random({2, 4}, 6)}, {n, Tensor::Scalar(4)}})
                .shape()
                .ToString(),
            "(4, 2)");
  auto bad = Run(z, {{k, Random({2, 4}, 6)}, {n, Tensor::Scalar(3)}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("Input to reshape is a tensor with 8 values"));
}

}  // namespace
}  // namespace minitf
