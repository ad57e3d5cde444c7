// Feed binding: every check of a feed runs once, where Session::run binds
// the feeds, before a plan is looked up or compiled; and a fed node is
// replaced by its feeds when the plan is pruned (its inputs, data or
// control, are not needed). Each bad case asserts the exact Status and that
// the session still runs a valid fetch afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "minitf/graph/execution_plan.h"
#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;

Tensor Floats(std::vector<float> values, Shape shape) {
  return Tensor::FromVector<float>(values, shape);
}

class FeedBindingTest : public ::testing::Test {
 protected:
  // `out` failed with `code` and exactly `message`.
  template <typename T>
  static void ExpectStatus(const absl::StatusOr<T>& out, absl::StatusCode code,
                           const std::string& message) {
    ASSERT_FALSE(out.ok()) << "expected: " << message;
    EXPECT_EQ(out.status().code(), code) << out.status();
    EXPECT_EQ(out.status().message(), message);
  }
  // A valid fetch still works in a session of this graph.
  void ExpectSessionStillRuns(Session& sess) {
    auto out = sess.run({{x_, Floats({1, 2}, {2})}}, {doubled_});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(2, 4));
  }

  Graph graph_;
  GraphGuard guard_{graph_};
  Output x_ = placeholder(float32, {-1}, "x");
  Output doubled_ = x_ * constant(2.0f);
};

TEST_F(FeedBindingTest, TheSameEndpointFedTwiceIsInvalidArgument) {
  Session sess(graph_);
  // Same shape twice, then two shapes: a plan would bind one buffer.
  ExpectStatus(sess.run({{x_, Floats({1, 2}, {2})}, {x_, Floats({3, 4}, {2})}},
                        {doubled_}),
               absl::StatusCode::kInvalidArgument,
               "Endpoint \"x:0\" fed more than once.");
  ExpectStatus(
      sess.run({{x_, Floats({1, 2}, {2})}, {x_, Floats({1, 2, 3, 4, 5}, {5})}},
               {doubled_}),
      absl::StatusCode::kInvalidArgument,
      "Endpoint \"x:0\" fed more than once.");
  EXPECT_EQ(sess.num_compiled_plans(), 0);  // rejected before any compile
  ExpectSessionStillRuns(sess);
  // A valid signature compiled first: the duplicate is still caught.
  ExpectStatus(sess.run({{x_, Floats({1, 2}, {2})}, {x_, Floats({1, 2}, {2})}},
                        {doubled_}),
               absl::StatusCode::kInvalidArgument,
               "Endpoint \"x:0\" fed more than once.");
  ExpectSessionStillRuns(sess);
}

TEST_F(FeedBindingTest, ADuplicateAmongManyFeedsIsFound) {
  // Beyond a handful of feeds the check goes through a set.
  FeedDict feeds;
  std::vector<Output> fetches;
  for (int i = 0; i < 40; ++i) {
    Output p = placeholder(float32, {}, absl::StrCat("p", i));
    feeds.emplace_back(p, Tensor::Scalar(static_cast<float>(i)));
    fetches.push_back(p + constant(1.0f));
  }
  Session sess(graph_);
  auto out = sess.run(feeds, fetches);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[39].scalar<float>(), 40.0f);
  feeds.emplace_back(feeds[17].first, Tensor::Scalar(0.0f));
  ExpectStatus(sess.run(feeds, fetches), absl::StatusCode::kInvalidArgument,
               "Endpoint \"p17:0\" fed more than once.");
  ExpectSessionStillRuns(sess);
}

TEST_F(FeedBindingTest, AFeedOfAnotherDtypeKeepsTfsMessage) {
  Session sess(graph_);
  ExpectStatus(
      sess.run({{x_, Tensor::FromVector<int32_t>({1, 2}, {2})}}, {doubled_}),
      absl::StatusCode::kInvalidArgument,
      "Expects arg[0] to be float but int32 is provided");
  auto y = placeholder(int64, {}, "y");
  ExpectStatus(sess.run({{x_, Floats({1}, {1})}, {y, Tensor::Scalar(true)}},
                        {doubled_, y}),
               absl::StatusCode::kInvalidArgument,
               "Expects arg[1] to be int64 but bool is provided");
  ExpectSessionStillRuns(sess);
}

TEST_F(FeedBindingTest, AFeedOfAnIncompatibleShapeKeepsTfsMessage) {
  auto m = placeholder(float32, {2, -1}, "m");
  Session sess(graph_);
  ExpectStatus(sess.run({{x_, Floats({1, 2, 3, 4}, {2, 2})}}, {doubled_}),
               absl::StatusCode::kInvalidArgument,
               "Cannot feed value of shape (2, 2) for Tensor 'x:0', which has "
               "shape '(?,)'");
  ExpectStatus(sess.run({{m, Floats({1, 2, 3}, {3, 1})}}, {m}),
               absl::StatusCode::kInvalidArgument,
               "Cannot feed value of shape (3, 1) for Tensor 'm:0', which has "
               "shape '(2, ?)'");
  ExpectStatus(sess.run({{m, Tensor::Scalar(1.0f)}}, {m}),
               absl::StatusCode::kInvalidArgument,
               "Cannot feed value of shape () for Tensor 'm:0', which has "
               "shape '(2, ?)'");
  ExpectSessionStillRuns(sess);
}

TEST_F(FeedBindingTest, AnEmptyTensorOrANullKeyIsInvalidArgument) {
  Session sess(graph_);
  ExpectStatus(sess.run({{x_, Tensor()}}, {doubled_}),
               absl::StatusCode::kInvalidArgument,
               "Cannot feed an empty Tensor for Tensor 'x:0'");
  ExpectStatus(sess.run({{Output(), Floats({1}, {1})}}, {doubled_}),
               absl::StatusCode::kInvalidArgument,
               "Cannot interpret feed_dict key as Tensor: Tensor None is not "
               "an element of this graph.");
  ExpectSessionStillRuns(sess);
}

TEST_F(FeedBindingTest, FeedsFetchesAndTargetsOfAnotherGraphAreRejected) {
  Graph other;
  Output foreign;
  Operation foreign_op;
  {
    GraphGuard g(other);
    foreign = placeholder(float32, {-1}, "x");  // same name as ours
    foreign_op = no_op("step");
  }
  Session sess(graph_);
  ExpectStatus(sess.run({{foreign, Floats({1}, {1})}}, {doubled_}),
               absl::StatusCode::kInvalidArgument,
               "Cannot interpret feed_dict key as Tensor: Tensor x:0 is not an "
               "element of this graph.");
  ExpectStatus(sess.run({{x_, Floats({1}, {1})}}, {foreign}),
               absl::StatusCode::kInvalidArgument,
               "Fetch argument x:0 cannot be interpreted as a Tensor. (Tensor "
               "x:0 is not an element of this graph.)");
  ExpectStatus(sess.run({{x_, Floats({1}, {1})}}, {doubled_}, {foreign_op}),
               absl::StatusCode::kInvalidArgument,
               "Fetch argument step cannot be interpreted as an Operation. "
               "(Operation step is not an element of this graph.)");
  ExpectStatus(sess.run(FeedDict{}, {}, {Operation()}),
               absl::StatusCode::kInvalidArgument,
               "Fetch argument None has invalid type <class 'NoneType'>");
  ExpectSessionStillRuns(sess);
}

TEST_F(FeedBindingTest, AControlDependencyOnAFedPlaceholderNeedsOnlyItsFeed) {
  Output y;
  {
    control_dependencies after_x({x_});
    y = constant(5.0f, "five");
  }
  ASSERT_EQ(y.op().control_inputs().size(), 1u);
  Session sess(graph_);
  auto out = sess.run({{x_, Floats({1}, {1})}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 5.0f);
  // Unfed, the placeholder is still demanded, with TF's message.
  ExpectStatus(sess.run({y}), absl::StatusCode::kInvalidArgument,
               "You must feed a value for placeholder tensor 'x' with dtype "
               "float and shape [?]");
  ExpectSessionStillRuns(sess);
}

TEST_F(FeedBindingTest, AFedNodesInputsAreNotWalked) {
  // `sum` is fed; a control edge to it must not demand a or b.
  auto a = placeholder(float32, {}, "a");
  auto b = placeholder(float32, {}, "b");
  auto sum = a + b;
  Output y;
  {
    control_dependencies after_sum({sum});
    y = constant(7.0f);
  }
  Session sess(graph_);
  auto out = sess.run({{sum, Tensor::Scalar(1.0f)}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 7.0f);
  // Running the fed op itself needs nothing either.
  out = sess.run({{sum, Tensor::Scalar(1.0f)}}, {}, {sum.op()});
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectSessionStillRuns(sess);
}

TEST_F(FeedBindingTest, AFedStatefulOpStillRunsForItsEffect) {
  Variable v(constant(1.0f), {.name = "v"});
  auto bump = v.assign_add(constant(10.0f));
  Output y;
  {
    control_dependencies after_bump({bump});
    y = constant(0.0f);
  }
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  auto out = sess.run({{bump, Tensor::Scalar(-1.0f)}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  out = sess.run({v.value()});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 11.0f);
}

TEST(FeedBindingPlanTest, PruningStopsAtAFedNodeReachedByControl) {
  Graph graph;
  GraphGuard guard(graph);
  auto upstream = placeholder(float32, {}, "upstream");
  auto p = identity(upstream, "p");  // fed below: upstream is never needed
  Output y;
  {
    control_dependencies after_p({p});
    y = constant(3.0f) * constant(2.0f);
  }
  const ExecutionPlan::SessionResources resources{
      .variable = [](const Node&) -> VariableSlot* { return nullptr; },
      .node_state = [](const Node&) -> std::shared_ptr<void>* {
        return nullptr;
      }};
  const FeedDict feeds = {{p, Tensor::Scalar(1.0f)}};
  auto plan = ExecutionPlan::Compile(feeds, {y}, {}, resources);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ((*plan)->num_steps(), 3);  // two constants and the product
  auto out = (*plan)->Run(feeds);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 6.0f);
}

TEST_F(FeedBindingTest, MetricsMeanOrdersItsCountAfterAFedPlaceholder) {
  auto values = placeholder(float32, {-1}, "values");
  auto [mean, update_op] = metrics::mean(values);
  // TF's graph: update_count runs after `values`.
  Operation update_count = graph_.get_operation_by_name("mean/AssignAdd_1");
  EXPECT_THAT(update_count.control_inputs(), ElementsAre(values.node()));
  Session sess(graph_);
  ASSERT_TRUE(sess.run(local_variables_initializer()).ok());
  auto out = sess.run({{values, Floats({1, 2, 3}, {3})}}, {update_op});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 2.0f);
  out = sess.run({{values, Floats({10}, {1})}}, {update_op});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 4.0f);
  out = sess.run({mean});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 4.0f);
}

}  // namespace
}  // namespace minitf

namespace minitf {
namespace {

// TF's Placeholder kernel names the shape only when its rank is above 0.
TEST(UnfedPlaceholderTest, MessageNamesTheShapeOnlyAboveRankZero) {
  Graph graph;
  GraphGuard guard(graph);
  struct Case {
    Shape shape;
    std::string message;
  };
  const std::vector<Case> cases = {
      {Shape{},
       "You must feed a value for placeholder tensor 'p' with dtype "
       "float"},
      {Shape::Unknown(),
       "You must feed a value for placeholder tensor 'p_1' "
       "with dtype float"},
      {Shape{-1, 2},
       "You must feed a value for placeholder tensor 'p_2' "
       "with dtype float and shape [?,2]"},
  };
  Session sess(graph);
  for (const Case& c : cases) {
    auto p = placeholder(float32, c.shape, "p");
    auto out = sess.run({identity(p)});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
    // The message, then at most TF's node annotation ("\n\t [[...]]").
    const std::string message(out.status().message());
    EXPECT_EQ(message.substr(0, message.find('\n')), c.message);
  }
}

}  // namespace
}  // namespace minitf
