// Handles that outlive their Graph: Output, Operation, Variable and Session
// detect the destroyed graph through its shared lifetime and fail clearly
// (build-time use throws RuntimeError/FailedPrecondition naming the handle;
// Session::run returns the Status) instead of reading freed memory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;

// Runs `fn`, which must throw minitf::Error with FailedPrecondition,
// "RuntimeError" and exactly `message`.
template <typename F>
void ExpectDestroyed(F fn, const std::string& message) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected: " << message;
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code(), absl::StatusCode::kFailedPrecondition)
        << e.status();
    EXPECT_EQ(e.python_type(), "RuntimeError");
    EXPECT_EQ(std::string(e.what()), message);
  }
}

// Handles into a graph that is destroyed before the test looks at them.
struct DeadHandles {
  Output x, y;
  Operation y_op;
  Variable v;
  std::unique_ptr<Session> sess;
};

DeadHandles MakeAndDestroyAGraph() {
  DeadHandles h;
  Graph graph;
  GraphGuard guard(graph);
  h.x = placeholder(float32, {2}, "x");
  h.v = Variable(constant<float>({1, 2}, {2}), {.name = "v"});
  h.y = add(h.x, h.v.value(), "y");
  h.y_op = h.y.op();
  h.sess = std::make_unique<Session>(graph);
  EXPECT_TRUE(h.sess->run(global_variables_initializer()).ok());
  return h;  // the graph dies here; the session still holds its plans
}

class HandleLifetimeTest : public ::testing::Test {
 protected:
  void ExpectSessionStillRuns(Session& sess) {
    auto out = sess.run({two_});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].scalar<float>(), 2.0f);
  }

  DeadHandles dead_ = MakeAndDestroyAGraph();
  Graph graph_;
  GraphGuard guard_{graph_};
  Output two_ = constant(2.0f, "two");
};

TEST_F(HandleLifetimeTest, AnOutputNamesItselfInEveryAccessor) {
  const std::string message =
      "Output 'y:0' belongs to a Graph that has been destroyed";
  ExpectDestroyed([&] { (void)dead_.y.name(); }, message);
  ExpectDestroyed([&] { (void)dead_.y.dtype(); }, message);
  ExpectDestroyed([&] { (void)dead_.y.shape(); }, message);
  ExpectDestroyed([&] { (void)dead_.y.graph(); }, message);
  ExpectDestroyed([&] { (void)dead_.y.node(); }, message);
  // Its op is a handle too, checked when used.
  Operation op = dead_.y.op();
  ExpectDestroyed([&] { (void)op.type(); },
                  "Operation 'y' belongs to a Graph that has been destroyed");
  // A copy made afterwards is checked the same way.
  Output copy = dead_.x;
  ExpectDestroyed([&] { (void)copy.shape(); },
                  "Output 'x:0' belongs to a Graph that has been destroyed");
}

TEST_F(HandleLifetimeTest, AnOperationNamesItselfInEveryAccessor) {
  const std::string message =
      "Operation 'y' belongs to a Graph that has been destroyed";
  ExpectDestroyed([&] { (void)dead_.y_op.name(); }, message);
  ExpectDestroyed([&] { (void)dead_.y_op.type(); }, message);
  ExpectDestroyed([&] { (void)dead_.y_op.inputs(); }, message);
  ExpectDestroyed([&] { (void)dead_.y_op.control_inputs(); }, message);
  ExpectDestroyed([&] { (void)dead_.y_op.num_outputs(); }, message);
  ExpectDestroyed([&] { (void)dead_.y_op.output(0).name(); },
                  "Output 'y:0' belongs to a Graph that has been destroyed");
}

TEST_F(HandleLifetimeTest, AVariableNamesItself) {
  const std::string message =
      "Variable 'v:0' belongs to a Graph that has been destroyed";
  ExpectDestroyed([&] { (void)dead_.v.name(); }, message);
  ExpectDestroyed([&] { (void)dead_.v.value(); }, message);
  ExpectDestroyed([&] { (void)dead_.v.shape(); }, message);
  ExpectDestroyed([&] { (void)dead_.v.initializer(); }, message);
  ExpectDestroyed([&] { (void)dead_.v.assign(two_); }, message);
  ExpectDestroyed([&] { (void)Output(dead_.v); }, message);
}

TEST_F(HandleLifetimeTest, ComparingAndHashingNeverTouchTheNode) {
  Output same = dead_.y;
  EXPECT_TRUE(same == dead_.y);
  EXPECT_FALSE(dead_.x == dead_.y);
  EXPECT_TRUE(dead_.y_op == dead_.y.op());
  absl::flat_hash_set<Output> set = {dead_.x, dead_.y, dead_.x};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_FALSE(dead_.y.is_null());
  EXPECT_TRUE(Output().is_null());
  EXPECT_EQ(dead_.y.index(), 0);
}

TEST_F(HandleLifetimeTest, BuildingFromADeadOutputThrows) {
  ExpectDestroyed([&] { identity(dead_.x); },
                  "Output 'x:0' belongs to a Graph that has been destroyed");
  ExpectDestroyed([&] { add(two_, dead_.y); },
                  "Output 'y:0' belongs to a Graph that has been destroyed");
  ExpectDestroyed(
      [&] {
        control_dependencies deps({dead_.y_op});
        constant(1.0f);
      },
      "Operation 'y' belongs to a Graph that has been destroyed");
  EXPECT_EQ(graph_.num_nodes(), 1);  // nothing half-built: only `two`
  Session sess(graph_);
  ExpectSessionStillRuns(sess);
}

TEST_F(HandleLifetimeTest, ASessionOfADestroyedGraphReturnsFailedPrecondition) {
  const std::string message =
      "The Session's Graph has been destroyed: a Session must not outlive "
      "its Graph";
  auto out = dead_.sess->run({dead_.y});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status().message(), message);
  absl::Status target = dead_.sess->run(dead_.y_op);
  EXPECT_EQ(target.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(target.message(), message);
  ExpectDestroyed([&] { (void)dead_.sess->graph(); }, message);
  // Destroying it (its plans, variables and kernels) touches no node.
  dead_.sess.reset();
}

TEST_F(HandleLifetimeTest, DeadFeedsFetchesAndTargetsAreStatuses) {
  Session sess(graph_);
  auto out = sess.run({{dead_.x, Tensor(float32, {2})}}, {two_});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status().message(),
            "Output 'x:0' belongs to a Graph that has been destroyed");
  out = sess.run({two_, dead_.y});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status().message(),
            "Output 'y:0' belongs to a Graph that has been destroyed");
  out = sess.run(FeedDict{}, {two_}, {dead_.y_op});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status().message(),
            "Operation 'y' belongs to a Graph that has been destroyed");
  ExpectSessionStillRuns(sess);
}

TEST_F(HandleLifetimeTest, AGraphAtTheSameAddressIsNotMistakenForTheOldOne) {
  std::optional<Graph> storage;
  storage.emplace();
  Output old;
  {
    GraphGuard g(*storage);
    old = placeholder(float32, {}, "p");
  }
  const Graph* address = &*storage;
  storage.reset();
  storage.emplace();  // the same storage, so the same address
  ASSERT_EQ(&*storage, address);
  Output fresh;
  {
    GraphGuard g(*storage);
    fresh = placeholder(float32, {}, "p");
  }
  EXPECT_EQ(fresh.name(), "p:0");
  ExpectDestroyed([&] { (void)old.name(); },
                  "Output 'p:0' belongs to a Graph that has been destroyed");
}

TEST_F(HandleLifetimeTest, ALayerOutlivingItsGraphFailsOnItsVariables) {
  std::optional<layers::Dense> dense;
  {
    Graph graph;
    GraphGuard g(graph);
    dense.emplace(layers::DenseOptions{.units = 2, .name = "dense"});
    (void)(*dense)(placeholder(float32, {-1, 3}, "in"));
  }
  ExpectDestroyed([&] { (void)dense->kernel().name(); },
                  "Variable 'dense/kernel:0' belongs to a Graph that has been "
                  "destroyed");
}

TEST_F(HandleLifetimeTest, CollectionItemsOfADeadGraphThrowWhenRead) {
  CollectionItem item(dead_.y);
  ExpectDestroyed([&] { (void)item.name(); },
                  "Output 'y:0' belongs to a Graph that has been destroyed");
  CollectionItem var_item(dead_.v);
  ExpectDestroyed([&] { (void)var_item.name(); },
                  "Output 'v:0' belongs to a Graph that has been destroyed");
}

TEST_F(HandleLifetimeTest, HandlesOfALiveGraphAreUnaffected) {
  auto x = placeholder(float32, {2}, "x");
  Variable v(constant<float>({3, 4}, {2}), {.name = "v"});
  auto y = x * v;
  EXPECT_EQ(y.op().inputs()[0].name(), "x:0");
  EXPECT_EQ(v.value().name(), "v/read:0");
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  auto out = sess.run({{x, Tensor::FromVector<float>({1, 2}, {2})}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(3, 8));
}

}  // namespace
}  // namespace minitf
