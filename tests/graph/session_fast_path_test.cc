// Session::run's steady state: a run with the signature of the last lookup
// reuses its plan without the full feed and fetch checks, which the
// signature proves. What it does not prove (each feed's dtype and
// initialization, the handles' lifetimes) still fails with the full checks'
// exact message, and a failing run does not disturb the plan it matched.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "minitf/minitf.h"

namespace minitf {
namespace {

template <typename T>
void ExpectStatus(const absl::StatusOr<T>& out, absl::StatusCode code,
                  const std::string& message) {
  ASSERT_FALSE(out.ok()) << "expected: " << message;
  EXPECT_EQ(out.status().code(), code) << out.status();
  EXPECT_EQ(out.status().message(), message);
}

class SessionFastPathTest : public ::testing::Test {
 protected:
  void ExpectRuns(float value) {
    auto out = sess_.run({{x_, Tensor::Scalar(value)}}, {y_});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].scalar<float>(), value + 1.0f);
  }

  Graph graph_;
  GraphGuard guard_{graph_};
  Output x_ = placeholder(float32, {}, "x");
  Output y_ = x_ + constant(1.0f);
  Session sess_{graph_};
};

TEST_F(SessionFastPathTest, RepeatedRunsReuseOnePlan) {
  for (int i = 0; i < 3; ++i) ExpectRuns(static_cast<float>(i));
  EXPECT_EQ(sess_.num_compiled_plans(), 1);
}

TEST_F(SessionFastPathTest, AFeedOfAnotherDtypeWithTheSameShapeFails) {
  ExpectRuns(1.0f);
  ExpectStatus(sess_.run({{x_, Tensor::Scalar(int32_t{1})}}, {y_}),
               absl::StatusCode::kInvalidArgument,
               "Expects arg[0] to be float but int32 is provided");
  ExpectRuns(2.0f);
  EXPECT_EQ(sess_.num_compiled_plans(), 1);
}

TEST_F(SessionFastPathTest, AnEmptyFeedWithTheSameShapeFails) {
  ExpectRuns(1.0f);
  ExpectStatus(sess_.run({{x_, Tensor()}}, {y_}),
               absl::StatusCode::kInvalidArgument,
               "Cannot feed an empty Tensor for Tensor 'x:0'");
  ExpectRuns(2.0f);
}

TEST_F(SessionFastPathTest, AnotherSignatureBetweenRunsIsLookedUpAgain) {
  ExpectRuns(1.0f);
  auto z = sess_.run({{x_, Tensor::Scalar(3.0f)}}, {x_, y_});
  ASSERT_TRUE(z.ok()) << z.status();
  EXPECT_EQ((*z)[1].scalar<float>(), 4.0f);
  ExpectRuns(5.0f);
  EXPECT_EQ(sess_.num_compiled_plans(), 2);
}

TEST(SessionFastPathLifetimeTest, ARunAfterTheGraphIsDestroyedFailsClearly) {
  auto graph = std::make_unique<Graph>();
  Output x, y;
  {
    GraphGuard guard(*graph);
    x = placeholder(float32, {}, "x");
    y = x + constant(1.0f);
  }
  Session sess(*graph);
  ASSERT_TRUE(sess.run({{x, Tensor::Scalar(1.0f)}}, {y}).ok());
  graph.reset();
  ExpectStatus(sess.run({{x, Tensor::Scalar(1.0f)}}, {y}),
               absl::StatusCode::kFailedPrecondition,
               "The Session's Graph has been destroyed: a Session must not "
               "outlive its Graph");
}

}  // namespace
}  // namespace minitf
