#include "minitf/graph/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::HasSubstr;

Tensor Floats(std::vector<float> values, Shape shape) {
  return Tensor::FromVector<float>(values, shape);
}

class SessionTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(SessionTest, FetchesComputedValues) {
  auto a = constant<float>({1, 2, 3, 4}, {2, 2});
  auto b = constant<float>({1, 0, 0, 1}, {2, 2});
  auto c = matmul(a, b) + a;
  Session sess(graph_);
  auto out = sess.run({c});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(2, 4, 6, 8));
}

TEST_F(SessionTest, PrunesWhatTheFetchesDoNotNeed) {
  auto x = placeholder(float32, {2}, "x");
  auto needs_feed = x * constant(2.0f);  // would fail: x is not fed
  auto fine = constant(3.0f) + constant(4.0f);
  (void)needs_feed;
  Session sess(graph_);
  auto out = sess.run({fine});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 7.0f);
}

TEST_F(SessionTest, UnfedPlaceholderHasTfsMessage) {
  auto images = placeholder(float32, {-1, 28, 28, 1}, "images");
  Session sess(graph_);
  auto out = sess.run({identity(images)});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "You must feed a value for placeholder tensor 'images' with dtype "
            "float and shape [?,28,28,1]");
}

TEST_F(SessionTest, FeedShapeMismatchHasTfsMessage) {
  auto images = placeholder(float32, {-1, 28, 28, 1}, "images");
  Session sess(graph_);
  auto out = sess.run({{images, Tensor(float32, {3, 27, 28, 1})}}, {images});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "Cannot feed value of shape (3, 27, 28, 1) for Tensor 'images:0', "
            "which has shape '(?, 28, 28, 1)'");
}

TEST_F(SessionTest, FeedDtypeMismatchIsInvalidArgument) {
  auto labels = placeholder(int32, {-1}, "labels");
  Session sess(graph_);
  auto out = sess.run({{labels, Tensor(float32, {3})}}, {labels});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "Expects arg[0] to be int32 but float is provided");
}

TEST_F(SessionTest, FeedAndFetchFromAnotherGraphAreRejected) {
  Graph other;
  Output foreign;
  {
    GraphGuard g(other);
    foreign = placeholder(float32, {}, "foreign");
  }
  auto local = constant(1.0f);
  Session sess(graph_);
  auto fed = sess.run({{foreign, Tensor::Scalar(1.0f)}}, {local});
  EXPECT_EQ(fed.status().message(),
            "Cannot interpret feed_dict key as Tensor: Tensor foreign:0 is not "
            "an element of this graph.");
  auto fetched = sess.run({foreign});
  EXPECT_EQ(
      fetched.status().message(),
      "Fetch argument foreign:0 cannot be interpreted as a Tensor. (Tensor "
      "foreign:0 is not an element of this graph.)");
  auto null_fetch = sess.run({Output()});
  EXPECT_EQ(null_fetch.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SessionTest, FeedingAnIntermediateTensorOverridesIt) {
  auto x = placeholder(float32, {}, "x");
  auto doubled = x * constant(2.0f);
  auto y = doubled + constant(1.0f);
  Session sess(graph_);
  // x is not needed once `doubled` is fed.
  auto out = sess.run({{doubled, Tensor::Scalar(10.0f)}}, {y, doubled});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 11.0f);
  EXPECT_EQ((*out)[1].scalar<float>(), 10.0f);
}

TEST_F(SessionTest, UninitializedVariableIsFailedPrecondition) {
  Variable v(constant<float>({1, 2}, {2}), {.name = "kernel"});
  Session sess(graph_);
  auto out = sess.run({v.value()});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(out.status().message(),
              HasSubstr("Attempting to use uninitialized value kernel"));
}

TEST_F(SessionTest, VariablesLiveInTheSession) {
  Variable v(constant<float>({1, 2}, {2}), {.name = "v"});
  auto inc = v.assign_add(constant<float>({10, 10}, {2}));
  Session a(graph_), b(graph_);
  ASSERT_TRUE(a.run(global_variables_initializer()).ok());
  ASSERT_TRUE(b.run(global_variables_initializer()).ok());
  ASSERT_TRUE(a.run({inc}).ok());
  ASSERT_TRUE(a.run({inc}).ok());
  EXPECT_THAT((*a.run({v.value()}))[0].flat<float>(),
              ::testing::ElementsAre(21, 22));
  EXPECT_THAT((*b.run({v.value()}))[0].flat<float>(),
              ::testing::ElementsAre(1, 2));
  auto sub = v.assign_sub(constant<float>({1, 1}, {2}));
  EXPECT_THAT((*b.run({sub}))[0].flat<float>(), ::testing::ElementsAre(0, 1));
  auto set = v.assign(constant<float>({5, 6}, {2}));
  EXPECT_THAT((*b.run({set}))[0].flat<float>(), ::testing::ElementsAre(5, 6));
}

TEST_F(SessionTest, AssignRequiresAVariable) {
  try {
    assign(constant(1.0f), constant(2.0f));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "Input 'ref' of 'Assign' Op requires l-value input");
    EXPECT_EQ(e.python_type(), "TypeError");
  }
}

TEST_F(SessionTest, ControlDependenciesOrderAndPullInOps) {
  Variable v(constant(0.0f), {.name = "counter"});
  auto inc = v.assign_add(constant(1.0f));
  Output after, unordered;
  {
    control_dependencies deps({inc});
    after = v.value() * constant(1.0f);
  }
  unordered = v.value() * constant(1.0f);
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  // Without a control dependency the increment is pruned away.
  EXPECT_EQ((*sess.run({unordered}))[0].scalar<float>(), 0.0f);
  // With one, it runs first.
  EXPECT_EQ((*sess.run({after}))[0].scalar<float>(), 1.0f);
  EXPECT_EQ((*sess.run({after}))[0].scalar<float>(), 2.0f);
}

TEST_F(SessionTest, EachNodeRunsOncePerStep) {
  Variable v(constant(0.0f), {.name = "v"});
  auto inc = v.assign_add(constant(1.0f));
  auto sum = inc + inc;  // one increment, consumed twice
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  EXPECT_EQ((*sess.run({sum}))[0].scalar<float>(), 2.0f);
}

TEST_F(SessionTest, PlansAreReusedAndRecompiledForNewFeedShapes) {
  auto x = placeholder(float32, {-1, 2}, "x");
  auto y = reduce_sum(x * x);
  Session sess(graph_);
  std::vector<Output> fetches = {y};
  auto r1 = sess.run({{x, Floats({1, 2}, {1, 2})}}, fetches);
  auto r2 = sess.run({{x, Floats({3, 4}, {1, 2})}}, fetches);
  EXPECT_EQ(sess.num_compiled_plans(), 1);
  EXPECT_EQ((*r1)[0].scalar<float>(), 5.0f);
  EXPECT_EQ((*r2)[0].scalar<float>(), 25.0f);
  auto r3 = sess.run({{x, Floats({1, 1, 1, 1}, {2, 2})}}, fetches);
  EXPECT_EQ(sess.num_compiled_plans(), 2);
  EXPECT_EQ((*r3)[0].scalar<float>(), 4.0f);
  auto r4 = sess.run({{x, Floats({2, 0}, {1, 2})}}, fetches);
  EXPECT_EQ(sess.num_compiled_plans(), 2);
  EXPECT_EQ((*r4)[0].scalar<float>(), 4.0f);
}

TEST_F(SessionTest, FetchedTensorsAreTheCallersOwn) {
  auto x = placeholder(float32, {2}, "x");
  auto y = x + constant(1.0f);
  Session sess(graph_);
  auto first = sess.run({{x, Floats({1, 2}, {2})}}, {y});
  auto second = sess.run({{x, Floats({5, 6}, {2})}}, {y});
  EXPECT_THAT((*first)[0].flat<float>(), ::testing::ElementsAre(2, 3));
  EXPECT_THAT((*second)[0].flat<float>(), ::testing::ElementsAre(6, 7));
}

TEST_F(SessionTest, RunTimeShapeErrorsAreStatuses) {
  auto x = placeholder(float32, {-1}, "x");
  auto y = placeholder(float32, {-1}, "y");
  auto z = x + y;
  Session sess(graph_);
  auto out =
      sess.run({{x, Floats({1, 2}, {2})}, {y, Floats({1, 2, 3}, {3})}}, {z});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(),
              HasSubstr("Dimensions must be equal, but are 2 and 3"));
}

TEST_F(SessionTest, SteadyStateAllocatesOnlyTheFetchedOutputs) {
  auto x = placeholder(float32, {-1, 3}, "x");
  Variable w(constant<float>({1, 2, 3, 4, 5, 6}, {3, 2}), {.name = "w"});
  auto loss = reduce_mean(matmul(x, w) * matmul(x, w));
  auto grad = gradients({loss}, {w})[0];
  auto step = w.assign_sub(grad * constant(0.01f));
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  FeedDict feeds = {{x, Floats({1, 2, 3, 4, 5, 6}, {2, 3})}};
  std::vector<Output> fetches = {loss};
  std::vector<Operation> targets = {step.op()};
  ASSERT_TRUE(sess.run(feeds, fetches, targets).ok());  // compiles
  const int64_t before = TensorBufferAllocations();
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(sess.run(feeds, fetches, targets).ok());
  EXPECT_EQ(TensorBufferAllocations() - before, 5);  // one fetched tensor a run
  ASSERT_TRUE(sess.run(feeds, {}, targets).ok());
  const int64_t targets_only = TensorBufferAllocations();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(sess.run(feeds, {}, targets).ok());
  EXPECT_EQ(TensorBufferAllocations(), targets_only);
  EXPECT_EQ(sess.num_compiled_plans(), 3);
}

}  // namespace
}  // namespace minitf
