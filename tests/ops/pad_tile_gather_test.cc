// pad (CONSTANT, REFLECT, SYMMETRIC), tile, gather and where (Select):
// shapes, values against naive loops, gradients, TF's messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "absl/strings/ascii.h"
#include "minitf/minitf.h"
#include "minitf/tests/ops/ops_test_util.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using PadTileGatherTest = test::OpsTest;
using test::Message;
using test::Random;

// Python's index of the source element for a mirror pad, or -1.
int64_t PadSource(int64_t o, int64_t before, int64_t n, const std::string& m) {
  int64_t s = o - before;
  if (s >= 0 && s < n) return s;
  if (m == "CONSTANT") return -1;
  const int64_t off = m == "REFLECT" ? 0 : 1;
  return s < 0 ? -s - off : 2 * n - 2 + off - s;
}

TEST_F(PadTileGatherTest, PadModesMatchNaiveLoopsWithGradients) {
  auto x = placeholder(float32, {3, 4}, "x");
  const Tensor xv = Random({3, 4}, 1);
  for (std::string mode : {"CONSTANT", "REFLECT", "SYMMETRIC"}) {
    SCOPED_TRACE(mode);
    auto p = pad(x, {{1, 2}, {2, 1}}, {.mode = absl::AsciiStrToLower(mode)});
    EXPECT_EQ(p.op().type(), mode == "CONSTANT" ? "Pad" : "MirrorPad");
    EXPECT_EQ(p.shape().ToString(), "(6, 7)");
    const Tensor got = Run1(p, {{x, xv}});
    for (int i = 0; i < 6; ++i) {
      for (int j = 0; j < 7; ++j) {
        const int64_t si = PadSource(i, 1, 3, mode),
                      sj = PadSource(j, 2, 4, mode);
        const float want =
            si < 0 || sj < 0 ? 0.0f : xv.flat<float>()[si * 4 + sj];
        EXPECT_EQ(got.flat<float>()[i * 7 + j], want) << i << "," << j;
      }
    }
    EXPECT_LT(GradError(x, xv, p), 2e-3f);
  }
  auto v2 = pad(x, {{0, 0}, {1, 0}}, {.constant_values = 7});
  EXPECT_EQ(v2.op().type(), "PadV2");
  EXPECT_EQ(v2.op().name(), "PadV2");
  EXPECT_EQ(v2.op().inputs()[1].name(), "PadV2/paddings:0");
  EXPECT_EQ(v2.op().inputs()[2].name(), "PadV2/constant_values:0");
  auto named = pad(x, {{0, 0}, {0, 1}}, {.name = "padded"});
  EXPECT_EQ(named.op().name(), "padded");
  EXPECT_EQ(named.op().inputs()[1].name(), "padded/paddings:0");
  EXPECT_EQ(Run1(v2, {{x, xv}}).flat<float>()[5], 7.0f);
  EXPECT_LT(GradError(x, xv, v2), 2e-3f);

  auto u = placeholder(float32, {-1, 4}, "u");
  EXPECT_EQ(pad(u, {{1, 1}, {0, 2}}).shape().ToString(), "(?, 6)");
  EXPECT_THAT(Message([&] {
                pad(x, {{1, 1}});
              }),
              HasSubstr("Shape must be rank 1 but is rank 2"));
  EXPECT_THAT(Message([&] {
                pad(x, {{0, -1}, {0, 0}});
              }),
              HasSubstr("Paddings must be non-negative: 0 -1"));
  EXPECT_THAT(Message([&] {
                pad(x, {{0, 0}, {0, 0}}, {.mode = "wrap"});
              }),
              HasSubstr("Unknown padding mode: wrap"));
  auto too_much = pad(x, {{3, 0}, {0, 0}}, {.mode = "REFLECT"});
  auto status = Run(too_much, {{x, xv}});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.status().message(),
              HasSubstr("paddings must be less than the dimension size: 3, 0 "
                        "not less than 3"));
}

TEST_F(PadTileGatherTest, TileMatchesNaiveLoopWithGradient) {
  auto x = placeholder(float32, {2, 3}, "x");
  auto t = tile(x, {2, 3});
  EXPECT_EQ(t.op().name(), "Tile");
  EXPECT_EQ(t.op().inputs()[1].name(), "Tile/multiples:0");
  EXPECT_EQ(t.shape().ToString(), "(4, 9)");
  const Tensor xv = Random({2, 3}, 2);
  const Tensor got = Run1(t, {{x, xv}});
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 9; ++j)
      EXPECT_EQ(got.flat<float>()[i * 9 + j],
                xv.flat<float>()[(i % 2) * 3 + j % 3]);
  }
  EXPECT_LT(GradError(x, xv, t), 2e-3f);
  auto g = gradients({reduce_sum(t)}, {x});
  EXPECT_THAT(Run1(g[0], {{x, xv}}).flat<float>(),
              ElementsAre(6, 6, 6, 6, 6, 6));
  EXPECT_EQ(tile(placeholder(float32, {-1, 3}), {2, 2}).shape().ToString(),
            "(?, 6)");
  // multiples from the batch size: folded when the plan compiles.
  auto b = placeholder(float32, {-1, 1}, "b");
  auto square = tile(b, stack({1, Index(shape(b), {0})}));
  EXPECT_EQ(square.shape().ToString(), "(?, ?)");
  EXPECT_EQ(Run1(square, {{b, Random({3, 1}, 3)}}).shape().ToString(),
            "(3, 3)");
  EXPECT_THAT(Message([&] { tile(x, {2}); }),
              HasSubstr("Expected multiples argument to be a vector of length "
                        "2 but got length 1"));
}

TEST_F(PadTileGatherTest, GatherAlongAxesWithDenseGradient) {
  auto params = placeholder(float32, {4, 3}, "params");
  auto ids = constant<int32_t>({2, 0, 2}, {3});
  auto rows = gather(params, ids);
  EXPECT_EQ(rows.op().name(), "GatherV2");
  EXPECT_EQ(rows.shape().ToString(), "(3, 3)");
  const Tensor pv = Random({4, 3}, 4);
  const Tensor got = Run1(rows, {{params, pv}});
  const int idx[] = {2, 0, 2};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(got.flat<float>()[i * 3 + j], pv.flat<float>()[idx[i] * 3 + j]);
  }
  EXPECT_LT(GradError(params, pv, rows), 2e-3f);
  auto g = gradients({reduce_sum(rows)}, {params});
  EXPECT_THAT(Run1(g[0], {{params, pv}}).flat<float>(),
              ElementsAre(1, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 0));

  auto cols = gather(params, constant<int64_t>({1, 1, 0, 2}, {2, 2}), 1);
  EXPECT_EQ(cols.shape().ToString(), "(4, 2, 2)");
  const Tensor cv = Run1(cols, {{params, pv}});
  EXPECT_EQ(cv.flat<float>()[3 * 4 + 2], pv.flat<float>()[3 * 3 + 0]);
  EXPECT_LT(GradError(params, pv, cols), 2e-3f);
  EXPECT_EQ(gather(placeholder(float32, {-1, 5}), ids, -1).shape().ToString(),
            "(?, 3)");

  auto bad = gather(params, constant<int32_t>({0, 4}, {2}));
  auto status = Run(bad, {{params, pv}});
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.status().message(),
              HasSubstr("indices[1] = 4 is not in [0, 4)"));
  EXPECT_THAT(Message([&] { gather(params, constant(1.0f)); }),
              HasSubstr("Value passed to parameter 'indices' has DataType "
                        "float32 not in list of allowed values: int32, int64"));
}

TEST_F(PadTileGatherTest, WhereSelectsAndRoutesGradients) {
  auto x = placeholder(float32, {2, 3}, "x");
  auto y = placeholder(float32, {2, 3}, "y");
  auto w = where(x > 0.0f, x, y * 0.1f);
  EXPECT_EQ(w.op().name(), "Select");
  EXPECT_EQ(w.shape().ToString(), "(2, 3)");
  const Tensor xv = Random({2, 3}, 5), yv = Random({2, 3}, 6);
  const Tensor got = Run1(w, {{x, xv}, {y, yv}});
  for (int i = 0; i < 6; ++i) {
    const float xi = xv.flat<float>()[i];
    EXPECT_FLOAT_EQ(got.flat<float>()[i],
                    xi > 0 ? xi : 0.1f * yv.flat<float>()[i]);
  }
  EXPECT_LT(GradError(y, yv, w, {{x, xv}}), 2e-3f);
  // A vector condition picks whole rows.
  auto rows = where(constant<bool>({false, true}, {2}), x, y);
  const Tensor rv = Run1(rows, {{x, xv}, {y, yv}});
  EXPECT_EQ(rv.flat<float>()[0], yv.flat<float>()[0]);
  EXPECT_EQ(rv.flat<float>()[4], xv.flat<float>()[4]);
  EXPECT_LT(GradError(x, xv, rows, {{y, yv}}), 2e-3f);
  EXPECT_THAT(Message([&] { where(x, x, y); }),
              HasSubstr("Input 'condition' of 'Select' Op has type float32"));
  EXPECT_THAT(Message([&] {
                where(x > 0.0f, x, placeholder(float32, {3, 2}));
              }),
              HasSubstr("must be equal"));
}

}  // namespace
}  // namespace minitf
