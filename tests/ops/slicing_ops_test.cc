// slice, strided_slice and Index (Python's x[...]): shapes, values against
// naive loops, gradients, TF's messages.
#include "minitf/ops/array/slicing_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "minitf/minitf.h"
#include "minitf/tests/ops/ops_test_util.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using SlicingOpsTest = test::OpsTest;
using test::Message;
using test::Random;

TEST_F(SlicingOpsTest, SliceShapesValuesAndGradient) {
  auto x = placeholder(float32, {3, 4, 2}, "x");
  auto s = slice(x, {1, 0, 1}, {2, -1, 1});
  EXPECT_EQ(s.op().name(), "Slice");
  EXPECT_EQ(s.op().type(), "Slice");
  EXPECT_EQ(s.shape().ToString(), "(2, 4, 1)");
  // Unknown dims: a known size still gives the dim; -1 of an unknown not.
  auto u = placeholder(float32, {-1, 4}, "u");
  EXPECT_EQ(slice(u, {0, 1}, {2, 3}).shape().ToString(), "(2, 3)");
  EXPECT_EQ(slice(u, {0, 1}, {-1, 3}).shape().ToString(), "(?, 3)");
  auto begin = placeholder(int32, {2}, "begin");
  EXPECT_EQ(slice(u, begin, constant<int32_t>({1, 2}, {2})).shape().ToString(),
            "(1, 2)");

  const Tensor xv = Random({3, 4, 2}, 1);
  const Tensor got = Run1(s, {{x, xv}});
  auto X = xv.flat<float>();
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 4; ++b)
      EXPECT_EQ(got.flat<float>()[a * 4 + b], X[((a + 1) * 4 + b) * 2 + 1]);
  }
  EXPECT_LT(GradError(x, xv, s), 2e-3f);

  // begin fed at run time: read by the kernel, checked like TF's.
  const Tensor uv = Random({3, 4}, 2);
  auto fed = slice(u, begin, constant<int32_t>({1, 2}, {2}));
  const Tensor r =
      Run1(fed, {{u, uv}, {begin, Tensor::FromVector<int32_t>({2, 1}, {2})}});
  EXPECT_THAT(r.flat<float>(),
              ElementsAre(uv.flat<float>()[9], uv.flat<float>()[10]));
  auto bad =
      Run(fed, {{u, uv}, {begin, Tensor::FromVector<int32_t>({2, 3}, {2})}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("Expected size[1] in [0, 1], but got 2"));

  EXPECT_THAT(Message([&] {
                slice(x, {0, 5, 0}, {1, 1, 1});
              }),
              HasSubstr("Expected begin[1] in [0, 4], but got 5"));
  EXPECT_THAT(Message([&] {
                slice(x, {0, 0}, {1, 1});
              }),
              HasSubstr("Expected begin and size arguments to be 1-D tensors "
                        "of size 3, but got shapes [2] and [2] instead."));
}

TEST_F(SlicingOpsTest, IndexBuildsStridedSliceAsGetitemDoes) {
  auto x = placeholder(float32, {-1, 5, 3}, "x");
  auto y = Index(x, {Slice(1, {}), 0});  // x[1:, 0]
  EXPECT_EQ(y.op().name(), "strided_slice");
  EXPECT_EQ(y.op().type(), "StridedSlice");
  EXPECT_EQ(y.op().inputs()[1].name(), "strided_slice/stack:0");
  EXPECT_EQ(y.op().inputs()[2].name(), "strided_slice/stack_1:0");
  EXPECT_EQ(y.op().inputs()[3].name(), "strided_slice/stack_2:0");
  EXPECT_EQ(y.op().node()->attr<int64_t>("begin_mask"), 0);
  EXPECT_EQ(y.op().node()->attr<int64_t>("end_mask"), 1);
  EXPECT_EQ(y.op().node()->attr<int64_t>("shrink_axis_mask"), 2);
  EXPECT_EQ(y.shape().ToString(), "(?, 3)");
  EXPECT_EQ(Index(x, {ellipsis, newaxis}).shape().ToString(), "(?, 5, 3, 1)");
  EXPECT_EQ(Index(x, {Slice(), Slice({}, {}, -2), -1}).shape().ToString(),
            "(?, 3)");
  EXPECT_EQ(Index(x, {0, ellipsis, 1}).shape().ToString(), "(5,)");
  EXPECT_EQ(Index(x, {newaxis, 0}).shape().ToString(), "(1, 5, 3)");
  EXPECT_EQ(Index(x, {Slice(), Slice(-2, {})}).shape().ToString(), "(?, 2, 3)");
  EXPECT_EQ(Index(x, {Slice(), Slice(10, 20)}).shape().ToString(), "(?, 0, 3)");

  const Tensor xv = Random({4, 5, 3}, 3);
  const Tensor got = Run1(y, {{x, xv}});
  ASSERT_EQ(got.shape().ToString(), "(3, 3)");
  for (int a = 0; a < 3; ++a) {
    for (int c = 0; c < 3; ++c)
      EXPECT_EQ(got.flat<float>()[a * 3 + c],
                xv.flat<float>()[((a + 1) * 5 + 0) * 3 + c]);
  }
  // x[:, ::-2, -1]: reversed with a step.
  auto r = Index(x, {Slice(), Slice({}, {}, -2), -1});
  const Tensor rv = Run1(r, {{x, xv}});
  ASSERT_EQ(rv.shape().ToString(), "(4, 3)");
  for (int a = 0; a < 4; ++a) {
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(rv.flat<float>()[a * 3 + j],
                xv.flat<float>()[(a * 5 + (4 - 2 * j)) * 3 + 2]);
  }
}

TEST_F(SlicingOpsTest, StridedSliceMatchesNaiveLoopsAndHasGradient) {
  auto x = placeholder(float32, {6, 4}, "x");
  auto y = strided_slice(x, {1, 3}, {6, 0}, {2, -1});  // x[1:6:2, 3:0:-1]
  EXPECT_EQ(y.op().name(), "StridedSlice");
  EXPECT_EQ(y.shape().ToString(), "(3, 3)");
  const Tensor xv = Random({6, 4}, 4);
  const Tensor got = Run1(y, {{x, xv}});
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(got.flat<float>()[i * 3 + j],
                xv.flat<float>()[(1 + 2 * i) * 4 + (3 - j)]);
  }
  EXPECT_LT(GradError(x, xv, y), 2e-3f);
  auto z = Index(x, {Slice({}, {}, 3), newaxis, 2});  // x[::3, None, 2]
  EXPECT_EQ(z.shape().ToString(), "(2, 1)");
  EXPECT_LT(GradError(x, xv, z), 2e-3f);
  auto grads = gradients({reduce_sum(z)}, {x});
  EXPECT_EQ(grads[0].op().type(), "StridedSliceGrad");
  EXPECT_EQ(grads[0].shape().ToString(), "(6, 4)");
  const Tensor g = Run1(grads[0], {{x, xv}});
  for (int i = 0; i < 24; ++i)
    EXPECT_EQ(g.flat<float>()[i], (i == 2 || i == 14) ? 1.0f : 0.0f) << i;

  // Unknown dims give unknown sizes; a shrink still drops its dim.
  auto u = placeholder(float32, {-1, 4}, "u");
  EXPECT_EQ(Index(u, {Slice(1, 3), 2}).shape().ToString(), "(?,)");
  EXPECT_EQ(Index(u, {Slice(), Slice(1, 3)}).shape().ToString(), "(?, 2)");

  EXPECT_THAT(Message([&] { Index(x, {7}); }),
              HasSubstr("slice index 7 of dimension 0 out of bounds."));
  EXPECT_THAT(Message([&] {
                Index(x, {0, 0, 0});
              }),
              HasSubstr("Index out of range using input dim 2; input has "
                        "only 2 dims"));
  EXPECT_THAT(Message([&] { Index(x, {Slice({}, {}, 0)}); }),
              HasSubstr("strides[0] must be non-zero"));
  EXPECT_THAT(Message([&] {
                Index(x, {ellipsis, ellipsis});
              }),
              HasSubstr("Multiple ellipses in slice spec not allowed"));
}

// Gradients of slices of a tensor whose batch dim is unknown at build time:
// their shape subgraphs (shape(x), pad amounts) fold when the plan compiles.
TEST_F(SlicingOpsTest, GradientsWithAnUnknownBatchDim) {
  auto x = placeholder(float32, {-1, 3}, "x");
  auto s = slice(x, {1, 0}, {-1, 2});
  EXPECT_EQ(s.shape().ToString(), "(?, 2)");
  auto i = Index(x, {Slice(), -1});
  EXPECT_EQ(i.shape().ToString(), "(?,)");
  auto loss = reduce_sum(s * constant(3.0f)) + reduce_sum(i);
  auto g = gradients({loss}, {x});
  for (int batch : {2, 4}) {
    const Tensor xv = Random({batch, 3}, batch);
    const Tensor gv = Run1(g[0], {{x, xv}});
    ASSERT_EQ(gv.shape().ToString(), absl::StrCat("(", batch, ", 3)"));
    for (int r = 0; r < batch; ++r) {
      EXPECT_EQ(gv.flat<float>()[r * 3 + 0], r > 0 ? 3.0f : 0.0f);
      EXPECT_EQ(gv.flat<float>()[r * 3 + 1], r > 0 ? 3.0f : 0.0f);
      EXPECT_EQ(gv.flat<float>()[r * 3 + 2], 1.0f);
    }
  }
}

TEST_F(SlicingOpsTest, IndexWithATensor) {
  auto x = placeholder(float32, {4, 3}, "x");
  auto i = placeholder(int32, {}, "i");
  auto row = Index(x, {i});  // x[i]
  EXPECT_EQ(row.op().name(), "strided_slice");
  EXPECT_EQ(row.op().inputs()[1].op().type(), "Pack");
  EXPECT_EQ(row.op().inputs()[1].name(), "strided_slice/stack:0");
  EXPECT_EQ(row.op().inputs()[2].name(), "strided_slice/stack_1:0");
  EXPECT_EQ(row.shape().ToString(), "(3,)");
  EXPECT_EQ(Index(x, {Slice(), i}).shape().ToString(), "(4,)");
  EXPECT_EQ(Index(x, {Slice(1, {}), i}).shape().ToString(), "(?,)");
  const Tensor xv = Random({4, 3}, 9);
  EXPECT_THAT(Run1(row, {{x, xv}, {i, Tensor::Scalar(2)}}).flat<float>(),
              ElementsAre(xv.flat<float>()[6], xv.flat<float>()[7],
                          xv.flat<float>()[8]));
  EXPECT_THAT(Run1(row, {{x, xv}, {i, Tensor::Scalar(-1)}}).flat<float>(),
              ElementsAre(xv.flat<float>()[9], xv.flat<float>()[10],
                          xv.flat<float>()[11]));
  auto out = Run(row, {{x, xv}, {i, Tensor::Scalar(4)}});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(),
              HasSubstr("slice index 4 of dimension 0 out of bounds."));
  auto error = ComputeGradientError(sess_, x, xv, reduce_sum(row * 2.0f),
                                    {{i, Tensor::Scalar(1)}});
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
}

TEST_F(SlicingOpsTest, Int64IndexTensors) {
  auto x = placeholder(float32, {4, 3}, "x");
  auto s =
      slice(x, constant<int64_t>({1, 1}, {2}), constant<int64_t>({2, 2}, {2}));
  EXPECT_EQ(s.shape().ToString(), "(2, 2)");
  const Tensor xv = Random({4, 3}, 8);
  EXPECT_THAT(Run1(s, {{x, xv}}).flat<float>(),
              ElementsAre(xv.flat<float>()[4], xv.flat<float>()[5],
                          xv.flat<float>()[7], xv.flat<float>()[8]));
  EXPECT_LT(GradError(x, xv, s), 2e-3f);
  auto t =
      strided_slice(x, constant<int64_t>({0}, {1}), constant<int64_t>({4}, {1}),
                    constant<int64_t>({3}, {1}));
  EXPECT_EQ(t.shape().ToString(), "(2, 3)");
  EXPECT_LT(GradError(x, xv, t), 2e-3f);
}

TEST_F(SlicingOpsTest, IntegerAndBoolTensorsSlice) {
  auto n = constant<int32_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_THAT(Run1(Index(n, {Slice(), -1})).flat<int32_t>(), ElementsAre(3, 6));
  auto b = constant<bool>({true, false, true}, {3});
  EXPECT_THAT(Run1(Index(b, {Slice(1, {})})).flat<bool>(),
              ElementsAre(false, true));
}

}  // namespace
}  // namespace minitf
