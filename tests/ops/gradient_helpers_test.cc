// The internal ops gradients build from (ops/internal/gradient_helpers.h):
// ReduceToLike's shape function validates its inputs; forward against a
// naive reference loop. minitf.h itself does not reach them.
#include "minitf/ops/internal/gradient_helpers.h"

#include "minitf/tests/ops/ops_test_util.h"

namespace minitf {
namespace {

using test::Message;
using test::Random;

class GradientHelpersTest : public test::OpsTest {};

// out[j] = sum of x[i, j] over i, for like of shape [cols] or [1, cols].
std::vector<float> ColumnSums(const Tensor& x) {
  const int64_t rows = x.shape().dim(0), cols = x.shape().dim(1);
  std::vector<float> sums(cols, 0.0f);
  auto v = x.flat<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) sums[c] += v[r * cols + c];
  return sums;
}

TEST_F(GradientHelpersTest, ReduceToLikeSumsTheBroadcastDims) {
  const Tensor xv = Random({4, 3}, 7);
  auto x = placeholder(float32, {4, 3}, "x");
  auto like_row = placeholder(float32, {3}, "row");
  auto like_col = placeholder(float32, {4, 1}, "col");
  auto to_row = ReduceToLike(x, like_row);
  auto to_col = ReduceToLike(x, like_col);
  EXPECT_EQ(to_row.shape().ToString(), "(3,)");
  EXPECT_EQ(to_col.shape().ToString(), "(4, 1)");
  auto out = sess_.run({{x, xv},
                        {like_row, Tensor(float32, {3})},
                        {like_col, Tensor(float32, {4, 1})}},
                       {to_row, to_col});
  ASSERT_TRUE(out.ok()) << out.status();
  const std::vector<float> expected = ColumnSums(xv);
  auto got = (*out)[0].flat<float>();
  for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(got[c], expected[c]);
  auto rows = (*out)[1].flat<float>();
  auto v = xv.flat<float>();
  for (int r = 0; r < 4; ++r)
    EXPECT_FLOAT_EQ(rows[r], v[r * 3] + v[r * 3 + 1] + v[r * 3 + 2]);
}

TEST_F(GradientHelpersTest, ReduceToLikeRejectsALikeThatDoesNotBroadcast) {
  auto x = placeholder(float32, {2, 3}, "x");
  EXPECT_EQ(Message([&] { ReduceToLike(x, placeholder(float32, {4}, "a")); }),
            "Incompatible shapes: [2,3] cannot be reduced to [4], which does "
            "not broadcast to it for 'Sum' (op: 'ReduceToLike') with input "
            "shapes: [2,3], [4].");
  EXPECT_EQ(
      Message([&] {
        ReduceToLike(x, placeholder(float32, {1, 2, 3}, "b"));
      }),
      "Incompatible shapes: [2,3] cannot be reduced to [1,2,3], which does "
      "not broadcast to it for 'Sum_1' (op: 'ReduceToLike') with input "
      "shapes: [2,3], [1,2,3].");
  EXPECT_EQ(Message([&] {
              ReduceToLike(placeholder(bool_, {2}, "flags"),
                           placeholder(bool_, {1}, "c"));
            }),
            "Value passed to parameter 'x' has DataType bool not in list of "
            "allowed values: float32, int32, int64");
  // Unknown dims pass at build time and are checked when the plan compiles.
  auto y = placeholder(float32, {-1, 3}, "y");
  auto like = placeholder(float32, {-1}, "like");
  auto reduced = ReduceToLike(y, like);
  auto out = sess_.run(
      {{y, Tensor(float32, {2, 3})}, {like, Tensor(float32, {4})}}, {reduced});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "Incompatible shapes: [2,3] cannot be reduced to [4], which does "
            "not broadcast to it\n\t [[{{node Sum_3}}]]");
  out = sess_.run({{y, Tensor(float32, {2, 3})}, {like, Tensor(float32, {3})}},
                  {reduced});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape().ToString(), "(3,)");
}

TEST_F(GradientHelpersTest, ReshapeLikeAndScalarConstant) {
  auto x = placeholder(float32, {2, 3}, "x");
  auto like = placeholder(float32, {3, 2}, "like");
  auto reshaped = ReshapeLike(x, like);
  auto three = ScalarConstant(3.0, int64);
  EXPECT_EQ(three.dtype(), int64);
  const Tensor xv = Random({2, 3}, 3);
  auto out =
      sess_.run({{x, xv}, {like, Tensor(float32, {3, 2})}}, {reshaped, three});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape().ToString(), "(3, 2)");
  EXPECT_EQ((*out)[0].flat<float>()[5], xv.flat<float>()[5]);
  EXPECT_EQ((*out)[1].scalar<int64_t>(), 3);
}

}  // namespace
}  // namespace minitf
