// Python's operators with plain numbers and the comparison operators.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;

std::string Message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return absl::StrCat(e.python_type(), ": ", e.what());
  }
  return "no error";
}

class OperatorsTest : public ::testing::Test {
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

TEST_F(OperatorsTest, NumberOnTheRightIsConstantYInTheOpScope) {
  auto x = constant<float>({1, 2, 4}, {3}, "x");
  auto y = x * 0.5f;
  EXPECT_EQ(y.op().name(), "mul");
  EXPECT_EQ(y.op().type(), "Mul");
  EXPECT_EQ(y.op().inputs()[1].name(), "mul/y:0");
  EXPECT_EQ(y.op().inputs()[1].dtype(), float32);
  EXPECT_THAT(Run1(y).flat<float>(), ElementsAre(0.5f, 1, 2));
  EXPECT_EQ((x + 1).op().name(), "add");
  EXPECT_THAT(Run1(x + 1).flat<float>(), ElementsAre(2, 3, 5));
  EXPECT_THAT(Run1(x - 1.5).flat<float>(), ElementsAre(-0.5f, 0.5f, 2.5f));
  auto d = x / 255.0f;
  EXPECT_EQ(d.op().name(), "truediv");
  EXPECT_EQ(d.op().inputs()[1].name(), "truediv/y:0");
  EXPECT_FLOAT_EQ(Run1(d).flat<float>()[2], 4.0f / 255.0f);
}

TEST_F(OperatorsTest, NumberOnTheLeftIsConstantX) {
  auto p = constant<float>({0.25f, 1}, {2}, "p");
  auto q = 1.0f - p;
  EXPECT_EQ(q.op().name(), "sub");
  EXPECT_EQ(q.op().inputs()[0].name(), "sub/x:0");
  EXPECT_EQ(q.op().inputs()[1].name(), "p:0");
  EXPECT_THAT(Run1(q).flat<float>(), ElementsAre(0.75f, 0));
  EXPECT_THAT(Run1(2 * p).flat<float>(), ElementsAre(0.5f, 2));
  EXPECT_EQ((2 * p).op().name(), "mul_1");
  EXPECT_THAT(Run1(1 / p).flat<float>(), ElementsAre(4, 1));
  EXPECT_THAT(Run1(3 + p).flat<float>(), ElementsAre(3.25f, 4));
}

TEST_F(OperatorsTest, IntTensorsTakeIntLiteralsOnly) {
  auto n = constant<int32_t>({3, 4}, {2}, "n");
  auto m = n * 2;
  EXPECT_EQ(m.dtype(), int32);
  EXPECT_THAT(Run1(m).flat<int32_t>(), ElementsAre(6, 8));
  EXPECT_THAT(Run1(10 - n).flat<int32_t>(), ElementsAre(7, 6));
  EXPECT_EQ(Message([&] { (void)(n * 0.5f); }),
            "TypeError: Expected int32, got 0.5 of type 'float' instead.");
  EXPECT_EQ(Message([&] { (void)(1.0 - n); }),
            "TypeError: Expected int32, got 1.0 of type 'float' instead.");
  EXPECT_EQ(Message([&] { (void)(n + 0.1f); }),
            "TypeError: Expected int32, got 0.1 of type 'float' instead.");
  auto big = constant<int64_t>({1}, {1});
  EXPECT_THAT(Run1(big * (int64_t{1} << 40)).flat<int64_t>(),
              ElementsAre(int64_t{1} << 40));
}

TEST_F(OperatorsTest, ComparisonsWithNumbersAndTensors) {
  auto x = constant<float>({0.25f, 0.5f, 0.75f}, {3}, "x");
  auto gt = x > 0.5f;
  EXPECT_EQ(gt.op().name(), "Greater");
  EXPECT_EQ(gt.op().inputs()[1].name(), "Greater/y:0");
  EXPECT_EQ(gt.dtype(), bool_);
  EXPECT_THAT(Run1(gt).flat<bool>(), ElementsAre(false, false, true));
  EXPECT_THAT(Run1(x >= 0.5f).flat<bool>(), ElementsAre(false, true, true));
  EXPECT_THAT(Run1(x < 0.5f).flat<bool>(), ElementsAre(true, false, false));
  EXPECT_THAT(Run1(x <= 0).flat<bool>(), ElementsAre(false, false, false));
  // Python reflects `0.5 < x` to x.__gt__(0.5).
  auto reflected = 0.5f < x;
  EXPECT_EQ(reflected.op().type(), "Greater");
  EXPECT_EQ(reflected.op().inputs()[0].name(), "x:0");
  EXPECT_THAT(Run1(reflected).flat<bool>(), ElementsAre(false, false, true));
  auto y = constant<float>({0.5f, 0.5f, 0.5f}, {3}, "y");
  auto lt = x < y;
  EXPECT_EQ(lt.op().name(), "Less_1");  // "Less" went to x < 0.5f
  EXPECT_THAT(Run1(lt).flat<bool>(), ElementsAre(true, false, false));
  EXPECT_EQ((x >= y).op().type(), "GreaterEqual");
  EXPECT_EQ((x <= y).op().type(), "LessEqual");
  // == still compares handles, as TF1's does.
  EXPECT_TRUE(x == x);
  EXPECT_FALSE(x == y);
  auto n = constant<int32_t>({1, 2}, {2}, "n");
  EXPECT_THAT(Run1(n > 1).flat<bool>(), ElementsAre(false, true));
  EXPECT_EQ(Message([&] { (void)(n > 0.5f); }),
            "TypeError: Expected int32 passed to parameter 'y' of op "
            "'Greater', got 0.5 of type 'float' instead.");
}

TEST_F(OperatorsTest, GradientsFlowThroughNumberOperators) {
  auto x = placeholder(float32, {3}, "x");
  auto y = reduce_sum(1.0f - x * 3.0f + x / 2.0f);
  const Tensor xv = Tensor::FromVector<float>({0.1f, -0.2f, 0.3f}, {3});
  Session sess(graph_);
  auto error = ComputeGradientError(sess, x, xv, y);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 1e-3f);
  auto g = gradients({y}, {x});
  auto out = sess.run({{x, xv}}, {g[0]});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(-2.5f, -2.5f, -2.5f));
}

}  // namespace
}  // namespace minitf
