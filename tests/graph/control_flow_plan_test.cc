// The execution plan's deadness, TF's executor semantics for Switch and
// Merge: what does not run, what a fetch of a dead value returns, and that
// liveness is reset between runs of one plan.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;

class ControlFlowPlanTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(ControlFlowPlanTest, OnePlanTogglesThePredicateAndResetsDeadness) {
  auto pred = placeholder(bool_, {}, "p");
  auto x = placeholder(float32, {2}, "x");
  Output y = cond(
      pred, [&] { return x + constant(1.0f); },
      [&] { return x * constant(-1.0f); });
  Session sess(graph_);
  Tensor value = Tensor::FromVector<float>({2, 5}, Shape({2}));
  for (int i = 0; i < 6; ++i) {
    const bool p = i % 3 != 0;
    auto out = sess.run({{pred, Tensor::Scalar(p)}, {x, value}}, {y});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT((*out)[0].flat<float>(),
                p ? ElementsAre(3, 6) : ElementsAre(-2, -5));
  }
  EXPECT_EQ(sess.num_compiled_plans(), 1);
}

TEST_F(ControlFlowPlanTest, TargetsInTheUntakenBranchDoNotRun) {
  auto pred = placeholder(bool_, {}, "p");
  Variable v(constant(0.0f), {.name = "v"});
  Output bump;
  Output y = cond(
      pred,
      [&] {
        bump = v.assign_add(constant(1.0f));
        return bump;
      },
      [&] { return v.value(); });
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  // A dead target is skipped without an error, as in TF.
  ASSERT_TRUE(sess.run(bump.op(), {{pred, Tensor::Scalar(false)}}).ok());
  ASSERT_TRUE(sess.run(bump.op(), {{pred, Tensor::Scalar(true)}}).ok());
  ASSERT_TRUE(sess.run(bump.op(), {{pred, Tensor::Scalar(false)}}).ok());
  auto out = sess.run({v.value()});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].scalar<float>(), 1.0f);
  (void)y;
}

TEST_F(ControlFlowPlanTest, DeadnessFlowsThroughControlEdgesAndNoOps) {
  auto pred = placeholder(bool_, {}, "p");
  auto x = placeholder(float32, {}, "x");
  Variable v(constant(0.0f), {.name = "v"});
  Operation group_in_branch;
  Output y = cond(
      pred,
      [&] {
        group_in_branch = group({v.assign_add(constant(1.0f))}, "updates");
        control_dependencies deps({group_in_branch});
        return identity(x);
      },
      [&] { return x; });
  // A kernel-less NoOp carries the branch's deadness to what depends on it,
  // even outside the branch.
  Output after;
  {
    control_dependencies deps({group_in_branch});
    after = identity(x, "after");
  }
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  FeedDict feeds = {{pred, Tensor::Scalar(false)}, {x, Tensor::Scalar(7.0f)}};
  auto out = sess.run(feeds, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 7.0f);
  out = sess.run(feeds, {after});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "Retval[0] does not have value");
  feeds[0].second = Tensor::Scalar(true);
  out = sess.run(feeds, {y, after});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[1].scalar<float>(), 7.0f);
  out = sess.run({v.value()});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].scalar<float>(), 1.0f);
}

TEST_F(ControlFlowPlanTest, AFedTensorIsLiveEvenInTheUntakenBranch) {
  auto pred = placeholder(bool_, {}, "p");
  auto x = placeholder(float32, {}, "x");
  Output inside;
  Output y = cond(
      pred,
      [&] {
        inside = x * constant(2.0f);
        return inside + constant(1.0f);
      },
      [&] { return x; });
  Session sess(graph_);
  FeedDict feeds = {{pred, Tensor::Scalar(false)},
                    {x, Tensor::Scalar(3.0f)},
                    {inside, Tensor::Scalar(10.0f)}};
  auto out = sess.run(feeds, {inside, y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 10.0f);
  EXPECT_EQ((*out)[1].scalar<float>(), 3.0f);
}

TEST_F(ControlFlowPlanTest, BranchesOfDifferentShapesNeedAConcreteMerge) {
  auto pred = placeholder(bool_, {}, "p");
  Output y = cond(
      pred,
      [&] {
        return constant<float>({1, 2}, {2});
      },
      [&] {
        return constant<float>({1, 2, 3}, {3});
      });
  EXPECT_EQ(y.shape().ToString(), "(?,)");
  Session sess(graph_);
  auto out = sess.run({{pred, Tensor::Scalar(true)}}, {y});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(out.status().message(),
              ::testing::HasSubstr("Cannot infer a concrete shape for output "
                                   "0 of 'cond/Merge': (?,)"));
}

}  // namespace
}  // namespace minitf
